import Foundation
import GRDB
import SweepModel

/// What the scanner learned about one folder: the items to write, the moves it recognised, the ones now gone.
public struct FolderResult: Sendable {
    public struct Move: Sendable {
        public let fromID: Int64
        public let fromPath: ItemPath
        public let record: ItemRecord
        public init(fromID: Int64, fromPath: ItemPath, record: ItemRecord) {
            self.fromID = fromID; self.fromPath = fromPath; self.record = record
        }
    }

    public var folder: ItemPath
    /// The folder was listed: refresh it, and settle any earlier "could not list" error recorded for it.
    public var listed: Bool
    public var upserts: [ItemRecord] = []
    public var moves: [Move] = []
    public var gone: [Int64] = []
    /// Items read inside this folder's files (archive members, messages, attachments), parents first.
    public var nested: [ItemRecord] = []
    /// Files read again that may hold nested items from an earlier reading.
    public var reread: [ItemPath] = []
    public var new = 0, changed = 0, unchanged = 0, errors = 0, items = 0
    public var bytes: Int64 = 0

    public init(folder: ItemPath, listed: Bool) { self.folder = folder; self.listed = listed }

    /// Rows this result writes, findings included: a batch is bounded by what it writes, so a folder of
    /// documents full of personal data does not make one commit outgrow SQLite's page cache.
    public var rowCount: Int {
        func findings(_ r: ItemRecord) -> Int { r.detection?.findings.count ?? 0 }
        return upserts.count + moves.count + gone.count + nested.count + 1
            + upserts.reduce(0) { $0 + findings($1) } + nested.reduce(0) { $0 + findings($1) }
            + moves.reduce(0) { $0 + findings($1.record) }
    }
}

/// Writes one scan's results into the index in batched transactions.
///
/// Results are buffered and committed every 16,000 rows or every quarter second, whichever comes first (a
/// commit rewrites every index page it touched, so fewer commits write less; a quarter second costs nothing
/// measurable on a 100,000-file tree and leaves less to write once the walk ends), so a scan killed at any
/// moment leaves a valid index holding every batch it committed; the next scan finds those items unchanged
/// and does not open them again. Not thread-safe: the scanner calls it from one thread.
public final class ScanWriter: @unchecked Sendable {
    private let index: SweepIndex
    /// The writer on a PostgreSQL index (leases, multi-row statements); nil on SQLite.
    private let shared: PGScanWriter?
    public let scanID: Int64
    private let roots: [ItemPath]
    private var pending: [FolderResult] = []
    private var pendingRows = 0
    private var lastFlush = Timestamp.now()
    private var folderIDs: [ItemPath: Int64] = [:]
    public private(set) var summary = ScanSummary()
    /// Items written (new, changed, re-read, moved) in this scan: when none, nothing new needs fingerprints.
    public private(set) var written = 0

    /// The index held no items when the scan began: rows go in with a plain insert (cheaper than the upsert),
    /// the upsert taking over for any path written twice (overlapping roots).
    public var freshIndex = false { didSet { shared?.freshIndex = freshIndex } }

    public var batchRows = 16_000
    public var batchSeconds = 0.25

