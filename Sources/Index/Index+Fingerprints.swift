import Foundation
import GRDB
import SweepModel

/// One item the fingerprint stages may read, with what the index already knows of its content.
public struct FingerprintCandidate: Sendable {
    public let id: Int64
    public let path: ItemPath
    public let identity: FileID?
    public let size: Int64
    public let modified: Int64
    public let kind: ItemKind
    public var prefix: Int64?
    public var suffix: Int64?
    public var content: String?
    /// This host can open it. On a shared index, another scanner host's items take part in the comparison with
    /// the fingerprints their host stored, and are read only by that host.
    public var reachable = true
}

/// What a fingerprint stage learned about one item.
public struct FingerprintUpdate: Sendable {
    public let id: Int64
    public var prefix: Int64?
    public var suffix: Int64?
    public var content: String?
    public var error: String?
    public init(id: Int64, prefix: Int64? = nil, suffix: Int64? = nil, content: String? = nil, error: String? = nil) {
        self.id = id; self.prefix = prefix; self.suffix = suffix; self.content = content; self.error = error
    }
}

extension SweepIndex {
    /// Content hashes shared by two or more eligible items, read from `item_by_content` without touching rows.
    static let dupeHashes = """
        SELECT content_hash FROM item INDEXED BY item_by_content
        WHERE content_hash IS NOT NULL AND \(dupeEligible) GROUP BY content_hash HAVING count(*) > 1
        """

    /// Items that can take part in a duplicate set: present, with readable bytes (a content-level problem such
    /// as encryption does not stop hashing), not empty. The partial indexes carry this exact text: change both.
    static let dupeEligible = """
        gone_scan IS NULL AND (error IS NULL OR error_kind IN (\(contentProblemKinds))) AND size > 0 \
        AND kind IN ('file', 'member', 'attachment', 'message')
        """

    /// Error kinds that describe the content, not the reading of it: the bytes were read in full.
    static let contentProblemKinds = ItemErrorKind.sqlList(ItemErrorKind.describesContent)

