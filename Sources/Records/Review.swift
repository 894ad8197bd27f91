#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Index
import Retention
import Rules
import SafeFiles
import SweepModel

/// The review list: items due for disposal with their holds (the scan's rules and `sweep hold add`) and the
/// review decision that still applies to them.
///
/// A decision applies while the item is what it was when decided (size, modified and changed times, device,
/// inode); a changed item is pending again. An extension moves the item's due date on by its period.
public struct DisposalReview: Sendable {
    public struct Row: Sendable {
        public let item: DisposalItem
        /// Rules holds, then placed ones.
        public let holds: [String]
        /// The latest decision, when it still applies.
        public let decision: DecisionRecord?
        /// The due date, after any extension.
        public let due: String

        /// pending, approved, rejected or extended.
        public var state: String { decision?.decision.rawValue ?? "pending" }
        public var held: Bool { !holds.isEmpty }
    }

    public let index: SweepIndex
    public let placedHolds: ActiveHolds
    /// Holds placed with `sweep hold add` and since released: a decision taken before one of them covered
    /// the item no longer applies.
    let releasedHolds: [(placedAt: String, globs: [Glob])]
    public let decisions: [ItemPath: DecisionRecord]

    public init(index: SweepIndex) throws {
        self.index = index
        let all = try index.holds()
        placedHolds = ActiveHolds(all)
        releasedHolds = all.filter { !$0.isActive }.map { h in (h.placedAt, h.scope.compactMap { try? Glob($0) }) }
        decisions = try index.latestDecisions()
    }

    public func row(_ item: DisposalItem) -> Row {
        let holds = item.rulesHolds + placedHolds.ids(for: item.relativePath)
        var decision = decisions[item.path].flatMap { $0.applies(to: item) ? $0 : nil }
        if let d = decision, heldSince(d.decidedAt, item.relativePath) { decision = nil }   // review it again
        return Row(item: item, holds: holds, decision: decision, due: DisposalReview.due(item.disposalDate, after: decision))
    }

    /// True when a released hold placed after `time` covered the item at `relativePath` (or its container).
    func heldSince(_ time: String, _ relativePath: String) -> Bool {
        guard !releasedHolds.isEmpty else { return false }
        var paths = [relativePath]
        if let r = relativePath.range(of: "!/") { paths.append(String(relativePath[..<r.lowerBound])) }
        return releasedHolds.contains { h in h.placedAt > time && h.globs.contains { g in paths.contains { g.matchesPathOrAncestor($0) } } }
    }

    /// The disposal date once a decision that still applies is taken into account: an extension pushes it on.
    public static func due(_ scheduled: String, after decision: DecisionRecord?) -> String {
        guard let d = decision, d.decision == .extended, let text = d.extend, let period = RetentionSchedule.Period.parse(text) ?? nil,
              let t = Timestamp.parse(scheduled) else { return scheduled }
        return RetentionDates.add(period, to: RetentionDates.day(t)).text
    }

    /// The latest decision on an exported item, when it still applies: the item is unchanged since, and no hold
    /// placed after the decision has covered it since (the same test as `row(_:)`).
    public func decision(for item: StoredItem) -> DecisionRecord? {
        guard let d = decisions[item.pathBytes] else { return nil }
        guard d.state == item.state, !heldSince(d.decidedAt, item.relativePath) else { return nil }
        return d
    }

    /// An exported item as the review sees it: its holds (the scan's and those placed since), its due date after
    /// a decision that still applies, and whether it is a disposal candidate at `asOf`.
    public func reviewed(_ stored: StoredItem, asOf: String) -> (item: StoredItem, candidate: Bool) {
        var item = stored
        let ids = placedHolds.ids(for: item.relativePath)
        if !ids.isEmpty {
            let rules = item.holdsJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            item.holdsJSON = "[" + (rules + ids.filter { !rules.contains($0) }).map(JSONObject.quote).joined(separator: ",") + "]"
        }
        if let date = item.disposalDate, let d = decision(for: item) {
            item.disposalDate = DisposalReview.due(date, after: d)
        }
        return (item, Classification.isCandidate(due: item.disposalDate, held: item.legalHold, asOf: asOf))
    }

    /// Disposal candidates at `asOf`: due (after extensions) and not held, oldest due first.
    public func candidates(asOf: String) throws -> [Row] {
        try index.disposalItems(dueBy: asOf).map(row).filter { Classification.isCandidate(due: $0.due, held: $0.held, asOf: asOf) }
            .sorted { ($0.due, $0.item.path) < ($1.due, $1.item.path) }
    }
}

/// Records review decisions with the item's content as it is now, so disposal can check it is unchanged.
public struct Decider: Sendable {
    public enum Outcome: Sendable {
        case recorded(DecisionRecord)
        case refused(String)
    }

    public let index: SweepIndex
    public init(index: SweepIndex) { self.index = index }

    /// Checks the item on disk against its row (a file that changed since the scan is refused: scan first),
    /// takes its SHA-256, and appends the decision.
    public func decide(_ row: DisposalReview.Row, _ kind: DecisionRecord.Kind, extend: String?, reviewer: String, reason: String,
                       at: String) throws -> Outcome {
        let outcome = prepare(row, kind, extend: extend, reviewer: reviewer, reason: reason, at: at)
        if case .recorded(let d) = outcome { try index.recordDecision(d) }
        return outcome
    }

    /// Every row decided together: each file checked and hashed, then every decision recorded in one transaction.
    public func decideAll(_ rows: [DisposalReview.Row], _ kind: DecisionRecord.Kind, extend: String?, reviewer: String, reason: String,
                          at: String) throws -> [Outcome] {
        let outcomes = rows.map { prepare($0, kind, extend: extend, reviewer: reviewer, reason: reason, at: at) }
        try index.recordDecisions(outcomes.compactMap { if case .recorded(let d) = $0 { return d } else { return nil } })
        return outcomes
    }

