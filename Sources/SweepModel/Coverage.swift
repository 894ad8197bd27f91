/// One rules file a scan had in force, and where it came from.
public struct RuleFileUse: Sendable, Codable, Equatable {
    public let name: String
    /// `shipped` (the copy inside Sweep) or `local` (a file of the rules folder).
    public let source: String
    public let path: String?
    /// A local file byte for byte the shipped one.
    public let sameAsShipped: Bool

    public init(name: String, source: String, path: String?, sameAsShipped: Bool) {
        self.name = name; self.source = source; self.path = path; self.sameAsShipped = sameAsShipped
    }

    enum CodingKeys: String, CodingKey { case name, source, path, sameAsShipped = "same_as_shipped" }

    /// In words: `retention.yaml (/etc/sweep/rules/retention.yaml)`, `markings.yaml (shipped)`.
    public var described: String {
        guard let path else { return "\(name) (shipped)" }
        return sameAsShipped ? "\(name) (\(path), same as shipped)" : "\(name) (\(path))"
    }
}

/// The coverage account: per family of formats, how many items there are, how many were read in full, read in
/// part (a limit or the deadline stopped the reader) and not read, each by reason. What a records manager
/// needs before trusting an empty findings list.
public struct Coverage: Sendable, Codable, Equatable {
    public enum Family: String, Sendable, Codable, CaseIterable {
        case office, pdf, mail, archive, text, image, audioVideo = "audio_video", other

        /// In words, plural: "PDFs", "office documents".
        public var plural: String {
            switch self {
            case .office: return "office documents"
            case .pdf: return "PDFs"
            case .mail: return "mail items"
            case .archive: return "archives"
            case .text: return "text files"
            case .image: return "images"
            case .audioVideo: return "audio and video files"
            case .other: return "other files"
            }
        }

        /// In words, one: "PDF", "office document".
        public var singular: String {
            switch self {
            case .office: return "office document"
            case .pdf: return "PDF"
            case .mail: return "mail item"
            case .archive: return "archive"
            case .text: return "text file"
            case .image: return "image"
            case .audioVideo: return "audio or video file"
            case .other: return "other file"
            }
        }

        /// The family of a MIME type (and of how it was read, which wins).
        public static func of(mime: String?, readAs: String?) -> Family {
            if let r = readAs {
                switch r {
                case "pdf": return .pdf
                case "eml", "mbox", "msg", "pst": return .mail
                case "zip", "7z", "tar", "rar", "gzip", "bzip2", "xz", "cab", "iso", "archive": return .archive
                case "text", "html", "csv", "xml": return .text
                case "ocr": return .image
                default:
                    if officeReadings.contains(r) { return .office }
                }
            }
            guard let m = mime?.lowercased() else { return .other }
            if m == "application/pdf" { return .pdf }
            if m == "message/rfc822" || m == "application/mbox" || m.hasPrefix("application/vnd.ms-outlook") { return .mail }
            if m.hasPrefix("image/") { return .image }
            if m.hasPrefix("audio/") || m.hasPrefix("video/") { return .audioVideo }
            if m.contains("officedocument") || m.contains("opendocument") || m.contains("msword") || m.contains("ms-excel")
                || m.contains("ms-powerpoint") || m.contains("ms-word") || m.hasSuffix("rtf") || m.contains("wordperfect")
                || m.contains("ms-works") || m.contains("ms-publisher") || m.contains("ms-office") || m.contains("ole-storage")
                || m.contains("cdfv2") { return .office }
            if m.contains("zip") || m.contains("tar") || m.contains("7z") || m.contains("rar") || m.contains("gzip")
                || m.contains("bzip2") || m.contains("-xz") || m.contains("compress") || m.contains("cab") || m.contains("iso9660")
                || m.contains("lzma") || m.contains("zstd") || m.contains("archive") { return .archive }
            if m.hasPrefix("text/") || m.hasSuffix("+xml") || m.hasSuffix("/xml") || m.hasSuffix("/json") { return .text }
            return .other
        }

        static let officeReadings: Set<String> = ["docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm", "xlsb", "pptx",
                                               "pptm", "ppsx", "ppsm", "potx", "potm", "odt", "ods", "odp", "ott", "ots", "otp",
                                               "doc", "xls", "ppt", "rtf", "office"]
    }

    /// One family's account.
    public struct Account: Sendable, Codable, Equatable {
        public var items = 0
        public var readInFull = 0
        /// Read in part, by reason (`limit`, `timeout`, …).
        public var readInPart: [String: Int] = [:]
        /// Not read, by reason (`encrypted`, `corrupt`, `unsupported`, `no_text_layer`, `permission`, `no_reader`…).
        public var notRead: [String: Int] = [:]
        /// Scanned pages recognised (OCR), pages the page limit left, and Tesseract's mean word confidence.
        public var ocr: Recognition?

        public init() {}

        public var partCount: Int { readInPart.values.reduce(0, +) }
        public var notReadCount: Int { notRead.values.reduce(0, +) }

        enum CodingKeys: String, CodingKey {
            case items, readInFull = "read_in_full", readInPart = "read_in_part", notRead = "not_read", ocr
        }
    }

    /// A family's scanned pages: recognised, skipped for the page limit, and the mean confidence (0–100) of the
    /// recognised ones.
    public struct Recognition: Sendable, Codable, Equatable {
        public var pagesRecognised = 0
        public var pagesSkipped = 0
        public var meanConfidence: Int?
        var weighted = 0

