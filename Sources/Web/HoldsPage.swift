import Foundation
import Hummingbird
import Index
import Records
import Retention
import SweepModel

/// Legal holds: the list, a form to place one, and a release form for each active one; written through the
/// index's holds API and the disposal log, as `sweep hold add` and `sweep hold release` write them.
extension WebApp {
    func holdsPage(_ call: Call) async throws -> Response {
        let holds = try store.holds().sorted { ($0.isActive ? 0 : 1, $0.placedAt) < ($1.isActive ? 0 : 1, $1.placedAt) }
        let fields = ["id", "state", "reason", "authority", "scope", "start", "review", "placed_by", "placed_at", "released_by",
                      "released_at", "release_reason"]
        if call.wantsCSV {
            return Reply.csv([fields] + holds.map { h in
                [h.id, h.isActive ? "active" : "released", h.reason, h.authority, h.scope.joined(separator: ";"), h.startDate, h.reviewDate,
                 h.placedBy, h.placedAt, h.releasedBy, h.releasedAt, h.releaseReason]
            }, filename: "sweep-holds.csv")
        }
        let csrf = HTML.csrfField(call.session.csrf)
        let rows = holds.enumerated().map { n, h -> [String] in
            let state: String
            if h.isActive {
                state = """
                    active<form method="post" action="/holds/release">\(csrf)<input type="hidden" name="id" value="\(HTML.escape(h.id))">
                    <label for="rr\(n)">Release reason</label> <input id="rr\(n)" name="reason" required>
                    <label for="rb\(n)">Your name</label> <input id="rb\(n)" name="by" required autocomplete="name">
                    <button type="submit">Release \(HTML.escape(h.id))</button></form>
                    """
            } else {
                state = HTML.escape("released \(h.releasedAt ?? "") by \(h.releasedBy ?? ""): \(h.releaseReason ?? "")")
            }
            return [HTML.escape(h.id), HTML.escape(h.reason), HTML.escape(h.authority),
                    "<span class=\"path\">" + h.scope.map(HTML.escape).joined(separator: "<br>") + "</span>",
                    HTML.escape(h.startDate), HTML.escape(h.reviewDate ?? "-"), HTML.escape("\(h.placedBy), \(h.placedAt.prefix(10))"), state]
        }
        let body = """
            <p>A held item is never a disposal candidate and is never moved or deleted. Holds written in the rules'
            <code>retention.yaml</code> apply too; they are shown on each item's page. <a href="/holds?format=csv">Download (CSV)</a></p>
            \(HTML.table(caption: "Holds placed in the index (\(holds.filter(\.isActive).count) active)",
                         headers: ["id", "reason", "authority", "scope", "start", "review", "placed", "state"], rows: rows))
            <form method="post" action="/holds/add">\(csrf)<fieldset><legend>Place a hold</legend>
            <p><label for="h-id">Hold id (a case or request reference)</label> <input id="h-id" name="id" required placeholder="CASE-2026-014"></p>
            <p><label for="h-reason">Reason</label> <input id="h-reason" name="reason" required size="50" placeholder="Subject access request pending"></p>
            <p><label for="h-authority">Authority</label> <input id="h-authority" name="authority" required size="40" placeholder="Information Governance Team"></p>
            <p><label for="h-scope">Scope: path globs below the scan root, one a line</label><br>
            <textarea id="h-scope" name="scope" required rows="3" cols="60" placeholder="**/Social Care/**/Smith*"></textarea></p>
            <p><label for="h-start">Starts</label> <input id="h-start" name="start" type="date">
            <label for="h-review">Review by</label> <input id="h-review" name="review" type="date">
            <label for="h-by">Your name</label> <input id="h-by" name="by" required autocomplete="name"></p>
            <p><button type="submit">Place hold</button></p>
            </fieldset></form>
            """
        return page("Holds", call, current: "/holds", body)
    }

    func addHold(_ call: Call) async throws -> Response {
        let f = call.form
        let scope = (f["scope"] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var problems: [String] = []
        for (key, label) in [("id", "an id"), ("reason", "a reason"), ("authority", "an authority"), ("by", "your name")] where f[key] == nil {
            problems.append("Give \(label).")
        }
        if scope.isEmpty { problems.append("Give the hold's scope: at least one path glob.") }
        // A whole path is made the path below its scan root, as on the command line (Holds.place does it for
        // both); one below no scanned root is refused here, before anything is written.
        let roots = try Scope.roots(of: store)
        for g in scope { do { _ = try Scope.glob(g, roots: roots) } catch { problems.append("Scope “\(g)”: \(error)") } }
        for key in ["start", "review"] {
            if let d = f[key], d.count != 10 || Timestamp.parse(d) == nil { problems.append("“\(d)” is not a date: write it YYYY-MM-DD.") }
        }
        guard problems.isEmpty, let id = f["id"], let reason = f["reason"], let authority = f["authority"], let by = f["by"] else {
            return await redirect("/holds", flash: "No hold was placed. " + problems.joined(separator: " "), call)
        }
        let start = f["start"] ?? String(Timestamp.now().iso8601.prefix(10))
        let review = f["review"]
        let indexPath = self.indexPath
        let outcome: String = try await writer.run {
            let lock: ScanLock
            do { lock = try ScanLock(index: indexPath) } catch { return "No hold was placed: \(error). Try again when the scan has finished." }
            defer { withExtendedLifetime(lock) {} }
            let store = try SweepIndex.openForScan(indexPath)
            defer { try? store.close() }
            let now = Timestamp.now().iso8601
            let h = HoldRecord(id: id, reason: reason, authority: authority, scope: scope, startDate: start, reviewDate: review,
                               placedBy: by, placedAt: now)
            let placed: HoldRecord
            do { placed = try Holds.place(h, in: store) } catch let p as SweepIndex.HoldProblem { return "No hold was placed: \(p)." }
            catch let p as Scope.Problem { return "No hold was placed: \(p)." }
            return "Hold \(id) placed on \(placed.scope.joined(separator: ", ")) from \(start)."
        }
        return await redirect("/holds", flash: outcome, call)
    }

    func releaseHold(_ call: Call) async throws -> Response {
        let f = call.form
        guard let id = f["id"], let reason = f["reason"], let by = f["by"] else {
            return await redirect("/holds", flash: "Nothing was released: give the reason and your name.", call)
        }
        let indexPath = self.indexPath
        let outcome: String = try await writer.run {
            let lock: ScanLock
            do { lock = try ScanLock(index: indexPath) } catch { return "Nothing was released: \(error). Try again when the scan has finished." }
            defer { withExtendedLifetime(lock) {} }
            let store = try SweepIndex.openForScan(indexPath)
            defer { try? store.close() }
            let now = Timestamp.now().iso8601
            do { try Holds.release(id, by: by, at: now, reason: reason, in: store) } catch let p as SweepIndex.HoldProblem {
                return "Nothing was released: \(p)."
            }
            return "Hold \(id) released by \(by)."
        }
        return await redirect("/holds", flash: outcome, call)
    }
}
