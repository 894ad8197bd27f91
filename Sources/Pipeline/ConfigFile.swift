import Extract
import Foundation
import Yams

/// `--config FILE`: a scan's settings in YAML, so a cron or systemd job is one line.
///
/// ```yaml
/// roots: [/srv/shares/HR, /srv/shares/Finance]
/// exclude: ["**/~$*", "*.tmp"]
/// index: /var/lib/sweep/sweep.db
/// rules: /etc/sweep/rules     # layered over the shipped rules, file by file
/// detection: true             # false: no personal data, markings or special categories (said, never implied)
/// ocr: true                   # false: scanned pages and images are not recognised (the coverage account says so)
/// key_file: /etc/sweep/sweep.key  # the key values are hashed under (default: INDEX.key beside the index;
///                                 # required with a PostgreSQL index, the same file on every scanner host)
/// index_password_file: /etc/sweep/index.password  # a PostgreSQL index's password, alone in a mode-0600 file
/// jobs: 16
/// one_file_system: true
/// follow_symlinks: false
/// limits:                      # extraction defences (defaults shown)
///   max_depth: 8               # containers inside containers
///   max_expanded_mb: 2048      # bytes expanded from one file on disk
///   max_ratio: 200             # expanded bytes per compressed byte
///   max_member_mb: 64          # largest nested item read (larger: counted, not read)
///   max_whole_file_mb: 256     # largest mail message / compound file read whole
///   text_cap_mb: 16            # text kept per item
///   seconds_per_item: 60       # time for one item (a file, or each item found inside it)
///   worker_memory_mb: 2048     # address space of the worker process that reads a PDF
///   ocr_pages_per_item: 50     # scanned pages recognised per item (a PDF's image-only pages, a TIFF's pages)
///   ocr_seconds_per_scan: 3600 # OCR time one scan may spend (default: no bound); the rest waits for the next scan
/// ```
/// Flags given on the command line win over the file.
public struct ConfigFile: Decodable, Sendable {
    public var roots: [String]?
    public var exclude: [String]?
    public var index: String?
    public var rules: String?
    public var keyFile: String?
    public var indexPasswordFile: String?
    public var detection: Bool?
    public var ocr: Bool?
    public var jobs: Int?
    public var oneFileSystem: Bool?
    public var followSymlinks: Bool?
    public var limits: Limits?

    /// The extraction defences, each optional: what is not given keeps its default.
    public struct Limits: Decodable, Sendable {
        public var maxDepth: Int?
        public var maxExpandedMB: Int?
        public var maxRatio: Int?
        public var maxMemberMB: Int?
        public var maxWholeFileMB: Int?
        public var textCapMB: Int?
        public var secondsPerItem: Double?
        public var workerMemoryMB: Int?
        public var ocrPagesPerItem: Int?
        public var ocrSecondsPerScan: Double?

        enum CodingKeys: String, CodingKey {
            case maxDepth = "max_depth", maxExpandedMB = "max_expanded_mb", maxRatio = "max_ratio", maxMemberMB = "max_member_mb"
            case maxWholeFileMB = "max_whole_file_mb", textCapMB = "text_cap_mb", secondsPerItem = "seconds_per_item"
            case workerMemoryMB = "worker_memory_mb", ocrPagesPerItem = "ocr_pages_per_item", ocrSecondsPerScan = "ocr_seconds_per_scan"
        }

        /// The defaults with these values applied; a value below 1 is refused with the key's name.
        public func applied(to base: ExtractionLimits) throws -> ExtractionLimits {
            var l = base
            func positive<T: Comparable & Numeric>(_ v: T?, _ key: String) throws -> T? {
                guard let v else { return nil }
                guard v > 0 else { throw Problem(message: "limits.\(key) must be greater than 0, not \(v)") }
                return v
            }
            if let v = try positive(maxDepth, "max_depth") { l.maxDepth = v }
            if let v = try positive(maxExpandedMB, "max_expanded_mb") { l.maxExpandedBytes = Int64(v) << 20 }
            if let v = try positive(maxRatio, "max_ratio") { l.maxRatio = Int64(v) }
            if let v = try positive(maxMemberMB, "max_member_mb") { l.maxChildBytes = v << 20 }
            if let v = try positive(maxWholeFileMB, "max_whole_file_mb") { l.maxWholeFileBytes = v << 20 }
            if let v = try positive(textCapMB, "text_cap_mb") { l.textCap = v << 20 }
            if let v = try positive(secondsPerItem, "seconds_per_item") { l.secondsPerItem = v }
            if let v = try positive(workerMemoryMB, "worker_memory_mb") { l.workerMemoryBytes = v << 20 }
            if let v = try positive(ocrPagesPerItem, "ocr_pages_per_item") { l.ocrPagesPerItem = v }
            if let v = try positive(ocrSecondsPerScan, "ocr_seconds_per_scan") { l.ocrClock = OCRClock(limit: v) }
            return l
        }
    }

    enum CodingKeys: String, CodingKey {
        case roots, exclude, excludes, index, rules, detection, ocr, jobs, limits, keyFile = "key_file"
        case indexPasswordFile = "index_password_file"
        case oneFileSystem = "one_file_system", followSymlinks = "follow_symlinks"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        roots = try c.decodeIfPresent([String].self, forKey: .roots)
        exclude = try c.decodeIfPresent([String].self, forKey: .exclude) ?? c.decodeIfPresent([String].self, forKey: .excludes)
        index = try c.decodeIfPresent(String.self, forKey: .index)
        rules = try c.decodeIfPresent(String.self, forKey: .rules)
        detection = try c.decodeIfPresent(Bool.self, forKey: .detection)
        ocr = try c.decodeIfPresent(Bool.self, forKey: .ocr)
        keyFile = try c.decodeIfPresent(String.self, forKey: .keyFile)
        indexPasswordFile = try c.decodeIfPresent(String.self, forKey: .indexPasswordFile)
        jobs = try c.decodeIfPresent(Int.self, forKey: .jobs)
        oneFileSystem = try c.decodeIfPresent(Bool.self, forKey: .oneFileSystem)
        followSymlinks = try c.decodeIfPresent(Bool.self, forKey: .followSymlinks)
        limits = try c.decodeIfPresent(Limits.self, forKey: .limits)
    }

    public struct Problem: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func load(_ path: String) throws -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Problem(message: "cannot read the config file \(path): check the path and its permissions")
        }
        do {
            return try YAMLDecoder().decode(ConfigFile.self, from: text)
        } catch {
            throw Problem(message: "\(path) is not a valid Sweep config (\(error)): expected keys roots, exclude, index, index_password_file, rules, key_file, detection, ocr, jobs, one_file_system, follow_symlinks, limits")
        }
    }
}
