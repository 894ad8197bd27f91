import SweepModel

/// What classification looks at: where the item is, what it is, what was found in it, and its dates.
public struct ItemFacts: Sendable {
    /// Below the scan root (for a nested item, its container's path: the container's cues).
    public var relativePath: String
    public var name: String
    public var fileExtension: String?
    public var mime: String?
    /// Extracted text, when it was read (for `contains`).
    public var text: String?
    public var markings: [String]
    public var personalData: Set<String>
    public var modified: Timestamp?
    /// Document metadata where present, else the file system's (on Linux, the modified time: see README).
    public var created: Timestamp?
    /// A message's own date, for mail items.
    public var messageDate: Timestamp?

    public init(relativePath: String, name: String, fileExtension: String?, mime: String?, text: String? = nil,
                markings: [String] = [], personalData: Set<String> = [], modified: Timestamp?, created: Timestamp? = nil,
                messageDate: Timestamp? = nil) {
        self.relativePath = relativePath; self.name = name; self.fileExtension = fileExtension; self.mime = mime
        self.text = text; self.markings = markings; self.personalData = personalData; self.modified = modified
        self.created = created; self.messageDate = messageDate
    }
}

/// One item's place in the schedule.
public struct Classification: Sendable, Equatable {
    public var classID: String
    public var action: DisposalAction
    /// The day the retention period starts from.
    public var triggerDate: String?
    /// Nil when the class is kept permanently (or the item has no date to start from).
    public var disposalDate: String?
    /// Holds that apply (ids); any one means the item is never a disposal candidate.
    public var holds: [String]
    /// Why: the class that won and the keys it matched, the other classes that matched and why they lost.
    public var reason: RetentionReason

    public var legalHold: Bool { !holds.isEmpty }

    /// A disposal candidate at `asOf` (YYYY-MM-DD): the date has come and nothing holds it.
    public func isDisposalCandidate(asOf: String) -> Bool {
        Classification.isCandidate(due: disposalDate, held: legalHold, asOf: asOf)
    }

    /// The one definition of a disposal candidate: it has a disposal date, that date (after any extension) is on
    /// or before `asOf` (YYYY-MM-DD), and nothing holds it. The review list, `disposal list`, the web app and the
    /// export's `disposal_candidate` all ask this.
    public static func isCandidate(due: String?, held: Bool, asOf: String) -> Bool {
        guard let due, !due.isEmpty, !held else { return false }
        return due <= asOf
    }
}
