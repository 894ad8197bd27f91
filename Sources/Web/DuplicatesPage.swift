import Duplicates
import Foundation
import Hummingbird
import Index
import SweepModel

/// Duplicate sets, most space first, with the copy `sweep dupes` would keep and why (the same report).
extension WebApp {
    static let setsPerPage = 50

    func duplicates(_ call: Call) async throws -> Response {
        var globs: [Glob] = []
        if let r = call.query["records"] {
            do { globs = [try Glob(r)] } catch {
                return page("Duplicates", call, current: "/duplicates", "<p class=\"note\">Records location \(HTML.escape(r)): \(HTML.escape("\(error)"))</p>")
            }
        }
        let report = try DuplicateReport(index: store, policy: KeepPolicy(recordsLocations: globs))
        func role(_ set: DuplicateSet, _ i: Int) -> String {
            i == set.keeper ? "keep" : set.isHardlinkOfKeeper(set.members[i]) ? "hardlink" : "duplicate"
        }
        if call.wantsCSV {
            var rows: [[String?]] = [["set", "content", "size", "copies", "reclaimable", "role", "path", "modified", "keep_reason"]]
            for (n, set) in report.sets.enumerated() {
                for (i, m) in set.members.enumerated() {
                    rows.append([String(n + 1), set.content, String(set.size), String(set.copies), String(set.reclaimable), role(set, i),
                                 m.display, m.modified?.iso8601, i == set.keeper ? set.keepReason : nil])
                }
            }
            return Reply.csv(rows, filename: "sweep-duplicates.csv")
        }
        let pageNumber = max(1, Int(call.query["page"] ?? "") ?? 1)
        let start = (pageNumber - 1) * WebApp.setsPerPage
        let shown = report.sets.dropFirst(start).prefix(WebApp.setsPerPage)
        var body = """
            <p>\(report.sets.count) sets, \(report.duplicateFiles) extra copies, \(HTML.bytes(report.reclaimable)) reclaimable.
            The copy to keep is chosen as <code>sweep dupes</code> chooses it: in a records location, then the oldest, then the shortest path.
            <a href="\(HTML.escape(HTML.link("/duplicates", [("records", call.query["records"]), ("format", "csv")])))">Download all sets (CSV)</a></p>
            <form method="get" action="/duplicates"><label for="records">Records location (glob)</label>
            <input id="records" name="records" value="\(HTML.escape(call.query["records"] ?? ""))" placeholder="**/Records/**">
            <button type="submit">Choose keepers again</button></form>
            """
        for (n, set) in shown.enumerated() {
            let rows = set.members.enumerated().map { i, m in
                [HTML.escape(role(set, i)), "<a class=\"path\" href=\"\(HTML.escape(HTML.itemLink(m.display)))\">\(HTML.escape(m.display))</a>",
                 HTML.escape(m.modified?.iso8601 ?? "-"), HTML.escape(i == set.keeper ? set.keepReason : "")]
            }
            body += HTML.table(caption: "Set \(start + n + 1): \(set.copies) copies × \(ByteCount(set.size)), reclaimable \(ByteCount(set.reclaimable))",
                               headers: ["role", "path", "modified", "why keep"], rows: rows)
        }
        body += pager("/duplicates", call, page: pageNumber, total: report.sets.count, per: WebApp.setsPerPage, keep: ["records"])
        return page("Duplicates", call, current: "/duplicates", body)
    }

    /// Previous / next links that keep the list's filters.
    func pager(_ path: String, _ call: Call, page: Int, total: Int, per: Int, keep: [String]) -> String {
        let pages = max(1, (total + per - 1) / per)
        guard pages > 1 else { return "" }
        func link(_ p: Int) -> String {
            HTML.escape(HTML.link(path, keep.map { ($0, call.query[$0]) } + [("page", String(p))]))
        }
        var s = "<nav class=\"pager\" aria-label=\"Pages\">"
        s += page > 1 ? "<a href=\"\(link(page - 1))\" rel=\"prev\">Previous</a>" : "<span>Previous</span>"
        s += "<span>Page \(page) of \(pages)</span>"
        s += page < pages ? "<a href=\"\(link(page + 1))\" rel=\"next\">Next</a>" : "<span>Next</span>"
        return s + "</nav>"
    }
}
