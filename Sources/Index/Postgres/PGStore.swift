#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SweepModel

/// The scanner host this process is: the host whose items it can open. `$SWEEP_HOST`, else the machine's name.
public enum ScannerHost {
    public static var name: String {
        if let h = ProcessInfo.processInfo.environment["SWEEP_HOST"], !h.isEmpty { return h }
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count)
        let name = String(cString: buf)
        return name.isEmpty ? "localhost" : name
    }
}

/// The PostgreSQL index: a small pool of connections, the migrations, and the scan's hot queries in PostgreSQL's
/// terms (everything else is written once, in `SQL.swift`). ``SweepIndex`` forwards to it; nothing outside the
/// Index module sees which backend it has.
final class PGStore: @unchecked Sendable {
    let location: PostgresLocation
    let host: String
    private let password: String?
    private let lock = NSLock()
    private var idle: [PGConnection] = []

    init(_ location: PostgresLocation, passwordFile: String?, migrate: Bool) throws {
        self.location = location
        self.host = ScannerHost.name
        do { password = try location.password(configFile: passwordFile) } catch let p as PostgresLocation.Problem {
            throw IndexError.unreachable(location.display, p.description)
        }
        try withConnection { c in
            if migrate { try PGStore.migrate(c) } else { try PGStore.checkSchema(c, location.display) }
        }
    }

    var display: String { location.display }

    /// A connection of the pool for the length of `body` (opened when none is idle); one that broke is dropped.
    /// When a pooled connection turns out to be dead (the server restarted, the network dropped it while idle),
    /// `body` runs again once on a new one: it failed as a whole, as a statement or a transaction does.
    func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        lock.lock()
        var pooled = idle.popLast()
        lock.unlock()
        while true {
            let reused = pooled != nil
            let conn = try pooled.flatMap { $0.isOpen ? $0 : nil } ?? PGConnection(location, password: password)
            do {
                let out = try body(conn)
                lock.lock(); idle.append(conn); lock.unlock()
                return out
            } catch IndexError.unreachable(let where_, let why) {
                conn.close()
                guard reused else { throw IndexError.unreachable(where_, why) }
                pooled = nil   // once more, on a connection of its own
            } catch {
                if conn.isOpen { lock.lock(); idle.append(conn); lock.unlock() }
                throw error
            }
        }
    }

    func newConnection() throws -> PGConnection { try PGConnection(location, password: password) }

    func close() {
        lock.lock()
        let all = idle
        idle.removeAll()
        lock.unlock()
        for c in all { c.close() }
    }

    // MARK: - Schema

    static let migrationLock: Int64 = 0x5357_4545_505F_4D49   // "SWEEP_MI": one migrating host at a time

    static func migrate(_ c: PGConnection) throws {
        try c.query("SELECT pg_advisory_lock($1)", PGArgs([migrationLock]).binds)
        defer { _ = try? c.query("SELECT pg_advisory_unlock($1)", PGArgs([migrationLock]).binds) }
        try c.query("CREATE TABLE IF NOT EXISTS sweep_migration (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        let applied = Set(try c.query("SELECT id FROM sweep_migration").all.compactMap { $0.text(0) })
        let known = Set(PGSchema.migrations.map(\.id))
        if !applied.subtracting(known).isEmpty { throw IndexError.newerSchema(c.location.display) }
        for m in PGSchema.migrations where !applied.contains(m.id) {
            try c.transaction { c in
                for statement in PGSchema.statements(m.sql) { try c.query(statement) }
                try c.query("INSERT INTO sweep_migration (id) VALUES ($1)", PGArgs([m.id]).binds)
            }
        }
    }

    static func checkSchema(_ c: PGConnection, _ display: String) throws {
        let exists = try c.query("SELECT to_regclass('sweep_migration') IS NOT NULL").all.first?.bool(0) ?? false
        guard exists else { throw IndexError.corrupt(display, "no Sweep tables: run sweep scan into it first") }
        let applied = Set(try c.query("SELECT id FROM sweep_migration").all.compactMap { $0.text(0) })
        let known = Set(PGSchema.migrations.map(\.id))
        if !applied.subtracting(known).isEmpty { throw IndexError.newerSchema(display) }
        if !known.subtracting(applied).isEmpty { throw IndexError.olderSchema(display) }
    }

    // MARK: - Shared SQL

    /// As ``SweepIndex``'s: items that can take part in a duplicate set. The partial indexes carry this exact text.
    static let dupeEligible = """
        gone_scan IS NULL AND (error IS NULL OR error_kind IN (\(ItemErrorKind.sqlList(ItemErrorKind.describesContent)))) AND size > 0 \
        AND kind IN ('file', 'member', 'attachment', 'message')
        """

    static let dupeHashes = """
        SELECT content_hash FROM item WHERE content_hash IS NOT NULL AND \(dupeEligible) GROUP BY content_hash HAVING count(*) > 1
        """

    func rows(_ sql: String, _ args: [Any?] = []) throws -> [PGRow] {
        try withConnection { try $0.query(sql, PGArgs(args).binds).all }
    }

    func execute(_ sql: String, _ args: [Any?] = []) throws {
        try withConnection { _ = try $0.query(sql, PGArgs(args).binds) }
    }

    func meta(_ key: String) throws -> String? {
        try rows("SELECT value FROM meta WHERE key = $1", [key]).first?.text(0)
    }

    func setMeta(_ key: String, _ value: String, _ c: PGConnection? = nil) throws {
        let sql = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        if let c { try c.query(sql, PGArgs([key, value]).binds) } else { try execute(sql, [key, value]) }
    }
}