        enum CodingKeys: String, CodingKey {
            case pagesRecognised = "pages_recognised", pagesSkipped = "pages_skipped_for_limits", meanConfidence = "mean_confidence"
        }
    }

    /// Counts scanned pages for a family (`confidenceTimesPages`: each item's mean confidence times its pages).
    public mutating func countRecognition(_ family: Family, pages: Int, skipped: Int, confidenceTimesPages: Int) {
        var a = families[family] ?? Account()
        var r = a.ocr ?? Recognition()
        r.pagesRecognised += pages
        r.pagesSkipped += skipped
        r.weighted += confidenceTimesPages
        r.meanConfidence = r.pagesRecognised > 0 ? r.weighted / r.pagesRecognised : nil
        a.ocr = r
        families[family] = a
    }

    public var families: [Family: Account] = [:]

    public init() {}

    /// Counts one item: `read` says whether a reader ran over it, `problem` is its error kind, if any.
    public mutating func count(_ family: Family, read: Bool, problem: String?, n: Int = 1) {
        var a = families[family] ?? Account()
        a.items += n
        switch (read, problem) {
        case (true, nil): a.readInFull += n
        case (true, let p?): a.readInPart[Coverage.reason(p), default: 0] += n
        case (false, let p?): a.notRead[Coverage.reason(p), default: 0] += n
        case (false, nil): a.notRead["no_reader", default: 0] += n
        }
        families[family] = a
    }

    /// The stored error kinds in the account's words.
    public static func reason(_ kind: String) -> String {
        ItemErrorKind(rawValue: kind)?.coverageReason ?? kind
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: DynamicKey.self)
        for f in Family.allCases { try c.encode(families[f] ?? Account(), forKey: DynamicKey(f.rawValue)) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: DynamicKey.self)
        for f in Family.allCases {
            // Every family is written, the empty ones too: only those with an account are kept, as counted.
            if let a = try c.decodeIfPresent(Account.self, forKey: DynamicKey(f.rawValue)), a != Account() { families[f] = a }
        }
    }

    struct DynamicKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The account in sentences a records manager reads at a glance, worst first: "1,204 PDFs have no text
    /// layer and were not searched for personal data". Families read in full say so in one line.
    public var sentences: [String] {
        var out: [String] = []
        for f in Family.allCases {
            guard let a = families[f], a.items > 0 else { continue }
            for (reason, n) in a.notRead.sorted(by: { $0.value > $1.value }) {
                out.append("\(Coverage.number(n)) \(n == 1 ? f.singular : f.plural) \(Coverage.notReadWords(reason, family: f, n: n))")
            }
            for (reason, n) in a.readInPart.sorted(by: { $0.value > $1.value }) {
                out.append("\(Coverage.number(n)) \(n == 1 ? f.singular : f.plural) \(Coverage.partWords(reason, n: n))")
            }
            if let r = a.ocr {
                var s = "\(Coverage.number(r.pagesRecognised)) scanned page\(r.pagesRecognised == 1 ? "" : "s") of \(f.plural) recognised (OCR)"
                if let c = r.meanConfidence { s += ", mean confidence \(c)%" }
                if r.pagesSkipped > 0 { s += "; \(Coverage.number(r.pagesSkipped)) more not recognised (limits.ocr_pages_per_item)" }
                out.append(s)
            }
        }
        return out
    }

    /// One line per family: "pdf 120 items: 100 read in full, 2 in part, 18 not read".
    public var table: [(family: String, items: Int, full: Int, part: Int, notRead: Int)] {
        Family.allCases.compactMap { f in
            guard let a = families[f], a.items > 0 else { return nil }
            return (f.rawValue, a.items, a.readInFull, a.partCount, a.notReadCount)
        }
    }

    static func notReadWords(_ reason: String, family: Family, n: Int) -> String {
        let were = n == 1 ? "was" : "were", have = n == 1 ? "has" : "have", are = n == 1 ? "is" : "are"
        switch reason {
        case "encrypted": return "\(are) encrypted and \(were) not searched for personal data"
        case "corrupt": return "\(are) damaged or not what their name says, and \(were) not searched"
        case "unsupported": return "\(are) in a format Sweep cannot read (old or rare variants) and \(were) not searched"
        case "no_text_layer": return "\(have) no text layer (scans) and \(were) not searched for personal data"
        case "permission": return "could not be opened (permission denied) and \(were) not searched"
        case "unreadable": return "could not be read (I/O error or changed during the scan) and \(were) not searched"
        case "limit": return "\(were) over a size limit and not searched"
        case "timeout": return "ran out of time before anything was read"
        case "no_reader":
            if family == .image { return "\(were) not recognised (OCR off, or a type Sweep does not read) and \(were) not searched" }
            return family == .audioVideo
                ? "\(have) no text Sweep can read and \(were) not searched" : "\(are) of types Sweep does not read and \(were) not searched"
        case "not_typed": return "\(were) found by a duplicate sweep and not read yet (run a full scan)"
        case "not_a_regular_file": return "\(are) not regular files (FIFOs, sockets, devices) and \(were) not opened"
        default: return "\(were) not read (\(reason.replacingOccurrences(of: "_", with: " ")))"
        }
    }

    static func partWords(_ reason: String, n: Int) -> String {
        let were = n == 1 ? "was" : "were"
        switch reason {
        case "limit": return "\(were) read only in part (a size or depth limit stopped the reader)"
        case "timeout": return "\(were) read only in part (the per-item deadline stopped the reader)"
        default: return "\(were) read only in part (\(reason.replacingOccurrences(of: "_", with: " ")))"
        }
    }

    /// 1204 → "1,204".
    public static func number(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
