import ArgumentParser
import Duplicates
import Foundation
import Index
import SweepModel

struct DupesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dupes",
        abstract: "Duplicate sets, largest reclaimable space first; quarantine the extra copies, or restore them.",
        subcommands: [List.self, QuarantineCommand.self, RestoreCommand.self],
        defaultSubcommand: List.self)

    /// How to choose the copy to keep, shared by the report and the quarantine.
    struct KeepOptions: ParsableArguments {
        @Option(name: .customLong("records"), help: "A designated records location (glob); copies there are kept first. Repeatable.")
        var records: [String] = []

        @Option(name: .customLong("keep-order"), help: "Rules for the copy to keep, in order, from: records, oldest, newest, shortest, longest.")
        var keepOrder = "records,oldest,shortest"

        @Option(name: .customLong("min-size"), help: "Only sets whose files are at least this many bytes.")
        var minSize: Int64 = 1

        func policy() throws -> KeepPolicy {
            let rules = try keepOrder.split(separator: ",").map { word -> KeepPolicy.Rule in
                guard let r = KeepPolicy.Rule(rawValue: word.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--keep-order: unknown rule \"\(word)\"; use records, oldest, newest, shortest, longest")
                }
                return r
            }
            let globs = try records.map { text -> Glob in
                do { return try Glob(text) } catch { throw ValidationError("--records \(text): \(error)") }
            }
            return KeepPolicy(order: rules, recordsLocations: globs)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Duplicate sets with the copy to keep and why (the default action of `sweep dupes`).",
            discussion: """
                Examples: sweep dupes --index sweep.db
                          sweep dupes --records '**/Records/**' --format csv > dupes.csv
                          sweep dupes --folders
                """)

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(help: "table, csv or json.")
        var format: ReportFormat = .table

        @Flag(help: "Whole duplicated folder trees instead of single files.")
        var folders = false

        @Option(help: "Show at most this many sets in a table (all in csv and json).")
        var limit = 50

        @OptionGroup var keep: KeepOptions

        func run() throws {
            let store = try couldNotRun { try SweepIndex.openForReading(index) }
            if folders {
                let twins = try couldNotRun { try FolderTwins(index: store) }
                DupesOutput.folders(twins, format: format, limit: limit)
            } else {
                let report = try couldNotRun { try DuplicateReport(index: store, policy: try keep.policy(), minSize: keep.minSize) }
                DupesOutput.sets(report, format: format, limit: limit)
            }
        }
    }

    struct QuarantineCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quarantine",
            abstract: "Move the copies not kept into DIR, mirroring their paths, after a byte-by-byte check.",
            discussion: """
                A copy moves only if no legal hold covers it (the rules' holds, or one placed with `sweep hold add`), it and the kept copy are unchanged \
                since the scan, and its bytes equal the kept copy's. DIR/manifest.jsonl and manifest.csv record \
                each move (path, size, SHA-256, kept copy, who, when). Undo with `sweep dupes restore --from DIR`.
                Example: sweep dupes quarantine --to /srv/quarantine/2026-11 --records '**/Records/**' --dry-run
                """)

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(help: "The quarantine folder (created 0700).")
        var to: String

        @Flag(name: .customLong("dry-run"), help: "Check everything, move nothing.")
        var dryRun = false

        @OptionGroup var keep: KeepOptions

        func run() throws {
            let lock = try couldNotRun { try ScanLock(index: index) }
            let store = try couldNotRun { try SweepIndex.openForScan(index) }
            let report = try couldNotRun { try DuplicateReport(index: store, policy: try keep.policy(), minSize: keep.minSize) }
            let quarantine = Quarantine(root: absolutePath(to), index: store,
                                        holdReason: { $0.holds.isEmpty ? nil : $0.holds.joined(separator: ", ") })
            let lines = try couldNotRun { try quarantine.run(report.sets, dryRun: dryRun) }
            withExtendedLifetime(lock) {}
            var moved = 0, skipped = 0
            for l in lines {
                switch l.outcome {
                case .moved(let to, _):
                    moved += 1
                    print("moved    \(l.path) -> \(to)")
                case .wouldMove:
                    moved += 1
                    print("would move  \(l.path)   (keeping \(l.kept))")
                case .skipped(let why):
                    skipped += 1
                    print("kept     \(l.path): \(why)")
                }
            }
            print(dryRun ? "Dry run: \(moved) would move, \(skipped) would stay." : "\(moved) moved to \(absolutePath(to)), \(skipped) left in place.")
        }
    }

    struct RestoreCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Put every quarantined copy back where it was (content, mode, owner, times).",
            discussion: "Example: sweep dupes restore --from /srv/quarantine/2026-11")

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(help: "The quarantine folder.")
        var from: String

        func run() throws {
            let lock = try couldNotRun { try ScanLock(index: index) }
            let store = try couldNotRun { try SweepIndex.openForScan(index) }
            let results = try couldNotRun { try Quarantine(root: absolutePath(from), index: store).restore() }
            withExtendedLifetime(lock) {}
            var restored = 0, skipped = 0
            for (path, outcome) in results {
                switch outcome {
                case .restored: restored += 1; print("restored \(path)")
                case .skipped(let why): skipped += 1; print("left     \(path): \(why)")
                }
            }
            print("\(restored) restored, \(skipped) left in the quarantine.")
            if skipped > 0 { throw Exit.itemsUnreadable }
        }
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case table, csv, json }