// MARK: - What a scan asks

extension PGStore {
    func isEmpty() throws -> Bool {
        try rows("SELECT 1 FROM item WHERE host = $1 LIMIT 1", [host]).isEmpty
    }

    func previousItems(inFolder folder: ItemPath, rulesVersion: String, scanTypes: Set<String>) throws -> [RawName: PreviousItem] {
        let typeList = scanTypes.isEmpty ? "NULL" : scanTypes.sorted().map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", ")
        var b = PGArgs()
        b.add(rulesVersion); b.add(!scanTypes.isEmpty); b.add(host); b.add(bytes: folder.bytes)
        let result = try withConnection { c in
            try c.query("""
                SELECT item.id, item.name, item.kind, item.size, item.mtime_ns, item.ctime_ns, item.device, item.inode,
                       item.rules_version = $1, item.error IS NOT NULL, item.gone_scan IS NOT NULL,
                       coalesce(item.error_kind IN (\(ItemErrorKind.sqlList(ItemErrorKind.readAgain))), false)
                       OR ($2 AND (item.error_kind = 'no_text_layer'
                                   OR (item.read_as IS NULL AND item.error IS NULL AND coalesce(item.mime IN (\(typeList)), false))))
                FROM folder JOIN item ON item.folder_id = folder.id
                WHERE folder.host = $3 AND folder.path = $4 AND item.parent_id IS NULL
                """, b.binds).all
        }
        var out: [RawName: PreviousItem] = [:]
        for r in result {
            out[RawName(r.bytes(1) ?? [])] = PreviousItem(
                id: r.int(0) ?? 0, kind: ItemKind(rawValue: r.text(2) ?? "") ?? .unknown, size: r.int(3) ?? 0,
                modified: r.int(4), changed: r.int(5), device: r.int(6), inode: r.int(7),
                sameRules: r.bool(8), hadError: r.bool(9), gone: r.bool(10), retry: r.bool(11))
        }
        return out
    }

    func items(withIdentity id: FileID, size: Int64, modified: Timestamp) throws -> [(id: Int64, path: ItemPath, gone: Bool)] {
        try rows("""
            SELECT id, path, gone_scan IS NOT NULL FROM item
            WHERE host = $1 AND device = $2 AND inode = $3 AND size = $4 AND mtime_ns = $5 AND parent_id IS NULL AND kind = 'file'
            """, [host, Int64(bitPattern: id.device), Int64(bitPattern: id.inode), size, modified.nanoseconds])
            .map { (id: $0.int(0) ?? 0, path: ItemPath(bytes: $0.bytes(1) ?? []), gone: $0.bool(2)) }
    }

    func markAllForRereading(_ reason: String) throws {
        try execute("UPDATE item SET rules_version = $1", [reason])
    }

    func fingerprintsSettled() throws -> Bool { try meta("fingerprints_settled:" + host) == "yes" }

    func setFingerprintsSettled(_ settled: Bool) throws { try setMeta("fingerprints_settled:" + host, settled ? "yes" : "no") }

    /// Size groups counted over every host: a copy on another scanner host makes this host's file a candidate.
    func sizeGroupsNeedingFingerprints() throws -> [(size: Int64, count: Int)] {
        // Called once a scan, after the walk wrote its rows: the planner's statistics are brought up to date first
        // (a sample, so the cost is bounded), or a table that grew from nothing is planned as empty and the
        // duplicate queries of the stages and the totals turn quadratic.
        try execute("ANALYZE item")
        let e = PGStore.dupeEligible
        return try rows("""
            SELECT size, max(n) FROM (
                SELECT size, count(*) AS n FROM item WHERE \(e)
                GROUP BY size HAVING count(*) > 1 AND count(hash_prefix) < count(*)
                UNION ALL
                SELECT size, count(*) FROM item WHERE \(e) AND size > \(SweepIndex.sample)
                GROUP BY size, hash_prefix HAVING count(*) > 1 AND count(hash_suffix) < count(*)
                UNION ALL
                SELECT size, count(*) FROM item WHERE \(e)
                GROUP BY size, hash_prefix, hash_suffix HAVING count(*) > 1 AND count(content_hash) < count(*)) AS g
            GROUP BY size ORDER BY size
            """).map { (size: $0.int(0) ?? 0, count: Int($0.int(1) ?? 0)) }
    }

    func fingerprintCandidates(sizes lo: Int64, _ hi: Int64) throws -> [FingerprintCandidate] {
        try rows("""
            SELECT id, path, device, inode, size, mtime_ns, kind, hash_prefix, hash_suffix, content_hash, host = $3
            FROM item WHERE size BETWEEN $1 AND $2 AND \(PGStore.dupeEligible)
            """, [lo, hi, host]).map { r in
            let mine = r.bool(10)
            let dev = r.int(2), ino = r.int(3)
            var c = FingerprintCandidate(
                id: r.int(0) ?? 0, path: ItemPath(bytes: r.bytes(1) ?? []),
                // Another host's device and inode numbers say nothing about this host's files.
                identity: mine ? dev.flatMap { d in ino.map { FileID(device: UInt64(bitPattern: d), inode: UInt64(bitPattern: $0)) } } : nil,
                size: r.int(4) ?? 0, modified: r.int(5) ?? 0, kind: ItemKind(rawValue: r.text(6) ?? "") ?? .unknown,
                prefix: r.int(7), suffix: r.int(8), content: r.text(9))
            c.reachable = mine
            return c
        }
    }

    func storeFingerprints(_ updates: [FingerprintUpdate]) throws {
        guard !updates.isEmpty else { return }
        let ok = updates.filter { $0.error == nil }
        let failed = updates.filter { $0.error != nil }
        try withConnection { c in
            try c.transaction { c in
                for chunk in stride(from: 0, to: ok.count, by: 10_000).map({ Array(ok[$0..<min($0 + 10_000, ok.count)]) }) {
                    var a = PGArgs()
                    let tuples = chunk.map { u in
                        "(\(a.add(u.id))::bigint, \(a.add(u.prefix))::bigint, \(a.add(u.suffix))::bigint, \(a.add(u.content))::text)"
                    }
                    try c.query("""
                        UPDATE item SET hash_prefix = coalesce(u.p, item.hash_prefix), hash_suffix = coalesce(u.s, item.hash_suffix),
                            content_hash = coalesce(u.c, item.content_hash)
                        FROM (VALUES \(tuples.joined(separator: ", "))) AS u(id, p, s, c) WHERE item.id = u.id
                        """, a.binds)
                }
                for u in failed {
                    try c.query("""
                        UPDATE item SET error = $1, error_kind = '\(ItemErrorKind.fingerprint.rawValue)', hash_prefix = NULL,
                            hash_suffix = NULL, content_hash = NULL WHERE id = $2
                        """, PGArgs([u.error, u.id]).binds)
                }
            }
        }
    }

    func duplicateTotals(_ c: PGConnection) throws -> (sets: Int, reclaimable: Int64) {
        let r = try c.query("""
            SELECT count(*), coalesce(sum(size * greatest(disk - 1, 0)), 0)::bigint FROM (
                SELECT min(size) AS size,
                       count(DISTINCT coalesce(host || ':' || device || ':' || inode, 'item:' || id)) AS copies,
                       count(DISTINCT CASE WHEN kind = 'file' THEN coalesce(host || ':' || device || ':' || inode, 'item:' || id) END) AS disk
                FROM item WHERE \(PGStore.dupeEligible) AND content_hash IN (\(PGStore.dupeHashes))
                GROUP BY content_hash) AS s
            WHERE copies > 1
            """).all.first
        return (Int(r?.int(0) ?? 0), r?.int(1) ?? 0)
    }

    func duplicateTotals() throws -> (sets: Int, reclaimable: Int64) {
        try withConnection { try duplicateTotals($0) }
    }

    func duplicateTotals(_ c: PGConnection, reuse: Bool) throws -> (sets: Int, reclaimable: Int64) {
        if reuse, let stored = try c.query("SELECT value FROM meta WHERE key = 'duplicate_totals'").all.first?.text(0) {
            let parts = stored.split(separator: " ")
            if parts.count == 2, let sets = Int(parts[0]), let bytes = Int64(parts[1]) { return (sets, bytes) }
        }
        let d = try duplicateTotals(c)
        try setMeta("duplicate_totals", "\(d.sets) \(d.reclaimable)", c)
        return d
    }
}

