import Foundation
import GRDB
import SweepModel

/// A present item with a disposal date, with what review and disposal need to check it again.
public struct DisposalItem: Sendable {
    public let id: Int64
    public let path: ItemPath
    public let display: String
    public let relativePath: String
    public let kind: ItemKind
    public let owner: String?
    public let size: Int64
    public let modified: Int64?
    public let changed: Int64?
    public let device: Int64?
    public let inode: Int64?
    public let classID: String
    public let action: DisposalAction
    public let triggerDate: String?
    public let disposalDate: String
    public let reason: String
    public let marking: String?
    /// Holds from the scan's rules (ids).
    public let rulesHolds: [String]
    public let rulesVersion: String
    /// The scan root the item was found under (the folder an administrator named).
    public var root: String = "/"
    /// On a shared index, the scanner host that reaches the item (nil on an SQLite index: this one).
    public var host: String?

    /// The state the scan recorded (see ``FileState``).
    public var state: FileState { FileState(size: size, modified: modified, changed: changed, device: device, inode: inode) }

    /// This host can open the item: its own scan found it. Only that host checks, moves or destroys it.
    public var reachableHere: Bool { host == nil || host == ScannerHost.name }

    /// An archive member, mail message or attachment: only its container can be moved.
    public var isNested: Bool { kind == .member || kind == .message || kind == .attachment || display.contains("!/") }
}

/// One review decision as stored, with the item's content as it was when decided.
public struct DecisionRecord: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case approved, rejected, extended }
    public let id: Int64
    public let path: ItemPath
    public let decision: Kind
    /// The period an extension adds, as written (`2 years`).
    public let extend: String?
    public let reviewer: String
    public let reason: String
    public let decidedAt: String
    public let classID: String?
    public let size: Int64
    public let modified: Int64?
    public let changed: Int64?
    public let device: Int64?
    public let inode: Int64?
    public let sha256: String?
    /// On a shared index, the scanner host of the item decided on.
    public var host: String?

    public init(id: Int64 = 0, path: ItemPath, decision: Kind, extend: String?, reviewer: String, reason: String, decidedAt: String,
                classID: String?, size: Int64, modified: Int64?, changed: Int64?, device: Int64?, inode: Int64?, sha256: String?) {
        self.id = id; self.path = path; self.decision = decision; self.extend = extend; self.reviewer = reviewer; self.reason = reason
        self.decidedAt = decidedAt; self.classID = classID; self.size = size; self.modified = modified; self.changed = changed
        self.device = device; self.inode = inode; self.sha256 = sha256
    }

    /// The item's state when it was decided on.
    public var state: FileState { FileState(size: size, modified: modified, changed: changed, device: device, inode: inode) }

    /// Still about this item: unchanged since the decision (a change sends it back to pending).
    public func applies(to i: DisposalItem) -> Bool { state == i.state }
}

/// One row of the disposal log: what was done to what, under whose authority, chained to the row before.
public struct DisposalLogEntry: Sendable {
    public var seq: Int64 = 0
    public var path: String
    public var size: Int64?
    public var sha256: String?
    public var classID: String?
    public var action: LogAction
    public var authority: String?
    public var reviewer: String?
    public var decisionDate: String?
    public var actDate: String
    public var detail: String?
    public var prevHash: String = ""
    public var hash: String = ""

    public init(path: String, size: Int64?, sha256: String?, classID: String?, action: LogAction, authority: String?, reviewer: String?,
                decisionDate: String?, actDate: String, detail: String?) {
        self.path = path; self.size = size; self.sha256 = sha256; self.classID = classID; self.action = action
        self.authority = authority; self.reviewer = reviewer; self.decisionDate = decisionDate; self.actDate = actDate; self.detail = detail
    }

    /// The text the row's hash is taken over: the previous hash, then every field in a fixed order, as a JSON array.
    public var canonical: String {
        let fields: [String?] = [prevHash, String(seq), path, size.map { String($0) }, sha256, classID, action.rawValue, authority, reviewer,
                                 decisionDate, actDate, detail]
        return "[" + fields.map { $0.map(JSONObject.quote) ?? "null" }.joined(separator: ",") + "]"
    }
}

