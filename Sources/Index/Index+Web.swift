import Foundation
import GRDB
import SweepModel

/// One slice of the index's present items: a retention class, an action, a marking.
public struct ItemTally: Sendable {
    public let label: String
    public let items: Int
    public let bytes: Int64
    public init(label: String, items: Int, bytes: Int64) { self.label = label; self.items = items; self.bytes = bytes }
}

/// A folder and how many of the present items directly in it hold personal data.
public struct FolderTally: Sendable {
    public let folder: String
    public let items: Int
    public let values: Int
}

/// Everything the item page shows about one present or gone item.
public struct ItemDetail: Sendable {
    public let id: Int64
    public let path: ItemPath
    public let display: String
    public let relativePath: String
    public let root: String
    public let kind: String
    public let size: Int64
    public let modified: Timestamp?
    public let mime: String?
    public let error: String?
    public let owner: String?
    public let mode: Int64?
    public let content: String?
    public let marking: String?
    public let piiJSON: String?
    public let specialJSON: String?
    public let retentionClass: String?
    public let retentionAction: String?
    public let triggerDate: String?
    public let disposalDate: String?
    public let retentionReason: String?
    public let rulesHoldsJSON: String?
    public let firstSeenScan: Int64
    public let changedScan: Int64
    public let goneScan: Int64?
}

/// One stored finding: its kind, type, confidence, where, and the masked excerpt (never the value).
public struct StoredFinding: Sendable {
    public let kind: String
    public let type: String
    public let confidence: String
    public let location: String
    public let excerpt: String
}

extension SweepIndex {
    /// Present items and bytes grouped by a column the web overview charts (largest first).
    public func tallies(by column: TallyColumn) throws -> [ItemTally] {
        try rows("""
            SELECT coalesce(\(column.rawValue), '(none)'), count(*), coalesce(sum(size), 0) FROM item
            WHERE gone_scan IS NULL GROUP BY 1 ORDER BY 3 DESC, 2 DESC, 1
            """).map { ItemTally(label: $0.text(0), items: Int($0.int(1)), bytes: $0.int(2)) }
    }

    public enum TallyColumn: String, Sendable {
        case retentionClass = "retention_class", action = "retention_action", marking = "marking"
    }

    /// Folders by how many present items directly in them hold personal data, most first. With `changedIn`, only
    /// items new or changed in that scan count (the report's new hot spots).
    public func personalDataFolders(limit: Int, changedIn scan: Int64? = nil) throws -> [FolderTally] {
        var folders: [String: (items: Int, values: Int)] = [:]
        let inScan = scan == nil ? "" : " AND changed_scan = ?"
        for r in try rows("""
            SELECT display_path, pii FROM item
            WHERE gone_scan IS NULL AND pii IS NOT NULL AND pii != '{}'\(inScan)
            """, scan.map { [$0] } ?? []) {
            let path = r.text(0)
            let counts = r.json(1, [String: Int]())
            let outer = path.firstRange(of: "!/").map { String(path[..<$0.lowerBound]) } ?? path
            let folder = String(outer[..<(outer.lastIndex(of: "/") ?? outer.endIndex)])
            var f = folders[folder] ?? (0, 0)
            f.items += 1
            f.values += counts.values.reduce(0, +)
            folders[folder] = f
        }
        return folders.map { FolderTally(folder: $0.key, items: $0.value.items, values: $0.value.values) }
            .sorted { ($0.items, $0.values, $1.folder) > ($1.items, $1.values, $0.folder) }
            .prefix(limit).map { $0 }
    }

    /// The as-of date stored with a scan.
    public func asOf(scan: Int64) throws -> String? {
        try rows("SELECT as_of FROM scan WHERE id = ?", [scan]).first?[0]
    }

    /// Present items with a disposal date that were new or changed in this scan (display paths).
    public func datedItemsChanged(inScan scan: Int64) throws -> Set<String> {
        Set(try rows("""
            SELECT display_path FROM item INDEXED BY item_by_disposal
            WHERE gone_scan IS NULL AND disposal_date IS NOT NULL AND changed_scan = ?
            """, [scan]).map { $0.text(0) })
    }

    /// The item at this path: the exact bytes when the text is the path itself, else the path as shown (`\xNN`).
    /// The latest row wins when a gone item and a present one share a shown path.
    public func itemDetail(path text: String) throws -> ItemDetail? {
        let columns = """
            id, path, display_path, relative_path, root, kind, size, mtime_ns, mime, error, owner, mode, content_hash, marking, pii,
            special, retention_class, retention_action, trigger_date, disposal_date, retention_reason, holds, first_seen_scan,
            changed_scan, gone_scan
            """
        // The path as shown (`\xNN` read as the byte), byte-exactly; failing that, the text's own bytes.
        let sql = "SELECT \(columns) FROM item WHERE path = ? ORDER BY id DESC LIMIT 1"
        let row = try rows(sql, [ItemPath(bytes: ItemPath.parse(display: text))]).first ?? rows(sql, [ItemPath(bytes: Array(text.utf8))]).first
        return row.map { r in
            ItemDetail(
                id: r.int(0), path: r.path(1), display: r.text(2), relativePath: r.text(3), root: r.text(4), kind: r.text(5), size: r.int(6),
                modified: (r[7] as Int64?).map { Timestamp(nanoseconds: $0) }, mime: r[8], error: r[9], owner: r[10], mode: r[11],
                content: r[12], marking: r[13], piiJSON: r[14], specialJSON: r[15], retentionClass: r[16], retentionAction: r[17],
                triggerDate: r[18], disposalDate: r[19], retentionReason: r[20], rulesHoldsJSON: r[21], firstSeenScan: r.int(22),
                changedScan: r.int(23), goneScan: r[24])
        }
    }

    /// The findings of the item's latest reading: masked excerpts only, as the index keeps them.
    public func findings(itemID: Int64) throws -> [StoredFinding] {
        try rows("SELECT kind, type, confidence, location, excerpt FROM finding WHERE item_id = ? ORDER BY kind, type, id", [itemID])
            .map { StoredFinding(kind: $0.text(0), type: $0.text(1), confidence: $0.text(2), location: $0.text(3), excerpt: $0.text(4)) }
    }

    /// Every review decision ever recorded for this path, oldest first (decisions are append-only).
    public func decisionHistory(path: ItemPath) throws -> [DecisionRecord] {
        guard try tableExists("disposal_decision") else { return [] }
        return try rows("SELECT \(SweepIndex.decisionColumns), \(hostColumn) FROM disposal_decision WHERE path = ? ORDER BY id", [path])
            .map(DecisionRecord.init)
    }
}
