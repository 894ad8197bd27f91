#if canImport(Glibc)
import Glibc
#endif
import Fingerprint
import Foundation
import SweepModel

/// Picks the reader for an item's type and runs it, on a file on disk or on a nested item's bytes.
///
/// The scanner calls ``extract(_:mime:name:budget:visit:)`` for every item with content; nested items come
/// back one at a time through `visit` (the scanner reads each in turn and recurses), so a large archive or
/// mailbox is never held whole.
public enum Extractor {
    /// Changes when the extractors read more or differently: items read by older ones are read again.
    public static let version = "4"

    /// Where the item's bytes are.
    public enum Source {
        /// A file on disk, opened only if it is still the file the walk listed.
        case file(ItemPath, FileID)
        /// A nested item, already in memory.
        case bytes([UInt8])
    }

    public enum Family: String, Sendable {
        case text, markup, rtf, mail, mailbox, office, legacyOffice, pdf, outlookMessage, outlookStore, archive
        /// A scanned page or photo: its text is recognised (OCR).
        case image
        /// A type Sweep knows and cannot read (an encrypted Office package, Word 6, WordPerfect…): the item
        /// says so rather than passing as read.
        case unreadable
    }

    /// The reader for a MIME type, or nil when Sweep reads nothing inside that type (images, audio…).
    public static func family(of mime: String?) -> Family? {
        guard let mime else { return nil }
        if mime == "message/rfc822" { return .mail }
        if mime == "application/pdf" { return .pdf }
        if mime == "text/rtf" || mime == "application/rtf" { return .rtf }
        if mime == "application/vnd.ms-outlook" { return .outlookMessage }
        if mime == "application/vnd.ms-outlook-pst" { return .outlookStore }
        if LegacyOffice.handles(mime) { return .legacyOffice }
        if mime == "application/mbox" { return .mailbox }
        if OfficeDocument.handles(mime) { return .office }
        if Archive.handles(mime) { return .archive }
        if PlainText.isMarkup(mime) { return .markup }
        if PlainText.isTextual(mime) { return .text }
        if OCR.imageTypes.contains(mime) { return .image }
        return nil
    }

    /// True for the families that hold other items, where the nesting depth limit applies.
    public static func isContainer(_ family: Family) -> Bool {
        switch family {
        case .archive, .mailbox, .mail, .outlookMessage, .outlookStore: return true
        default: return false
        }
    }

    /// Reads the item: its own extraction is returned, its nested items are handed to `visit` (return false
    /// to stop). The budget is shared by everything read from one file on disk.
    public static func extract(_ source: Source, mime: String, name: String, budget: ExtractionBudget,
                               visit: (Child) -> Bool) -> Extraction {
        guard let reading = Identify.byType(mime) else { return Extraction() }
        return extract(source, reading: reading, name: name, budget: budget, visit: visit)
    }

