import Foundation
import GRDB
import SweepModel

/// One present item, as `sweep export` prints it.
public struct StoredItem: Sendable {
    public var path: String
    public var kind: ItemKind
    public var size: Int64
    public var modified: Timestamp?
    public var mime: String?
    public var error: String?
    public var errorKind: ItemErrorKind?
    public var owner: String?
    public var uid: Int64?
    public var mode: Int64?
    public var links: Int64?
    public var identity: FileID?
    public var fileExtension: String?
    public var movedFrom: String?
    public var linkTarget: String?
    public var firstSeenScan: Int64
    public var changedScan: Int64
    /// XXH3-128 of the content, when a duplicate stage needed it.
    public var content: String?
    /// The duplicate set: the content hash, when another present item has the same content.
    public var dupGroup: String?
    /// Detection results as stored: a JSON object of counts, JSON arrays of labels and categories.
    public var piiJSON: String?
    public var markingsJSON: String?
    public var highestMarking: String?
    public var specialJSON: String?
    public var retentionClass: String?
    public var retentionAction: String?
    public var disposalDate: String?
    public var holdsJSON: String?
    public var legalHold: Bool { holdsJSON != nil }
    /// Below its scan root: what holds placed with `sweep hold add` are matched against.
    public var relativePath: String = ""
    /// The markings' descriptors and caveats, as stored (a JSON array), or nil.
    public var markingDescriptorsJSON: String?
    /// The path's bytes and the status-change time: what a review decision's snapshot is compared with.
    public var pathBytes = ItemPath(bytes: [])
    public var changed: Int64?
    /// The state the scan recorded (see ``FileState``).
    public var state: FileState {
        FileState(size: size, modified: modified?.nanoseconds, changed: changed,
                  device: identity.map { Int64(bitPattern: $0.device) }, inode: identity.map { Int64(bitPattern: $0.inode) })
    }
    /// How Sweep read it, and where its text came from (the export's `read_as`, `text_source`).
    public var readAs: String?
    public var textSource: String?
}

/// One scan, as `sweep status` prints it.
public struct ScanRecord: Sendable, Codable {
    public var id: Int64
    public var startedAt: String
    public var finishedAt: String?
    public var state: String
    public var roots: [String]
    public var rulesVersion: String
    public var jobs: Int
    public var new: Int, changed: Int, unchanged: Int, moved: Int, gone: Int, errors: Int, items: Int
    public var bytes: Int64

    /// Seconds from start to finish, when it finished.
    public var seconds: Double? {
        guard let f = finishedAt, let a = Timestamp.parse(startedAt), let b = Timestamp.parse(f) else { return nil }
        return Double(b.nanoseconds - a.nanoseconds) / 1e9
    }

    enum CodingKeys: String, CodingKey {
        case id, startedAt = "started_at", finishedAt = "finished_at", state, roots, rulesVersion = "rules_version", jobs
        case new, changed, unchanged, moved, gone, errors, items, bytes
    }
}

/// What the index holds now.
public struct IndexTotals: Sendable, Codable {
    public var items: Int
    public var bytes: Int64
    public var errors: Int
    public var gone: Int
}

