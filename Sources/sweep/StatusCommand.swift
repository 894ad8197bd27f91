import ArgumentParser
import Foundation
import Index
import SweepModel

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The last scans: when, how long, counts, errors; and what the index holds now.",
        discussion: "Example: sweep status --index /var/lib/sweep/sweep.db")

    @Option(help: "The index file (default ./sweep.db).")
    var index = "sweep.db"

    @Option(help: "How many scans to show.")
    var last = 10

    @Option(help: "table or json.")
    var format: TableOrJSON = .table

    @Flag(help: "The same as --format json.")
    var json = false

    func run() throws {
        let store = try couldNotRun { try SweepIndex.openForReading(index) }
        let (scans, totals) = try couldNotRun { (try store.recentScans(limit: last), try store.totals()) }
        let (coverage, rules) = try couldNotRun { (try store.coverage(), try store.latestRules()) }
        switch json ? .json : format {
        case .json:
            struct Status: Encodable {
                let index: String; let totals: IndexTotals; let scans: [ScanRecord]; let coverage: Coverage
                let rules: [RuleFileUse]?; let detection: Bool?
            }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let status = Status(index: index, totals: totals, scans: scans, coverage: coverage, rules: rules?.files, detection: rules?.detection)
            print(String(decoding: try enc.encode(status), as: UTF8.self))
        case .table:
            print("Index \(index): \(totals.items) items, \(ByteCount(totals.bytes)), \(totals.errors) with errors, \(totals.gone) gone")
            if scans.isEmpty { print("No scans yet."); return }
            print("")
            let header = ["scan", "started", "took", "state", "items", "new", "changed", "unchanged", "moved", "gone", "errors", "roots"]
            var rows = [header]
            for s in scans {
                let took = s.seconds.map { String(format: "%.1f s", $0) } ?? (s.state == "running" ? "running" : "-")
                rows.append([String(s.id), s.startedAt, took, s.state, String(s.items), String(s.new), String(s.changed),
                             String(s.unchanged), String(s.moved), String(s.gone), String(s.errors), s.roots.joined(separator: " ")])
            }
            printTable(rows)
            print("")
            print("Coverage (what the index holds now):")
            printCoverage(coverage, indent: "  ")
            if let rules { print(rulesLine(rules.files, detection: rules.detection) + " (latest scan)") }
        }
    }
}

enum TableOrJSON: String, ExpressibleByArgument, CaseIterable { case table, json }

/// Left-aligned columns, two spaces apart.
func printTable(_ rows: [[String]], indent: String = "") {
    guard let first = rows.first else { return }
    var widths = Array(repeating: 0, count: first.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    for r in rows {
        var line = indent
        for (i, c) in r.enumerated() {
            line += i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2)
        }
        print(line)
    }
}
