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
}

/// One present file as the folder view needs it.
public struct FolderFile: Sendable {
    public let path: ItemPath
    public let size: Int64
    public let content: String?
}

extension SweepIndex {
    /// Every member of every duplicate set (content shared by two or more present items), grouped by content.
    public func forEachDuplicateSet(_ body: (String, [DuplicateMember]) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, path, display_path, relative_path, size, mtime_ns, ctime_ns, device, inode, kind, nlink, content_hash, holds, root
                FROM item
                WHERE \(SweepIndex.dupeEligible) AND content_hash IN (\(SweepIndex.dupeHashes))
                ORDER BY content_hash, path
                """)
            var current: String?
            var members: [DuplicateMember] = []
            while let r = try rows.next() {
                let p: Data = r[1]
                let dev: Int64? = r[7], ino: Int64? = r[8]
                var m = DuplicateMember(
                    id: r[0], path: ItemPath(bytes: [UInt8](p)), display: r[2], relativePath: r[3], size: r[4],
                    modified: (r[5] as Int64?).map { Timestamp(nanoseconds: $0) },
                    changed: (r[6] as Int64?).map { Timestamp(nanoseconds: $0) },
                    identity: dev.flatMap { d in ino.map { FileID(device: UInt64(bitPattern: d), inode: UInt64(bitPattern: $0)) } },
                    kind: ItemKind(rawValue: r[9]) ?? .unknown, links: r[10], content: r[11],
                    holds: (r[12] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [])
                m.root = r[13] ?? "/"
                if m.content != current, let c = current, !members.isEmpty {
                    try body(c, members)
                    members.removeAll(keepingCapacity: true)
                }
                current = m.content
                members.append(m)
            }
            if let c = current, !members.isEmpty { try body(c, members) }
        }
    }

    /// Every present regular file or nested item with its content hash (nil when never needed: a unique size).
    public func forEachFile(_ body: (FolderFile) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT path, size, content_hash FROM item
                WHERE gone_scan IS NULL AND kind IN ('file', 'member', 'attachment')
                """)
            while let r = try rows.next() {
                let p: Data = r[0]
                try body(FolderFile(path: ItemPath(bytes: [UInt8](p)), size: r[1], content: r[2]))
            }
        }
    }

    /// Records a quarantined copy, and marks the item gone from where it was.
    public func recordQuarantine(itemID: Int64, path: ItemPath, storedAt: String, size: Int64, sha256: String,
                                 kept: String, by: String, at: String) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO quarantine (item_id, path, path_bytes, stored_at, size, sha256, kept_path, moved_by, moved_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [itemID, path.display, Data(path.bytes), storedAt, size, sha256, kept, by, at])
            try db.execute(sql: "UPDATE item SET gone_scan = (SELECT max(id) FROM scan) WHERE id = ? AND gone_scan IS NULL",
                           arguments: [itemID])
        }
    }

    /// Records that a quarantined copy went back to its place.
    public func recordRestore(path: ItemPath, at: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE quarantine SET restored_at = ? WHERE path_bytes = ? AND restored_at IS NULL",
                           arguments: [at, Data(path.bytes)])
        }
    }
}
