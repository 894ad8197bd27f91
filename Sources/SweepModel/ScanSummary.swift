/// What one scan did, as printed at the end and stored in the index.
public struct ScanSummary: Sendable, Equatable, Codable {
    public var scanID: Int64 = 0
    public var new = 0
    public var changed = 0
    public var unchanged = 0
    public var moved = 0
    public var gone = 0
    public var errors = 0
    public var items = 0
    /// Items read inside files this scan (archive members, messages, attachments); not in `items`.
    public var nested = 0
    public var bytes: Int64 = 0
    public var seconds: Double = 0
    /// Files read by the duplicate stages in this scan.
    public var fingerprinted = 0
    /// Duplicate sets in the index after this scan, and the bytes removing the extra copies would free.
    public var duplicateSets = 0
    public var reclaimable: Int64 = 0
    public var interrupted = false
    /// The rules files in force, and whether detection was on.
    public var rules: [RuleFileUse] = []
    public var detectionEnabled = true
    /// The coverage account of what the scanned roots hold after this scan.
    public var coverage = Coverage()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case scanID = "scan", new, changed, unchanged, moved, gone, errors, items, nested, bytes, seconds, interrupted
        case fingerprinted, duplicateSets = "duplicate_sets", reclaimable = "reclaimable_bytes"
        case rules, detectionEnabled = "detection", coverage
    }
}