/// A copy a destroy moved into a quarantine folder, until it is purged.
public struct QuarantinedCopy: Sendable {
    public let id: Int64
    public let path: String
    public let storedAt: ItemPath
    public let quarantine: String
    public let size: Int64
    public let sha256: String
    public let classID: String?
    public let movedAt: String
    public let purgeAfter: String
}

extension SweepIndex {
    /// The hash of an empty chain: the first row's `prev_hash`.
    public static let logGenesis = String(repeating: "0", count: 64)

    /// The item columns ``DisposalItem`` is read from, in its order; the host last (NULL on SQLite).
    var disposalColumns: String {
        """
        id, path, display_path, relative_path, kind, owner, size, mtime_ns, ctime_ns, device, inode, retention_class,
        retention_action, trigger_date, disposal_date, retention_reason, marking, holds, rules_version, root, \(hostColumn)
        """
    }

    /// `host` on a shared index, `NULL` on SQLite (one host).
    var hostColumn: String { pg == nil ? "NULL" : "host" }

    /// `AND host = 'this host'` on a shared index: rows only this host acts on. Empty on SQLite.
    var thisHostOnly: String { pg.map { " AND host = '\($0.host.replacingOccurrences(of: "'", with: "''"))'" } ?? "" }

    /// The host column and value of an insert on a shared index (`host, ` and `'name', `); empty on SQLite.
    func hostInsert(_ host: String? = nil) -> (column: String, value: String) {
        guard let pg else { return ("", "") }
        return ("host, ", "'\((host ?? pg.host).replacingOccurrences(of: "'", with: "''"))', ")
    }

    /// Present items whose (scheduled) disposal date is on or before `dueBy`, oldest due first; held ones too.
    public func disposalItems(dueBy: String) throws -> [DisposalItem] {
        try rows("""
            SELECT \(disposalColumns) FROM item INDEXED BY item_by_disposal
            WHERE gone_scan IS NULL AND disposal_date IS NOT NULL AND disposal_date <= ?
            ORDER BY disposal_date, path
            """, [dueBy]).map(DisposalItem.init)
    }

    /// A typed path that names two different items: the path as shown (`\xNN` read as bytes) and the same text
    /// taken literally, or one path on two scanner hosts. Nothing is decided on either; the person picks one.
    public struct AmbiguousPath: Error, CustomStringConvertible, Sendable {
        public let typed: String
        public let candidates: [String]
        public var description: String {
            "\(typed) names more than one item: \(candidates.joined(separator: " and ")); give the path exactly as `sweep disposal list` shows it"
        }
    }

    /// The present item at this path as people type it: the path as shown (each `\xNN` the byte it stands for),
    /// resolved byte-exactly; failing that, the text's own bytes. Refused (``AmbiguousPath``) when the two name
    /// different items.
    public func disposalItem(at path: String) throws -> DisposalItem? {
        let shown = ItemPath.parse(display: path), literal = Array(path.utf8)
        let a = try disposalItem(at: ItemPath(bytes: shown))
        guard literal != shown else { return a }
        let b = try disposalItem(at: ItemPath(bytes: literal))
        if let a, let b, a.path != b.path { throw AmbiguousPath(typed: path, candidates: [a.path.display, b.path.display]) }
        return a ?? b
    }

    /// The present item at exactly these bytes, dated or not (no disposal date → ""). On a shared index, this
    /// host's item when two hosts have one at the path; refused (``AmbiguousPath``) when two other hosts do.
    public func disposalItem(at path: ItemPath) throws -> DisposalItem? {
        let found = try rows("SELECT \(disposalColumns) FROM item WHERE gone_scan IS NULL AND path = ? LIMIT 8", [path]).map(DisposalItem.init)
        if found.count <= 1 { return found.first }
        if let mine = found.first(where: { $0.host == ScannerHost.name }) { return mine }
        throw AmbiguousPath(typed: path.display, candidates: found.map { "\($0.display) on host \($0.host ?? "?")" })
    }

    // MARK: - Decisions

    public func recordDecision(_ d: DecisionRecord) throws { try recordDecisions([d]) }

    /// Appends decisions together, in one transaction: a batch from the web or `decide --class` is one write.
    public func recordDecisions(_ ds: [DecisionRecord]) throws {
        guard !ds.isEmpty else { return }
        try transaction { s in
            for d in ds {
                let h = hostInsert(d.host)
                try s.execute("""
                    INSERT INTO disposal_decision (\(h.column)path, display_path, decision, extend, reviewer, reason, decided_at, class, size,
                                                   mtime_ns, ctime_ns, device, inode, sha256)
                    VALUES (\(h.value)?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [d.path, d.path.display, d.decision.rawValue, d.extend, d.reviewer, d.reason, d.decidedAt, d.classID, d.size,
                          d.modified, d.changed, d.device, d.inode, d.sha256])
            }
        }
    }

    /// The latest decision for each path (whether it still applies is ``DecisionRecord/applies(to:)``).
    public func latestDecisions() throws -> [ItemPath: DecisionRecord] {
        var out: [ItemPath: DecisionRecord] = [:]
        let sql = pg != nil ? """
            SELECT DISTINCT ON (host, path) \(SweepIndex.decisionColumns), host FROM disposal_decision ORDER BY host, path, id DESC
            """ : """
            SELECT \(SweepIndex.decisionColumns), NULL FROM disposal_decision d
            WHERE d.id = (SELECT max(id) FROM disposal_decision e WHERE e.path = d.path)
            """
        guard try tableExists("disposal_decision") else { return [:] }
        for r in try rows(sql) {
            let d = DecisionRecord(r)
            // Two hosts with one path: this host's decision is the one that counts here.
            if out[d.path] != nil && d.host != ScannerHost.name { continue }
            out[d.path] = d
        }
        return out
    }

    static let decisionColumns = "id, path, decision, extend, reviewer, reason, decided_at, class, size, mtime_ns, ctime_ns, device, inode, sha256"

    /// Whether a table exists (an SQLite index from before it was added has none until a writer migrates it).
    func tableExists(_ name: String) throws -> Bool {
        if pg != nil { return true }
        return try read { try $0.tableExists(name) }
    }

    // MARK: - The log

    static let logLock: Int64 = 0x5357_4545_505F_4C4F   // "SWEEP_LO": one appender at a time on a shared index

    /// Appends a row to the disposal log in one transaction with the read of the previous hash, so the chain
    /// cannot fork (on a shared index, appenders on every host take turns on an advisory lock); `hash` is
    /// SHA-256 (hex) of the text given.
    @discardableResult
    public func appendLog(_ entry: DisposalLogEntry, hash: (String) -> String) throws -> DisposalLogEntry {
        try transaction { s in
            if s.dialect == .postgres { try s.execute("SELECT pg_advisory_xact_lock(?)", [SweepIndex.logLock]) }
            var e = entry
            let last = try s.row("SELECT seq, hash FROM disposal_log ORDER BY seq DESC LIMIT 1")
            e.prevHash = last.map { $0.text(1) } ?? SweepIndex.logGenesis
            // A number is never given out twice, so a removed last row leaves a gap verify-log sees.
            e.seq = try lastIssuedLogNumber(s) + 1
            e.hash = hash(e.canonical)
            try s.execute("""
                INSERT INTO disposal_log (seq, path, size, sha256, class, action, authority, reviewer, decision_date, act_date, detail,
                                          prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [e.seq, e.path, e.size, e.sha256, e.classID, e.action.rawValue, e.authority, e.reviewer, e.decisionDate, e.actDate,
                      e.detail, e.prevHash, e.hash])
            if s.dialect == .postgres {
                try s.execute("""
                    INSERT INTO meta (key, value) VALUES ('log_issued', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """, [String(e.seq)])
            }
            return e
        }
    }

    /// The highest log number ever given out: SQLite's AUTOINCREMENT counter, or the shared index's own.
    func lastIssuedLogNumber(_ s: any SQLSession) throws -> Int64 {
        if s.dialect == .postgres {
            return try s.row("SELECT value FROM meta WHERE key = 'log_issued'").map { Int64($0.text(0)) ?? 0 } ?? 0
        }
        return try s.row("SELECT seq FROM sqlite_sequence WHERE name = 'disposal_log'")?.int(0) ?? 0
    }

    /// Every log row in order, and the highest sequence number ever given out.
    public func disposalLog() throws -> (rows: [DisposalLogEntry], lastIssued: Int64) {
        guard try tableExists("disposal_log") else { return ([], 0) }
        return try snapshot { s in
            let rows = try s.rows("""
                SELECT seq, path, size, sha256, class, action, authority, reviewer, decision_date, act_date, detail, prev_hash, hash
                FROM disposal_log ORDER BY seq
                """).map(DisposalLogEntry.init)
            return (rows, try lastIssuedLogNumber(s))
        }
    }

    // MARK: - Intents

    /// A destroy about to happen, as recorded before anything moves.
    public struct DisposalIntent: Sendable {
        public var id: Int64 = 0
        public let itemID: Int64
        public let path: String
        public let pathBytes: ItemPath
        public let root: String
        public let storedAt: ItemPath
        public let quarantine: String
        public let size: Int64
        public let sha256: String
        public let classID: String?
        public let device: Int64?
        public let inode: Int64?
        public let reviewer: String?
        public let decidedAt: String?
        public let authority: String?
        public let startedAt: String
        public init(itemID: Int64, path: String, pathBytes: ItemPath, root: String, storedAt: ItemPath, quarantine: String, size: Int64,
                    sha256: String, classID: String?, device: Int64?, inode: Int64?, reviewer: String?, decidedAt: String?,
                    authority: String?, startedAt: String) {
            self.itemID = itemID; self.path = path; self.pathBytes = pathBytes; self.root = root; self.storedAt = storedAt
            self.quarantine = quarantine; self.size = size; self.sha256 = sha256; self.classID = classID; self.device = device
            self.inode = inode; self.reviewer = reviewer; self.decidedAt = decidedAt; self.authority = authority; self.startedAt = startedAt
        }
    }

    public func addIntent(_ i: DisposalIntent) throws -> Int64 {
        try transaction { s in
            let h = hostInsert()
            return try s.row("""
                INSERT INTO disposal_intent (\(h.column)item_id, path, path_bytes, root, stored_at, quarantine, size, sha256, class, device,
                                             inode, reviewer, decided_at, authority, started_at)
                VALUES (\(h.value)?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, [i.itemID, i.path, i.pathBytes, i.root, i.storedAt, i.quarantine, i.size, i.sha256, i.classID, i.device, i.inode,
                      i.reviewer, i.decidedAt, i.authority, i.startedAt])?.int(0) ?? 0
        }
    }

    /// This host's destroys that were begun and not closed.
    public func intents() throws -> [DisposalIntent] {
        guard try tableExists("disposal_intent") else { return [] }
        return try rows("""
            SELECT id, item_id, path, path_bytes, root, stored_at, quarantine, size, sha256, class, device, inode, reviewer, decided_at,
                   authority, started_at FROM disposal_intent WHERE TRUE\(thisHostOnly) ORDER BY id
            """).map(DisposalIntent.init)
    }

    public func removeIntent(_ id: Int64) throws {
        try transaction { s in try s.execute("DELETE FROM disposal_intent WHERE id = ?", [id]) }
    }

    /// Whether a copy not yet purged is recorded at `storedAt` (on this host).
    public func quarantineRecorded(at storedAt: ItemPath) throws -> Bool {
        try rows("SELECT 1 FROM disposal_quarantine WHERE stored_at = ? AND purged_at IS NULL\(thisHostOnly) LIMIT 1", [storedAt]).count == 1
    }

    // MARK: - Quarantined copies

    /// Records a destroyed item's copy in the quarantine, and marks the item gone from where it was.
    public func recordDisposalQuarantine(itemID: Int64, path: String, storedAt: ItemPath, quarantine: String, size: Int64, sha256: String,
                                         classID: String?, movedAt: String, purgeAfter: String) throws {
        try transaction { s in
            let h = hostInsert()
            try s.execute("""
                INSERT INTO disposal_quarantine (\(h.column)path, stored_at, stored_display, quarantine, size, sha256, class, moved_at, purge_after)
                VALUES (\(h.value)?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [path, storedAt, storedAt.display, quarantine, size, sha256, classID, movedAt, purgeAfter])
            try s.execute("UPDATE item SET gone_scan = (SELECT max(id) FROM scan) WHERE id = ? AND gone_scan IS NULL", [itemID])
        }
    }

    static let copyColumns = "id, path, stored_at, quarantine, size, sha256, class, moved_at, purge_after"

    /// This host's copies not yet purged whose grace period ends on or before `asOf`, in `quarantine` when given.
    public func copiesToPurge(asOf: String, quarantine: String?) throws -> [QuarantinedCopy] {
        let folder = quarantine == nil ? "" : " AND quarantine = ?"
        return try rows("""
            SELECT \(SweepIndex.copyColumns) FROM disposal_quarantine
            WHERE purged_at IS NULL AND purge_after <= ?\(folder)\(thisHostOnly) ORDER BY id
            """, [asOf] + (quarantine.map { [$0] } ?? [])).map(QuarantinedCopy.init)
    }

    /// Marks an item gone from where it was (its original removed after a checked transfer).
    public func markGone(itemID: Int64) throws {
        try transaction { s in
            try s.execute("UPDATE item SET gone_scan = (SELECT max(id) FROM scan) WHERE id = ? AND gone_scan IS NULL", [itemID])
        }
    }

    public func recordPurge(copyID: Int64, at: String) throws {
        try transaction { s in try s.execute("UPDATE disposal_quarantine SET purged_at = ? WHERE id = ?", [at, copyID]) }
    }

    /// Marks a copy as about to be deleted (nil: no longer).
    public func markPurging(copyID: Int64, at: String?) throws {
        try transaction { s in try s.execute("UPDATE disposal_quarantine SET purging_at = ? WHERE id = ?", [at, copyID]) }
    }

    /// This host's copies whose deletion began and was not recorded as done: a purge was cut short.
    public func copiesBeingPurged() throws -> [QuarantinedCopy] {
        try rows("""
            SELECT \(SweepIndex.copyColumns) FROM disposal_quarantine
            WHERE purged_at IS NULL AND purging_at IS NOT NULL\(thisHostOnly) ORDER BY id
            """).map(QuarantinedCopy.init)
    }
}

// MARK: - Rows read by position, in each query's column order

extension DisposalItem {
    init(_ r: SQLRow) {
        self.init(id: r.int(0), path: r.path(1), display: r.text(2), relativePath: r.text(3),
                  kind: ItemKind(rawValue: r.text(4)) ?? .unknown, owner: r[5], size: r.int(6), modified: r[7],
                  changed: r[8], device: r[9], inode: r[10], classID: r[11] ?? "UNCLASSIFIED",
                  action: (r[12] as String?).flatMap(DisposalAction.init(rawValue:)) ?? .review,
                  triggerDate: r[13], disposalDate: r[14] ?? "", reason: r[15] ?? "{}", marking: r[16],
                  rulesHolds: r.json(17, [String]()), rulesVersion: r.text(18), root: r[19] ?? "/", host: r[20])
    }
}

extension DecisionRecord {
    /// From ``SweepIndex/decisionColumns`` and the host.
    init(_ r: SQLRow) {
        self.init(id: r.int(0), path: r.path(1), decision: DecisionRecord.Kind(rawValue: r.text(2)) ?? .rejected,
                  extend: r[3], reviewer: r.text(4), reason: r.text(5), decidedAt: r.text(6), classID: r[7], size: r.int(8),
                  modified: r[9], changed: r[10], device: r[11], inode: r[12], sha256: r[13])
        host = r.values.count > 14 ? r[14] : nil
    }
}

extension DisposalLogEntry {
    init(_ r: SQLRow) {
        self.init(path: r.text(1), size: r[2], sha256: r[3], classID: r[4], action: LogAction(rawValue: r.text(5)),
                  authority: r[6], reviewer: r[7], decisionDate: r[8], actDate: r.text(9), detail: r[10])
        seq = r.int(0); prevHash = r.text(11); hash = r.text(12)
    }
}

extension SweepIndex.DisposalIntent {
    init(_ r: SQLRow) {
        self.init(itemID: r.int(1), path: r.text(2), pathBytes: r.path(3), root: r.text(4), storedAt: r.path(5), quarantine: r.text(6),
                  size: r.int(7), sha256: r.text(8), classID: r[9], device: r[10], inode: r[11], reviewer: r[12], decidedAt: r[13],
                  authority: r[14], startedAt: r.text(15))
        id = r.int(0)
    }
}

extension QuarantinedCopy {
    init(_ r: SQLRow) {
        self.init(id: r.int(0), path: r.text(1), storedAt: r.path(2), quarantine: r.text(3), size: r.int(4), sha256: r.text(5),
                  classID: r[6], movedAt: r.text(7), purgeAfter: r.text(8))
    }
}
