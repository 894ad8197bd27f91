import Fingerprint
import Foundation
import SweepModel

/// What one extractor read from one item: its text, the headers detection reads markings from, document
/// metadata, the problem that stopped it (if any) and the items nested inside it.
///
/// Every format family returns this shape, so the scanner treats a PDF, a mail message and an archive
/// member alike: detect over ``body`` and ``headers``, classify with ``metadata``, then recurse into the
/// ``Child`` items it was handed.
public struct Extraction: Sendable {
    /// The item's text, for detection and `contains` rules (body, cells, slides, message body…).
    public var text = ItemText("")
    /// ``text`` as a string (made on each call when the text is held as the UTF-8 it was read as).
    public var body: String {
        get { text.string }
        set { text = ItemText(newValue) }
    }
    /// Lower-cased header names → values: a message's RFC 5322 headers (`subject`, `date`,
    /// `x-protective-marking`, `msip_labels`…), a document's header/footer text under `x-header-footer`,
    /// sensitivity labels under `msip_labels`.
    public var headers: [String: String] = [:]
    public var metadata = DocumentMetadata()
    /// Why the item could not be fully read, when it could not; what was read before that stays.
    public var problem: Problem?
    /// Pages whose text was recognised in images (OCR), pages that had a text layer, and Tesseract's mean word
    /// confidence over the recognised ones (0–100).
    public var recognisedPages = 0
    /// The file's fingerprint (samples and XXH3-128 of the whole), when the reader read the whole file in this
    /// process: the item's duplicate fingerprint and what a copy is known by, without reading the file again.
    public var digest: StreamHasher.Result?
    public var textLayerPages = 0
    /// Scanned pages left unrecognised by `limits.ocr_pages_per_item`.
    public var skippedPages = 0
    public var recognitionConfidence: Int?

    /// The export's `text_source`: `ocr`, `mixed` (some pages recognised, some with a text layer), `text`, or nil.
    public var textSource: String? {
        if recognisedPages > 0 { return textLayerPages > 0 ? "mixed" : "ocr" }
        return text.utf8Count > 0 ? "text" : nil
    }

    public init(body: String = "", headers: [String: String] = [:], metadata: DocumentMetadata = DocumentMetadata(),
                problem: Problem? = nil) {
        self.text = ItemText(body); self.headers = headers; self.metadata = metadata; self.problem = problem
    }

    public static func failed(_ kind: Problem.Kind, _ message: String) -> Extraction {
        Extraction(problem: Problem(kind, message))
    }
}

/// An item's text: a string, or the UTF-8 it was read as, checked well-formed and made a string only when
/// asked, so a text file's bytes reach detection without being copied into a string and back.
public struct ItemText: Sendable {
    private let held: String?
    /// The text's UTF-8 when it is held as read (well-formed UTF-8); nil when it is held as a string.
    public let utf8: [UInt8]?

    public init(_ string: String) { held = string; utf8 = nil }

    /// `bytes` must be well-formed UTF-8: ``PlainText`` checks them before it makes one.
    init(wellFormedUTF8 bytes: [UInt8]) { held = nil; utf8 = bytes }

    public var string: String { held ?? String(decoding: utf8!, as: UTF8.self) }

    /// Bytes of the text's UTF-8.
    public var utf8Count: Int { utf8?.count ?? held!.utf8.count }
}

/// Title, author, dates and mail fields, where the format carries them.
public struct DocumentMetadata: Sendable, Equatable {
    public var title: String?
    public var author: String?
    public var created: Timestamp?
    public var modified: Timestamp?
    public var application: String?
    /// Mail: the message's subject, sender, recipients (To, Cc) and date.
    public var subject: String?
    public var sender: String?
    public var recipients: [String] = []
    public var date: Timestamp?
    /// PDF pages, slides, sheets: how many, where the format says.
    public var pages: Int?
    public init() {}
}

