import ArgumentParser
import Foundation
import Index
import SweepModel

struct DisposalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disposal",
        abstract: "Disposal candidates for records managers to review.",
        subcommands: [List.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Items whose disposal date has come and that no hold covers, with their class and why.",
            discussion: """
                Examples: sweep disposal list --index sweep.db
                          sweep disposal list --as-of 2027-03-31 --class FIN-TRN-01 --format csv > fin.csv
                          sweep disposal list --folder '**/HR/**' --action destroy
                """)

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(name: .customLong("as-of"), help: "Judge disposal dates at this date, YYYY-MM-DD (default: the latest scan's).")
        var asOf: String?

        @Option(name: .customLong("class"), help: "Only this retention class.")
        var classID: String?

        @Option(help: "Only items below folders matching this glob (path below the scan root).")
        var folder: String?

        @Option(help: "Only items of this owner.")
        var owner: String?

        @Option(help: "Only this action: destroy, review or transfer.")
        var action: String?

        @Option(help: "Only items with this highest marking.")
        var marking: String?

        @Option(help: "table, csv or json.")
        var format: ReportFormat = .table

        @Option(help: "Rows at most in a table (all in csv and json).")
        var limit = 100

        func validate() throws {
            if let asOf, Timestamp.parse(asOf) == nil || asOf.count != 10 {
                throw ValidationError("--as-of must be a date written YYYY-MM-DD, such as 2026-03-31")
            }
            if let action, !["destroy", "review", "transfer"].contains(action) {
                throw ValidationError("--action must be destroy, review or transfer")
            }
        }

        func run() throws {
            let store = try couldNotRun { try SweepIndex.openForReading(index) }
            let day = try couldNotRun { try asOf ?? store.latestAsOf() ?? String(Timestamp.now().iso8601.prefix(10)) }
            let glob = try folder.map { text -> Glob in
                do { return try Glob(text) } catch { throw ValidationError("--folder \(text): \(error)") }
            }
            let items = try couldNotRun { try store.disposalCandidates(asOf: day) }.filter { c in
                (classID == nil || c.classID == classID) && (action == nil || c.action == action)
                    && (owner == nil || c.owner == owner) && (marking == nil || c.marking == marking?.uppercased())
                    && (glob == nil || glob!.matchesPathOrAncestor(c.relativePath))
            }
            let out = try Output(path: nil)
            switch format {
            case .table:
                let bytes = items.reduce(Int64(0)) { $0 + $1.size }
                out.line("Disposal candidates at \(day): \(items.count) items, \(ByteCount(bytes))")
                FindingsOutput.printTableTo(out, [["due", "class", "action", "marking", "path"]] + items.prefix(limit).map {
                    [$0.disposalDate, $0.classID, $0.action, $0.marking ?? "-", $0.path]
                })
                if items.count > limit { out.line("… \(items.count - limit) more: --limit N, or --format csv for all") }
            case .csv:
                out.line(CSVText.row(["path", "class", "action", "trigger_date", "disposal_date", "owner", "size", "modified", "marking", "reason"]))
                for c in items {
                    out.line(CSVText.row([c.path, c.classID, c.action, c.triggerDate, c.disposalDate, c.owner, String(c.size),
                                          c.modified?.iso8601, c.marking, c.reason]))
                }
            case .json:
                for c in items {
                    var o = JSONObject()
                    o.add("path", c.path); o.add("class", c.classID); o.add("action", c.action)
                    o.add("trigger_date", c.triggerDate); o.add("disposal_date", c.disposalDate); o.add("owner", c.owner)
                    o.add("size", c.size); o.add("modified", c.modified?.iso8601); o.add("marking", c.marking)
                    o.add("reason", raw: c.reason)
                    out.line(o.text)
                }
            }
            out.flush()
        }
    }
}
