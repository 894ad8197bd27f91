import Duplicates
import Foundation
import Index
import SweepModel

/// Printing of duplicate sets and duplicated folders, in the three formats.
enum DupesOutput {
    static func role(_ set: DuplicateSet, _ i: Int) -> String {
        if i == set.keeper { return "keep" }
        return set.isHardlinkOfKeeper(set.members[i]) ? "hardlink" : "duplicate"
    }

    static func sets(_ report: DuplicateReport, format: ReportFormat, limit: Int) {
        let out = Output.standard()
        switch format {
        case .table:
            out.line("Duplicate sets: \(report.sets.count)  duplicate files: \(report.duplicateFiles)  reclaimable: \(ByteCount(report.reclaimable))")
            for (n, set) in report.sets.prefix(limit).enumerated() {
                out.line("")
                out.line("#\(n + 1)  \(set.copies) copies × \(ByteCount(set.size))  reclaimable \(ByteCount(set.reclaimable))  content \(set.content.prefix(12))")
                for (i, m) in set.members.enumerated() {
                    switch role(set, i) {
                    case "keep": out.line("  keep       \(m.display)   (\(set.keepReason))")
                    case "hardlink": out.line("  hardlink   \(m.display)   (same file as the kept copy: frees nothing)")
                    default: out.line("  duplicate  \(m.display)")
                    }
                }
            }
            if report.sets.count > limit { out.line("\n… \(report.sets.count - limit) more sets: --limit N, or --format csv for all") }
        case .csv:
            out.line(CSVText.row(["set", "content", "size", "copies", "reclaimable", "role", "path", "modified", "keep_reason"]))
            for (n, set) in report.sets.enumerated() {
                for (i, m) in set.members.enumerated() {
                    out.line(CSVText.row([String(n + 1), set.content, String(set.size), String(set.copies), String(set.reclaimable),
                                          role(set, i), m.display, m.modified?.iso8601, i == set.keeper ? set.keepReason : nil]))
                }
            }
        case .json:
            var top = JSONObject()
            top.add("sets", report.sets.count)
            top.add("duplicate_files", report.duplicateFiles)
            top.add("reclaimable_bytes", report.reclaimable)
            let groups = report.sets.map { set -> String in
                var o = JSONObject()
                o.add("content", set.content); o.add("size", set.size); o.add("copies", set.copies)
                o.add("reclaimable_bytes", set.reclaimable)
                o.add("keep", set.members[set.keeper].display); o.add("keep_reason", set.keepReason)
                let members = set.members.enumerated().map { i, m -> String in
                    var mo = JSONObject()
                    mo.add("path", m.display); mo.add("role", role(set, i)); mo.add("modified", m.modified?.iso8601)
                    return mo.text
                }
                return String(o.text.dropLast()) + ",\"members\":[" + members.joined(separator: ",") + "]}"
            }
            out.line(String(top.text.dropLast()) + ",\"groups\":[" + groups.joined(separator: ",") + "]}")
        }
        out.flush()
    }

    static func folders(_ twins: FolderTwins, format: ReportFormat, limit: Int) {
        let out = Output.standard()
        let total = twins.groups.reduce(Int64(0)) { $0 + $1.reclaimable }
        switch format {
        case .table:
            out.line("Duplicated folder trees: \(twins.groups.count)  reclaimable: \(ByteCount(total))")
            for (n, g) in twins.groups.prefix(limit).enumerated() {
                out.line("")
                out.line("#\(n + 1)  \(g.folders.count) folders × \(g.files) files, \(ByteCount(g.bytes))  reclaimable \(ByteCount(g.reclaimable))")
                for f in g.folders { out.line("  \(f.display)") }
            }
        case .csv:
            out.line(CSVText.row(["group", "folder", "files", "bytes", "reclaimable"]))
            for (n, g) in twins.groups.enumerated() {
                for f in g.folders { out.line(CSVText.row([String(n + 1), f.display, String(g.files), String(g.bytes), String(g.reclaimable)])) }
            }
        case .json:
            let groups = twins.groups.map { g -> String in
                var o = JSONObject()
                o.add("folders", g.folders.map(\.display)); o.add("files", g.files); o.add("bytes", g.bytes)
                o.add("reclaimable_bytes", g.reclaimable)
                return o.text
            }
            out.line("{\"groups\":[" + groups.joined(separator: ",") + "],\"reclaimable_bytes\":\(total)}")
        }
        out.flush()
    }
}
