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
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM hold WHERE id = ?", arguments: [h.id]) == true { throw HoldProblem.exists(h.id) }
            try db.execute(sql: """
                INSERT INTO hold (id, reason, authority, scope, start_date, review_date, placed_by, placed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [h.id, h.reason, h.authority, ItemRecord.json(h.scope), h.startDate, h.reviewDate, h.placedBy, h.placedAt])
        }
    }

    /// Records the release; the hold itself stays.
    public func releaseHold(_ id: String, by: String, at: String, reason: String) throws -> HoldRecord {
        try write { db in
            guard let h = try SweepIndex.holds(db).first(where: { $0.id == id }) else { throw HoldProblem.unknown(id) }
            if let at = h.releasedAt { throw HoldProblem.released(id, at) }
            try db.execute(sql: "INSERT INTO hold_release (hold_id, released_by, released_at, reason) VALUES (?, ?, ?, ?)",
                           arguments: [id, by, at, reason])
            return h
        }
    }

    /// Every hold placed with `sweep hold add`, released ones included, oldest first.
    public func holds() throws -> [HoldRecord] {
        if let pg { return try pg.holds() }
        return try read { try SweepIndex.holds($0) }
    }

    public func activeHolds() throws -> ActiveHolds { ActiveHolds(try holds()) }

    static func holds(_ db: Database) throws -> [HoldRecord] {
        // An index from before holds were stored has no table until a writer migrates it.
        guard try db.tableExists("hold") else { return [] }
        return try HoldRecord.fetchAll(db, sql: """
            SELECT h.id, h.reason, h.authority, h.scope, h.start_date, h.review_date, h.placed_by, h.placed_at,
                   r.released_by, r.released_at, r.reason AS release_reason
            FROM hold h LEFT JOIN hold_release r ON r.hold_id = h.id ORDER BY h.placed_at, h.id
            """)
    }
}

extension HoldRecord: FetchableRecord {
    public init(row: Row) {
        let scopeText: String = row["scope"]
        self.init(id: row["id"], reason: row["reason"], authority: row["authority"],
                  scope: (try? JSONDecoder().decode([String].self, from: Data(scopeText.utf8))) ?? [],
                  startDate: row["start_date"], reviewDate: row["review_date"], placedBy: row["placed_by"], placedAt: row["placed_at"],
                  releasedBy: row["released_by"], releasedAt: row["released_at"], releaseReason: row["release_reason"])
    }
}

extension HoldRecord {
    public init(id: String, reason: String, authority: String, scope: [String], startDate: String, reviewDate: String?,
                placedBy: String, placedAt: String) {
        self.init(id: id, reason: reason, authority: authority, scope: scope, startDate: startDate, reviewDate: reviewDate,
                  placedBy: placedBy, placedAt: placedAt, releasedBy: nil, releasedAt: nil, releaseReason: nil)
    }
}
