import ArgumentParser
import Dispatch
import Foundation
import Detect
import Extract
import Index
import Pipeline
import Rules
import SweepModel
#if canImport(Glibc)
import Glibc
#endif

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Crawl shared drives and mail exports and write or update the index.",
        discussion: """
            Unchanged items (same device, inode, size, modified and changed times, same rules) are not opened \
            again. Deleted items are marked gone; moved files are recognised by device and inode.
            Example: sweep scan /srv/shares/HR /srv/shares/Finance --index /var/lib/sweep/sweep.db --exclude '*.tmp'
            """)

    @Argument(help: "Folders (or files) to scan.")
    var roots: [String] = []

    @Option(help: "The index file (default ./sweep.db).")
    var index: String?

    @Option(help: "A rules folder laid over the shipped rules, file by file (default ./rules, else /etc/sweep/rules, else the shipped rules alone).")
    var rules: String?

    @Flag(name: .customLong("no-detection"), help: "Do not look for personal data, markings or special categories (files are still read and classified).")
    var noDetection = false

    @Flag(name: .customLong("no-ocr"), help: "Do not recognise text in scanned pages and images (they are counted as not read).")
    var noOCR = false

    @Option(name: .customLong("exclude"), help: "Skip names (a glob without /) or paths below a root (with /). Repeatable.")
    var excludes: [String] = []

    @Option(help: "Folders and files in flight at once (default: one per core on local disks; on network shares 4 per core, at least 16).")
    var jobs: Int?

    @Option(name: .customLong("as-of"), help: "The date retention is judged at, YYYY-MM-DD (default today).")
    var asOf: String?

    @Option(help: "A YAML file with roots, exclude, index, rules, jobs, one_file_system, follow_symlinks.")
    var config: String?

    @Flag(name: .customLong("one-file-system"), help: "Do not cross into other mounted file systems.")
    var oneFileSystem = false

    @Flag(name: .customLong("follow-symlinks"), help: "Follow symbolic links (each folder is still walked once).")
    var followSymlinks = false

    @Flag(name: .customLong("dupes-only"), help: "A duplicate sweep: walk and fingerprint only, no types or content analysis.")
    var dupesOnly = false

    @Flag(name: .customLong("retry-errors"), help: "Read again unchanged files that had an error (timed out, over a limit, corrupt, encrypted); by default only files that could not be opened are tried again.")
    var retryErrors = false

    @Flag(help: "No progress display.")
    var quiet = false

    @Flag(help: "Print the closing summary as JSON.")
    var json = false

    func validate() throws {
        if let jobs, jobs < 1 || jobs > 512 { throw ValidationError("--jobs must be between 1 and 512") }
        if let asOf, Timestamp.parse(asOf) == nil || asOf.count != 10 {
            throw ValidationError("--as-of must be a date written YYYY-MM-DD, such as 2026-03-31")
        }
        if roots.isEmpty && config == nil { throw ValidationError("give at least one ROOT folder to scan, or --config FILE") }
    }

    func run() throws {
        let configuration = try couldNotRun { try makeConfiguration() }
        let lock = try couldNotRun { try ScanLock(index: configuration.indexPath) }
        let store = try couldNotRun { try SweepIndex.openForScan(configuration.indexPath, readers: configuration.jobs + 2,
                                                                         passwordFile: configuration.indexPasswordFile) }
        let progress = ScanProgress()
        let scanner = Scanner(configuration: configuration, index: store, progress: progress)

        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                printError("\nsweep: stopping: finishing the folders in hand and saving what was read (send again to quit now)")
                scanner.stop()
                signal(sig, SIG_DFL)
            }
            source.resume()
            return source
        }
        let display = ProgressDisplay(progress: progress, quiet: quiet)
        display.start()
        let summary: ScanSummary
        do {
            summary = try scanner.run()
        } catch {
            display.stop()
            throw fail(error)
        }
        display.stop()
        signals.forEach { $0.cancel() }
        try? store.close()   // checkpoint and release the index before the lock
        withExtendedLifetime(lock) {}

        if json {
            let data = try JSONEncoder().encode(summary)
            print(String(decoding: data, as: UTF8.self))
        } else {
            printSummary(summary, index: configuration.indexPath)
        }
        if summary.errors > 0 || summary.interrupted { throw Exit.itemsUnreadable }
    }

    /// Flags over the config file over defaults, compiled once.
    func makeConfiguration() throws -> ScanConfiguration {
        let file = try config.map { try ConfigFile.load($0) }
        let rootTexts = roots.isEmpty ? (file?.roots ?? []) : roots
        guard !rootTexts.isEmpty else { throw ValidationError("the config file names no roots: add `roots: [/path/to/share]`") }
        let excludeTexts = excludes + (file?.exclude ?? [])
        let globs = try excludeTexts.map { text -> Glob in
            do { return try Glob(text) } catch { throw ValidationError("--exclude \(text): \(error)") }
        }
        let detection = !noDetection && (file?.detection ?? true)
        let ruleSet = dupesOnly ? RuleSet.empty   // a duplicate sweep reads no content and classifies nothing
            : try RuleSet.load(rules ?? file?.rules ?? defaultRulesDirectory(), detection: detection)
        let rootPaths = rootTexts.map { ItemPath(absolutePath($0)) }
        var configuration = ScanConfiguration(
            roots: rootPaths,
            excludes: globs,
            indexPath: index ?? file?.index ?? "sweep.db",
            rules: ruleSet,
            jobs: jobs ?? file?.jobs ?? ScanConfiguration.defaultJobs(for: rootPaths, index: index ?? file?.index ?? ""),
            oneFileSystem: oneFileSystem || (file?.oneFileSystem ?? false),
            followSymlinks: followSymlinks || (file?.followSymlinks ?? false))
        configuration.keyPath = ProcessInfo.processInfo.environment["SWEEP_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? file?.keyFile
        configuration.indexPasswordFile = file?.indexPasswordFile
        configuration.dupesOnly = dupesOnly
        configuration.retryErrors = retryErrors
        configuration.patternCache = PatternCache.standard()
        if let limits = file?.limits { configuration.limits = try limits.applied(to: configuration.limits) }
        configuration.limits.ocr = !noOCR && (file?.ocr ?? true)
        // PDFs are read in worker processes of this same binary, under memory and CPU limits.
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            configuration.limits.isolation = Isolation(executable: exe)
        }
        if let asOf, let date = Timestamp.parse(asOf) { configuration.asOf = date }
        return configuration
    }

    func printSummary(_ s: ScanSummary, index: String) {
        let state = s.interrupted ? "stopped before the end (run it again to finish)" : "complete"
        let inside = s.nested > 0 ? " (and \(s.nested) read inside them)" : ""
        print("Scan \(s.scanID) \(state) in \(String(format: "%.1f", s.seconds)) s: \(s.items) items, \(ByteCount(s.bytes))\(inside)")
        print("  new \(s.new)  changed \(s.changed)  unchanged \(s.unchanged)  moved \(s.moved)  gone \(s.gone)  errors \(s.errors)")
        print("  duplicate sets \(s.duplicateSets), reclaimable \(ByteCount(s.reclaimable)) (files read for fingerprints: \(s.fingerprinted)): see `sweep dupes`")
        if s.errors > 0 {
            print("  \(s.errors) item(s) could not be fully read: see `sweep export --index \(index) --format csv` (error column)")
        }
        if !s.rules.isEmpty {
            print("Coverage (what the index holds now):")
            printCoverage(s.coverage, indent: "  ")
            print(rulesLine(s.rules, detection: s.detectionEnabled))
        }
        print("Index: \(index)")
    }
}

/// An absolute path, made lexically (no symlinks resolved): `.` and `..` settled, trailing slashes dropped.
func absolutePath(_ text: String) -> String {
    let full = text.hasPrefix("/") ? text : FileManager.default.currentDirectoryPath + "/" + text
    var parts: [Substring] = []
    for p in full.split(separator: "/", omittingEmptySubsequences: true) {
        if p == "." { continue }
        if p == ".." { _ = parts.popLast(); continue }
        parts.append(p)
    }
    return "/" + parts.joined(separator: "/")
}
