import Index
import SweepModel

/// Placing and releasing a hold: the index change and its row in the disposal log, together, for the
/// command line and the web app alike.
public enum Holds {
    /// Stores the hold and logs it; throws ``SweepIndex/HoldProblem`` for a duplicate id.
    public static func place(_ h: HoldRecord, in store: SweepIndex) throws {
        try store.addHold(h)
        try DisposalLog.append(store, DisposalLogEntry(
            path: h.scope.joined(separator: "; "), size: nil, sha256: nil, classID: nil, action: "hold", authority: h.authority,
            reviewer: h.placedBy, decisionDate: h.startDate, actDate: h.placedAt,
            detail: "hold \(h.id) placed: \(h.reason)" + (h.reviewDate.map { "; review \($0)" } ?? "")))
    }

    /// Records the release and logs it; returns the hold as it was.
    @discardableResult
    public static func release(_ id: String, by who: String, at now: String, reason: String, in store: SweepIndex) throws -> HoldRecord {
        let h = try store.releaseHold(id, by: who, at: now, reason: reason)
        try DisposalLog.append(store, DisposalLogEntry(
            path: h.scope.joined(separator: "; "), size: nil, sha256: nil, classID: nil, action: "hold-release",
            authority: h.authority, reviewer: who, decisionDate: h.startDate, actDate: now, detail: "hold \(id) released: \(reason)"))
        return h
    }
}