extension SweepIndex {
    /// Every present item in path order (bytewise, so the order is stable whatever the names' encoding).
    public func forEachItem(_ body: (StoredItem) throws -> Void) throws {
        if let pg { return try pg.forEachItem(body) }
        return try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                WITH dup AS (\(SweepIndex.dupeHashes))
                SELECT display_path, kind, size, mtime_ns, mime, error, error_kind, owner, uid, mode, nlink, device, inode,
                       extension, moved_from, link_target, first_seen_scan, changed_scan, content_hash,
                       \(SweepIndex.dupeEligible) AND content_hash IN dup, pii, markings, marking, special,
                       retention_class, retention_action, disposal_date, holds, relative_path, marking_descriptors, path, ctime_ns,
                       read_as, text_source
                FROM item WHERE gone_scan IS NULL ORDER BY path
                """)
            while let r = try rows.next() {
                let dev: Int64? = r[11], ino: Int64? = r[12]
                let link: Data? = r[15]
                try body(StoredItem(
                    path: r[0], kind: ItemKind(rawValue: r[1]) ?? .unknown, size: r[2],
                    modified: (r[3] as Int64?).map { Timestamp(nanoseconds: $0) }, mime: r[4], error: r[5], errorKind: (r[6] as String?).flatMap(ItemErrorKind.init(rawValue:)),
                    owner: r[7], uid: r[8], mode: r[9], links: r[10],
                    identity: dev.flatMap { d in ino.map { FileID(device: UInt64(bitPattern: d), inode: UInt64(bitPattern: $0)) } },
                    fileExtension: r[13], movedFrom: r[14], linkTarget: link.map { ItemPath.display([UInt8]($0)) },
                    firstSeenScan: r[16], changedScan: r[17], content: r[18],
                    dupGroup: (r[19] as Bool? ?? false) ? r[18] : nil,
                    piiJSON: r[20], markingsJSON: r[21], highestMarking: r[22], specialJSON: r[23],
                    retentionClass: r[24], retentionAction: r[25], disposalDate: r[26], holdsJSON: r[27], relativePath: r[28], markingDescriptorsJSON: r[29],
                    pathBytes: ItemPath(bytes: [UInt8](r[30] as Data)), changed: r[31], readAs: r[32], textSource: r[33]))
            }
        }
    }

    public func recentScans(limit: Int = 10) throws -> [ScanRecord] {
        try rows("""
            SELECT id, started_at, finished_at, state, roots, rules_version, jobs, new_count, changed_count,
                   unchanged_count, moved_count, gone_count, error_count, item_count, byte_count
            FROM scan ORDER BY id DESC LIMIT ?
            """, [limit]).map { r in
            let rootsJSON = r.text(4)
            let roots = (try? JSONDecoder().decode([String].self, from: Data(rootsJSON.utf8))) ?? [rootsJSON]
            func n(_ i: Int) -> Int { Int(r.int(i)) }
            return ScanRecord(id: r.int(0), startedAt: r.text(1), finishedAt: r[2], state: r.text(3), roots: roots, rulesVersion: r.text(5),
                              jobs: n(6), new: n(7), changed: n(8), unchanged: n(9), moved: n(10), gone: n(11),
                              errors: n(12), items: n(13), bytes: r.int(14))
        }
    }

    /// The rules version of the latest scan that ran to the end.
    public func lastCompletedRulesVersion() throws -> String? {
        try rows("SELECT rules_version FROM scan WHERE state = 'complete' ORDER BY id DESC LIMIT 1").first?[0]
    }

    /// The as-of date of the latest scan (YYYY-MM-DD): what "disposal candidate" is judged against by default.
    public func latestAsOf() throws -> String? {
        try rows("SELECT as_of FROM scan WHERE as_of IS NOT NULL ORDER BY id DESC LIMIT 1").first?[0]
    }

    public func totals() throws -> IndexTotals {
        let r = try rows("""
            SELECT count(*) FILTER (WHERE gone_scan IS NULL),
                   coalesce(sum(size) FILTER (WHERE gone_scan IS NULL), 0),
                   count(*) FILTER (WHERE gone_scan IS NULL AND error IS NOT NULL),
                   count(*) FILTER (WHERE gone_scan IS NOT NULL)
            FROM item
            """).first
        return IndexTotals(items: Int(r?.int(0) ?? 0), bytes: r?.int(1) ?? 0, errors: Int(r?.int(2) ?? 0), gone: Int(r?.int(3) ?? 0))
    }
}

/// The rules a scan had in force, as stored in `scan.rules_files`.
public struct StoredRules: Sendable, Codable {
    public var files: [RuleFileUse]
    public var detection: Bool
    public init(files: [RuleFileUse], detection: Bool) { self.files = files; self.detection = detection }
}

extension SweepIndex {
    /// The coverage account of every present item (folders and links are not items to read).
    public func coverage() throws -> Coverage {
        try snapshot { try SweepIndex.coverage($0) }
    }

    /// The rules the latest scan had in force (nil for scans before they were recorded).
    public func latestRules() throws -> StoredRules? {
        guard let text: String = try rows("SELECT rules_files FROM scan WHERE rules_files IS NOT NULL ORDER BY id DESC LIMIT 1").first?[0]
        else { return nil }
        return try? JSONDecoder().decode(StoredRules.self, from: Data(text.utf8))
    }

    static func coverage(_ s: any SQLSession) throws -> Coverage {
        var c = Coverage()
        for r in try s.rows("""
            SELECT mime, read_as, error_kind, min(size), count(*),
                   sum(ocr_pages), sum(ocr_skipped), sum(ocr_confidence * ocr_pages) FROM item
            WHERE gone_scan IS NULL AND kind NOT IN ('directory', 'symlink')
            GROUP BY mime, read_as, error_kind, size = 0, kind IN ('message', 'attachment', 'member')
            """) {
            let mime: String? = r[0], readAs: String? = r[1], problem: String? = r[2]
            let size = r.int(3), n = Int(r.int(4))
            let family = Coverage.Family.of(mime: mime, readAs: readAs)
            let pages: Int? = r[5], skipped: Int? = r[6], weighted: Int? = r[7]
            if (pages ?? 0) > 0 || (skipped ?? 0) > 0 {
                c.countRecognition(family, pages: pages ?? 0, skipped: skipped ?? 0, confidenceTimesPages: weighted ?? 0)
            }
            if mime == nil && problem == nil && readAs == nil && size > 0 {
                c.count(family, read: false, problem: "not_typed", n: n)
            } else {
                // An empty item has nothing left unread.
                c.count(family, read: readAs != nil || (size == 0 && problem == nil), problem: problem, n: n)
            }
        }
        return c
    }
}