    /// The decision for one row, or why it is refused; nothing written.
    func prepare(_ row: DisposalReview.Row, _ kind: DecisionRecord.Kind, extend: String?, reviewer: String, reason: String,
                 at: String) -> Outcome {
        let i = row.item
        if row.held { return .refused("held: \(row.holds.joined(separator: ", ")): a held item is not reviewed for disposal") }
        var sha: String?
        // Another scanner host's file cannot be read here: it is decided on as its scan recorded it, and the host
        // that carries the decision out checks the file against that state before it acts.
        if i.kind == .file && !i.isNested && i.reachableHere {
            guard Disposer.sameAsRow(i) else { return .refused("changed on disk since the scan: scan again, then decide") }
            guard let digest = FileOps.sha256(i.path) else { return .refused("cannot read it: \(FileOps.lastError)") }
            guard Disposer.sameAsRow(i) else { return .refused("changed while being read: scan again, then decide") }
            sha = digest
        }
        let d = DecisionRecord(path: i.path, decision: kind, extend: extend, reviewer: reviewer, reason: reason, decidedAt: at,
                               classID: i.classID, size: i.size, modified: i.modified, changed: i.changed, device: i.device,
                               inode: i.inode, sha256: sha)
        var decided = d
        decided.host = i.host
        return .recorded(decided)
    }
}

/// The disposal log: appending with the chain, and checking it.
public enum DisposalLog {
    @discardableResult
    public static func append(_ index: SweepIndex, _ entry: DisposalLogEntry) throws -> DisposalLogEntry {
        let e = try index.appendLog(entry, hash: FileOps.sha256(text:))
        anchor(e, index: index)
        return e
    }

    /// Where the log's heads are noted outside the index: `INDEX.log-heads`, one line per row appended
    /// (`seq hash act-date`). Someone who can rewrite the index file (delete the newest rows and reset the
    /// sequence) leaves this file saying what the chain held; `verify-log` reads it. On a shared index each host
    /// notes the rows it appended, in `DATABASE.log-heads` in `$SWEEP_STATE_DIR` (default: the working folder).
    public static func anchorsPath(_ index: SweepIndex) -> String { index.localStatePath + ".log-heads" }

    static func anchor(_ e: DisposalLogEntry, index: SweepIndex) {
        let fd = open(anchorsPath(index), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let line = Array("\(e.seq) \(e.hash) \(e.actDate)\n".utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
    }

    /// The heads noted in `INDEX.log-heads`: (seq, hash), in order.
    public static func anchors(_ index: SweepIndex) -> [(seq: Int64, hash: String)] {
        guard let text = try? String(contentsOfFile: anchorsPath(index), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count >= 2, let seq = Int64(f[0]), f[1].count == 64 else { return nil }
            return (seq, String(f[1]))
        }
    }

    public struct Verdict: Sendable {
        public let rows: Int
        /// The first row that does not hold (its sequence number) and why, or nil when the chain is intact.
        public let problem: (seq: Int64, why: String)?
        /// The last row's hash: note it elsewhere and a later rewrite of the whole chain shows too.
        public let head: String
    }

    /// Recomputes every row's hash over the previous row's and its own fields, and checks that no number is missing;
    /// then that the chain still holds every head noted outside the index (``anchors(_:)``) and `head`, a hash noted
    /// elsewhere (a truncated or rewritten chain holds neither).
    public static func verify(_ index: SweepIndex, head expected: String? = nil) throws -> Verdict {
        let chain = try verifyChain(index)
        guard chain.problem == nil else { return chain }
        let (rows, _) = try index.disposalLog()
        let bySeq = Dictionary(rows.map { ($0.seq, $0.hash) }, uniquingKeysWith: { a, _ in a })
        for a in anchors(index) where bySeq[a.seq] != a.hash {
            let why = bySeq[a.seq] == nil
                ? "row \(a.seq), noted in \(anchorsPath(index)) with hash \(a.hash.prefix(12))…, is not in the log (rows removed from the end)"
                : "row \(a.seq) is not the row noted in \(anchorsPath(index)) (the log was rewritten)"
            return Verdict(rows: chain.rows, problem: (a.seq, why), head: chain.head)
        }
        if let expected, !rows.contains(where: { $0.hash == expected.lowercased() }) {
            return Verdict(rows: chain.rows, problem: (Int64(rows.count + 1), "the head \(expected) is not in the log (rows removed or the log rewritten)"),
                           head: chain.head)
        }
        return chain
    }

    static func verifyChain(_ index: SweepIndex) throws -> Verdict {
        let (rows, issued) = try index.disposalLog()
        var prev = SweepIndex.logGenesis
        var expected: Int64 = 1
        for r in rows {
            if r.seq != expected {
                return Verdict(rows: rows.count, problem: (expected, "row \(expected) is missing (deleted)"), head: prev)
            }
            if r.prevHash != prev {
                return Verdict(rows: rows.count, problem: (r.seq, "row \(r.seq): prev_hash is not the hash of row \(r.seq - 1)"), head: prev)
            }
            if FileOps.sha256(text: r.canonical) != r.hash {
                return Verdict(rows: rows.count, problem: (r.seq, "row \(r.seq): its fields do not match its hash (edited)"), head: prev)
            }
            prev = r.hash
            expected += 1
        }
        if issued >= expected {
            return Verdict(rows: rows.count, problem: (expected, "row \(expected) is missing (deleted from the end)"), head: prev)
        }
        return Verdict(rows: rows.count, problem: nil, head: prev)
    }
}
