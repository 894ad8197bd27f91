import Foundation
import GRDB
import SweepModel

/// One member of a duplicate set, as stored.
public struct DuplicateMember: Sendable {
    public let id: Int64
    public let path: ItemPath
    public let display: String
    /// Below its scan root, for records-location globs.
    public let relativePath: String
    public let size: Int64
    public let modified: Timestamp?
    public let changed: Timestamp?
    public let identity: FileID?
    public let kind: ItemKind
    public let links: Int64?
    public let content: String
    /// Legal holds on it (ids), from the scan's classification.
    public let holds: [String]
    /// The scan root it was found under: the folder an administrator named, trusted as named.
    public var root: String = "/"
    /// On a shared index, the scanner host that reaches it (nil on SQLite).
    public var host: String?
    /// This host can open it (only that host moves it).
    public var reachableHere: Bool { host == nil || host == ScannerHost.name }
}

/// One present file as the folder view needs it.
public struct FolderFile: Sendable {
    public let path: ItemPath
    public let size: Int64
    public let content: String?
}

extension SweepIndex {
    /// Every member of every duplicate set (content shared by two or more present items, on any scanner host),
    /// grouped by content.
    public func forEachDuplicateSet(_ body: (String, [DuplicateMember]) throws -> Void) throws {
        let dupeHashes = pg == nil ? SweepIndex.dupeHashes : PGStore.dupeHashes
        let found = try rows("""
            SELECT id, path, display_path, relative_path, size, mtime_ns, ctime_ns, device, inode, kind, nlink, content_hash, holds, root,
                   \(hostColumn)
            FROM item
            WHERE \(SweepIndex.dupeEligible) AND content_hash IN (\(dupeHashes))
            ORDER BY content_hash, path, \(hostColumn)
            """)
        var current: String?
        var members: [DuplicateMember] = []
        for r in found {
            let dev: Int64? = r[7], ino: Int64? = r[8]
            var m = DuplicateMember(
                id: r.int(0), path: r.path(1), display: r.text(2), relativePath: r.text(3), size: r.int(4),
                modified: (r[5] as Int64?).map { Timestamp(nanoseconds: $0) },
                changed: (r[6] as Int64?).map { Timestamp(nanoseconds: $0) },
                identity: dev.flatMap { d in ino.map { FileID(device: UInt64(bitPattern: d), inode: UInt64(bitPattern: $0)) } },
                kind: ItemKind(rawValue: r.text(9)) ?? .unknown, links: r[10], content: r.text(11), holds: r.json(12, [String]()))
            m.root = r[13] ?? "/"
            m.host = r[14]
            if m.content != current, let c = current, !members.isEmpty {
                try body(c, members)
                members.removeAll(keepingCapacity: true)
            }
            current = m.content
            members.append(m)
        }
        if let c = current, !members.isEmpty { try body(c, members) }
    }

    /// Every present regular file or nested item with its content hash (nil when never needed: a unique size).
    public func forEachFile(_ body: (FolderFile) throws -> Void) throws {
        for r in try rows("SELECT path, size, content_hash FROM item WHERE gone_scan IS NULL AND kind IN ('file', 'member', 'attachment')") {
            try body(FolderFile(path: r.path(0), size: r.int(1), content: r[2]))
        }
    }

    /// Records a quarantined copy, and marks the item gone from where it was.
    public func recordQuarantine(itemID: Int64, path: ItemPath, storedAt: String, size: Int64, sha256: String,
                                 kept: String, by: String, at: String) throws {
        try transaction { s in
            let h = hostInsert()
            try s.execute("""
                INSERT INTO quarantine (\(h.column)item_id, path, path_bytes, stored_at, size, sha256, kept_path, moved_by, moved_at)
                VALUES (\(h.value)?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [itemID, path.display, path, storedAt, size, sha256, kept, by, at])
            try s.execute("UPDATE item SET gone_scan = (SELECT max(id) FROM scan) WHERE id = ? AND gone_scan IS NULL", [itemID])
        }
    }

    /// Records that a quarantined copy went back to its place.
    public func recordRestore(path: ItemPath, at: String) throws {
        try transaction { s in
            try s.execute("UPDATE quarantine SET restored_at = ? WHERE path_bytes = ? AND restored_at IS NULL\(thisHostOnly)", [at, path])
        }
    }
}
