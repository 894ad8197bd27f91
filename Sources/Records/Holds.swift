import Index
import SweepModel

/// Placing and releasing a hold: the index change and its row in the disposal log, together, for the
/// command line and the web app alike.
public enum Holds {
    /// Stores the hold and logs it; throws ``SweepIndex/HoldProblem`` for a duplicate id and ``Scope/Problem`` for a
    /// scope that is not below a scanned root. Every scope is kept as its glob below the scan roots (``Scope``),
    /// whoever typed it and however.
    @discardableResult
    public static func place(_ hold: HoldRecord, in store: SweepIndex) throws -> HoldRecord {
        var h = hold
        let roots = try Scope.roots(of: store)
        h.scope = try hold.scope.map { try Scope.glob($0, roots: roots).pattern }
        try store.addHold(h)
        try DisposalLog.append(store, DisposalLogEntry(
            path: h.scope.joined(separator: "; "), size: nil, sha256: nil, classID: nil, action: .hold, authority: h.authority,
            reviewer: h.placedBy, decisionDate: h.startDate, actDate: h.placedAt,
            detail: "hold \(h.id) placed: \(h.reason)" + (h.reviewDate.map { "; review \($0)" } ?? "")))
        return h
    }

    /// Records the release and logs it; returns the hold as it was.
    @discardableResult
    public static func release(_ id: String, by who: String, at now: String, reason: String, in store: SweepIndex) throws -> HoldRecord {
        let h = try store.releaseHold(id, by: who, at: now, reason: reason)
        try DisposalLog.append(store, DisposalLogEntry(
            path: h.scope.joined(separator: "; "), size: nil, sha256: nil, classID: nil, action: .holdRelease,
            authority: h.authority, reviewer: who, decisionDate: h.startDate, actDate: now, detail: "hold \(id) released: \(reason)"))
        return h
    }
}
