import ArgumentParser
import Foundation
import Index
import Records
import Retention
import Rules
import SweepModel

struct DisposalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disposal",
        abstract: "Disposal candidates, review decisions, recorded disposal and its log.",
        subcommands: [List.self, Decide.self, Execute.self, Purge.self, LogCommand.self, VerifyLog.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Items whose disposal date has come and that no hold covers, with their class and why.",
            discussion: """
                Examples: sweep disposal list --index sweep.db
                          sweep disposal list --as-of 2027-03-31 --class FIN-TRN-01 --format csv > fin.csv
                          sweep disposal list --folder '**/HR/**' --action destroy
                          sweep disposal list --decision pending
                Holds placed with `sweep hold add` apply at once; an extended item is due again after its extension.
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
        var action: DisposalAction?

        @Option(help: "Only items with this highest marking.")
        var marking: String?

        @Option(help: "Only items with this review decision: pending, approved, rejected or extended.")
        var decision: String?

        @Option(help: "table, csv or json.")
        var format: ReportFormat = .table

        @Option(help: "Rows at most in a table (all in csv and json).")
        var limit = 100

        func validate() throws {
            if let asOf, Timestamp.parse(asOf) == nil || asOf.count != 10 {
                throw ValidationError("--as-of must be a date written YYYY-MM-DD, such as 2026-03-31")
            }
            if let decision, !["pending", "approved", "rejected", "extended"].contains(decision) {
                throw ValidationError("--decision must be pending, approved, rejected or extended")
            }
        }

        func run() throws {
            let store = try couldNotRun { try SweepIndex.openForReading(index) }
            let day = try couldNotRun { try asOf ?? store.latestAsOf() ?? String(Timestamp.now().iso8601.prefix(10)) }
            let glob = try folder.map { text -> Glob in
                try folderGlob(text, of: store)
            }
            let rows = try couldNotRun { try DisposalReview(index: store).candidates(asOf: day) }.filter { r in
                let c = r.item
                return (classID == nil || c.classID == classID) && (action == nil || c.action == action)
                    && (owner == nil || c.owner == owner) && (marking == nil || c.marking == marking?.uppercased())
                    && (glob == nil || glob!.matchesPathOrAncestor(c.relativePath)) && (decision == nil || r.state == decision)
            }
            let out = try Output(path: nil)
            switch format {
            case .table:
                let bytes = rows.reduce(Int64(0)) { $0 + $1.item.size }
                out.line("Disposal candidates at \(day): \(rows.count) items, \(ByteCount(bytes))")
                FindingsOutput.printTableTo(out, [["due", "class", "action", "decision", "marking", "path"]] + rows.prefix(limit).map {
                    [$0.due, $0.item.classID, $0.item.action.rawValue, $0.state, $0.item.marking ?? "-", $0.item.display]
                })
                if rows.count > limit { out.line("… \(rows.count - limit) more: --limit N, or --format csv for all") }
            case .csv:
                out.line(CSVText.row(["path", "class", "action", "trigger_date", "disposal_date", "owner", "size", "modified", "marking",
                                      "reason", "decision", "reviewer", "decided_at"]))
                for r in rows {
                    let c = r.item
                    out.line(CSVText.row([c.display, c.classID, c.action.rawValue, c.triggerDate, r.due, c.owner, String(c.size),
                                          c.modified.map { Timestamp(nanoseconds: $0).iso8601 }, c.marking, RetentionReason.describe(c.reason), r.state,
                                          r.decision?.reviewer, r.decision?.decidedAt]))
                }
            case .json:
                for r in rows {
                    let c = r.item
                    var o = JSONObject()
                    o.add("path", c.display); o.add("class", c.classID); o.add("action", c.action.rawValue)
                    o.add("trigger_date", c.triggerDate); o.add("disposal_date", r.due); o.add("owner", c.owner)
                    o.add("size", c.size); o.add("modified", c.modified.map { Timestamp(nanoseconds: $0).iso8601 }); o.add("marking", c.marking)
                    o.add("reason", raw: c.reason)
                    o.add("decision", r.state); o.add("reviewer", r.decision?.reviewer); o.add("decided_at", r.decision?.decidedAt)
                    if r.decision?.decision == .extended { o.add("scheduled_date", c.disposalDate); o.add("extended_by", r.decision?.extend) }
                    out.line(o.text)
                }
            }
            out.flush()
        }
    }
}

/// A date option written YYYY-MM-DD.
func checkDay(_ text: String?, _ option: String) throws {
    if let text, Timestamp.parse(text) == nil || text.count != 10 {
        throw ValidationError("\(option) must be a date written YYYY-MM-DD, such as 2026-03-31")
    }
}

func today() -> String { String(Timestamp.now().iso8601.prefix(10)) }

extension DisposalCommand {
    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decide",
            abstract: "Record a review decision (approve, reject or extend) on items, a class or a folder.",
            discussion: """
                Each decision keeps the item's size, times, device, inode and (for a file on disk) the SHA-256 of its \
                content now: it applies while the item is unchanged, and disposal checks the content against it. \
                A changed item goes back to pending. --class and --folder decide the disposal candidates at --as-of; \
                --item decides that item. Decisions are never edited: decide again and the latest wins.
                Examples: sweep disposal decide --class HR-REC-02 --approve --reviewer "J Smith" --reason "Schedule HR-REC-02, batch 2026-11"
                          sweep disposal decide --item /srv/shares/HR/Recruitment/2019/cv.docx --extend "2 years" \\
                              --reviewer "J Smith" --reason "Tribunal claim expected"
                """)

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(name: .customLong("item"), help: "An item's path, as `disposal list` shows it. Repeatable.")
        var items: [String] = []

        @Option(name: .customLong("class"), help: "Every disposal candidate of this retention class.")
        var classID: String?

        @Option(help: "Every disposal candidate below folders matching this glob (path below the scan root).")
        var folder: String?

        @Flag(help: "Approve disposal.")
        var approve = false

        @Flag(help: "Reject disposal: keep the item.")
        var reject = false

        @Option(help: "Keep it longer: push its disposal date on by this period (N days|weeks|months|years).")
        var extend: String?

        @Option(help: "Who decided (required).")
        var reviewer: String

        @Option(help: "Why (required).")
        var reason: String

        @Option(name: .customLong("as-of"), help: "Candidates for --class/--folder at this date (default: the latest scan's).")
        var asOf: String?

        func validate() throws {
            try checkDay(asOf, "--as-of")
            guard [approve, reject, extend != nil].filter({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --approve, --reject or --extend PERIOD")
            }
            if let extend, (RetentionSchedule.Period.parse(extend) ?? nil) == nil {
                throw ValidationError("--extend '\(extend)' is not a period: use N days|weeks|months|years")
            }
            guard !items.isEmpty || classID != nil || folder != nil else {
                throw ValidationError("say what to decide: --item PATH (repeatable), --class ID or --folder GLOB")
            }
            guard !reviewer.trimmingCharacters(in: .whitespaces).isEmpty, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--reviewer and --reason must not be empty: the decision is a record")
            }
        }

        func run() throws {
            let lock = try couldNotRun { try ScanLock(index: index) }
            defer { withExtendedLifetime(lock) {} }
            let store = try couldNotRun { try SweepIndex.openForScan(index) }
            let review = try couldNotRun { try DisposalReview(index: store) }
            var rows: [(String, DisposalReview.Row?)] = []
            for text in items {
                let path = text.hasPrefix("/") ? text : absolutePath(text)
                rows.append((path, try couldNotRun { try store.disposalItem(at: path) }.map(review.row)))
            }
            if classID != nil || folder != nil {
                let day = try couldNotRun { try asOf ?? store.latestAsOf() ?? today() }
                let glob = try folder.map { text -> Glob in
                    try folderGlob(text, of: store)
                }
                let chosen = try couldNotRun { try review.candidates(asOf: day) }.filter { r in
                    (classID == nil || r.item.classID == classID) && (glob == nil || glob!.matchesPathOrAncestor(r.item.relativePath))
                }
                if chosen.isEmpty && items.isEmpty {
                    throw fail("no disposal candidates at \(day) match \([classID.map { "--class \($0)" }, folder.map { "--folder \($0)" }].compactMap { $0 }.joined(separator: " ")): see `sweep disposal list`")
                }
                rows += chosen.map { ($0.item.display, $0) }
            }
            let kind: DecisionRecord.Kind = approve ? .approved : reject ? .rejected : .extended
            let decider = Decider(index: store)
            let now = Timestamp.now().iso8601
            var recorded = 0, refused = 0
            for (path, row) in rows where row == nil {
                refused += 1; print("refused   \(path): not in the index (scan first, or check the path)")
            }
            let known = rows.compactMap { r in r.1.map { (r.0, $0) } }
            // Checked and hashed one by one, recorded in one transaction.
            let outcomes = try couldNotRun { try decider.decideAll(known.map(\.1), kind, extend: extend, reviewer: reviewer, reason: reason, at: now) }
            for ((path, _), outcome) in zip(known, outcomes) {
                switch outcome {
                case .recorded: recorded += 1; print("\(kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(path)")
                case .refused(let why): refused += 1; print("refused   \(path): \(why)")
                }
            }
            print("\(recorded) \(kind.rawValue), \(refused) refused.")
            if refused > 0 { throw Exit.itemsUnreadable }
        }
    }

    struct Execute: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "execute",
            abstract: "Carry out approved disposal: destroy into a quarantine, transfer into a BagIt bag, or log a review.",
            discussion: """
                Acts only on approved items that nothing holds, that are due, still in the index, files on disk (not \
                inside a container) and still what was approved: same device, inode, size and modified time, and the \
                same SHA-256. Anything else is refused with the reason (exit 1). Every act is appended to the disposal log.
                destroy: moved into --quarantine DIR mirroring its path, purged by `sweep disposal purge` after --grace days.
                transfer: copied into a BagIt bag under --archive DIR (one bag per class per run), checked, then the \
                original removed (--keep-originals leaves it). review: nothing moves.
                Example: sweep disposal execute --quarantine /srv/quarantine/disposal --archive /srv/archive/transfers --dry-run
                """)

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(name: .customLong("as-of"), help: "Only items due on or before this date, YYYY-MM-DD (default: today).")
        var asOf: String?

        @Option(help: "Where destroyed items wait out the grace period (created 0700).")
        var quarantine: String?

        @Option(help: "Where transfer bags are written.")
        var archive: String?

        @Option(help: "Days a destroyed item stays in the quarantine before purge may delete it.")
        var grace = 30

        @Option(help: "The authority recorded in the log (default: the retention schedule class).")
        var authority: String?

        @Option(help: "Source-Organization in each bag's bag-info.txt.")
        var organization = "Records Management"

        @Flag(name: .customLong("keep-originals"), help: "After a transfer, leave the originals in place.")
        var keepOriginals = false

        @Flag(name: .customLong("dry-run"), help: "Check everything, move nothing, log nothing.")
        var dryRun = false

        func validate() throws {
            try checkDay(asOf, "--as-of")
            if grace < 0 { throw ValidationError("--grace must be 0 or more days") }
        }

        func run() throws {
            let lock = try couldNotRun { try ScanLock(index: index) }
            defer { withExtendedLifetime(lock) {} }
            let store = try couldNotRun { try SweepIndex.openForScan(index) }
            var o = Disposer.Options(asOf: asOf ?? today())
            o.quarantine = quarantine.map(absolutePath); o.archive = archive.map(absolutePath); o.graceDays = grace
            o.dryRun = dryRun; o.authority = authority; o.organization = organization; o.keepOriginals = keepOriginals
            if !dryRun {
                for dir in [o.quarantine, o.archive].compactMap({ $0 }) {
                    try couldNotRun {
                        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    }
                }
            }
            let lines = try couldNotRun { try Disposer(index: store, options: o).run() }
            try DisposalCommand.report(lines, dryRun: dryRun, carriedOut: "carried out", store: store)
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge",
            abstract: "Delete destroyed items' quarantined copies whose grace period has ended, logging each.",
            discussion: "Example: sweep disposal purge --quarantine /srv/quarantine/disposal")

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(help: "Only copies in this quarantine folder (default: every one).")
        var quarantine: String?

        @Option(name: .customLong("as-of"), help: "Purge copies whose grace ended on or before this date (default: today).")
        var asOf: String?

        @Flag(name: .customLong("dry-run"), help: "Check everything, delete nothing.")
        var dryRun = false

        func validate() throws { try checkDay(asOf, "--as-of") }

        func run() throws {
            let lock = try couldNotRun { try ScanLock(index: index) }
            defer { withExtendedLifetime(lock) {} }
            let store = try couldNotRun { try SweepIndex.openForScan(index) }
            let lines = try couldNotRun {
                try Disposer.purge(index: store, asOf: asOf ?? today(), quarantine: quarantine.map(absolutePath), dryRun: dryRun)
            }
            try DisposalCommand.report(lines, dryRun: dryRun, carriedOut: "purged", verb: "purge", doneLabel: "purged", store: store)
        }
    }

    struct LogCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "The disposal log: every destroy, transfer, review, purge and hold, in order (the record of destruction).",
            discussion: "Example: sweep disposal log --format csv > disposal-record.csv")

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(help: "table, csv or json.")
        var format: ReportFormat = .table

        static let fields = ["seq", "act_date", "action", "path", "size", "sha256", "class", "authority", "reviewer", "decision_date",
                             "detail", "prev_hash", "hash"]

        func run() throws {
            let store = try couldNotRun { try SweepIndex.openForReading(index) }
            let rows = try couldNotRun { try store.disposalLog().rows }
            let out = try Output(path: nil)
            func values(_ e: DisposalLogEntry) -> [String?] {
                [String(e.seq), e.actDate, e.action.rawValue, e.path, e.size.map { String($0) }, e.sha256, e.classID, e.authority, e.reviewer,
                 e.decisionDate, e.detail, e.prevHash, e.hash]
            }
            switch format {
            case .csv:
                out.line(CSVText.row(LogCommand.fields))
                for e in rows { out.line(CSVText.row(values(e))) }
            case .json:
                for e in rows {
                    var o = JSONObject()
                    for (k, v) in zip(LogCommand.fields, values(e)) {
                        if k == "seq" || k == "size" { o.add(k, v.flatMap { Int64($0) }) } else { o.add(k, v) }
                    }
                    out.line(o.text)
                }
            case .table:
                out.line("Disposal log: \(rows.count) rows")
                FindingsOutput.printTableTo(out, [["seq", "date", "action", "class", "reviewer", "path"]] + rows.map {
                    [String($0.seq), String($0.actDate.prefix(10)), $0.action.rawValue, $0.classID ?? "-", $0.reviewer ?? "-", $0.path]
                })
            }
            out.flush()
        }
    }

    struct VerifyLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-log",
            abstract: "Recompute the disposal log's hash chain: exit 0 when intact, 1 naming the first bad row.",
            discussion: """
                The heads of the log are also noted outside the index, in INDEX.log-heads, as rows are appended; a log whose \
                newest rows were deleted (and its sequence reset) no longer holds them and fails. Note the head printed here \
                somewhere else too, and check it with --head.
                Example: sweep disposal verify-log --index sweep.db --head 5be0…
                """)

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(help: "A head hash noted earlier (printed by execute, purge and verify-log): the log must still hold it.")
        var head: String?

        func run() throws {
            let store = try couldNotRun { try SweepIndex.openForReading(index) }
            let v = try couldNotRun { try DisposalLog.verify(store, head: head) }
            if let p = v.problem {
                print("disposal log BROKEN at row \(p.seq): \(p.why)")
                throw Exit.itemsUnreadable
            }
            print("disposal log intact: \(v.rows) rows, head \(v.head)")
        }
    }
}

extension DisposalCommand {
    /// One line per item as `execute` or `purge` left it, then the totals; exit 1 when any was refused.
    /// `verb` and `doneLabel` replace the item's own action in the lines (purge has one action only).
    static func report(_ lines: [Disposer.Line], dryRun: Bool, carriedOut: String, verb: String? = nil, doneLabel: String? = nil,
                       store: SweepIndex? = nil) throws {
        var done = 0, refused = 0
        for l in lines {
            switch l.outcome {
            case .done(let action, let detail):
                done += 1
                print("\((doneLabel ?? action.rawValue).padding(toLength: 9, withPad: " ", startingAt: 0)) \(l.path): \(detail)")
            case .wouldDo(let action): done += 1; print("would \(verb ?? action.rawValue) \(l.path)")
            case .refused(let why): refused += 1; print("refused   \(l.path): \(why)")
            }
        }
        print(dryRun ? "Dry run: \(done) would be \(carriedOut), \(refused) refused." : "\(done) \(carriedOut), \(refused) refused.")
        if !dryRun, let store {
            // The log's head, to note elsewhere: `verify-log --head` then catches a truncated or rewritten log.
            let v = try couldNotRun { try DisposalLog.verify(store) }
            print("disposal log head: \(v.head) (\(v.rows) rows; also noted in \(DisposalLog.anchorsPath(store)))")
        }
        if refused > 0 { throw Exit.itemsUnreadable }
    }
}

extension DisposalAction: ExpressibleByArgument {}
