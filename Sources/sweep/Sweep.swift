import ArgumentParser
import Extract
#if canImport(Glibc)
import Glibc
#endif

@main
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Scan council shared drives and mail exports: duplicates, markings, personal data, retention.",
        discussion: """
            Exit codes: 0 success; 1 finished, but some items could not be read (they are in the index as errors), \
            or the scan was stopped by a signal (what it read is saved); 2 could not run (bad arguments, \
            unreadable rules, index locked or corrupt).
            """,
        version: VersionText.text,
        subcommands: [ScanCommand.self, ExtractWorkerCommand.self, StatusCommand.self, DupesCommand.self, FindingsCommand.self, DisposalCommand.self,
                      HoldCommand.self, ExportCommand.self, RulesCommand.self, KeyCommand.self, ServeCommand.self, ReportCommand.self])

    /// Like ArgumentParser's own, except that bad arguments exit 2 (CONTRACT.md), not 64.
    static func main() {
        _ = Archive.utf8Locale   // before any thread starts: libarchive reads member names through the locale
        // A closed pipe is an error the writers report (exit 2), not a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)   // so is a file-size limit
        do {
            var command = try parseAsRoot()
            try command.run()
            checkStandardOutput()
        } catch let code as ExitCode {
            if code.rawValue != Exit.couldNotRun.rawValue { checkStandardOutput() }
            Glibc.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }   // --help, --version
            printError(fullMessage(for: error))
            Glibc.exit(Exit.couldNotRun.rawValue)
        }
    }
}
