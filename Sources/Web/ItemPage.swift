import Foundation
import Hummingbird
import Index
import Records
import Retention
import SweepModel

/// One item: what it is, what was found in it (masked excerpts only), its retention and why, its holds and
/// every review decision made about it.
extension WebApp {
    func item(_ call: Call) async throws -> Response {
        guard let text = call.query["path"] else {
            return page("Item", call, current: nil, "<p class=\"note\">Say which item: <code>/item?path=…</code>, or follow a link from a list.</p>")
        }
        guard let d = try store.itemDetail(path: text) else {
            return Reply.page("Not in the index", status: .notFound, csrf: call.session.csrf, body: """
                <p class="note">Nothing at <span class="path">\(HTML.escape(text))</span> is in the index.</p>
                """)
        }
        let findings = try store.findings(itemID: d.id)
        if call.wantsCSV {
            return Reply.csv([["path", "kind", "type", "confidence", "location", "masked_excerpt"]]
                + findings.map { [d.display, $0.kind, $0.type, $0.confidence, $0.location, $0.excerpt] }, filename: "sweep-item-findings.csv")
        }
        let history = try store.decisionHistory(path: d.path)
        let review = try DisposalReview(index: store)
        let rulesHolds = d.rulesHoldsJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        let placed = review.placedHolds.ids(for: d.relativePath)
        let row = d.goneScan == nil && d.disposalDate != nil ? try store.disposalItem(at: d.path).map(review.row) : nil

        func entry(_ k: String, _ v: String?) -> String { "<dt>\(HTML.escape(k))</dt><dd>\(HTML.escape(v ?? "-"))</dd>" }
        let pii = d.piiJSON.flatMap { try? JSONDecoder().decode([String: Int].self, from: Data($0.utf8)) } ?? [:]
        let special = d.specialJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        var body = "<p class=\"path\"><strong>\(HTML.escape(d.display))</strong></p>"
        if let gone = d.goneScan { body += "<p class=\"note\">Gone: no longer there since scan \(gone).</p>" }
        body += "<h2>About it</h2><dl>"
        body += entry("Kind", d.kind) + entry("Type", d.mime) + entry("Size", ByteCount(d.size).description)
        body += entry("Modified", d.modified?.iso8601) + entry("Owner", d.owner) + entry("Mode", d.mode.map { String($0, radix: 8) })
        body += entry("Scan root", d.root) + entry("First seen in scan", String(d.firstSeenScan)) + entry("Last changed in scan", String(d.changedScan))
        body += entry("Could not be read", d.error) + entry("Content (XXH3-128)", d.content)
        body += "</dl><h2>What was found</h2><dl>"
        body += entry("Highest marking", d.marking)
        body += entry("Personal data (distinct values)", pii.isEmpty ? nil : pii.keys.sorted().map { "\($0) \(pii[$0]!)" }.joined(separator: ", "))
        body += entry("Special categories", special.isEmpty ? nil : special.joined(separator: ", "))
        body += "</dl>"
        body += HTML.table(caption: "Findings (masked excerpts; values are never stored)",
                           headers: ["kind", "type", "confidence", "where", "masked excerpt"],
                           rows: findings.map { [HTML.escape($0.kind), HTML.escape($0.type), HTML.escape($0.confidence),
                                                 HTML.escape($0.location), "<code>\(HTML.escape($0.excerpt))</code>"] })
        if !findings.isEmpty { body += "<p><a href=\"\(HTML.escape(HTML.link("/item", [("path", d.display), ("format", "csv")])))\">Download the findings (CSV)</a></p>" }
        body += "<h2>Retention</h2><dl>"
        body += entry("Class", d.retentionClass) + entry("Action", d.retentionAction) + entry("Trigger date", d.triggerDate)
        body += entry("Disposal date", d.disposalDate ?? (d.retentionClass == nil ? nil : "none: kept permanently"))
        if let row, row.due != row.item.disposalDate { body += entry("Due after extension", row.due) }
        body += entry("Review decision", row?.state)
        body += entry("Why this class", RetentionReason.describe(d.retentionReason))
        body += "</dl><h2>Holds</h2>"
        let holdIDs = rulesHolds + placed
        body += holdIDs.isEmpty ? "<p>No hold covers it.</p>" : "<ul>" + holdIDs.map { id in
            let h = review.placedHolds.record(id)
            return "<li><strong>\(HTML.escape(id))</strong>" + (h.map { " — \(HTML.escape($0.reason)) (\(HTML.escape($0.authority)))" } ?? " (in the retention schedule)") + "</li>"
        }.joined() + "</ul>"
        body += HTML.table(caption: "Review decisions (oldest first; the latest applies while the item is unchanged)",
                           headers: ["decided", "decision", "reviewer", "reason", "SHA-256 at decision"],
                           rows: history.map { h in
                               [HTML.escape(h.decidedAt), HTML.escape(h.decision.rawValue + (h.extend.map { " by \($0)" } ?? "")),
                                HTML.escape(h.reviewer), HTML.escape(h.reason), "<code>\(HTML.escape(h.sha256 ?? "-"))</code>"]
                           })
        return page("Item", call, current: nil, body)
    }
}
