import Duplicates
import Foundation
import Index
import Records
import Retention
import SweepModel

/// One self-contained HTML file about the latest scan, fit to attach to an email: inline CSS and SVG, no links
/// out, no script. Counts, paths and classes only; never a personal-data value.
///
/// "New disposal candidates" are the candidates at the latest scan's as-of date that were not candidates at the
/// previous scan's: due (after any extension) after the previous as-of date, or new or changed in the latest scan.
/// With no previous scan, every candidate is new.
public struct ScanReport {
    public static let candidateRows = 200
    public static let duplicateSets = 10

    public let index: SweepIndex
    public init(index: SweepIndex) { self.index = index }

    public func html(generatedAt: String = Timestamp.now().iso8601) throws -> String {
        let scans = try index.recentScans(limit: 2)
        guard let latest = scans.first else {
            return HTML.page(title: "Sweep scan report", current: nil, csrf: nil, body: "<p>The index holds no scan yet.</p>")
        }
        let previous = scans.dropFirst().first
        let asOf = try index.asOf(scan: latest.id) ?? String(latest.startedAt.prefix(10))
        let previousAsOf = try previous.flatMap { try index.asOf(scan: $0.id) }

        var body = "<p>Scan \(latest.id) of \(HTML.escape(latest.roots.joined(separator: ", "))), started \(HTML.escape(latest.startedAt)), "
        body += "\(HTML.escape(latest.state)); disposal judged at \(HTML.escape(asOf)). Report made \(HTML.escape(generatedAt)).</p>"
        body += changes(latest, previous)
        body += CoverageSection.html(try index.coverage())
        body += try candidates(latest: latest, asOf: asOf, previousAsOf: previous == nil ? nil : (previousAsOf ?? ""))
        body += hotSpots(try index.personalDataFolders(limit: 20, changedIn: latest.id))
        body += duplicates(try DuplicateReport(index: index, policy: KeepPolicy()))
        body += "<p><small>Made by <code>sweep report</code>. It holds file paths, classes and counts; never personal-data values.</small></p>"
        return HTML.page(title: "Sweep scan report: scan \(latest.id), \(asOf)", current: nil, csrf: nil, body: body)
    }

    func changes(_ latest: ScanRecord, _ previous: ScanRecord?) -> String {
        func row(_ label: String, _ k: KeyPath<ScanRecord, Int>) -> [String] {
            [label, String(latest[keyPath: k]), previous.map { String($0[keyPath: k]) } ?? "-"]
        }
        let rows = [row("new", \.new), row("changed", \.changed), row("unchanged", \.unchanged), row("moved", \.moved), row("gone", \.gone),
                    row("could not be read", \.errors), row("items seen", \.items),
                    ["size", HTML.bytes(latest.bytes), previous.map { HTML.bytes($0.bytes) } ?? "-"]]
        return "<h2>What changed since the previous scan</h2>" + HTML.table(
            caption: previous.map { "Scan \(latest.id) beside scan \($0.id) (\($0.startedAt.prefix(10)))" } ?? "Scan \(latest.id): the first scan",
            headers: ["", "scan \(latest.id)", previous.map { "scan \($0.id)" } ?? "previous"], rows: rows, numeric: [1, 2])
    }

    func candidates(latest: ScanRecord, asOf: String, previousAsOf: String?) throws -> String {
        let changed = try index.datedItemsChanged(inScan: latest.id)
        let all = try DisposalReview(index: index).candidates(asOf: asOf)
        let fresh = all.filter { r in previousAsOf.map { r.due > $0 || changed.contains(r.item.display) } ?? true }
        var byClass: [String: (Int, Int64)] = [:]
        for r in fresh { byClass[r.item.classID, default: (0, 0)].0 += 1; byClass[r.item.classID, default: (0, 0)].1 += r.item.size }
        let tallies = byClass.map { ItemTally(label: $0.key, items: $0.value.0, bytes: $0.value.1) }.sorted { ($0.items, $1.label) > ($1.items, $0.label) }
        var s = "<h2>New disposal candidates</h2><p>\(fresh.count) of the \(all.count) candidates at \(HTML.escape(asOf)) are new since the previous scan"
        s += previousAsOf.map { " (due after \(HTML.escape($0)), or new or changed in this scan)" } ?? ""
        s += "; \(HTML.bytes(fresh.reduce(0) { $0 + $1.item.size })). Review them with <code>sweep serve</code> or <code>sweep disposal list</code>.</p>"
        if !fresh.isEmpty {
            s += BarChart(title: "New candidates by retention class", bars: tallies.prefix(15).map {
                .init(label: $0.label, value: Double($0.items), text: "\(HTML.count($0.items, "item")), \(ByteCount($0.bytes))")
            }).svg()
        }
        s += HTML.table(caption: fresh.count > ScanReport.candidateRows ? "The first \(ScanReport.candidateRows), oldest due first" : "Oldest due first",
                        headers: ["due", "class", "action", "why", "path"],
                        rows: fresh.prefix(ScanReport.candidateRows).map { r in
                            [HTML.escape(r.due), HTML.escape(r.item.classID), HTML.escape(r.item.action.rawValue),
                             HTML.escape(RetentionReason.describe(r.item.reason)), "<span class=\"path\">\(HTML.escape(r.item.display))</span>"]
                        }, nowrap: [0, 1])
        return s
    }

    func hotSpots(_ spots: [FolderTally]) -> String {
        "<h2>New personal-data hot spots</h2><p>Folders whose items with personal data are new or changed in this scan, most first.</p>"
            + Overview.hotSpotChart(spots, title: "New or changed items with personal data, by folder")
    }

    func duplicates(_ report: DuplicateReport) -> String {
        var s = "<h2>Duplicate waste</h2><p>\(report.sets.count) duplicate sets, \(report.duplicateFiles) extra copies, "
        s += "<strong>\(HTML.bytes(report.reclaimable))</strong> reclaimable (see <code>sweep dupes</code>).</p>"
        s += HTML.table(caption: "The \(min(ScanReport.duplicateSets, report.sets.count)) largest sets", headers: ["copies", "size each", "reclaimable", "keep", "why keep"],
                        rows: report.sets.prefix(ScanReport.duplicateSets).map { set in
                            [String(set.copies), HTML.bytes(set.size), HTML.bytes(set.reclaimable),
                             "<span class=\"path\">\(HTML.escape(set.members[set.keeper].display))</span>", HTML.escape(set.keepReason)]
                        }, numeric: [0, 1, 2])
        return s
    }
}