// MARK: - What export reads

extension PGStore {
    /// Every present item of every host, in path order (bytewise), then host.
    func forEachItem(_ body: (StoredItem) throws -> Void) throws {
        // Read in pages by (path, host), so a million items never sit in memory at once.
        var after: (path: [UInt8], host: String)?
        while true {
            var a = PGArgs()
            var cond = "TRUE"
            if let after { cond = "(path, host) > (\(a.add(bytes: after.path)), \(a.add(after.host)))" }
            let page = try withConnection { c in
                try c.query("""
                    WITH dup AS (\(PGStore.dupeHashes))
                    SELECT display_path, kind, size, mtime_ns, mime, error, error_kind, owner, uid, mode, nlink, device, inode,
                           extension, moved_from, link_target, first_seen_scan, changed_scan, content_hash,
                           (\(PGStore.dupeEligible) AND content_hash IN (SELECT content_hash FROM dup)), pii, markings, marking, special,
                           retention_class, retention_action, disposal_date, holds, relative_path, marking_descriptors, path, ctime_ns,
                           read_as, text_source, host
                    FROM item WHERE gone_scan IS NULL AND \(cond) ORDER BY path, host LIMIT 5000
                    """, a.binds).all
            }
            for r in page {
                let dev = r.int(11), ino = r.int(12)
                try body(StoredItem(
                    path: r.text(0) ?? "", kind: ItemKind(rawValue: r.text(1) ?? "") ?? .unknown, size: r.int(2) ?? 0,
                    modified: r.int(3).map { Timestamp(nanoseconds: $0) }, mime: r.text(4), error: r.text(5),
                    errorKind: r.text(6).flatMap(ItemErrorKind.init(rawValue:)),
                    owner: r.text(7), uid: r.int(8), mode: r.int(9), links: r.int(10),
                    identity: dev.flatMap { d in ino.map { FileID(device: UInt64(bitPattern: d), inode: UInt64(bitPattern: $0)) } },
                    fileExtension: r.text(13), movedFrom: r.text(14), linkTarget: r.bytes(15).map { ItemPath.display($0) },
                    firstSeenScan: r.int(16) ?? 0, changedScan: r.int(17) ?? 0, content: r.text(18),
                    dupGroup: r.bool(19) ? r.text(18) : nil,
                    piiJSON: r.text(20), markingsJSON: r.text(21), highestMarking: r.text(22), specialJSON: r.text(23),
                    retentionClass: r.text(24), retentionAction: r.text(25), disposalDate: r.text(26), holdsJSON: r.text(27),
                    relativePath: r.text(28) ?? "", markingDescriptorsJSON: r.text(29),
                    pathBytes: ItemPath(bytes: r.bytes(30) ?? []), changed: r.int(31), readAs: r.text(32), textSource: r.text(33)))
            }
            guard page.count == 5000, let last = page.last else { return }
            after = (last.bytes(30) ?? [], last.text(34) ?? "")
        }
    }
}
