#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SweepModel

/// ``ScanWriter`` on a PostgreSQL index: the same batches, written with a few multi-row statements per folder
/// instead of one per row (the server may be a network away), on a connection of its own.
///
/// Before it writes, the scan takes a lease on each of its roots for this host: a row in `scan_lease` that a
/// heartbeat thread renews every 10 seconds and that lapses 60 seconds after the last renewal. A second scanner of
/// an overlapping root on the same host stops with exit 2 naming the holder, unless the holder is a process of this
/// host that no longer runs (killed), whose lease is taken over at once.
///
/// A batch is one transaction. When the connection drops mid-batch, the batch (still in memory) is written again
/// after reconnecting, with backoff from 1 to 30 seconds for up to 10 minutes: what was committed stays, and a scan
/// that gives up leaves a valid index the next run resumes from.
final class PGScanWriter: @unchecked Sendable {
    let store: PGStore
    let conn: PGConnection
    let scanID: Int64
    private let roots: [ItemPath]
    private var folderIDs: [ItemPath: Int64] = [:]
    private let heartbeat: Heartbeat
    var freshIndex = false

    static let leaseSeconds = 60
    static let leaseLock: Int64 = 0x5357_4545_505F_4C45   // "SWEEP_LE": one lease change at a time

    init(store: PGStore, roots: [ItemPath], rulesVersion: String, jobs: Int, asOf: String, rulesJSON: String) throws {
        self.store = store
        self.roots = roots
        conn = try store.newConnection()
        let host = store.host
        let rootsJSON = String(decoding: try JSONEncoder().encode(roots.map(\.display)), as: UTF8.self)
        scanID = try conn.transaction { c in
            try c.query("SELECT pg_advisory_xact_lock($1)", PGArgs([PGScanWriter.leaseLock]).binds)
            var dead: [ItemPath] = []
            for r in try c.query("""
                SELECT root, root_display, pid, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM scan_lease WHERE host = $1 AND expires_at > now()
                """, PGArgs([host]).binds).all {
                let held = ItemPath(bytes: r.bytes(0) ?? [])
                let pid = r.int(2) ?? 0
                guard roots.contains(where: { $0.isWithin(held) || held.isWithin($0) }) else { continue }
                // A holder on this host that no longer runs was killed: its lease is over.
                if pid > 0 && kill(pid_t(pid), 0) != 0 && errno == ESRCH { dead.append(held); continue }
                throw IndexError.rootLeased(store.display, root: r.text(1) ?? held.display, host: host, pid: pid, until: r.text(3) ?? "")
            }
            for held in dead {
                try c.query("DELETE FROM scan_lease WHERE host = $1 AND root = $2", PGArgs([host, held.bytes]).binds)
            }
            // Scans of this host whose leases are gone (lapsed, or their process died) were interrupted.
            try c.query("""
                UPDATE scan SET state = 'interrupted' WHERE state = 'running' AND host = $1
                    AND id NOT IN (SELECT scan_id FROM scan_lease WHERE expires_at > now())
                """, PGArgs([host]).binds)
            var a = PGArgs()
            let id = try c.query("""
                INSERT INTO scan (host, pid, started_at, roots, rules_version, jobs, as_of, rules_files)
                VALUES (\(a.add(host)), \(a.add(Int64(getpid()))), \(a.add(Timestamp.now().iso8601)), \(a.add(rootsJSON)),
                        \(a.add(rulesVersion)), \(a.add(Int64(jobs))), \(a.add(asOf)), \(a.add(rulesJSON))) RETURNING id
                """, a.binds).all.first?.int(0) ?? 0
            for root in roots {
                try c.query("""
                    INSERT INTO scan_lease (host, root, root_display, scan_id, pid, expires_at)
                    VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
                    ON CONFLICT (host, root) DO UPDATE SET root_display = excluded.root_display, scan_id = excluded.scan_id,
                        pid = excluded.pid, expires_at = excluded.expires_at
                    """, PGArgs([host, root.bytes, root.display, id, Int64(getpid()), Int64(PGScanWriter.leaseSeconds)]).binds)
            }
            // Leases of this host on roots inside or around these ones are over (checked above): drop them.
            for r in try c.query("SELECT root FROM scan_lease WHERE host = $1 AND scan_id <> $2", PGArgs([host, id]).binds).all {
                let held = ItemPath(bytes: r.bytes(0) ?? [])
                if roots.contains(where: { $0.isWithin(held) || held.isWithin($0) }) {
                    try c.query("DELETE FROM scan_lease WHERE host = $1 AND root = $2", PGArgs([host, held.bytes]).binds)
                }
            }
            return id
        }
        heartbeat = Heartbeat(store: store, scanID: scanID)
        heartbeat.start()
    }

