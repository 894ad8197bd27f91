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
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT coalesce(\(column.rawValue), '(none)'), count(*), coalesce(sum(size), 0) FROM item
                WHERE gone_scan IS NULL GROUP BY 1 ORDER BY 3 DESC, 2 DESC, 1
                """).map { ItemTally(label: $0[0], items: $0[1], bytes: $0[2]) }
        }
    }

    public enum TallyColumn: String, Sendable {
        case retentionClass = "retention_class", action = "retention_action", marking = "marking"
    }

    /// Folders by how many present items directly in them hold personal data, most first. With `changedIn`, only
    /// items new or changed in that scan count (the report's new hot spots).
    public func personalDataFolders(limit: Int, changedIn scan: Int64? = nil) throws -> [FolderTally] {
        var folders: [String: (items: Int, values: Int)] = [:]
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT display_path, pii FROM item
                WHERE gone_scan IS NULL AND pii IS NOT NULL AND pii != '{}' AND (? IS NULL OR changed_scan = ?)
                """, arguments: [scan, scan])
            while let r = try rows.next() {
                let path: String = r[0]
                let counts = (try? JSONDecoder().decode([String: Int].self, from: Data((r[1] as String).utf8))) ?? [:]
                let outer = path.firstRange(of: "!/").map { String(path[..<$0.lowerBound]) } ?? path
                let folder = String(outer[..<(outer.lastIndex(of: "/") ?? outer.endIndex)])
                var f = folders[folder] ?? (0, 0)
                f.items += 1
                f.values += counts.values.reduce(0, +)
                folders[folder] = f
            }
        }
        return folders.map { FolderTally(folder: $0.key, items: $0.value.items, values: $0.value.values) }
            .sorted { ($0.items, $0.values, $1.folder) > ($1.items, $1.values, $0.folder) }
            .prefix(limit).map { $0 }
    }

    /// The as-of date stored with a scan.
    public func asOf(scan: Int64) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT as_of FROM scan WHERE id = ?", arguments: [scan]) }
    }

    /// Present items with a disposal date that were new or changed in this scan (display paths).
    public func datedItemsChanged(inScan scan: Int64) throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT display_path FROM item INDEXED BY item_by_disposal
                WHERE gone_scan IS NULL AND disposal_date IS NOT NULL AND changed_scan = ?
                """, arguments: [scan]))
        }
    }

    /// The item at this path: the exact bytes when the text is the path itself, else the path as shown (`\xNN`).
    /// The latest row wins when a gone item and a present one share a shown path.
    public func itemDetail(path text: String) throws -> ItemDetail? {
        try read { db in
            let columns = """
                id, path, display_path, relative_path, root, kind, size, mtime_ns, mime, error, owner, mode, content_hash, marking, pii,
                special, retention_class, retention_action, trigger_date, disposal_date, retention_reason, holds, first_seen_scan,
                changed_scan, gone_scan
                """
            // The path as shown (`\xNN` read as the byte), byte-exactly; failing that, the text's own bytes.
            let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM item WHERE path = ?", arguments: [Data(ItemPath.parse(display: text))])
                ?? Row.fetchOne(db, sql: "SELECT \(columns) FROM item WHERE path = ?", arguments: [Data(text.utf8)])
            return row.map { r in
                let p: Data = r[1]
                return ItemDetail(
                    id: r[0], path: ItemPath(bytes: [UInt8](p)), display: r[2], relativePath: r[3], root: r[4], kind: r[5], size: r[6],
                    modified: (r[7] as Int64?).map { Timestamp(nanoseconds: $0) }, mime: r[8], error: r[9], owner: r[10], mode: r[11],
                    content: r[12], marking: r[13], piiJSON: r[14], specialJSON: r[15], retentionClass: r[16], retentionAction: r[17],
                    triggerDate: r[18], disposalDate: r[19], retentionReason: r[20], rulesHoldsJSON: r[21], firstSeenScan: r[22],
                    changedScan: r[23], goneScan: r[24])
            }
        }
    }

    /// The findings of the item's latest reading: masked excerpts only, as the index keeps them.
    public func findings(itemID: Int64) throws -> [StoredFinding] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT kind, type, confidence, location, excerpt FROM finding WHERE item_id = ? ORDER BY kind, type, id
                """, arguments: [itemID]).map { StoredFinding(kind: $0[0], type: $0[1], confidence: $0[2], location: $0[3], excerpt: $0[4]) }
        }
    }

    /// Every review decision ever recorded for this path, oldest first (decisions are append-only).
    public func decisionHistory(path: ItemPath) throws -> [DecisionRecord] {
        try read { db in
            guard try db.tableExists("disposal_decision") else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT id, decision, extend, reviewer, reason, decided_at, class, size, mtime_ns, ctime_ns, device, inode, sha256
                FROM disposal_decision WHERE path = ? ORDER BY id
                """, arguments: [Data(path.bytes)]).map { r in
                DecisionRecord(id: r[0], path: path, decision: DecisionRecord.Kind(rawValue: r[1]) ?? .rejected, extend: r[2],
                               reviewer: r[3], reason: r[4], decidedAt: r[5], classID: r[6], size: r[7], modified: r[8], changed: r[9],
                               device: r[10], inode: r[11], sha256: r[12])
            }
        }
    }
}