    /// Reads the item the way `reading` says (see ``Identify``).
    public static func extract(_ source: Source, reading: Reading, name: String, budget: ExtractionBudget,
                               visit: (Child) -> Bool) -> Extraction {
        let mime = reading.mime
        switch reading.family {
        case .unreadable:
            return Extraction(problem: Identify.unreadableProblem(mime))

        case .text, .markup:
            let text: (ItemText, Bool)
            var digest: StreamHasher.Result?
            switch source {
            case .bytes(let b):
                text = (PlainText.text(of: Array(b.prefix(budget.limits.textCap))), b.count > budget.limits.textCap)
            case .file(let path, let id):
                switch PlainText.read(path, expected: id, cap: budget.limits.textCap) {
                case .success(let t): text = (t.text, t.truncated); digest = t.digest
                case .failure(let f): return Extraction(problem: problem(f))
                }
            }
            var e = Extraction()
            e.digest = digest
            e.text = reading.family == .markup ? ItemText(PlainText.stripMarkup(text.0.string)) : text.0
            if text.1 { e.problem = Problem(.limit, "only the first \(ByteCount(Int64(budget.limits.textCap))) of text were read") }
            return e

        case .mail:
            return whole(source, budget) { bytes in
                let (e, children) = MailMessage.extract(bytes, limits: budget.limits)
                return attachments(children, of: e, budget, visit)
            }

        case .outlookMessage:
            return whole(source, budget) { bytes in
                let (e, children) = OutlookMessage.extract(bytes, limits: budget.limits)
                return attachments(children, of: e, budget, visit)
            }

        case .rtf:
            return whole(source, budget) { RichText.extract($0, limits: budget.limits) }

        case .legacyOffice:
            return whole(source, budget) { LegacyOffice.extract($0, mime: mime, limits: budget.limits) }

        case .pdf:
            if let isolation = budget.limits.isolation { return Isolated.pdf(source, budget: budget, isolation: isolation) }
            switch source {
            case .file(let path, _):
                // poppler opens by name; a name that is not UTF-8 is read through its bytes instead.
                if String(validating: path.bytes, as: UTF8.self) != nil {
                    return PDFDocument.extract(path: path.display, budget: budget)
                }
                return whole(source, budget) { PDFDocument.extract(bytes: $0, budget: budget) }
            case .bytes(let b):
                return PDFDocument.extract(bytes: b, budget: budget)
            }

        case .outlookStore:
            if let isolation = budget.limits.isolation, case .file = source {
                return Isolated.extract(.pst, source, name: name, mime: mime, budget: budget, isolation: isolation, visit: visit)
            }
            switch source {
            case .file(let path, _) where String(validating: path.bytes, as: UTF8.self) != nil:
                return OutlookStore.extract(path: path.display, budget: budget, visit: visit)
            default:
                // libpst reads only named files: a store inside an archive (or under a non-UTF-8 name) is
                // copied to a private temporary file first.
                return whole(source, budget) { bytes in
                    withTemporaryFile(bytes) { tmp in
                        guard let tmp else { return Extraction(problem: Problem(.unreadable, "no temporary file for the PST store")) }
                        return OutlookStore.extract(path: tmp, budget: budget, visit: visit)
                    }
                }
            }

        case .mailbox:
            return container(source) { Mailbox.extract($0, budget: budget, visit: visit) }

        case .office:
            return container(source) { input in
                switch OfficeDocument.read(input, cap: budget.limits.textCap * 4) {
                case .success(let doc):
                    var e = Extraction(body: doc.body, headers: [:])
                    if !doc.headerFooter.isEmpty { e.headers["x-header-footer"] = doc.headerFooter }
                    if !doc.labels.isEmpty { e.headers["msip_labels"] = doc.labels }
                    e.metadata.created = doc.created
                    e.metadata.modified = doc.modified
                    e.metadata.title = doc.title
                    e.metadata.author = doc.author
                    e.metadata.application = doc.application
                    if doc.binaryWorkbook {
                        e.problem = Problem(.unsupported, "binary workbook (.xlsb): its text cells were read, numbers and formulas were not")
                    }
                    if doc.truncated {
                        e.problem = Problem(.limit, "expanded past \(ByteCount(Int64(budget.limits.textCap * 4))) (a zip bomb, or a very large document)")
                    }
                    return e
                case .failure(let p):
                    return Extraction(problem: p)
                }
            }

        case .image:
            guard budget.limits.ocr else { return Extraction() }
            if let clock = budget.limits.ocrClock, clock.spent { return Extraction(problem: clock.problem) }
            if let isolation = budget.limits.isolation { return Isolated.extract(.image, source, name: name, mime: mime, budget: budget,
                                                                                  isolation: isolation) { _ in true } }
            return whole(source, budget) { bytes in
                var pages: [OCR.Page] = []
                var e = OCR.read(bytes, limits: budget.limits) { pages.append($0); budget.limits.ocrClock?.add($0.seconds) }
                e.body = pages.map(\.text).joined(separator: "\u{0C}\n")
                e.recognisedPages = pages.count
                if !pages.isEmpty { e.recognitionConfidence = pages.map(\.confidence).reduce(0, +) / pages.count }
                let edges = pages.map(\.text).flatMap(PDFDocument.edgeLines)
                if !edges.isEmpty { e.headers["x-header-footer"] = edges.joined(separator: "\n") }
                return e
            }

        case .archive:
            if let isolation = budget.limits.isolation, case .file = source {
                return Isolated.extract(.archive, source, name: name, mime: mime, budget: budget, isolation: isolation, visit: visit)
            }
            let size: Int64
            switch source {
            case .bytes(let b): size = Int64(b.count)
            case .file: size = -1
            }
            return container(source) { input, fileSize in
                Archive.extract(input, name: name, containerSize: size >= 0 ? size : fileSize, mime: mime, budget: budget, visit: visit)
            }
        }
    }

