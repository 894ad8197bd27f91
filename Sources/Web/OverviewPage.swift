import Duplicates
import Foundation
import Hummingbird
import Index
import SweepModel

/// What the index holds, at a glance: by retention class, action and marking; duplicate waste; personal-data hot spots.
struct Overview {
    let scan: ScanRecord?
    let asOf: String?
    let totals: IndexTotals
    let byClass: [ItemTally]
    let byAction: [ItemTally]
    let byMarking: [ItemTally]
    let duplicates: DuplicateReport
    let hotSpots: [FolderTally]
    let coverage: Coverage

    init(_ store: SweepIndex) throws {
        scan = try store.recentScans(limit: 1).first
        asOf = try store.latestAsOf()
        totals = try store.totals()
        byClass = try store.tallies(by: .retentionClass)
        byAction = try store.tallies(by: .action)
        byMarking = try store.tallies(by: .marking)
        duplicates = try DuplicateReport(index: store, policy: KeepPolicy())
        hotSpots = try store.personalDataFolders(limit: 20)
        coverage = try store.coverage()
    }

    static func chart(_ title: String, _ tallies: [ItemTally]) -> String {
        BarChart(title: title, bars: tallies.prefix(15).map {
            .init(label: $0.label, value: Double($0.bytes), text: "\(HTML.count($0.items, "item")), \(ByteCount($0.bytes))")
        }).svg() + details(title, tallies)
    }

    /// The chart's figures as a table, for screen readers and for copying.
    static func details(_ title: String, _ tallies: [ItemTally]) -> String {
        "<details><summary>\(HTML.escape(title)) as a table</summary>" + HTML.table(
            caption: title, headers: ["", "items", "size"],
            rows: tallies.map { [HTML.escape($0.label), String($0.items), HTML.bytes($0.bytes)] }, numeric: [1, 2]) + "</details>"
    }

    static func hotSpotChart(_ spots: [FolderTally], title: String) -> String {
        BarChart(title: title, bars: spots.map {
            .init(label: $0.folder, value: Double($0.items), text: "\(HTML.count($0.items, "item")), \(HTML.count($0.values, "value"))")
        }).svg(width: 820) + "<details><summary>\(HTML.escape(title)) as a table</summary>" + HTML.table(
            caption: title, headers: ["folder", "items with personal data", "values found"],
            rows: spots.map { ["<span class=\"path\">\(HTML.escape($0.folder))</span>", String($0.items), String($0.values)] },
            numeric: [1, 2]) + "</details>"
    }

    var csv: [[String?]] {
        var rows: [[String?]] = [["section", "label", "items", "bytes", "values"]]
        for (section, list) in [("retention_class", byClass), ("action", byAction), ("marking", byMarking)] {
            rows += list.map { [section, $0.label, String($0.items), String($0.bytes), nil] }
        }
        rows.append(["duplicates", "reclaimable", String(duplicates.duplicateFiles), String(duplicates.reclaimable), String(duplicates.sets.count)])
        rows += hotSpots.map { ["personal_data_folder", $0.folder, String($0.items), nil, String($0.values)] }
        return rows
    }
}

extension WebApp {
    func overview(_ call: Call) async throws -> Response {
        let o = try Overview(store)
        if call.wantsCSV { return Reply.csv(o.csv, filename: "sweep-overview.csv") }
        let scanLine = o.scan.map { s in
            "Latest scan \(s.id), started \(HTML.escape(s.startedAt)) (\(HTML.escape(s.state))), judged at \(HTML.escape(o.asOf ?? "-"))."
        } ?? "No scan yet."
        let body = """
            <p>\(scanLine) The index holds \(o.totals.items) items, \(HTML.bytes(o.totals.bytes)); \(o.totals.errors) could not be fully read.
            <a href="/?format=csv">Download these figures (CSV)</a></p>
            \(CoverageSection.html(o.coverage))
            <h2>Retention</h2>
            <div class="charts">\(Overview.chart("Size by retention class", o.byClass))\(Overview.chart("Size by disposal action", o.byAction))</div>
            <h2>Protective markings</h2>
            <div class="charts">\(Overview.chart("Size by highest marking", o.byMarking))</div>
            <h2>Duplicates</h2>
            <p>\(o.duplicates.sets.count) duplicate sets, \(o.duplicates.duplicateFiles) extra copies; removing them would free
            <strong>\(HTML.bytes(o.duplicates.reclaimable))</strong>. <a href="/duplicates">See the duplicate sets</a></p>
            <h2>Personal data hot spots</h2>
            <p>The 20 folders with the most items holding personal data (items directly in each folder).</p>
            \(Overview.hotSpotChart(o.hotSpots, title: "Items with personal data, by folder"))
            """
        return page("Overview", call, current: "/", body)
    }
}
