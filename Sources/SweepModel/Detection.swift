/// What detection found in one item: the counts the export shows, and the findings behind them.
///
/// No raw value is ever held here: a finding carries a keyed hash of the value (so "where else does this
/// NINO appear?" can be answered) and a masked excerpt (so a reviewer can see what kind of thing it is).
public struct Detection: Sendable, Equatable {
    public struct Finding: Sendable, Equatable {
        public enum Kind: String, Sendable { case personalData = "pii", marking, specialCategory = "special" }
        public let kind: Kind
        /// The personal-data type, marking label or special category.
        public let type: String
        /// HMAC-SHA256 of the canonical value under the index's own key (empty for markings and categories).
        public let valueHash: String
        public let confidence: String
        /// 1-based line in the extracted text, or the part it came from ("subject", "header").
        public let location: String
        public let excerpt: String

        public init(kind: Kind, type: String, valueHash: String, confidence: String, location: String, excerpt: String) {
            self.kind = kind; self.type = type; self.valueHash = valueHash; self.confidence = confidence
            self.location = location; self.excerpt = excerpt
        }
    }

    /// Distinct values per personal-data type, counting medium and high confidence only.
    public var personalData: [String: Int] = [:]
    /// Normalised markings found, highest first.
    public var markings: [String] = []
    /// Descriptors and caveats the markings carry (`PERSONAL`, `COMMERCIAL`, `UK EYES ONLY`…), distinct.
    public var markingDescriptors: [String] = []
    public var specialCategories: [String] = []
    public var findings: [Finding] = []
    /// Why detection could not read all of the text (the pattern engine failed), when it could not.
    public var problem: String?

    public init() {}

    public var highestMarking: String? { markings.first }

    /// Below this mean word confidence (Tesseract's, 0–100) text recognised in images is doubtful: a finding in
    /// it is held at `medium` confidence at most (still counted, flagged for a second look).
    public static let doubtfulRecognition = 70

    /// The findings with `high` lowered to `medium`: for text recognised with a mean confidence below
    /// ``doubtfulRecognition``, where a digit or a letter may have been misread.
    public func recognisedWithDoubt() -> Detection {
        var d = self
        d.findings = findings.map { f in
            f.confidence == "high"
                ? Finding(kind: f.kind, type: f.type, valueHash: f.valueHash, confidence: "medium", location: f.location, excerpt: f.excerpt)
                : f
        }
        return d
    }

    /// Ranks for "highest marking": current and legacy schemes on one scale.
    public static let markingRank: [String: Int] = [
        "TOP SECRET": 8, "SECRET": 7, "CONFIDENTIAL": 6, "RESTRICTED": 5, "OFFICIAL-SENSITIVE": 4, "PROTECT": 3,
        "OFFICIAL": 2, "UNCLASSIFIED": 1,
    ]
}