/// Why an item could not be fully read. Its kind is the `error_kind` stored in the index; the message,
/// starting with the kind's words ("encrypted: …", "corrupt: …"), is the export's `error`.
public struct Problem: Sendable, Equatable, Error {
    public enum Kind: String, Sendable {
        case encrypted          // password-protected or encrypted: content not read (a finding in itself)
        case corrupt            // not a valid file of its type, or truncated
        case limit              // a defence stopped it: size, depth, expansion ratio, text cap
        case timeout            // the per-item time budget ran out
        case unsupported        // a variant Sweep does not read (named in the message)
        case unreadable         // the file system refused (permission, I/O, vanished)
        case noTextLayer = "no_text_layer"   // pages of images only (a scan): nothing to search without OCR
        case interrupted        // the scan was stopped while the item was read: the next scan reads it again
    }
    public let kind: Kind
    public let message: String

    /// The item's stored error kind. An unreadable file is an I/O failure there (the crawler names permission
    /// and vanished files itself).
    public var itemErrorKind: ItemErrorKind {
        switch kind {
        case .encrypted: return .encrypted
        case .corrupt: return .corrupt
        case .limit: return .limit
        case .timeout: return .timeout
        case .unsupported: return .unsupported
        case .unreadable: return .io
        case .noTextLayer: return .noTextLayer
        case .interrupted: return .interrupted
        }
    }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        let prefix: String
        switch kind {
        case .encrypted: prefix = "encrypted"
        case .corrupt: prefix = "corrupt"
        case .limit: prefix = "limit hit"
        case .timeout: prefix = "timeout"
        case .unsupported: prefix = "unsupported"
        case .unreadable: prefix = "unreadable"
        case .noTextLayer: prefix = "no text layer"
        case .interrupted: prefix = "interrupted"
        }
        self.message = message.hasPrefix(prefix) ? message : "\(prefix): \(message)"
    }
}

/// An item found inside another: an archive member, a mail message in a mailbox, an attachment.
public struct Child: Sendable {
    public enum Content: Sendable {
        /// The child's bytes, whole: the scanner types them, hashes them and reads inside them.
        case bytes([UInt8])
        /// Already read by the container's own library (a PST message through libpst): no bytes of its own,
        /// its text, headers and metadata here and its own children in ``Child/children``.
        case extracted(Extraction)
        /// Too large to hold: what the container could say without holding it. The problem says which limit.
        case skipped(size: Int64, problem: Problem)
    }

    /// Its name inside the container, `/`-separated below it: `2019/b.docx`, `17` (the 17th message),
    /// `Inbox/3` (a PST folder and position), `report.pdf` (an attachment). Becomes `OUTER!/name`.
    public var name: String
    public var kind: ItemKind
    public var content: Content
    /// Its own modified time, when the container records one (a member's mtime, a message's date).
    public var modified: Timestamp?
    /// The type the container declares (an attachment's Content-Type), used when the bytes say nothing better.
    public var declaredType: String?
    /// Children of an ``Content/extracted`` child (a PST message's attachments).
    public var children: [Child] = []

    public init(name: String, kind: ItemKind, content: Content, modified: Timestamp? = nil, declaredType: String? = nil,
                children: [Child] = []) {
        self.name = name; self.kind = kind; self.content = content; self.modified = modified
        self.declaredType = declaredType; self.children = children
    }

    /// Bytes of the child's content (for the export's `size`).
    public var size: Int64 {
        switch content {
        case .bytes(let b): return Int64(b.count)
        case .extracted(let e): return Int64(e.text.utf8Count)
        case .skipped(let size, _): return size
        }
    }
}

