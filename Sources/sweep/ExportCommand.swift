import ArgumentParser
import Foundation
import Index
import Records
import Retention
import SweepModel

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Every item in the index, one record each (JSON lines or CSV).",
        discussion: """
            Fields: path, size, modified, type, read_as, text_source, error, dup_group, markings, pii, special_category, retention, \
            disposal_candidate, legal_hold, then kind, owner, mode, links, device, inode, extension, moved_from, \
            link_target, content_hash, marking (the highest), holds, marking_descriptors. Items marked gone are left out.
            Example: sweep export --index sweep.db --format jsonl > items.jsonl
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    @Option(help: "The index file (default ./sweep.db).")
    var index = "sweep.db"

    @Option(help: "jsonl or csv.")
    var format: Format = .jsonl

    @Option(name: .shortAndLong, help: "Write to this file (created 0600) instead of standard output.")
    var output: String?

    @Option(name: .customLong("as-of"), help: "The date disposal candidates are judged at, YYYY-MM-DD (default: the latest scan's).")
    var asOf: String?

    func validate() throws {
        if let asOf, Timestamp.parse(asOf) == nil || asOf.count != 10 {
            throw ValidationError("--as-of must be a date written YYYY-MM-DD, such as 2026-03-31")
        }
    }

    static let csvHeader = ["path", "size", "modified", "type", "error", "dup_group", "markings", "pii", "special_category",
                            "retention_class", "retention_action", "disposal_date", "disposal_candidate", "legal_hold",
                            "kind", "owner", "mode", "links", "device", "inode", "extension", "moved_from", "link_target",
                            "content_hash", "marking", "holds", "marking_descriptors", "read_as", "text_source"]

    func run() throws {
        let store = try couldNotRun { try SweepIndex.openForReading(index) }
        let out = try couldNotRun { try Output(path: output) }
        let day = try couldNotRun { try asOf ?? store.latestAsOf() ?? String(Timestamp.now().iso8601.prefix(10)) }
        if format == .csv { out.line(CSVText.row(ExportCommand.csvHeader)) }
        // Holds placed with `sweep hold add` since the scan count, and a review decision that still applies moves
        // the disposal date on: the review decides both, as it does for `disposal list`.
        let review = try couldNotRun { try DisposalReview(index: store) }
        try couldNotRun {
            try store.forEachItem { stored in
                let (item, candidate) = review.reviewed(stored, asOf: day)
                out.line(format == .jsonl ? ExportCommand.json(item, candidate: candidate) : ExportCommand.csv(item, candidate: candidate))
            }
        }
        out.flush()
    }

    static func mode(_ m: Int64?) -> String? {
        m.map { let s = String($0, radix: 8); return String(repeating: "0", count: max(0, 4 - s.count)) + s }
    }

    static func retention(_ i: StoredItem) -> JSONObject? {
        guard let c = i.retentionClass else { return nil }
        var r = JSONObject()
        r.add("class", c); r.add("action", i.retentionAction); r.add("disposal_date", i.disposalDate)
        return r
    }

    static func json(_ i: StoredItem, candidate: Bool) -> String {
        var o = JSONObject()
        o.add("path", i.path)
        o.add("size", i.size)
        o.add("modified", i.modified?.iso8601)
        o.add("type", i.mime)
        o.add("read_as", i.readAs)
        o.add("text_source", i.textSource)
        o.add("error", i.error)
        o.add("dup_group", i.dupGroup)
        o.add("markings", raw: i.markingsJSON ?? "[]")
        o.add("pii", raw: i.piiJSON ?? "{}")
        o.add("special_category", raw: i.specialJSON ?? "[]")
        o.add("retention", object: retention(i))
        o.add("disposal_candidate", candidate)
        o.add("legal_hold", i.legalHold)
        o.add("kind", i.kind.rawValue)
        o.add("owner", i.owner ?? i.uid.map { String($0) })
        o.add("mode", mode(i.mode))
        o.add("links", i.links)
        o.add("device", i.identity.map { Int64(bitPattern: $0.device) })
        o.add("inode", i.identity.map { Int64(bitPattern: $0.inode) })
        o.add("extension", i.fileExtension)
        o.add("moved_from", i.movedFrom)
        o.add("link_target", i.linkTarget)
        o.add("content_hash", i.content)
        o.add("marking", i.highestMarking)
        o.add("marking_descriptors", raw: i.markingDescriptorsJSON ?? "[]")
        o.add("holds", raw: i.holdsJSON ?? "[]")
        return o.text
    }

    /// A stored JSON array as `a;b`.
    static func list(_ json: String?) -> String {
        guard let json, let data = json.data(using: .utf8), let a = try? JSONSerialization.jsonObject(with: data) as? [String] else { return "" }
        return a.joined(separator: ";")
    }

    /// A stored JSON object of counts as `email=2;nino=1`.
    static func counts(_ json: String?) -> String {
        guard let json, let data = json.data(using: .utf8), let o = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else { return "" }
        return o.keys.sorted().map { "\($0)=\(o[$0]!)" }.joined(separator: ";")
    }

    static func csv(_ i: StoredItem, candidate: Bool) -> String {
        CSVText.row([
            i.path, String(i.size), i.modified?.iso8601, i.mime, i.error, i.dupGroup, list(i.markingsJSON), counts(i.piiJSON),
            list(i.specialJSON), i.retentionClass, i.retentionAction, i.disposalDate, String(candidate), String(i.legalHold),
            i.kind.rawValue, i.owner ?? i.uid.map { String($0) }, mode(i.mode), i.links.map { String($0) },
            i.identity.map { String($0.device) }, i.identity.map { String($0.inode) }, i.fileExtension, i.movedFrom, i.linkTarget, i.content, i.highestMarking, list(i.holdsJSON),
            list(i.markingDescriptorsJSON), i.readAs, i.textSource,
        ])
    }
}
