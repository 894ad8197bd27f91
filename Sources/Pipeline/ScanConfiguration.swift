import Crawl
import Index
import Detect
import Extract
import Rules
import SweepModel

/// Everything a scan needs, parsed and compiled before any work starts.
public struct ScanConfiguration: Sendable {
    public var roots: [ItemPath]
    public var excludes: [Glob]
    public var indexPath: String
    /// The file holding the key personal-data values are hashed under (default: `INDEX.key`, see ``KeyStore``).
    public var keyPath: String?
    /// A PostgreSQL index's password file (`index_password_file:`).
    public var indexPasswordFile: String?
    public var rules: RuleSet
    public var jobs: Int
    public var oneFileSystem: Bool
    public var followSymlinks: Bool
    /// How many leading bytes libmagic sees.
    public var headBytes: Int
    /// Walk and fingerprint only: no type, no content analysis (a duplicate sweep).
    public var dupesOnly = false
    /// Read again every unchanged file that had an error (a timeout, a limit, a corrupt or encrypted file).
    public var retryErrors = false
    /// The date ages and retention are judged at (`--as-of`); today by default.
    public var asOf = Timestamp.now()
    /// The extraction defences: nesting depth, expansion, sizes, text cap, time per file.
    public var limits = ExtractionLimits()
    /// Where compiled detection patterns are kept between scans (none: compiled every scan).
    public var patternCache: PatternCache?
    /// Characters of text read from one item at most.
    public var textCap: Int {
        get { limits.textCap }
        set { limits.textCap = newValue }
    }

    /// Stored on each item: a later scan reads an item again when its rules, the extractors, or the kind of
    /// scan differ.
    public var itemVersion: String { dupesOnly ? "dupes-only" : rules.version + "+x" + Extractor.version }

    public init(roots: [ItemPath], excludes: [Glob] = [], indexPath: String, rules: RuleSet, jobs: Int = 2,
                oneFileSystem: Bool = false, followSymlinks: Bool = false, headBytes: Int = 32 * 1024) {
        self.roots = roots; self.excludes = excludes; self.indexPath = indexPath; self.rules = rules
        self.jobs = max(1, jobs); self.oneFileSystem = oneFileSystem; self.followSymlinks = followSymlinks
        self.headBytes = headBytes
    }

    /// One walker per core on local disks, which are CPU-bound (more threads only contend); on network
    /// shares, bound by latency rather than CPU, four per core and at least 16, to keep requests in flight.
    /// Threads for a scan: the cores; or, when the shares or the index are across a network (an index on a
    /// PostgreSQL server, reached over TCP), more requests in flight than cores, as each thread mostly waits.
    public static func defaultJobs(for roots: [ItemPath], index: String = "") -> Int {
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var remoteIndex = false
        if case .postgres(let loc)? = try? IndexLocation.parse(index) { remoteIndex = loc.socketFolder == nil }
        return roots.contains(where: FileSystem.isNetwork) || remoteIndex ? max(16, cores * 4) : cores
    }
}

#if canImport(Glibc)
import Glibc
#endif
