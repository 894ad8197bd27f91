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

    /// The state the scan recorded (see ``FileState``).
    public var state: FileState { FileState(size: size, modified: modified, changed: changed, device: device, inode: inode) }

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

    static let disposalColumns = """
        id, path, display_path, relative_path, kind, owner, size, mtime_ns, ctime_ns, device, inode, retention_class,
        retention_action, trigger_date, disposal_date, retention_reason, marking, holds, rules_version, root
        """

    /// Present items whose (scheduled) disposal date is on or before `dueBy`, oldest due first; held ones too.
    public func disposalItems(dueBy: String) throws -> [DisposalItem] {
        try read { db in
            try DisposalItem.fetchAll(db, sql: """
                SELECT \(SweepIndex.disposalColumns) FROM item INDEXED BY item_by_disposal
                WHERE gone_scan IS NULL AND disposal_date IS NOT NULL AND disposal_date <= ?
                ORDER BY disposal_date, path
                """, arguments: [dueBy])
        }
    }

    /// A typed path that names two different items: the path as shown (`\xNN` read as bytes) and the same text
    /// taken literally. Nothing is decided on either; the person picks one by its shown form.
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

    /// The present item at exactly these bytes, dated or not (no disposal date → "").
    public func disposalItem(at path: ItemPath) throws -> DisposalItem? {
        try read { db in
            try DisposalItem.fetchOne(db, sql: """
                SELECT \(SweepIndex.disposalColumns) FROM item WHERE gone_scan IS NULL AND path = ? LIMIT 1
                """, arguments: [Data(path.bytes)])
        }
    }

    // MARK: - Decisions

    public func recordDecision(_ d: DecisionRecord) throws { try recordDecisions([d]) }

    /// Appends decisions together, in one transaction: a batch from the web or `decide --class` is one write.
    public func recordDecisions(_ ds: [DecisionRecord]) throws {
        guard !ds.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO disposal_decision (path, display_path, decision, extend, reviewer, reason, decided_at, class, size,
                                               mtime_ns, ctime_ns, device, inode, sha256)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for d in ds {
                try statement.execute(arguments: [Data(d.path.bytes), d.path.display, d.decision.rawValue, d.extend, d.reviewer, d.reason,
                                                  d.decidedAt, d.classID, d.size, d.modified, d.changed, d.device, d.inode, d.sha256])
            }
        }
    }

    /// The latest decision for each path (whether it still applies is ``DecisionRecord/applies(to:)``).
    public func latestDecisions() throws -> [ItemPath: DecisionRecord] {
        if let pg { return try pg.latestDecisions() }
        return try read { db in
            guard try db.tableExists("disposal_decision") else { return [:] }
            var out: [ItemPath: DecisionRecord] = [:]
            let rows = try DecisionRecord.fetchCursor(db, sql: """
                SELECT d.id, d.path, d.decision, d.extend, d.reviewer, d.reason, d.decided_at, d.class, d.size, d.mtime_ns, d.ctime_ns,
                       d.device, d.inode, d.sha256
                FROM disposal_decision d
                WHERE d.id = (SELECT max(id) FROM disposal_decision e WHERE e.path = d.path)
                """)
            while let d = try rows.next() { out[d.path] = d }
            return out
        }
    }

    // MARK: - The log

    /// Appends a row to the disposal log in one transaction with the read of the previous hash, so the chain
    /// cannot fork; `hash` is SHA-256 (hex) of the text given.
    @discardableResult
    public func appendLog(_ entry: DisposalLogEntry, hash: (String) -> String) throws -> DisposalLogEntry {
        try write { db in
            var e = entry
            let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM disposal_log ORDER BY seq DESC LIMIT 1")
            e.prevHash = last?[1] ?? SweepIndex.logGenesis
            // AUTOINCREMENT never reuses a number, so a removed last row leaves a gap verify-log sees.
            let used = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'disposal_log'") ?? 0
            e.seq = used + 1
            e.hash = hash(e.canonical)
            try db.execute(sql: """
                INSERT INTO disposal_log (seq, path, size, sha256, class, action, authority, reviewer, decision_date, act_date, detail,
                                          prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [e.seq, e.path, e.size, e.sha256, e.classID, e.action.rawValue, e.authority, e.reviewer, e.decisionDate, e.actDate,
                                 e.detail, e.prevHash, e.hash])
            return e
        }
    }

    /// Every log row in order, and the highest sequence number ever given out.
    public func disposalLog() throws -> (rows: [DisposalLogEntry], lastIssued: Int64) {
        try read { db in
            guard try db.tableExists("disposal_log") else { return ([], 0) }
            let rows = try DisposalLogEntry.fetchAll(db, sql: """
                SELECT seq, path, size, sha256, class, action, authority, reviewer, decision_date, act_date, detail, prev_hash, hash
                FROM disposal_log ORDER BY seq
                """)
            let issued = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'disposal_log'") ?? 0
            return (rows, issued)
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
        try write { db in
            try db.execute(sql: """
                INSERT INTO disposal_intent (item_id, path, path_bytes, root, stored_at, quarantine, size, sha256, class, device, inode,
                                             reviewer, decided_at, authority, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [i.itemID, i.path, Data(i.pathBytes.bytes), i.root, Data(i.storedAt.bytes), i.quarantine, i.size, i.sha256,
                                 i.classID, i.device, i.inode, i.reviewer, i.decidedAt, i.authority, i.startedAt])
            return db.lastInsertedRowID
        }
    }

    public func intents() throws -> [DisposalIntent] {
        try read { db in
            guard try db.tableExists("disposal_intent") else { return [] }
            return try DisposalIntent.fetchAll(db, sql: """
                SELECT id, item_id, path, path_bytes, root, stored_at, quarantine, size, sha256, class, device, inode, reviewer, decided_at,
                       authority, started_at FROM disposal_intent ORDER BY id
                """)
        }
    }

    public func removeIntent(_ id: Int64) throws {
        try write { db in try db.execute(sql: "DELETE FROM disposal_intent WHERE id = ?", arguments: [id]) }
    }

    /// Whether a copy not yet purged is recorded at `storedAt`.
    public func quarantineRecorded(at storedAt: ItemPath) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM disposal_quarantine WHERE stored_at = ? AND purged_at IS NULL)",
                              arguments: [Data(storedAt.bytes)]) ?? false
        }
    }

    // MARK: - Quarantined copies

    /// Records a destroyed item's copy in the quarantine, and marks the item gone from where it was.
    public func recordDisposalQuarantine(itemID: Int64, path: String, storedAt: ItemPath, quarantine: String, size: Int64, sha256: String,
                                         classID: String?, movedAt: String, purgeAfter: String) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO disposal_quarantine (path, stored_at, stored_display, quarantine, size, sha256, class, moved_at, purge_after)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [path, Data(storedAt.bytes), storedAt.display, quarantine, size, sha256, classID, movedAt, purgeAfter])
            try db.execute(sql: "UPDATE item SET gone_scan = (SELECT max(id) FROM scan) WHERE id = ? AND gone_scan IS NULL",
                           arguments: [itemID])
        }
    }

    /// Copies not yet purged whose grace period ends on or before `asOf`, in `quarantine` when given.
    public func copiesToPurge(asOf: String, quarantine: String?) throws -> [QuarantinedCopy] {
        try read { db in
            try QuarantinedCopy.fetchAll(db, sql: """
                SELECT id, path, stored_at, quarantine, size, sha256, class, moved_at, purge_after FROM disposal_quarantine
                WHERE purged_at IS NULL AND purge_after <= ? AND (? IS NULL OR quarantine = ?) ORDER BY id
                """, arguments: [asOf, quarantine, quarantine])
        }
    }

    /// Marks an item gone from where it was (its original removed after a checked transfer).
    public func markGone(itemID: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE item SET gone_scan = (SELECT max(id) FROM scan) WHERE id = ? AND gone_scan IS NULL",
                           arguments: [itemID])
        }
    }

    public func recordPurge(copyID: Int64, at: String) throws {
        try write { db in try db.execute(sql: "UPDATE disposal_quarantine SET purged_at = ? WHERE id = ?", arguments: [at, copyID]) }
    }

    /// Marks a copy as about to be deleted (nil: no longer).
    public func markPurging(copyID: Int64, at: String?) throws {
        try write { db in try db.execute(sql: "UPDATE disposal_quarantine SET purging_at = ? WHERE id = ?", arguments: [at, copyID]) }
    }

    /// Copies whose deletion began and was not recorded as done: a purge was cut short.
    public func copiesBeingPurged() throws -> [QuarantinedCopy] {
        try read { db in
            try QuarantinedCopy.fetchAll(db, sql: """
                SELECT id, path, stored_at, quarantine, size, sha256, class, moved_at, purge_after FROM disposal_quarantine
                WHERE purged_at IS NULL AND purging_at IS NOT NULL ORDER BY id
                """)
        }
    }
}

