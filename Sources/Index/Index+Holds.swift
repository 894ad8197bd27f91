import Foundation
import GRDB
import SweepModel

/// A hold placed with `sweep hold add`: kept in the index, never deleted; a release is recorded beside it.
public struct HoldRecord: Sendable {
    public let id: String
    public let reason: String
    public let authority: String
    /// Path globs below the scan root, matched as the schedule's `when.path` is.
    public var scope: [String]
    public let startDate: String
    public let reviewDate: String?
    public let placedBy: String
    public let placedAt: String
    public let releasedBy: String?
    public let releasedAt: String?
    public let releaseReason: String?

    public var isActive: Bool { releasedAt == nil }
}

/// The active holds, compiled once per command: items are matched in Swift as they are read, so a hold
/// takes effect at once, without a scan.
public struct ActiveHolds: Sendable {
    public let holds: [(record: HoldRecord, globs: [Glob])]

    public init(_ records: [HoldRecord]) {
        holds = records.filter(\.isActive).map { r in (r, r.scope.compactMap { try? Glob($0) }) }
    }

    public var isEmpty: Bool { holds.isEmpty }

    /// The ids of the holds covering an item at `relativePath` (below its root). A nested item
    /// (`a.zip!/b.docx`) is also covered by a hold on its container.
    public func ids(for relativePath: String) -> [String] {
        guard !holds.isEmpty else { return [] }
        var paths = [relativePath]
        if let r = relativePath.range(of: "!/") { paths.append(String(relativePath[..<r.lowerBound])) }
        return holds.filter { h in h.globs.contains { g in paths.contains { g.matchesPathOrAncestor($0) } } }.map(\.record.id)
    }

    public func record(_ id: String) -> HoldRecord? { holds.first { $0.record.id == id }?.record }
}

extension SweepIndex {
    public enum HoldProblem: Error, CustomStringConvertible {
        case exists(String), unknown(String), released(String, String)
        public var description: String {
            switch self {
            case .exists(let id): return "a hold \(id) already exists: holds are never reused; give another id"
            case .unknown(let id): return "no hold \(id): see `sweep hold list --all`"
            case .released(let id, let at): return "hold \(id) was already released on \(at)"
            }
        }
    }

    public func addHold(_ h: HoldRecord) throws {
        try transaction { s in
            if try s.row("SELECT 1 FROM hold WHERE id = ?", [h.id]) != nil { throw HoldProblem.exists(h.id) }
            try s.execute("""
                INSERT INTO hold (id, reason, authority, scope, start_date, review_date, placed_by, placed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [h.id, h.reason, h.authority, ItemRecord.json(h.scope), h.startDate, h.reviewDate, h.placedBy, h.placedAt])
        }
    }

    /// Records the release; the hold itself stays.
    public func releaseHold(_ id: String, by: String, at: String, reason: String) throws -> HoldRecord {
        try transaction { s in
            guard let h = try SweepIndex.holds(s).first(where: { $0.id == id }) else { throw HoldProblem.unknown(id) }
            if let at = h.releasedAt { throw HoldProblem.released(id, at) }
            try s.execute("INSERT INTO hold_release (hold_id, released_by, released_at, reason) VALUES (?, ?, ?, ?)", [id, by, at, reason])
            return h
        }
    }

    /// Every hold placed with `sweep hold add`, released ones included, oldest first.
    public func holds() throws -> [HoldRecord] {
        // An index from before holds were stored has no table until a writer migrates it.
        guard try tableExists("hold") else { return [] }
        return try snapshot { try SweepIndex.holds($0) }
    }

    public func activeHolds() throws -> ActiveHolds { ActiveHolds(try holds()) }

    static func holds(_ s: any SQLSession) throws -> [HoldRecord] {
        try s.rows("""
            SELECT h.id, h.reason, h.authority, h.scope, h.start_date, h.review_date, h.placed_by, h.placed_at,
                   r.released_by, r.released_at, r.reason
            FROM hold h LEFT JOIN hold_release r ON r.hold_id = h.id ORDER BY h.placed_at, h.id
            """).map { r in
            HoldRecord(id: r.text(0), reason: r.text(1), authority: r.text(2), scope: r.json(3, [String]()), startDate: r.text(4),
                       reviewDate: r[5], placedBy: r.text(6), placedAt: r.text(7), releasedBy: r[8], releasedAt: r[9], releaseReason: r[10])
        }
    }
}

extension HoldRecord {
    public init(id: String, reason: String, authority: String, scope: [String], startDate: String, reviewDate: String?,
                placedBy: String, placedAt: String) {
        self.init(id: id, reason: reason, authority: authority, scope: scope, startDate: startDate, reviewDate: reviewDate,
                  placedBy: placedBy, placedAt: placedAt, releasedBy: nil, releasedAt: nil, releaseReason: nil)
    }
}
