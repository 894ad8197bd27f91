import ArgumentParser
import Foundation
import Index
import SweepModel

struct FindingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findings",
        abstract: "Protective markings and personal data found, by item or by folder (hot spots first).",
        discussion: """
            Values are never shown: counts of distinct values per type, markings, special categories.
            Examples: sweep findings --index sweep.db
                      sweep findings --by folder --format csv > hotspots.csv
                      sweep findings --type nino
                      sweep findings --type OFFICIAL-SENSITIVE
                      sweep findings --like /srv/shares/HR/case.txt    (where else do its values appear?)
            """)

    enum By: String, ExpressibleByArgument, CaseIterable { case item, folder }

    @Option(help: "The index file (default ./sweep.db).")
    var index = "sweep.db"

    @Option(help: "Only items with this personal-data type (nino, email…), marking (OFFICIAL-SENSITIVE…) or special category (health…).")
    var type: String?

    @Option(help: "item or folder.")
    var by: By = .item

    @Option(help: "table, csv or json.")
    var format: ReportFormat = .table

    @Option(help: "Rows at most in a table (all in csv and json).")
    var limit = 100

    @Option(help: "Where else do the personal-data values of this item appear? (matched by keyed hash)")
    var like: String?

    func run() throws {
        let store = try couldNotRun { try SweepIndex.openForReading(index) }
        if let like {
            let matches = try couldNotRun { try store.itemsSharingValues(with: ItemPath(absolutePath(like))) }
            let out = try Output(path: nil)
            switch format {
            case .table:
                out.line("Items sharing personal data with \(absolutePath(like)): \(matches.count)")
                for m in matches { out.line("  \(m.types.joined(separator: ","))  \(m.path)") }
            case .csv:
                out.line(CSVText.row(["path", "shared_types"]))
                for m in matches { out.line(CSVText.row([m.path, m.types.joined(separator: ";")])) }
            case .json:
                for m in matches { var o = JSONObject(); o.add("path", m.path); o.add("shared_types", m.types); out.line(o.text) }
            }
            out.flush()
            return
        }
        var items = try couldNotRun { try store.itemsWithFindings() }
        if let type {
            let t = type.lowercased()
            items = items.filter { i in
                i.pii[t] != nil || i.markings.contains { $0.lowercased() == t } || i.special.contains(t)
            }
        }
        let out = try Output(path: nil)
        switch by {
        case .item: FindingsOutput.items(items, format: format, limit: limit, out: out)
        case .folder: FindingsOutput.folders(items, format: format, limit: limit, out: out)
        }
        out.flush()
    }
}

enum FindingsOutput {
    static func pii(_ counts: [String: Int]) -> String { counts.keys.sorted().map { "\($0)=\(counts[$0]!)" }.joined(separator: " ") }

    static func items(_ items: [ItemFindings], format: ReportFormat, limit: Int, out: Output) {
        switch format {
        case .table:
            out.line("Items with findings: \(items.count)")
            printTableTo(out, [["marking", "personal data", "special", "path"]] + items.prefix(limit).map {
                [$0.highestMarking ?? "-", $0.pii.isEmpty ? "-" : pii($0.pii), $0.special.isEmpty ? "-" : $0.special.joined(separator: ","), $0.path]
            })
            if items.count > limit { out.line("… \(items.count - limit) more: --limit N, or --format csv for all") }
        case .csv:
            out.line(CSVText.row(["path", "marking", "markings", "pii", "special_category"]))
            for i in items {
                out.line(CSVText.row([i.path, i.highestMarking, i.markings.joined(separator: ";"),
                                      i.pii.keys.sorted().map { "\($0)=\(i.pii[$0]!)" }.joined(separator: ";"), i.special.joined(separator: ";")]))
            }
        case .json:
            for i in items {
                var o = JSONObject()
                o.add("path", i.path); o.add("marking", i.highestMarking); o.add("markings", i.markings)
                o.add("pii", i.pii); o.add("special_category", i.special)
                out.line(o.text)
            }
        }
    }

    struct Folder {
        var items = 0
        var withPersonalData = 0
        var pii: [String: Int] = [:]
        var highest: String?
        var special = Set<String>()
        var total: Int { pii.values.reduce(0, +) }
    }

    /// Hot spots: folders by personal-data values found in the items directly in them, then highest marking.
    static func folders(_ items: [ItemFindings], format: ReportFormat, limit: Int, out: Output) {
        var folders: [String: Folder] = [:]
        for i in items {
            var f = folders[i.folder] ?? Folder()
            f.items += 1
            if !i.pii.isEmpty { f.withPersonalData += 1 }
            for (k, v) in i.pii { f.pii[k, default: 0] += v }
            if let m = i.highestMarking, (Detection.markingRank[m] ?? 0) > (f.highest.flatMap { Detection.markingRank[$0] } ?? 0) { f.highest = m }
            f.special.formUnion(i.special)
            folders[i.folder] = f
        }
        let ranked = folders.sorted {
            ($0.value.total, Detection.markingRank[$0.value.highest ?? ""] ?? 0, $1.key) > ($1.value.total, Detection.markingRank[$1.value.highest ?? ""] ?? 0, $0.key)
        }
        switch format {
        case .table:
            out.line("Folders with findings: \(ranked.count) (personal-data values counted per item, folders not summed into parents)")
            printTableTo(out, [["values", "items", "highest marking", "special", "personal data", "folder"]] + ranked.prefix(limit).map { k, f in
                [String(f.total), "\(f.withPersonalData)/\(f.items)", f.highest ?? "-", f.special.isEmpty ? "-" : f.special.sorted().joined(separator: ","),
                 f.pii.isEmpty ? "-" : pii(f.pii), k]
            })
        case .csv:
            out.line(CSVText.row(["folder", "values", "items_with_personal_data", "items_with_findings", "highest_marking", "special_category", "pii"]))
            for (k, f) in ranked {
                out.line(CSVText.row([k, String(f.total), String(f.withPersonalData), String(f.items), f.highest,
                                      f.special.sorted().joined(separator: ";"), f.pii.keys.sorted().map { "\($0)=\(f.pii[$0]!)" }.joined(separator: ";")]))
            }
        case .json:
            for (k, f) in ranked {
                var o = JSONObject()
                o.add("folder", k); o.add("values", f.total); o.add("items_with_personal_data", f.withPersonalData)
                o.add("items_with_findings", f.items); o.add("highest_marking", f.highest)
                o.add("special_category", f.special.sorted()); o.add("pii", f.pii)
                out.line(o.text)
            }
        }
    }

    static func printTableTo(_ out: Output, _ rows: [[String]]) {
        guard let first = rows.first else { return }
        var widths = Array(repeating: 0, count: first.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        for r in rows {
            out.line(r.enumerated().map { i, c in i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2) }.joined())
        }
    }
}
