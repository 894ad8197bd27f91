import Foundation
import Hummingbird
import Index
import Records
import Retention
import Rules
import SweepModel

/// The disposal review: the candidates `sweep disposal list` gives (same holds, decisions and extensions),
/// filtered, sorted and paged, with one form to approve, reject or extend the ticked ones in bulk.
extension WebApp {
    static let rowsPerPage = 100
    static let disposalFilters = ["as_of", "class", "folder", "action", "marking", "decision", "sort", "order"]

    struct DisposalList {
        let asOf: String
        let all: [DisposalReview.Row]
        let rows: [DisposalReview.Row]
        let problem: String?
    }

    /// The candidates at the chosen date, filtered as the CLI filters them, in the chosen order.
    func disposalList(_ q: FormData) throws -> DisposalList {
        var problem: String?
        var asOf = try store.latestAsOf() ?? String(Timestamp.now().iso8601.prefix(10))
        if let a = q["as_of"] {
            if a.count == 10, Timestamp.parse(a) != nil { asOf = a } else { problem = "“\(a)” is not a date: write it YYYY-MM-DD." }
        }
        var glob: Glob?
        if let f = q["folder"] {
            do { glob = try Scope.glob(f, in: store) } catch { problem = "Folder “\(f)”: \(error)" }
        }
        let all = try DisposalReview(index: store).candidates(asOf: asOf)
        var rows = all.filter { r in
            let c = r.item
            return (q["class"] == nil || c.classID == q["class"]) && (q["action"] == nil || c.action.rawValue == q["action"])
                && (q["marking"] == nil || (c.marking ?? "none") == q["marking"]) && (q["decision"] == nil || r.state == q["decision"])
                && (glob == nil || glob!.matchesPathOrAncestor(c.relativePath))
        }
        let key = q["sort"] ?? "due"
        func less(_ a: DisposalReview.Row, _ b: DisposalReview.Row) -> Bool {
            switch key {
            case "path": return a.item.path < b.item.path
            case "class": return (a.item.classID, a.due, a.item.path) < (b.item.classID, b.due, b.item.path)
            case "size": return (a.item.size, a.item.path) < (b.item.size, b.item.path)
            case "decision": return (a.state, a.due, a.item.path) < (b.state, b.due, b.item.path)
            default: return (a.due, a.item.path) < (b.due, b.item.path)
            }
        }
        rows.sort(by: less)
        if q["order"] == "desc" { rows.reverse() }
        return DisposalList(asOf: asOf, all: all, rows: rows, problem: problem)
    }

    func disposal(_ call: Call) async throws -> Response {
        let list = try disposalList(call.query)
        if call.wantsCSV {
            return Reply.csv([["path", "class", "action", "trigger_date", "disposal_date", "owner", "size", "modified", "marking",
                               "reason", "decision", "reviewer", "decided_at"]] + list.rows.map { r in
                let c = r.item
                return [c.display, c.classID, c.action.rawValue, c.triggerDate, r.due, c.owner, String(c.size),
                        c.modified.map { Timestamp(nanoseconds: $0).iso8601 }, c.marking, RetentionReason.describe(c.reason), r.state,
                        r.decision?.reviewer, r.decision?.decidedAt]
            }, filename: "sweep-disposal-\(list.asOf).csv")
        }
        let q = call.query
        let pageNumber = max(1, Int(q["page"] ?? "") ?? 1)
        let start = (pageNumber - 1) * WebApp.rowsPerPage
        let shown = Array(list.rows.dropFirst(start).prefix(WebApp.rowsPerPage))
        let bytes = list.rows.reduce(Int64(0)) { $0 + $1.item.size }
        let classes = Array(Set(list.all.map(\.item.classID))).sorted()
        let markings = Array(Set(list.all.map { $0.item.marking ?? "none" })).sorted()
        let back = HTML.link("/disposal", WebApp.disposalFilters.map { ($0, q[$0]) } + [("page", pageNumber > 1 ? String(pageNumber) : nil)])

        func select(_ name: String, _ label: String, _ values: [String]) -> String {
            "<label for=\"f-\(name)\">\(label)</label> <select id=\"f-\(name)\" name=\"\(name)\">"
                + HTML.options([("", "any")] + values.map { ($0, $0) }, selected: q[name]) + "</select>"
        }
        var body = list.problem.map { "<p class=\"note\" role=\"alert\">\(HTML.escape($0))</p>" } ?? ""
        body += """
            <form method="get" action="/disposal"><fieldset><legend>Which candidates</legend>
            <label for="f-as_of">Due on or before</label> <input id="f-as_of" name="as_of" type="date" value="\(HTML.escape(list.asOf))">
            \(select("class", "Class", classes))
            <label for="f-folder">Folder (glob)</label> <input id="f-folder" name="folder" value="\(HTML.escape(q["folder"] ?? ""))" placeholder="**/HR/**">
            \(select("action", "Action", ["destroy", "review", "transfer"]))
            \(select("marking", "Marking", markings))
            \(select("decision", "Decision", ["pending", "approved", "rejected", "extended"]))
            <label for="f-sort">Sort by</label> <select id="f-sort" name="sort">\(HTML.options(
                [("due", "due date"), ("path", "path"), ("class", "class"), ("size", "size"), ("decision", "decision")], selected: q["sort"] ?? "due"))</select>
            <label for="f-order">Order</label> <select id="f-order" name="order">\(HTML.options(
                [("asc", "ascending"), ("desc", "descending")], selected: q["order"] ?? "asc"))</select>
            <button type="submit">Show</button>
            </fieldset></form>
            <p>\(list.rows.count) candidates due by \(HTML.escape(list.asOf)), \(HTML.bytes(bytes)).
            <a href="\(HTML.escape(HTML.link("/disposal", WebApp.disposalFilters.map { ($0, q[$0]) } + [("format", "csv")])))">Download them all (CSV)</a></p>
            <form method="post" action="/disposal/decide">
            \(HTML.csrfField(call.session.csrf))<input type="hidden" name="back" value="\(HTML.escape(back))">
            """
        let rows = shown.enumerated().map { n, r -> [String] in
            let c = r.item
            let decision = r.state + (r.decision.map { " (\($0.reviewer), \($0.decidedAt.prefix(10)))" } ?? "")
            return ["<input type=\"checkbox\" name=\"item\" id=\"c\(n)\" value=\"\(HTML.escape(c.display))\">"
                        + "<label for=\"c\(n)\" class=\"vh\">Select \(HTML.escape(c.display))</label>",
                    "<a class=\"path\" href=\"\(HTML.escape(HTML.itemLink(c.display)))\">\(HTML.escape(c.display))</a>",
                    HTML.escape(c.classID), HTML.escape(c.action.rawValue), HTML.escape(r.due), HTML.escape(RetentionReason.describe(c.reason)),
                    HTML.escape(decision), HTML.bytes(c.size)]
        }
        body += HTML.table(caption: "Candidates \(start + 1)–\(start + shown.count) of \(list.rows.count)",
                           headers: ["select", "path", "class", "action", "due", "why", "decision", "size"], rows: rows, numeric: [7],
                           nowrap: [2, 4])
        body += """
            <fieldset><legend>Decide the ticked items</legend>
            <p><label for="reviewer">Reviewer name</label> <input id="reviewer" name="reviewer" required autocomplete="name">
            <label for="reason">Reason</label> <input id="reason" name="reason" required size="40" placeholder="Schedule HR-REC-02, batch 2026-11">
            <label for="extend">Extend by (for Extend)</label> <input id="extend" name="extend" size="10" placeholder="2 years"></p>
            <p><button type="submit" name="decision" value="approve">Approve</button>
            <button type="submit" name="decision" value="reject">Reject</button>
            <button type="submit" name="decision" value="extend">Extend</button></p>
            <p>Decisions are recorded as <code>sweep disposal decide</code> records them: with each file's SHA-256 now. Nothing is deleted here;
            approved items are disposed of by <code>sweep disposal execute</code>.</p>
            </fieldset></form>
            """
        body += pager("/disposal", call, page: pageNumber, total: list.rows.count, per: WebApp.rowsPerPage, keep: WebApp.disposalFilters)
        return page("Disposal review", call, current: "/disposal", body)
    }