    deinit { heartbeat.stop() }

    // MARK: - Writing a batch

    /// Writes the batch in one transaction; on a dropped connection, reconnects with backoff and writes it again.
    func write(_ batch: [FolderResult], _ s: inout ScanSummary, written: inout Int) throws {
        var delay = 1.0
        let deadline = Date().addingTimeInterval(600)
        while true {
            var attempt = s
            var attemptWritten = written
            do {
                let saved = folderIDs
                do {
                    try conn.transaction { c in try writeBatch(batch, c, &attempt, &attemptWritten) }
                } catch {
                    folderIDs = saved   // ids handed out by a rolled-back transaction are not there
                    throw error
                }
                s = attempt
                written = attemptWritten
                return
            } catch let e as IndexError {
                guard case .unreachable = e, Date() < deadline else { throw e }
                FileHandle.standardError.write(Data("sweep: the index connection dropped (\(e)); trying again in \(Int(delay)) s\n".utf8))
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 30)
                try? conn.reconnect()
            }
        }
    }

    /// A batch in a fixed number of statements whatever its number of folders (the server may be a network away):
    /// folder ids in one, folder refreshes in two, items in multi-row upserts, gone items in one.
    private func writeBatch(_ batch: [FolderResult], _ c: PGConnection, _ s: inout ScanSummary, _ written: inout Int) throws {
        let host = store.host
        var named: [ItemPath] = []
        for r in batch {
            if r.listed || !r.gone.isEmpty { named.append(r.folder) }
            named += r.upserts.map(\.folder) + r.moves.map(\.record.folder) + r.nested.map(\.folder)
        }
        try folderIDs(for: named, c)
        // A folder listed now settles any "could not list" item recorded for it; one not listed is still there.
        let listed = batch.filter(\.listed).map { [UInt8]($0.folder.bytes) }
        if !listed.isEmpty && !freshIndex {
            try c.query("UPDATE item SET gone_scan = $1 WHERE host = $2 AND kind = 'directory' AND gone_scan IS NULL AND path = ANY($3)",
                        PGArgs([scanID, host, listed]).binds)
        }
        let unlisted = batch.filter { !$0.listed }.map { [UInt8]($0.folder.bytes) }
        if !unlisted.isEmpty {
            try c.query("UPDATE folder SET last_seen_scan = $1 WHERE host = $2 AND path = ANY($3)", PGArgs([scanID, host, unlisted]).binds)
        }
        var ids: [ItemPath: Int64] = [:]
        try upsert(batch.flatMap { $0.upserts.map { ($0, nil, nil) } }, c, &ids)
        for r in batch {
            for m in r.moves {
                let fid = try folderID(m.record.folder, c)
                let wasGoneNow = try c.query("SELECT gone_scan FROM item WHERE id = $1", PGArgs([m.fromID]).binds).all.first?.int(0) == scanID
                var a = PGArgs()
                let values = m.record.pgPlaceholders(&a, folderID: fid, scanID: scanID)
                let moved = try c.query("""
                    UPDATE item SET (\(ItemRecord.columns)) = (\(values)), gone_scan = NULL, moved_from = display_path
                    WHERE id = \(a.add(m.fromID)) AND path = \(a.add(bytes: m.fromPath.bytes)) AND host = \(a.add(host)) RETURNING id
                    """, a.binds).all
                if moved.count == 1 {
                    ids[m.record.path] = m.fromID
                    s.moved += 1
                    if wasGoneNow { s.gone -= 1 }
                    try replaceFindings([(m.fromID, m.record.detection, false)], c)
                } else {
                    try upsert([(m.record, nil, nil)], c, &ids); s.new += 1
                }
            }
        }
        try writeNested(batch.flatMap(\.nested), reread: batch.flatMap(\.reread), &ids, c)
        var goneIDs: [Int64] = [], goneFolders: [Int64] = []
        for r in batch where !r.gone.isEmpty {
            let fid = try folderID(r.folder, c)
            goneIDs += r.gone
            goneFolders += Array(repeating: fid, count: r.gone.count)
        }
        if !goneIDs.isEmpty {
            s.gone += try c.query("""
                UPDATE item SET gone_scan = $1 FROM unnest($2::bigint[], $3::bigint[]) AS g(id, folder)
                WHERE item.id = g.id AND item.folder_id = g.folder AND item.gone_scan IS NULL
                """, PGArgs([scanID, goneIDs, goneFolders]).binds).metadata.rows ?? 0
        }
        for r in batch {
            written += r.upserts.count + r.moves.count + r.nested.count
            s.new += r.new; s.changed += r.changed; s.unchanged += r.unchanged
            s.errors += r.errors; s.items += r.items; s.bytes += r.bytes; s.nested += r.nested.count
        }
        try c.query("""
            UPDATE scan SET new_count = $1, changed_count = $2, unchanged_count = $3, moved_count = $4, gone_count = $5,
                error_count = $6, item_count = $7, byte_count = $8 WHERE id = $9
            """, PGArgs([s.new, s.changed, s.unchanged, s.moved, s.gone, s.errors, s.items, s.bytes, scanID]).binds)
    }

    /// Ids for folders not yet seen in this scan, upserted (and marked seen) together.
    private func folderIDs(for paths: [ItemPath], _ c: PGConnection) throws {
        var missing: [ItemPath] = []
        var seen = Set<ItemPath>()
        for p in paths where folderIDs[p] == nil && seen.insert(p).inserted { missing.append(p) }
        var start = 0
        while start < missing.count {
            let chunk = missing[start..<min(start + 5_000, missing.count)]
            for r in try c.query("""
                INSERT INTO folder (host, path, last_seen_scan) SELECT $1, p, $2 FROM unnest($3::bytea[]) AS p
                ON CONFLICT (host, path) DO UPDATE SET last_seen_scan = excluded.last_seen_scan RETURNING id, path
                """, PGArgs([store.host, scanID, chunk.map { [UInt8]($0.bytes) }]).binds).all {
                folderIDs[ItemPath(bytes: r.bytes(1) ?? [])] = r.int(0)
            }
            start += chunk.count
        }
    }

    private func folderID(_ path: ItemPath, _ c: PGConnection) throws -> Int64 {
        if let id = folderIDs[path] { return id }
        try folderIDs(for: [path], c)
        guard let id = folderIDs[path] else { throw IndexError.failed(store.display, "a folder upserted gave no id") }
        return id
    }

    static let sameContent = """
        item.size = excluded.size AND item.mtime_ns IS NOT DISTINCT FROM excluded.mtime_ns
        AND item.ctime_ns IS NOT DISTINCT FROM excluded.ctime_ns AND item.device IS NOT DISTINCT FROM excluded.device
        AND item.inode IS NOT DISTINCT FROM excluded.inode
        AND (excluded.error IS NULL OR excluded.error_kind IN (\(SweepIndex.contentProblemKinds)))
        """

    /// Rows per statement: PostgreSQL takes at most 65,535 parameters, and an item has 46.
    static let rowsPerStatement = 1_000

    /// Upserts items (with their parent and top ids when nested) in multi-row statements, then their findings.
    private func upsert(_ recs: [(ItemRecord, Int64?, Int64?)], _ c: PGConnection, _ ids: inout [ItemPath: Int64]) throws {
        var start = 0
        while start < recs.count {
            // A statement may touch a row once: a path given twice (overlapping roots) ends the chunk.
            var seen = Set<ItemPath>()
            var end = start
            while end < recs.count && end - start < PGScanWriter.rowsPerStatement && !seen.contains(recs[end].0.path) {
                seen.insert(recs[end].0.path); end += 1
            }
            let chunk = recs[start..<end]
            var a = PGArgs()
            var tuples: [String] = []
            for (rec, parent, top) in chunk {
                let fid = try folderID(rec.folder, c)
                let values = rec.pgPlaceholders(&a, folderID: fid, scanID: scanID)
                tuples.append("(\(a.add(store.host)), \(values), \(a.add(scanID)), \(a.add(parent)), \(a.add(top)), "
                              + "\(a.add(rec.fingerprint?.prefix)), \(a.add(rec.fingerprint?.suffix)), \(a.add(rec.fingerprint?.content)))")
            }
            let rows = try c.query("""
                INSERT INTO item AS item (host, \(ItemRecord.columns), first_seen_scan, parent_id, top_id, hash_prefix, hash_suffix, content_hash)
                VALUES \(tuples.joined(separator: ",\n"))
                ON CONFLICT (host, path) DO UPDATE SET (\(ItemRecord.columns)) = (\(ItemRecord.excludedColumns)), gone_scan = NULL,
                    parent_id = excluded.parent_id, top_id = excluded.top_id,
                    hash_prefix = coalesce(excluded.hash_prefix, CASE WHEN \(PGScanWriter.sameContent) THEN item.hash_prefix END),
                    hash_suffix = coalesce(excluded.hash_suffix, CASE WHEN \(PGScanWriter.sameContent) THEN item.hash_suffix END),
                    content_hash = coalesce(excluded.content_hash, CASE WHEN \(PGScanWriter.sameContent) THEN item.content_hash END)
                RETURNING id, path, xmax = 0
                """, a.binds).all
            var byPath: [ItemPath: (Int64, Bool)] = [:]
            for r in rows { byPath[ItemPath(bytes: r.bytes(1) ?? [])] = (r.int(0) ?? 0, r.bool(2)) }
            var findings: [(Int64, Detection?, Bool)] = []
            for (rec, _, _) in chunk {
                guard let (id, inserted) = byPath[rec.path] else { throw IndexError.failed(store.display, "an upserted item gave no id") }
                ids[rec.path] = id
                findings.append((id, rec.detection, inserted))
            }
            try replaceFindings(findings, c)
            start = end
        }
    }

    /// An item's findings are those of its latest reading, nothing older.
    private func replaceFindings(_ items: [(id: Int64, detection: Detection?, inserted: Bool)], _ c: PGConnection) throws {
        let old = items.filter { !$0.inserted }.map(\.id)
        if !old.isEmpty { try c.query("DELETE FROM finding WHERE item_id = ANY($1)", PGArgs([old]).binds) }
        var itemIDs: [Int64] = [], kinds: [String] = [], types: [String] = [], hashes: [String] = []
        var confidences: [String] = [], locations: [String] = [], excerpts: [String] = []
        for i in items {
            for f in i.detection?.findings ?? [] {
                itemIDs.append(i.id); kinds.append(f.kind.rawValue); types.append(f.type); hashes.append(f.valueHash)
                confidences.append(f.confidence); locations.append(f.location); excerpts.append(f.excerpt)
            }
        }
        guard !itemIDs.isEmpty else { return }
        var a = PGArgs()
        a.add(ints: itemIDs)
        for list in [kinds, types, hashes, confidences, locations, excerpts] { a.binds.append(list); a.count += 1 }
        try c.query("""
            INSERT INTO finding (item_id, kind, type, value_hash, confidence, location, excerpt)
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            """, a.binds)
    }

    /// Items read inside the folder's files, parents before children: written a generation at a time.
    private func writeNested(_ nested: [ItemRecord], reread: [ItemPath], _ ids: inout [ItemPath: Int64], _ c: PGConnection) throws {
        var waiting = nested.filter { $0.container != nil }
        // Containers written by an earlier scan or batch are looked up once.
        let wanted = Set(waiting.flatMap { [$0.container!.parent, $0.container!.top] }).subtracting(ids.keys)
            .subtracting(waiting.map(\.path))
        if !wanted.isEmpty {
            for row in try c.query("SELECT id, path FROM item WHERE host = $1 AND path = ANY($2)",
                                   PGArgs([store.host, wanted.map { [UInt8]($0.bytes) }]).binds).all {
                ids[ItemPath(bytes: row.bytes(1) ?? [])] = row.int(0)
            }
        }
        while !waiting.isEmpty {
            var ready: [(ItemRecord, Int64?, Int64?)] = []
            var later: [ItemRecord] = []
            let pending = Set(waiting.map(\.path))
            for rec in waiting {
                let (parent, top) = rec.container!
                if let p = ids[parent], let t = ids[top] { ready.append((rec, p, t)) }
                else if pending.contains(parent) || pending.contains(top) { later.append(rec) }
                // else: its container could not be written, so neither can it
            }
            if ready.isEmpty { break }
            try upsert(ready, c, &ids)
            waiting = later
        }
        let rereadIDs = reread.compactMap { ids[$0] }
        if !rereadIDs.isEmpty {
            try c.query("UPDATE item SET gone_scan = $1 WHERE top_id = ANY($2) AND changed_scan < $1 AND gone_scan IS NULL",
                        PGArgs([scanID, rereadIDs]).binds)
        }
    }

    // MARK: - Finishing

    func finish(_ s: inout ScanSummary, walkComplete: Bool, reuseTotals: Bool) throws {
        let host = store.host
        try conn.transaction { c in
            if walkComplete {
                let stale = try c.query("SELECT id, path FROM folder WHERE host = $1 AND last_seen_scan < $2",
                                        PGArgs([host, scanID]).binds).all
                let ids = stale.filter { r in
                    let path = ItemPath(bytes: r.bytes(1) ?? [])
                    return roots.contains(where: { path.isWithin($0) })
                }.compactMap { $0.int(0) }
                if !ids.isEmpty {
                    s.gone += try c.query("UPDATE item SET gone_scan = $1 WHERE folder_id = ANY($2) AND gone_scan IS NULL",
                                          PGArgs([scanID, ids]).binds).metadata.rows ?? 0
                }
            }
            try c.query("""
                UPDATE scan SET finished_at = $1, state = $2, gone_count = $3, moved_count = $4, new_count = $5, error_count = $6
                WHERE id = $7
                """, PGArgs([Timestamp.now().iso8601, walkComplete ? "complete" : "stopped", s.gone, s.moved, s.new, s.errors, scanID]).binds)
            let d = try store.duplicateTotals(c, reuse: reuseTotals)
            s.duplicateSets = d.sets
            s.reclaimable = d.reclaimable
            s.coverage = try SweepIndex.coverage(PostgresSession(connection: c))
            try c.query("DELETE FROM scan_lease WHERE scan_id = $1", PGArgs([scanID]).binds)
        }
        heartbeat.stop()
        conn.close()
    }
}