// MARK: - Rows read by column name

extension ItemPath {
    /// A path stored as a BLOB of its bytes.
    init(blob row: Row, _ column: String) {
        let data: Data = row[column]
        self.init(bytes: [UInt8](data))
    }
}

extension DisposalItem: FetchableRecord {
    public init(row: Row) {
        let holds: String? = row["holds"]
        self.init(id: row["id"], path: ItemPath(blob: row, "path"), display: row["display_path"], relativePath: row["relative_path"],
                  kind: ItemKind(rawValue: row["kind"]) ?? .unknown, owner: row["owner"], size: row["size"], modified: row["mtime_ns"],
                  changed: row["ctime_ns"], device: row["device"], inode: row["inode"], classID: row["retention_class"] ?? "UNCLASSIFIED",
                  action: (row["retention_action"] as String?).flatMap(DisposalAction.init(rawValue:)) ?? .review,
                  triggerDate: row["trigger_date"], disposalDate: row["disposal_date"] ?? "", reason: row["retention_reason"] ?? "{}",
                  marking: row["marking"],
                  rulesHolds: holds.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [],
                  rulesVersion: row["rules_version"], root: row["root"] ?? "/")
    }
}

extension DecisionRecord: FetchableRecord {
    public init(row: Row) {
        self.init(id: row["id"], path: ItemPath(blob: row, "path"), decision: DecisionRecord.Kind(rawValue: row["decision"]) ?? .rejected,
                  extend: row["extend"], reviewer: row["reviewer"], reason: row["reason"], decidedAt: row["decided_at"],
                  classID: row["class"], size: row["size"], modified: row["mtime_ns"], changed: row["ctime_ns"], device: row["device"],
                  inode: row["inode"], sha256: row["sha256"])
    }
}