    public init(index: SweepIndex, roots: [ItemPath], rulesVersion: String, jobs: Int, asOf: String? = nil,
                rules: [RuleFileUse] = [], detectionEnabled: Bool = true) throws {
        self.index = index
        self.roots = roots
        let rootsJSON = String(decoding: try JSONEncoder().encode(roots.map(\.display)), as: UTF8.self)
        let rulesJSON = String(decoding: try JSONEncoder().encode(StoredRules(files: rules, detection: detectionEnabled)), as: UTF8.self)
        let asOfDay = asOf ?? String(Timestamp.now().iso8601.prefix(10))
        if let pg = index.pg {
            let w = try PGScanWriter(store: pg, roots: roots, rulesVersion: rulesVersion, jobs: jobs, asOf: asOfDay, rulesJSON: rulesJSON)
            shared = w
            scanID = w.scanID
            summary.scanID = scanID
            summary.rules = rules
            summary.detectionEnabled = detectionEnabled
            return
        }
        shared = nil
        scanID = try index.write { db in
            try db.execute(sql: "UPDATE scan SET state = 'interrupted' WHERE state = 'running'")
            try db.execute(sql: "INSERT INTO scan (started_at, roots, rules_version, jobs, as_of, rules_files) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [Timestamp.now().iso8601, rootsJSON, rulesVersion, jobs, asOfDay, rulesJSON])
            return db.lastInsertedRowID
        }
        summary.scanID = scanID
        summary.rules = rules
        summary.detectionEnabled = detectionEnabled
    }

    /// Buffers a folder's results; commits when the batch is full or old enough.
    public func add(_ result: FolderResult) throws {
        pending.append(result)
        pendingRows += result.rowCount
        if pendingRows >= batchRows || secondsSinceFlush() >= interval { try flush() }
    }

    /// Commits on time even when no results arrive (a slow share): call it when the queue is idle.
    public func tick() throws {
        if !pending.isEmpty && secondsSinceFlush() >= interval { try flush() }
    }

    private func secondsSinceFlush() -> Double {
        Double(Timestamp.now().nanoseconds - lastFlush.nanoseconds) / 1e9
    }

    /// How long a commit took last: a batch waits at least four times that, so a slow commit (an index across a
    /// network) does not shrink batches to one folder each.
    private var lastCommitSeconds = 0.0
    private var interval: Double { max(batchSeconds, 4 * lastCommitSeconds) }

    public func flush() throws {
        let started = Timestamp.now()
        defer {
            lastFlush = Timestamp.now()
            lastCommitSeconds = Double(lastFlush.nanoseconds - started.nanoseconds) / 1e9
        }
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        pendingRows = 0
        var s = summary
        if let shared {
            try shared.write(batch, &s, written: &written)
            summary = s
            return
        }
        try index.write { db in
            let st = try Statements(db)
            for r in batch {
                var ids: [ItemPath: Int64] = [:]
                written += r.upserts.count + r.moves.count + r.nested.count
                if r.listed { _ = try folderID(r.folder, db) }
                // Statements run once a folder are prepared once a scan (each preparation costs GRDB's authorizer a
                // call per column).
                if r.listed {
                    if !freshIndex {
                        try db.cachedStatement(sql: "UPDATE item SET gone_scan = ? WHERE path = ? AND kind = 'directory' AND gone_scan IS NULL")
                            .execute(arguments: [scanID, Data(r.folder.bytes)])
                    }
                } else {
                    try db.cachedStatement(sql: "UPDATE folder SET last_seen_scan = ? WHERE path = ?").execute(arguments: [scanID, Data(r.folder.bytes)])
                }
                for rec in r.upserts { ids[rec.path] = try upsert(rec, st, db) }
                for m in r.moves {
                    let fid = try folderID(m.record.folder, db)
                    // Its old folder may already have been settled in this scan, counting it gone: it is not.
                    let wasGoneNow = try Int64.fetchOne(db, sql: "SELECT gone_scan FROM item WHERE id = ?", arguments: [m.fromID]) == scanID
                    st.move.reset()
                    m.record.bind(to: st.move, folderID: fid, scanID: scanID)
                    st.move.bind(m.fromID)
                    st.move.bind(blob: m.fromPath.bytes)
                    try st.move.run()
                    if st.move.changes == 1 {
                        ids[m.record.path] = m.fromID
                        s.moved += 1
                        if wasGoneNow { s.gone -= 1 }
                        try replaceFindings(m.fromID, m.record.detection, st)
                    } else {
                        ids[m.record.path] = try upsert(m.record, st, db); s.new += 1
                    }
                }
                try writeNested(r, ids: &ids, st, db)
                if !r.gone.isEmpty {
                    let fid = try folderID(r.folder, db)
                    let stmt = try db.cachedStatement(sql: "UPDATE item SET gone_scan = ? WHERE id = ? AND folder_id = ? AND gone_scan IS NULL")
                    for id in r.gone {
                        try stmt.execute(arguments: [scanID, id, fid])
                        s.gone += db.changesCount
                    }
                }
                s.new += r.new; s.changed += r.changed; s.unchanged += r.unchanged
                s.errors += r.errors; s.items += r.items; s.bytes += r.bytes; s.nested += r.nested.count
            }
            try db.execute(sql: """
                UPDATE scan SET new_count = ?, changed_count = ?, unchanged_count = ?, moved_count = ?, gone_count = ?,
                    error_count = ?, item_count = ?, byte_count = ? WHERE id = ?
                """, arguments: [s.new, s.changed, s.unchanged, s.moved, s.gone, s.errors, s.items, s.bytes, scanID])
        }
        summary = s
    }

    private func folderID(_ path: ItemPath, _ db: Database) throws -> Int64 {
        if let id = folderIDs[path] { return id }
        let id = try Int64.fetchOne(db.cachedStatement(sql: """
            INSERT INTO folder (path, last_seen_scan) VALUES (?, ?)
            ON CONFLICT(path) DO UPDATE SET last_seen_scan = excluded.last_seen_scan RETURNING id
            """), arguments: [Data(path.bytes), scanID])!
        folderIDs[path] = id
        return id
    }

    /// The per-row statements of one batch, prepared once for it.
    struct Statements {
        let upsert: RawStatement
        let insert: RawStatement
        let itemID: RawStatement
        let move: RawStatement
        let deleteFindings: RawStatement
        let insertFinding: RawStatement

        init(_ db: Database) throws {
            let insertSQL = """
                INSERT INTO item (\(ItemRecord.columns), first_seen_scan, parent_id, top_id, hash_prefix, hash_suffix, content_hash)
                VALUES (\(ItemRecord.placeholders), ?, ?, ?, ?, ?, ?)
                """
            insert = try RawStatement(db, sql: insertSQL)
            upsert = try RawStatement(db, sql: insertSQL + """
                ON CONFLICT(path) DO UPDATE SET (\(ItemRecord.columns)) = (\(ItemRecord.excludedColumns)), gone_scan = NULL,
                    parent_id = excluded.parent_id, top_id = excluded.top_id,
                    -- Fingerprints stay valid while the file is the same file with the same size and times; a nested
                    -- item brings its own, hashed as it was read.
                    hash_prefix = coalesce(excluded.hash_prefix, CASE WHEN \(ScanWriter.sameContent) THEN item.hash_prefix END),
                    hash_suffix = coalesce(excluded.hash_suffix, CASE WHEN \(ScanWriter.sameContent) THEN item.hash_suffix END),
                    content_hash = coalesce(excluded.content_hash, CASE WHEN \(ScanWriter.sameContent) THEN item.content_hash END)
                """)
            itemID = try RawStatement(db, sql: "SELECT id FROM item WHERE path = ?")
            move = try RawStatement(db, sql: """
                UPDATE item SET (\(ItemRecord.columns)) = (\(ItemRecord.placeholders)),
                    gone_scan = NULL, moved_from = display_path
                WHERE id = ? AND path = ?
                """)
            deleteFindings = try RawStatement(db, sql: "DELETE FROM finding WHERE item_id = ?")
            insertFinding = try RawStatement(db, sql: """
                INSERT INTO finding (item_id, kind, type, value_hash, confidence, location, excerpt) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        }
    }

    @discardableResult
    private func upsert(_ rec: ItemRecord, parentID: Int64? = nil, topID: Int64? = nil, _ st: Statements, _ db: Database) throws -> Int64 {
        let fid = try folderID(rec.folder, db)
        func run(_ s: RawStatement) throws {
            s.reset()
            rec.bind(to: s, folderID: fid, scanID: scanID)
            s.bind(scanID); s.bind(parentID); s.bind(topID)
            s.bind(rec.fingerprint?.prefix); s.bind(rec.fingerprint?.suffix); s.bind(rec.fingerprint?.content)
            try s.run()
        }
        // No RETURNING (SQLite buffers its rows in a temporary table on every run): a new row's id is the last
        // inserted one; an upsert that updated leaves that unchanged, and its row is looked up by path.
        let before = st.upsert.lastInsertedRowID   // the connection's, whichever statement runs
        if freshIndex {
            do { try run(st.insert) } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                try run(st.upsert)   // the path was written before in this scan
            }
        } else {
            try run(st.upsert)
        }
        let after = st.upsert.lastInsertedRowID
        let inserted = after != before
        let id: Int64
        if inserted { id = after } else {
            st.itemID.reset()
            st.itemID.bind(blob: rec.path.bytes)
            guard let found = try st.itemID.run() else {
                throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "an item upserted by path is not found by path")
            }
            id = found
        }
        // A row just inserted has no findings to replace (item ids are never reused: items are never deleted).
        try replaceFindings(id, rec.detection, st, inserted: inserted)
        return id
    }

    /// Writes the items read inside the folder's files (parents come before their children), then marks gone
    /// whatever an earlier reading of a re-read file found inside it that this reading did not.
    private func writeNested(_ r: FolderResult, ids: inout [ItemPath: Int64], _ st: Statements, _ db: Database) throws {
        for rec in r.nested {
            guard let container = rec.container else { continue }
            let parentID = try ids[container.parent] ?? Int64.fetchOne(db, sql: "SELECT id FROM item WHERE path = ?",
                                                                         arguments: [Data(container.parent.bytes)])
            let topID = try ids[container.top] ?? Int64.fetchOne(db, sql: "SELECT id FROM item WHERE path = ?",
                                                                  arguments: [Data(container.top.bytes)])
            guard let parentID, let topID else { continue }   // its container could not be written: neither can it
            ids[rec.path] = try upsert(rec, parentID: parentID, topID: topID, st, db)
        }
        let stale = try db.cachedStatement(sql: """
            UPDATE item SET gone_scan = ? WHERE top_id = ? AND changed_scan < ? AND gone_scan IS NULL
            """)
        for path in r.reread {
            guard let id = ids[path] else { continue }
            try stale.execute(arguments: [scanID, id, scanID])
        }
    }

    /// An item's findings are those of its latest reading, nothing older.
    private func replaceFindings(_ itemID: Int64, _ detection: Detection?, _ st: Statements, inserted: Bool = false) throws {
        if !inserted {
            st.deleteFindings.reset()
            st.deleteFindings.bind(itemID)
            try st.deleteFindings.run()
        }
        guard let detection, !detection.findings.isEmpty else { return }
        let insert = st.insertFinding
        for f in detection.findings {
            insert.reset()
            insert.bind(itemID); insert.bind(f.kind.rawValue); insert.bind(f.type); insert.bind(f.valueHash)
            insert.bind(f.confidence); insert.bind(f.location); insert.bind(f.excerpt)
            try insert.run()
        }
    }

    /// SQL true when the stored row (`item.`) and the incoming one (`excluded.`) are surely the same bytes.
    static let sameContent = """
        item.size = excluded.size AND item.mtime_ns IS excluded.mtime_ns AND item.ctime_ns IS excluded.ctime_ns
        AND item.device IS excluded.device AND item.inode IS excluded.inode
        AND (excluded.error IS NULL OR excluded.error_kind IN (\(SweepIndex.contentProblemKinds)))
        """

    /// Closes the scan. After a complete walk, items in folders under these roots that the walk never reached
    /// are marked gone (their folder was deleted, or is now excluded). Returns the scan's summary.
    public func finish(walkComplete: Bool, seconds: Double, fingerprinted: Int = 0, fingerprintErrors: Int = 0) throws -> ScanSummary {
        try flush()
        var s = summary
        s.seconds = seconds
        s.interrupted = !walkComplete
        s.fingerprinted = fingerprinted
        s.errors += fingerprintErrors
        if let shared {
            try shared.finish(&s, walkComplete: walkComplete, reuseTotals: written == 0 && fingerprinted == 0 && fingerprintErrors == 0)
            summary = s
            return s
        }
        try index.write { db in
            if walkComplete {
                let stale = try Row.fetchAll(db, sql: "SELECT id, path FROM folder WHERE last_seen_scan < ?", arguments: [scanID])
                let stmt = try db.cachedStatement(sql: "UPDATE item SET gone_scan = ? WHERE folder_id = ? AND gone_scan IS NULL")
                for row in stale {
                    let p: Data = row[1]
                    let path = ItemPath(bytes: [UInt8](p))
                    guard roots.contains(where: { path.isWithin($0) }) else { continue }
                    try stmt.execute(arguments: [scanID, row[0] as Int64])
                    s.gone += db.changesCount
                }
            }
            try db.execute(sql: """
                UPDATE scan SET finished_at = ?, state = ?, gone_count = ?, moved_count = ?, new_count = ?, error_count = ?
                WHERE id = ?
                """, arguments: [Timestamp.now().iso8601, walkComplete ? "complete" : "stopped", s.gone, s.moved, s.new,
                                 s.errors, scanID])
            // Counting them reads every duplicate's row: an unchanged re-scan takes the last scan's.
            let reuse = written == 0 && fingerprinted == 0 && fingerprintErrors == 0
            // The coverage account is kept beside the totals and taken with them: both are forgotten together
            // (the totals by a trigger when an item is marked gone; both recounted by any scan that wrote).
            let storedTotals = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'duplicate_totals'")
            let kept = reuse && storedTotals != nil
            let d = try SweepIndex.duplicateTotals(db, reuse: reuse)
            s.duplicateSets = d.sets
            s.reclaimable = d.reclaimable
            if kept, let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'coverage'"),
               let c = try? JSONDecoder().decode(Coverage.self, from: Data(stored.utf8)) {
                s.coverage = c
            } else {
                s.coverage = try SweepIndex.coverage(SQLiteSession(db: db))
                let json = String(decoding: try JSONEncoder().encode(s.coverage), as: UTF8.self)
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('coverage', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [json])
            }
        }
        summary = s
        return s
    }
}
