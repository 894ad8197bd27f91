/// Why an item was not read, or not read in full: the index's `error_kind`, the export's error class, and the
/// coverage account's reason. One vocabulary for the crawler, the readers, detection and the fingerprint stage.
public enum ItemErrorKind: String, Sendable, Codable, CaseIterable {
    // The file system refused.
    case permission, vanished, loop, io, other
    // The content, read in full, could not be searched (or not all of it).
    case encrypted, corrupt, limit, timeout, unsupported, unreadable
    case noTextLayer = "no_text_layer"
    /// Not a regular file (FIFO, socket, device): recorded, never opened.
    case special
    /// Detection could not run on it (rules unavailable, or its patterns ran out of time).
    case rules
    /// The scan stopped while the item was read.
    case interrupted
    /// Its bytes could not be read for the duplicate fingerprint.
    case fingerprint

    /// Kinds that describe the content, not the reading of it: the bytes were read in full, so its fingerprints stand.
    public static let describesContent: [ItemErrorKind] = [.encrypted, .corrupt, .limit, .timeout, .unsupported, .noTextLayer, .rules]

    /// Kinds an unchanged re-scan reads again: the cause may have passed (a permission fixed, a disk back, a stopped scan).
    public static let readAgain: [ItemErrorKind] = [.permission, .vanished, .io, .other, .fingerprint, .rules, .interrupted]

    /// A list for an SQL `IN (…)`.
    public static func sqlList(_ kinds: [ItemErrorKind]) -> String { kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ") }

    /// The coverage account's reason for it.
    public var coverageReason: String {
        switch self {
        case .io, .vanished, .other: return "unreadable"
        case .special: return "not_a_regular_file"
        default: return rawValue
        }
    }
}
