import Rules
import SweepModel

/// Everything a scan needs, parsed and compiled before any work starts.
public struct ScanConfiguration: Sendable {
    public var roots: [ItemPath]
    public var excludes: [Glob]
    public var indexPath: String
    public var rules: RuleSet
    public var jobs: Int
    public var oneFileSystem: Bool
    public var followSymlinks: Bool
    /// How many leading bytes libmagic sees.
    public var headBytes: Int

    public init(roots: [ItemPath], excludes: [Glob] = [], indexPath: String, rules: RuleSet, jobs: Int = ScanConfiguration.defaultJobs,
                oneFileSystem: Bool = false, followSymlinks: Bool = false, headBytes: Int = 32 * 1024) {
        self.roots = roots; self.excludes = excludes; self.indexPath = indexPath; self.rules = rules
        self.jobs = max(1, jobs); self.oneFileSystem = oneFileSystem; self.followSymlinks = followSymlinks
        self.headBytes = headBytes
    }

    /// Shares are bound by latency, not CPU: keep several requests in flight per core.
    public static var defaultJobs: Int {
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return max(4, min(32, Int(cores) * 4))
    }
}

#if canImport(Glibc)
import Glibc
#endif