/// The defences every extractor honours. Defaults are safe for a council share; `--config` can change them.
public struct ExtractionLimits: Sendable {
    /// Containers inside containers, counting the file on disk as depth 0.
    public var maxDepth = 8
    /// Bytes expanded from one file on disk, across all its nested items.
    public var maxExpandedBytes: Int64 = 2 << 30
    /// Expanded bytes per compressed byte of a container (zip bombs run at 1000:1 and more).
    public var maxRatio: Int64 = 200
    /// The largest nested item held in memory to be read; larger ones are hashed as they stream past.
    public var maxChildBytes = 64 << 20
    /// The largest file on disk read whole for formats that need it all at once (mail messages, RTF,
    /// compound files).
    public var maxWholeFileBytes = 256 << 20
    /// Characters of text kept per item.
    public var textCap = 16 << 20
    /// Seconds one item may take: a file on disk, and each item found inside it (every new child starts its
    /// own window, so a large mailbox that keeps yielding messages is read to the end, while one that stops
    /// yielding, or a document stuck in a loop, is cut off).
    public var secondsPerItem: Double = 60
    /// Nested items per file on disk.
    public var maxChildren = 100_000
    /// Recognise text in scanned pages and images (Tesseract); `--no-ocr` or `ocr: false` turns it off.
    public var ocr = true
    /// Pages recognised per item at most (a PDF's image-only pages, a TIFF's pages); the rest are counted as
    /// skipped for the limit.
    public var ocrPagesPerItem = 50
    /// The scan's OCR time, when `limits.ocr_seconds_per_scan` bounds it: once spent, scans wait for the next scan.
    public var ocrClock: OCRClock?
    /// Address space a reader running in a worker process may take (see ``Isolation``).
    public var workerMemoryBytes = 2 << 30
    /// Readers built on C libraries that can stall or crash inside one call (poppler) run in a worker process
    /// of this executable, under ``workerMemoryBytes`` and killed at the deadline; nil reads in process.
    public var isolation: Isolation?
    public init() {}
}

/// Seconds of OCR one scan may spend (`limits.ocr_seconds_per_scan`), shared by every reader of the scan. A scan
/// past it reads no more scanned pages; those items say so and the next scan reads them.
public final class OCRClock: @unchecked Sendable {
    public let limit: Double
    private let lock = NSLock()
    private var used = 0.0
    public init(limit: Double) { self.limit = limit }
    public func add(_ seconds: Double) { lock.lock(); used += seconds; lock.unlock() }
    public var spent: Bool { lock.lock(); defer { lock.unlock() }; return used >= limit }
    public var seconds: Double { lock.lock(); defer { lock.unlock() }; return used }
    /// The problem of an item left unrecognised because the time was used up.
    public var problem: Problem {
        Problem(.interrupted, "scanned pages not recognised: this scan's OCR time (limits.ocr_seconds_per_scan, \(Int(limit)) s) was used up; the next scan reads them")
    }
}

/// The executable a worker process runs (`sweep extract-worker`).
public struct Isolation: Sendable {
    public var executable: String { pool.executable }
    /// The scan's worker processes, shared by every copy of its limits.
    public let pool: WorkerPool
    public init(executable: String) { pool = WorkerPool(executable: executable) }
}

/// Shared by all the extraction of one file on disk: counts expanded bytes and children against the limits
/// and knows when the time budget is spent. Extractors call ``check()`` in their loops.
public final class ExtractionBudget: @unchecked Sendable {
    /// Set by the scan when the user asks it to stop: checked with the deadline.
    public var stop: StopFlag?
    public let limits: ExtractionLimits
    private var deadline: Double
    public private(set) var expanded: Int64 = 0
    public private(set) var children = 0

    public init(limits: ExtractionLimits, now: Double = ExtractionBudget.clock()) {
        self.limits = limits
        deadline = now + limits.secondsPerItem
    }

    public static func clock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The problem to stop with, when a limit is reached.
    public func check() -> Problem? {
        if stop?.isRequested == true {
            return Problem(.interrupted, "the scan was stopped while this item was read; the next scan reads it again")
        }
        if ExtractionBudget.clock() > deadline {
            return Problem(.timeout, "one item took longer than \(Int(limits.secondsPerItem)) s to read; what was read so far is kept")
        }
        if expanded > limits.maxExpandedBytes {
            return Problem(.limit, "expanded more than \(ByteCount(limits.maxExpandedBytes)) from one file (a zip bomb?)")
        }
        if children > limits.maxChildren {
            return Problem(.limit, "more than \(limits.maxChildren) nested items in one file")
        }
        return nil
    }

    /// Counts bytes expanded from a container; returns a problem when that passes a limit.
    public func expand(_ bytes: Int) -> Problem? {
        expanded += Int64(bytes)
        return expanded > limits.maxExpandedBytes ? check() : nil
    }

    /// Counts one more nested item, which gets a time window of its own.
    public func addChild() -> Problem? {
        children += 1
        deadline = max(deadline, ExtractionBudget.clock() + limits.secondsPerItem)
        return children > limits.maxChildren ? check() : nil
    }
}