    /// Records one decision per ticked item through ``Decider``, exactly as `sweep disposal decide --item` does.
    func decide(_ call: Call) async throws -> Response {
        let f = call.form
        let back = f["back"].flatMap { $0.hasPrefix("/disposal") ? $0 : nil } ?? "/disposal"
        let items = f.all("item")
        let kind: DecisionRecord.Kind? = ["approve": .approved, "reject": .rejected, "extend": .extended][f["decision"] ?? ""]
        var problems: [String] = []
        if items.isEmpty { problems.append("Tick at least one item.") }
        if items.count > WebApp.maxItemsPerDecision {
            problems.append("At most \(WebApp.maxItemsPerDecision) items can be decided at once; for a whole class or folder use `sweep disposal decide --class` or `--folder`.")
        }
        if kind == nil { problems.append("Choose Approve, Reject or Extend.") }
        if f["reviewer"] == nil { problems.append("Give the reviewer's name.") }
        if f["reason"] == nil { problems.append("Give a reason: the decision is a record.") }
        if kind == .extended {
            if let e = f["extend"], (RetentionSchedule.Period.parse(e) ?? nil) == nil {
                problems.append("“\(e)” is not a period: write N days, weeks, months or years.")
            } else if f["extend"] == nil { problems.append("Say how long to extend by, such as 2 years.") }
        }
        guard problems.isEmpty, let kind, let reviewer = f["reviewer"], let reason = f["reason"] else {
            return await redirect(back, flash: "Nothing was recorded. " + problems.joined(separator: " "), call)
        }
        let extend = kind == .extended ? f["extend"] : nil
        let indexPath = self.indexPath
        let outcome: String = try await writer.run {
            let lock: ScanLock
            do { lock = try ScanLock(index: indexPath) } catch {
                return "Nothing was recorded: \(error). Try again when the scan has finished."
            }
            defer { withExtendedLifetime(lock) {} }
            let store = try SweepIndex.openForScan(indexPath)
            defer { try? store.close() }
            let review = try DisposalReview(index: store)
            let decider = Decider(index: store)
            let now = Timestamp.now().iso8601
            var recorded = 0
            var refused: [String] = []
            var rows: [(String, DisposalReview.Row)] = []
            for path in items {
                let item: DisposalItem?
                do { item = try store.disposalItem(at: path) } catch let a as SweepIndex.AmbiguousPath {
                    refused.append("\(a)"); continue
                }
                guard let row = item.map(review.row) else {
                    refused.append("\(path): not in the index (scan first)"); continue
                }
                rows.append((path, row))
            }
            // One transaction for the whole form.
            let outcomes = try decider.decideAll(rows.map(\.1), kind, extend: extend, reviewer: reviewer, reason: reason, at: now)
            for ((path, _), outcome) in zip(rows, outcomes) {
                switch outcome {
                case .recorded: recorded += 1
                case .refused(let why): refused.append("\(path): \(why)")
                }
            }
            return "\(recorded) \(kind.rawValue), \(refused.count) refused." + refused.map { "\n" + $0 }.joined()
        }
        return await redirect(back, flash: outcome, call)
    }
}
