import Foundation
import GRDB
import SweepModel

/// An item's retention as stored (the Retention module's classification, in the index's terms).
public struct RetentionFacts: Sendable {
    public var classID: String
    public var action: String
    public var triggerDate: String?
    public var disposalDate: String?
    public var holds: [String]
    public var reason: String
    public init(classID: String, action: String, triggerDate: String?, disposalDate: String?, holds: [String], reason: String) {
        self.classID = classID; self.action = action; self.triggerDate = triggerDate; self.disposalDate = disposalDate
        self.holds = holds; self.reason = reason
    }
}

/// One item as the scanner hands it to the index.
public struct ItemRecord: Sendable {
    public var path: ItemPath
    public var folder: ItemPath
    public var root: String
    public var relativePath: String
    public var kind: ItemKind
    public var size: Int64
    public var modified: Timestamp?
    public var changed: Timestamp?
    public var identity: FileID?
    public var links: UInt64?
    public var uid: UInt32?
    public var owner: String?
    public var mode: UInt32?
    public var fileExtension: String?
    public var mime: String?
    public var linkTarget: [UInt8]?
    public var error: String?
    public var errorKind: ItemErrorKind?
    /// How Sweep read it (`docx`, `mbox`, `pdf`…), when a reader ran; and where its text came from (`text`, `ocr`).
    public var readAs: String?
    public var textSource: String?
    /// Scanned pages recognised, left by the page limit, and Tesseract's mean word confidence over them.
    public var ocrPages: Int?
    public var ocrSkipped: Int?
    public var ocrConfidence: Int?
    public var rulesVersion: String
    /// What detection found, when the item's text was read.
    public var detection: Detection?
    /// Its class in the retention schedule, dates, holds and the reason.
    public var retention: RetentionFacts?
    /// For a nested item: the item it was read from and the file on disk that holds it all.
    public var container: (parent: ItemPath, top: ItemPath)?
    /// For a nested item: the fingerprints of the bytes it was read from (files get theirs in the fingerprint stage).
    public var fingerprint: (prefix: Int64, suffix: Int64, content: String)?

    public init(path: ItemPath, folder: ItemPath, root: String, relativePath: String, kind: ItemKind, size: Int64,
                rulesVersion: String) {
        self.path = path; self.folder = folder; self.root = root; self.relativePath = relativePath
        self.kind = kind; self.size = size; self.rulesVersion = rulesVersion
    }

    /// Binds the values in the column order of ``ScanWriter``'s statements (`columns`), after `reset()`.
    func bind(to s: RawStatement, folderID: Int64, scanID: Int64) {
        s.bind(blob: path.bytes); s.bind(path.display); s.bind(folderID); s.bind(root); s.bind(relativePath)
        s.bind(blob: path.name); s.bind(kind.rawValue); s.bind(size)
        s.bind(modified?.nanoseconds); s.bind(changed?.nanoseconds)
        s.bind(identity.map { Int64(bitPattern: $0.device) }); s.bind(identity.map { Int64(bitPattern: $0.inode) })
        s.bind(links.map { Int64(bitPattern: $0) }); s.bind(uid.map { Int64($0) }); s.bind(owner); s.bind(mode.map { Int64($0) })
        s.bind(fileExtension); s.bind(mime); s.bind(blob: linkTarget); s.bind(error); s.bind(errorKind?.rawValue); s.bind(rulesVersion)
        s.bind(scanID)
        s.bind(detection.map { ItemRecord.json($0.personalData) }); s.bind(detection.map { ItemRecord.json($0.markings) })
        s.bind(detection?.highestMarking); s.bind(detection.map { ItemRecord.json($0.specialCategories) })
        s.bind(retention?.classID); s.bind(retention?.action); s.bind(retention?.triggerDate); s.bind(retention?.disposalDate)
        s.bind(retention?.reason); s.bind(retention.flatMap { $0.holds.isEmpty ? nil : ItemRecord.json($0.holds) })
        s.bind(detection.flatMap { $0.markingDescriptors.isEmpty ? nil : ItemRecord.json($0.markingDescriptors) })
        s.bind(readAs); s.bind(textSource)
        s.bind(ocrPages.map(Int64.init)); s.bind(ocrSkipped.map(Int64.init)); s.bind(ocrConfidence.map(Int64.init))
    }

    static let columns = """
        path, display_path, folder_id, root, relative_path, name, kind, size, mtime_ns, ctime_ns, device, inode,
        nlink, uid, owner, mode, extension, mime, link_target, error, error_kind, rules_version, changed_scan,
        pii, markings, marking, special,
        retention_class, retention_action, trigger_date, disposal_date, retention_reason, holds,
        marking_descriptors, read_as, text_source, ocr_pages, ocr_skipped, ocr_confidence
        """
    static let columnCount = columns.split(separator: ",").count
    static let placeholders = Array(repeating: "?", count: columnCount).joined(separator: ", ")
    /// `excluded.path, excluded.display_path, …` for an upsert.
    static let excludedColumns = columns.split(separator: ",").map { "excluded." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .joined(separator: ", ")

    static func json(_ counts: [String: Int]) -> String {
        var o = JSONObject()
        for k in counts.keys.sorted() { o.add(k, counts[k]) }
        return o.text
    }

    static func json(_ list: [String]) -> String { "[" + list.map(JSONObject.quote).joined(separator: ",") + "]" }
}