/// Renews a scan's leases every 10 seconds on a connection of its own, until stopped.
final class Heartbeat: @unchecked Sendable {
    private let store: PGStore
    private let scanID: Int64
    private let condition = NSCondition()
    private var stopped = false
    private var thread: Thread?

    init(store: PGStore, scanID: Int64) { self.store = store; self.scanID = scanID }

    func start() {
        let t = Thread { [self] in run() }
        t.name = "sweep-lease"
        thread = t
        t.start()
    }

    private func run() {
        var conn: PGConnection?
        while true {
            condition.lock()
            if !stopped { _ = condition.wait(until: Date().addingTimeInterval(10)) }
            let done = stopped
            condition.unlock()
            if done { break }
            do {
                if conn == nil || conn?.isOpen == false { conn = try store.newConnection() }
                try conn?.query("UPDATE scan_lease SET expires_at = now() + make_interval(secs => $2) WHERE scan_id = $1",
                                PGArgs([scanID, Int64(PGScanWriter.leaseSeconds)]).binds)
            } catch {
                conn = nil   // the next beat connects again; the writer reports lasting trouble
            }
        }
        conn?.close()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }
}

extension ItemRecord {
    /// Appends the item's values in ``columns`` order and returns their placeholders, comma-separated.
    func pgPlaceholders(_ a: inout PGArgs, folderID: Int64, scanID: Int64) -> String {
        var p: [String] = []
        p.append(a.add(bytes: path.bytes)); p.append(a.add(path.display)); p.append(a.add(folderID)); p.append(a.add(root))
        p.append(a.add(relativePath)); p.append(a.add(bytes: path.name)); p.append(a.add(kind.rawValue)); p.append(a.add(size))
        p.append(a.add(modified?.nanoseconds)); p.append(a.add(changed?.nanoseconds))
        p.append(a.add(identity.map { Int64(bitPattern: $0.device) })); p.append(a.add(identity.map { Int64(bitPattern: $0.inode) }))
        p.append(a.add(links.map { Int64(bitPattern: $0) })); p.append(a.add(uid.map { Int64($0) })); p.append(a.add(owner))
        p.append(a.add(mode.map { Int64($0) }))
        p.append(a.add(fileExtension)); p.append(a.add(mime)); p.append(a.add(bytes: linkTarget)); p.append(a.add(error))
        p.append(a.add(errorKind?.rawValue)); p.append(a.add(rulesVersion)); p.append(a.add(scanID))
        p.append(a.add(detection.map { ItemRecord.json($0.personalData) })); p.append(a.add(detection.map { ItemRecord.json($0.markings) }))
        p.append(a.add(detection?.highestMarking)); p.append(a.add(detection.map { ItemRecord.json($0.specialCategories) }))
        p.append(a.add(retention?.classID)); p.append(a.add(retention?.action)); p.append(a.add(retention?.triggerDate))
        p.append(a.add(retention?.disposalDate)); p.append(a.add(retention?.reason))
        p.append(a.add(retention.flatMap { $0.holds.isEmpty ? nil : ItemRecord.json($0.holds) }))
        p.append(a.add(detection.flatMap { $0.markingDescriptors.isEmpty ? nil : ItemRecord.json($0.markingDescriptors) }))
        p.append(a.add(readAs)); p.append(a.add(textSource))
        p.append(a.add(ocrPages)); p.append(a.add(ocrSkipped)); p.append(a.add(ocrConfidence))
        return p.joined(separator: ", ")
    }
}
