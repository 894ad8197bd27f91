import ArgumentParser
import Foundation
import Index
import Web

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML report on the latest scan, to attach to an email.",
        discussion: """
            What changed since the previous scan, new disposal candidates (due since the previous scan's as-of date, \
            or new or changed in this scan), new personal-data hot spots and duplicate waste. Inline CSS and charts, \
            no links out; counts and paths only, never personal-data values.
            Example: sweep report --html scan-report.html --index /var/lib/sweep/sweep.db
            """)

    @Option(help: "The index file (default ./sweep.db).")
    var index = "sweep.db"

    @Option(help: "Write the report to this file (created 0600: it names files).")
    var html: String

    func run() throws {
        let store = try couldNotRun { try SweepIndex.openForReading(index) }
        let text = try couldNotRun { try ScanReport(index: store).html() }
        let out = try Output(path: html)
        out.line(text)
        out.flush()
        print("Report written to \(html) (\(text.utf8.count / 1024 + 1) KB).")
    }
}