extension DisposalLogEntry: FetchableRecord {
    public init(row: Row) {
        self.init(path: row["path"], size: row["size"], sha256: row["sha256"], classID: row["class"], action: LogAction(rawValue: row["action"]),
                  authority: row["authority"], reviewer: row["reviewer"], decisionDate: row["decision_date"], actDate: row["act_date"],
                  detail: row["detail"])
        seq = row["seq"]; prevHash = row["prev_hash"]; hash = row["hash"]
    }
}

extension SweepIndex.DisposalIntent: FetchableRecord {
    public init(row: Row) {
        self.init(itemID: row["item_id"], path: row["path"], pathBytes: ItemPath(blob: row, "path_bytes"), root: row["root"],
                  storedAt: ItemPath(blob: row, "stored_at"), quarantine: row["quarantine"], size: row["size"], sha256: row["sha256"],
                  classID: row["class"], device: row["device"], inode: row["inode"], reviewer: row["reviewer"], decidedAt: row["decided_at"],
                  authority: row["authority"], startedAt: row["started_at"])
        id = row["id"]
    }
}

extension QuarantinedCopy: FetchableRecord {
    public init(row: Row) {
        self.init(id: row["id"], path: row["path"], storedAt: ItemPath(blob: row, "stored_at"), quarantine: row["quarantine"],
                  size: row["size"], sha256: row["sha256"], classID: row["class"], movedAt: row["moved_at"], purgeAfter: row["purge_after"])
    }
}