    /// Hands a message's attachments on, each dated by its message when it has no date of its own.
    static func attachments(_ children: [Child], of message: Extraction, _ budget: ExtractionBudget,
                            _ visit: (Child) -> Bool) -> Extraction {
        var out = message
        for var c in children {
            if let p = budget.addChild() { out.problem = p; break }
            if c.modified == nil { c.modified = message.metadata.date }
            if !visit(c) { break }
        }
        return out
    }

    /// Runs `body` on an open descriptor or the bytes: for readers that stream (libarchive, mbox).
    static func container(_ source: Source, _ body: (ContainerInput) -> Extraction) -> Extraction {
        container(source) { input, _ in body(input) }
    }

    static func container(_ source: Source, _ body: (ContainerInput, Int64) -> Extraction) -> Extraction {
        switch source {
        case .bytes(let b): return body(.memory(b), Int64(b.count))
        case .file(let path, let id):
            switch FileHead.open(path, expected: id) {
            case .success(let opened):
                defer { close(opened.fd) }
                return body(.descriptor(opened.fd), Int64(opened.info.st_size))
            case .failure(let f):
                return Extraction(problem: problem(f))
            }
        }
    }

    /// Runs `body` on the item's bytes whole: for formats read all at once (a message, a compound file).
    /// A file on disk larger than ``ExtractionLimits/maxWholeFileBytes`` is refused with the reason.
    static func whole(_ source: Source, _ budget: ExtractionBudget, _ body: ([UInt8]) -> Extraction) -> Extraction {
        switch source {
        case .bytes(let b): return body(b)
        case .file(let path, let id):
            switch FileHead.open(path, expected: id) {
            case .success(let opened):
                defer { close(opened.fd) }
                let size = Int(opened.info.st_size)
                guard size <= budget.limits.maxWholeFileBytes else {
                    return Extraction(problem: Problem(.limit, "larger than \(ByteCount(Int64(budget.limits.maxWholeFileBytes))) (read whole for this type): not read"))
                }
                var bytes = [UInt8](repeating: 0, count: size)
                var got = 0
                while got < size {
                    let n = bytes.withUnsafeMutableBytes { pread(opened.fd, $0.baseAddress! + got, size - got, off_t(got)) }
                    if n < 0 { if errno == EINTR { continue }; return Extraction(problem: problem(.read(errno))) }
                    if n == 0 { break }
                    got += n
                }
                bytes.removeSubrange(got...)
                var e = body(bytes)
                if got == size { e.digest = bytes.withUnsafeBytes { StreamHasher.digest($0) } }
                return e
            case .failure(let f):
                return Extraction(problem: problem(f))
            }
        }
    }

    /// `bytes` in a file only this process can read (mode 0600, in `$TMPDIR`), removed after `body`.
    static func withTemporaryFile<T>(_ bytes: [UInt8], _ body: (String?) -> T) -> T {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((dir + "/sweep-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return body(nil) }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 { if errno == EINTR { continue }; close(fd); return body(nil) }
            written += n
        }
        close(fd)
        return body(path)
    }

    /// A file-system failure in extraction's terms.
    public static func problem(_ f: FileHead.Failure) -> Problem {
        switch f {
        case .open(let code): return Problem(.unreadable, "open failed: " + String(cString: strerror(code)))
        case .read(let code): return Problem(.unreadable, "read failed: " + String(cString: strerror(code)))
        case .notSameFile: return Problem(.unreadable, "changed during scan: replaced after it was listed")
        }
    }
}
