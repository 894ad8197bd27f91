import Foundation
import GRDB
import SweepModel

/// One item due for disposal, as the review list shows it.
public struct DisposalCandidate: Sendable {
    public let path: String
    public let relativePath: String
    public let owner: String?
    public let size: Int64
    public let modified: Timestamp?
    public let classID: String
    public let action: String
    public let triggerDate: String?
    public let disposalDate: String
    public let reason: String
    public let marking: String?
}

extension SweepIndex {
    /// Present items whose disposal date is on or before `asOf` and that no hold covers, oldest due first.
    public func disposalCandidates(asOf: String) throws -> [DisposalCandidate] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT display_path, relative_path, owner, size, mtime_ns, retention_class, retention_action, trigger_date,
                       disposal_date, retention_reason, marking
                FROM item INDEXED BY item_by_disposal
                WHERE gone_scan IS NULL AND disposal_date IS NOT NULL AND disposal_date <= ? AND holds IS NULL
                ORDER BY disposal_date, path
                """, arguments: [asOf]).map { r in
                DisposalCandidate(path: r[0], relativePath: r[1], owner: r[2], size: r[3],
                                  modified: (r[4] as Int64?).map { Timestamp(nanoseconds: $0) }, classID: r[5], action: r[6],
                                  triggerDate: r[7], disposalDate: r[8], reason: r[9] ?? "{}", marking: r[10])
            }
        }
    }
}
