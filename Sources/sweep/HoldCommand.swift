import ArgumentParser
import Foundation
import Index
import Records
import Retention
import SweepModel

struct HoldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Legal holds kept in the index: place, list and release them (they are never deleted).",
        discussion: """
            A held item is never a disposal candidate and is never moved or deleted, by disposal or by \
            `sweep dupes quarantine`. Holds apply as soon as they are placed, without a scan; holds written in the \
            rules' retention.yaml apply too.
            """,
        subcommands: [Add.self, List.self, Release.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place a hold on every item below the folders (or matching the paths) given.",
            discussion: """
                Example: sweep hold add --id CASE-2026-014 --reason "Subject access request pending" \\
                             --authority "Information Governance Team" --path '**/Social Care/**/Smith*' --review 2027-05-01
                """)

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(help: "The hold's id (a case or request reference); never reused.")
        var id: String

        @Option(help: "Why (an FOI/EIR or subject access request, litigation, an inquiry).")
        var reason: String

        @Option(help: "Who placed it, on whose authority.")
        var authority: String

        @Option(name: .customLong("path"), help: "Scope: a glob on the path below the scan root, case-insensitive, covering folders. Repeatable.")
        var paths: [String] = []

        @Option(help: "The day it starts, YYYY-MM-DD (default: today).")
        var start: String?

        @Option(help: "The day it is due for review, YYYY-MM-DD.")
        var review: String?

        @Option(help: "Who is placing it (default: the login name).")
        var by: String?

        func validate() throws {
            try checkDay(start, "--start")
            try checkDay(review, "--review")
            guard !paths.isEmpty else { throw ValidationError("give the hold's scope: --path GLOB (repeatable), e.g. '**/Social Care/**/Smith*'") }
            for p in paths where !Glob.normalized(p).hasPrefix("/") {   // an absolute path is made relative in run()
                do { _ = try Glob(p) } catch { throw ValidationError("--path \(p): \(error)") }
            }
            for (name, v) in [("--id", id), ("--reason", reason), ("--authority", authority)]
            where v.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("\(name) must not be empty: a hold names its reason and authority")
            }
        }

        func run() throws {
            let lock = try couldNotRun { try ScanLock(index: index) }
            defer { withExtendedLifetime(lock) {} }
            let store = try couldNotRun { try SweepIndex.openForScan(index) }
            let now = Timestamp.now().iso8601
            let who = by ?? currentUser()
            // Kept as globs below the scan roots (Holds.place): a path given whole is written as the path below its root.
            let h = HoldRecord(id: id, reason: reason, authority: authority, scope: paths, startDate: start ?? today(), reviewDate: review,
                               placedBy: who, placedAt: now)
            let placed: HoldRecord
            do { placed = try Holds.place(h, in: store) } catch let p as Scope.Problem {
                throw ValidationError("--path \(p)")
            } catch { throw fail(error) }
            print("hold \(id) placed on \(placed.scope.joined(separator: ", ")) from \(h.startDate)" + (review.map { ", review by \($0)" } ?? ""))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The holds placed with `sweep hold add` (active ones; --all for released ones too).",
            discussion: "Example: sweep hold list --all --format csv")

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Flag(help: "Released holds too.")
        var all = false

        @Option(help: "table, csv or json.")
        var format: ReportFormat = .table

        func run() throws {
            let store = try couldNotRun { try SweepIndex.openForReading(index) }
            let holds = try couldNotRun { try store.holds() }.filter { all || $0.isActive }
            let out = try Output(path: nil)
            let fields = ["id", "state", "reason", "authority", "scope", "start", "review", "placed_by", "placed_at", "released_by",
                          "released_at", "release_reason"]
            func values(_ h: HoldRecord) -> [String?] {
                [h.id, h.isActive ? "active" : "released", h.reason, h.authority, h.scope.joined(separator: ";"), h.startDate, h.reviewDate,
                 h.placedBy, h.placedAt, h.releasedBy, h.releasedAt, h.releaseReason]
            }
            switch format {
            case .csv:
                out.line(CSVText.row(fields))
                for h in holds { out.line(CSVText.row(values(h))) }
            case .json:
                for h in holds {
                    var o = JSONObject()
                    for (k, v) in zip(fields, values(h)) { if k == "scope" { o.add(k, h.scope) } else { o.add(k, v) } }
                    out.line(o.text)
                }
            case .table:
                out.line("Holds: \(holds.count)")
                FindingsOutput.printTableTo(out, [["id", "state", "start", "review", "authority", "scope"]] + holds.map {
                    [$0.id, $0.isActive ? "active" : "released \($0.releasedAt?.prefix(10) ?? "")", $0.startDate, $0.reviewDate ?? "-",
                     $0.authority, $0.scope.joined(separator: ", ")]
                })
            }
            out.flush()
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a hold: recorded with who, when and why; the hold itself stays in the index.",
            discussion: "Example: sweep hold release CASE-2026-014 --reason \"Request answered 2026-12-01\"")

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Argument(help: "The hold's id.")
        var id: String

        @Option(help: "Why it is released (required).")
        var reason: String

        @Option(help: "Who releases it (default: the login name).")
        var by: String?

        func validate() throws {
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty: the release is a record") }
        }

        func run() throws {
            let lock = try couldNotRun { try ScanLock(index: index) }
            defer { withExtendedLifetime(lock) {} }
            let store = try couldNotRun { try SweepIndex.openForScan(index) }
            let now = Timestamp.now().iso8601
            let who = by ?? currentUser()
            try couldNotRun { try Holds.release(id, by: who, at: now, reason: reason, in: store) }
            print("hold \(id) released by \(who): \(reason)")
        }
    }
}

/// The login name, and the sudo caller when there is one.
func currentUser() -> String {
    let uid = getuid()
    var name = String(uid)
    if let pw = getpwuid(uid), let n = pw.pointee.pw_name { name = String(cString: n) }
    if let s = ProcessInfo.processInfo.environment["SUDO_USER"], !s.isEmpty, s != name { return "\(name) (sudo by \(s))" }
    return name
}

/// A folder given on the command line as the glob below the scan roots (see `Scope`).
func folderGlob(_ text: String, of store: SweepIndex) throws -> Glob {
    let roots = try couldNotRun { try Scope.roots(of: store) }
    do { return try Scope.glob(text, roots: roots) } catch let p as Scope.Problem { throw ValidationError("--folder \(p)") }
}