    /// Sizes where a stage still has work: two or more items share a size but not all have a prefix sample;
    /// or share size and prefix but not all have a suffix; or share all three but not all have a content
    /// hash. An item that became unique at some stage needs nothing more, so a settled index gives none.
    /// Counts are for batching.
    public func sizeGroupsNeedingFingerprints() throws -> [(size: Int64, count: Int)] {
        if let pg { return try pg.sizeGroupsNeedingFingerprints() }
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT size, max(n) FROM (
                    SELECT size, count(*) AS n FROM item INDEXED BY item_by_fingerprint WHERE \(SweepIndex.dupeEligible)
                    GROUP BY size HAVING count(*) > 1 AND count(hash_prefix) < count(*)
                    UNION ALL
                    SELECT size, count(*) FROM item INDEXED BY item_by_fingerprint WHERE \(SweepIndex.dupeEligible) AND size > \(SweepIndex.sample)
                    GROUP BY size, hash_prefix HAVING count(*) > 1 AND count(hash_suffix) < count(*)
                    UNION ALL
                    SELECT size, count(*) FROM item INDEXED BY item_by_fingerprint WHERE \(SweepIndex.dupeEligible)
                    GROUP BY size, hash_prefix, hash_suffix HAVING count(*) > 1 AND count(content_hash) < count(*))
                GROUP BY size ORDER BY size
                """).map { (size: $0[0], count: $0[1]) }
        }
    }

    /// Bytes in a prefix or suffix sample (the Fingerprint module's rule, which the index does not import).
    static let sample = 4096

    /// The scan whose fingerprint stages last ran to the end, when nothing has been written since.
    public func fingerprintsSettled() throws -> Bool {
        if let pg { return try pg.fingerprintsSettled() }
        return try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'fingerprints_settled'") == "yes"
        }
    }

    public func setFingerprintsSettled(_ settled: Bool) throws {
        if let pg { return try pg.setFingerprintsSettled(settled) }
        return try write { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('fingerprints_settled', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [settled ? "yes" : "no"])
        }
    }

    /// Every eligible item with a size in `lo...hi` (the caller keeps those whose size it asked about).
    public func fingerprintCandidates(sizes lo: Int64, _ hi: Int64) throws -> [FingerprintCandidate] {
        if let pg { return try pg.fingerprintCandidates(sizes: lo, hi) }
        return try read { db in
            // Stepped through SQLite's C interface: a share's worth of rows, where decoding each through GRDB
            // cost more than the query.
            let s = try RawStatement(db, sql: """
                SELECT id, path, device, inode, size, mtime_ns, kind, hash_prefix, hash_suffix, content_hash
                FROM item INDEXED BY item_by_fingerprint
                WHERE size BETWEEN ? AND ? AND \(SweepIndex.dupeEligible)
                """)
            s.reset()
            s.bind(lo); s.bind(hi)
            var out: [FingerprintCandidate] = []
            while try s.step() {
                let dev = s.int64(2), ino = s.int64(3)
                out.append(FingerprintCandidate(
                    id: s.int64(0) ?? 0, path: ItemPath(bytes: s.bytes(1)),
                    identity: dev.flatMap { d in ino.map { FileID(device: UInt64(bitPattern: d), inode: UInt64(bitPattern: $0)) } },
                    size: s.int64(4) ?? 0, modified: s.int64(5) ?? 0, kind: s.text(6).flatMap(ItemKind.init(rawValue:)) ?? .unknown,
                    prefix: s.int64(7), suffix: s.int64(8), content: s.text(9)))
            }
            return out
        }
    }

    /// Stores what the stages learned, in one transaction, in row order (each table page is written once). An
    /// error marks the item unreadable (tried again next scan) and drops any fingerprint it had.
    public func storeFingerprints(_ updates: [FingerprintUpdate]) throws {
        if let pg { return try pg.storeFingerprints(updates) }
        guard !updates.isEmpty else { return }
        try write { db in
            let set = try RawStatement(db, sql: """
                UPDATE item SET hash_prefix = coalesce(?, hash_prefix), hash_suffix = coalesce(?, hash_suffix),
                    content_hash = coalesce(?, content_hash) WHERE id = ?
                """)
            let fail = try RawStatement(db, sql: """
                UPDATE item SET error = ?, error_kind = '\(ItemErrorKind.fingerprint.rawValue)', hash_prefix = NULL, hash_suffix = NULL,
                    content_hash = NULL WHERE id = ?
                """)
            for u in updates.sorted(by: { $0.id < $1.id }) {
                if let e = u.error {
                    fail.reset(); fail.bind(e); fail.bind(u.id)
                    try fail.run()
                } else {
                    set.reset(); set.bind(u.prefix); set.bind(u.suffix); set.bind(u.content); set.bind(u.id)
                    try set.run()
                }
            }
        }
    }
}

extension SweepIndex {
    /// How many duplicate sets the index holds (hardlinks of one file are one copy, not a set), and the bytes
    /// their extra copies on disk take (a copy inside an archive or a message frees nothing when removed), as
    /// `DuplicateReport` counts them.
    static func duplicateTotals(_ db: Database) throws -> (sets: Int, reclaimable: Int64) {
        // The shared hashes come from the index alone; only their members' rows are read.
        let r = try Row.fetchOne(db, sql: """
            SELECT count(*), coalesce(sum(size * max(disk - 1, 0)), 0) FROM (
                SELECT size, count(DISTINCT coalesce(device || ':' || inode, 'item:' || id)) AS copies,
                       count(DISTINCT CASE WHEN kind = 'file' THEN coalesce(device || ':' || inode, 'item:' || id) END) AS disk
                FROM item WHERE \(dupeEligible) AND content_hash IN (\(dupeHashes))
                GROUP BY content_hash)
            WHERE copies > 1
            """)!
        return (r[0], r[1])
    }

    /// The totals as a scan reports them: when `reuse` (the scan wrote nothing and learned no fingerprint), the
    /// ones stored by the last scan that counted them, unless an item has been marked gone since (a trigger
    /// forgets them); otherwise counted now and stored.
    static func duplicateTotals(_ db: Database, reuse: Bool) throws -> (sets: Int, reclaimable: Int64) {
        if reuse, let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'duplicate_totals'") {
            let parts = stored.split(separator: " ")
            if parts.count == 2, let sets = Int(parts[0]), let bytes = Int64(parts[1]) { return (sets, bytes) }
        }
        let d = try duplicateTotals(db)
        try db.execute(sql: """
            INSERT INTO meta (key, value) VALUES ('duplicate_totals', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value
            """, arguments: ["\(d.sets) \(d.reclaimable)"])
        return d
    }

    public func duplicateTotals() throws -> (sets: Int, reclaimable: Int64) {
        if let pg { return try pg.duplicateTotals() }
        return try read { try SweepIndex.duplicateTotals($0) }
    }
}
