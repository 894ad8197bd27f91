/// How an item is read: decided by the structure Sweep can verify in its first bytes (a `From ` line and
/// headers make a mailbox, RFC 5322 headers a message, `%PDF-` a PDF, an OLE2 or zip signature with a
/// matching name an Office file), with libmagic's MIME type as the fallback.
///
/// libmagic reads only the first bytes and guesses: an `.mbox` of HTML messages is `text/html` to it, a
/// `.eml` whose body is HTML likewise, a CSV with HTML in its cells too. Its answer stays the item's `type`;
/// the reading chosen here is the export's `read_as`.
public struct Reading: Sendable, Equatable {
    public let family: Extractor.Family
    /// The MIME type the reader works from (libmagic's, or the one the structure shows).
    public let mime: String
    /// The export's `read_as`: `text`, `csv`, `html`, `docx`, `pdf`, `mbox`, `eml`, `msg`, `pst`, `zip`…
    public let readAs: String

    public init(family: Extractor.Family, mime: String, readAs: String) {
        self.family = family; self.mime = mime; self.readAs = readAs
    }
}

public enum Identify {
    /// Extensions of text that is read as text whatever libmagic guesses (a CSV holding HTML in a cell is a CSV).
    static let plainTextExtensions = TypeRefiner.textExtensions.subtracting(["eml", "mbox"])
    /// Extensions under which a file of RFC 5322 headers is read as a message.
    static let messageExtensions: Set<String> = ["eml", "mht", "mhtml", "mail", "msg", "txt", "elm"]
    /// OLE2 compound files by extension.
    static let compoundByExtension: [String: String] = [
        "doc": "application/msword", "dot": "application/msword",
        "xls": "application/vnd.ms-excel", "xlt": "application/vnd.ms-excel", "xla": "application/vnd.ms-excel",
        "ppt": "application/vnd.ms-powerpoint", "pps": "application/vnd.ms-powerpoint", "pot": "application/vnd.ms-powerpoint",
        "msg": "application/vnd.ms-outlook",
    ]

    /// The reading for an item, or nil when Sweep has no reader for it.
    public static func reading(mime: String, extension ext: String?, head: UnsafeRawBufferPointer) -> Reading? {
        if let r = byStructure(mime: mime, extension: ext, head: head) { return r }
        return byType(mime)
    }

    /// The reading libmagic's type alone gives.
    public static func byType(_ mime: String) -> Reading? {
        if knownUnsupported[mime] != nil && Extractor.family(of: mime) == nil {
            return Reading(family: .unreadable, mime: mime, readAs: "unsupported")
        }
        guard let family = Extractor.family(of: mime) else { return nil }
        return Reading(family: family, mime: mime, readAs: readAs(family, mime: mime))
    }

    static func byStructure(mime: String, extension ext: String?, head: UnsafeRawBufferPointer) -> Reading? {
        let b = head
        func starts(_ sig: [UInt8], at offset: Int = 0) -> Bool {
            guard b.count >= offset + sig.count else { return false }
            for (i, x) in sig.enumerated() where b[offset + i] != x { return false }
            return true
        }
        // PDF: the header may follow a little junk (the specification allows it within the first 1,024 bytes).
        if let i = find(Array("%PDF-".utf8), in: b, within: 1024), i >= 0 {
            return Reading(family: .pdf, mime: "application/pdf", readAs: "pdf")
        }
        // OLE2 compound file: which application by name, else by libmagic's guess.
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            if mime == "application/vnd.ms-outlook-pst" { return byType(mime) }
            // An Office Open XML name on a compound file: the package is encrypted (password or rights management).
            if let ext, TypeRefiner.zipFamilies[ext] != nil, !ext.hasPrefix("od") {
                return Reading(family: .unreadable, mime: encryptedPackage, readAs: ext)
            }
            if let ext, let m = compoundByExtension[ext] { return byType(m) }
            return byType(mime)
        }
        // A PST store: `!BDN`.
        if starts([0x21, 0x42, 0x44, 0x4E]) { return byType("application/vnd.ms-outlook-pst") }
        // Zip: Office Open XML and OpenDocument by name, else libmagic's guess (it sees [Content_Types].xml when it is first).
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            // The name says which variant (a slide show, a template, a binary workbook) when libmagic names the
            // same application or nothing in particular; a file renamed to another application keeps libmagic's.
            if let ext, let m = TypeRefiner.zipFamilies[ext], !OfficeDocument.handles(mime) || application(of: mime) == application(of: m) {
                return byType(m)
            }
            return byType(mime)
        }
        guard PlainText.isTextual(mime) || mime == "application/mbox" || mime == "message/rfc822"
                || mime == "application/octet-stream" || PlainText.isMarkup(mime) else { return nil }
        let lines = firstLines(b, count: 12)
        if let first = lines.first, isMboxFromLine(first), lines.dropFirst().prefix(6).contains(where: isHeaderLine) {
            return Reading(family: .mailbox, mime: "application/mbox", readAs: "mbox")
        }
        if looksLikeMessage(lines) && (ext == nil || messageExtensions.contains(ext!) || mime == "message/rfc822"
                                       || PlainText.isMarkup(mime) || mime == "text/plain" && ext == nil) {
            return Reading(family: .mail, mime: "message/rfc822", readAs: "eml")
        }
        if let ext, plainTextExtensions.contains(ext), PlainText.isMarkup(mime) || mime == "application/octet-stream" {
            return Reading(family: .text, mime: ext == "csv" ? "text/csv" : "text/plain", readAs: ext == "csv" || ext == "tsv" ? "csv" : "text")
        }
        return nil
    }

    /// The type of an item whose first bytes settle it without libmagic, or nil when libmagic should be asked:
    /// `%PDF-` at the start; a zip under an Office name whose first entries name that application's parts
    /// (`word/`, `xl/`, `ppt/`, or an OpenDocument `mimetype`); a `From ` line followed by headers; a block of
    /// RFC 5322 headers under a message name; an HTML document under an HTML name; text under a text name.
    /// libmagic reads a few hundred of its rules for each file (many of them regular expressions): asked only
    /// where structure leaves a doubt, it costs a scan of ordinary documents a fifth less.
    public static func decisive(extension ext: String?, head b: UnsafeRawBufferPointer) -> String? {
        func starts(_ sig: String) -> Bool {
            let u = Array(sig.utf8)
            return b.count >= u.count && zip(b.prefix(u.count), u).allSatisfy { $0 == $1 }
        }
        if starts("%PDF-") { return "application/pdf" }
        guard let ext else { return nil }
        if starts("PK\u{03}\u{04}"), let m = TypeRefiner.zipFamilies[ext] {
            let window = UnsafeRawBufferPointer(rebasing: b.prefix(4096))
            if ext.hasPrefix("o") {
                // OpenDocument: the first entry is `mimetype`, stored, holding the type.
                guard let i = find(Array("mimetypeapplication/vnd.oasis.opendocument.".utf8), in: window, within: 200) else { return nil }
                // The type runs up to the next entry's `PK` (lower-case letters, digits, `.`, `-`, `/` only).
                let type = window[(i + 8)...].prefix { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 47 }
                return String(decoding: type, as: UTF8.self) == m ? m : nil
            }
            let part: String
            switch application(of: m) {
            case "word": part = "word/"
            case "spreadsheet": part = "xl/"
            case "presentation": part = "ppt/"
            default: return nil
            }
            return find(Array(part.utf8), in: window, within: window.count) != nil ? m : nil
        }
        if b.contains(0) { return nil }
        let lines = firstLines(b, count: 12)
        if let first = lines.first, isMboxFromLine(first), lines.dropFirst().prefix(6).contains(where: isHeaderLine) {
            return ext == "mbox" || plainTextExtensions.contains(ext) || ext == "mbx" ? "application/mbox" : nil
        }
        if (ext == "eml" || ext == "mht" || ext == "mhtml"), looksLikeMessage(lines) { return "message/rfc822" }
        if ext == "html" || ext == "htm" {
            let start = String(decoding: b.prefix(64), as: UTF8.self).drop { $0 == "\u{FEFF}" || $0.isWhitespace }.lowercased()
            return start.hasPrefix("<!doctype html") || start.hasPrefix("<html") ? "text/html" : nil
        }
        if ["txt", "text", "csv", "tsv", "log"].contains(ext), TypeRefiner.looksLikeText(b), PlainText.utf16Order(b) == nil,
           !looksLikeMessage(lines) {
            let start = String(decoding: b.prefix(64), as: UTF8.self).drop { $0 == "\u{FEFF}" || $0.isWhitespace }
            guard !start.hasPrefix("<"), !start.hasPrefix("{\\rtf") else { return nil }   // markup or RTF under a text name: libmagic says which
            return TypeRefiner.refine("text/plain", extension: ext)
        }
        return nil
    }

    /// A message a mailbox handed over (declared `message/rfc822`): settled by its header block, without libmagic,
    /// when the block is a message's (three or more known fields, one of them From, Date, Subject or Received).
    public static func declaredMessage(head b: UnsafeRawBufferPointer) -> String? {
        guard !b.contains(0) else { return nil }
        return looksLikeMessage(firstLines(b, count: 12)) ? "message/rfc822" : nil
    }

    static let encryptedPackage = "application/x-sweep-encrypted-office"

    /// The application an Office type belongs to: word, spreadsheet, presentation (OOXML and ODF alike).
    static func application(of mime: String) -> String {
        if mime.contains("wordprocessingml") || mime.contains("ms-word") || mime.contains("opendocument.text") { return "word" }
        if mime.contains("spreadsheetml") || mime.contains("ms-excel") || mime.contains("opendocument.spreadsheet") { return "spreadsheet" }
        if mime.contains("presentationml") || mime.contains("ms-powerpoint") || mime.contains("opendocument.presentation") { return "presentation" }
        return mime
    }

    /// Old and rare formats Sweep recognises but has no reader for, by libmagic's type.
    static let knownUnsupported: [String: String] = [
        "application/vnd.wordperfect": "WordPerfect", "application/wordperfect": "WordPerfect",
        "application/x-mswrite": "Microsoft Write", "application/vnd.ms-works": "Microsoft Works",
        "application/x-ms-wps": "Microsoft Works", "application/vnd.ms-publisher": "Microsoft Publisher",
        "application/x-mspublisher": "Microsoft Publisher", "application/vnd.lotus-1-2-3": "Lotus 1-2-3",
        "application/vnd.visio": "Visio", "application/vnd.ms-project": "Microsoft Project",
        "application/x-dbf": "dBASE", "application/vnd.ms-access": "Access", "application/x-msaccess": "Access",
        "application/vnd.oasis.opendocument.graphics": "OpenDocument drawing",
        "application/vnd.ms-excel.sheet.binary.macroenabled.12": "binary Excel workbook",
        "application/x-hwp": "Hangul", "application/vnd.apple.pages": "Pages", "application/vnd.apple.numbers": "Numbers",
        "application/vnd.apple.keynote": "Keynote", "application/x-iwork-pages-sffpages": "Pages",
    ]

    /// Why a known format was not read.
    public static func unreadableProblem(_ mime: String) -> Problem {
        if mime == encryptedPackage {
            return Problem(.encrypted, "password-protected or rights-managed Office document (an encrypted package): content not read")
        }
        return Problem(.unsupported, "\(knownUnsupported[mime] ?? mime) files are recognised but Sweep has no reader for them")
    }

    /// `read_as` for a family and type.
    public static func readAs(_ family: Extractor.Family, mime: String) -> String {
        switch family {
        case .text: return mime == "text/csv" || mime == "text/tab-separated-values" ? "csv" : "text"
        case .markup: return mime.contains("xml") ? "xml" : "html"
        case .rtf: return "rtf"
        case .mail: return "eml"
        case .mailbox: return "mbox"
        case .outlookMessage: return "msg"
        case .outlookStore: return "pst"
        case .pdf: return "pdf"
        case .legacyOffice:
            switch mime {
            case "application/msword": return "doc"
            case "application/vnd.ms-excel": return "xls"
            default: return "ppt"
            }
        case .office:
            if let ext = TypeRefiner.zipFamilies.first(where: { $0.value == mime })?.key { return ext }
            return "office"
        case .unreadable: return "unsupported"
        case .image: return "ocr"
        case .archive:
            let m = mime.lowercased()
            if m.contains("zip") && !m.contains("gzip") { return "zip" }
            if m.contains("7z") { return "7z" }
            if m.contains("rar") { return "rar" }
            if m.contains("tar") { return "tar" }
            if m.contains("gzip") { return "gzip" }
            if m.contains("bzip2") { return "bzip2" }
            if m.contains("xz") { return "xz" }
            if m.contains("cab") { return "cab" }
            if m.contains("iso9660") { return "iso" }
            return "archive"
        }
    }

    static func find(_ needle: [UInt8], in b: UnsafeRawBufferPointer, within: Int) -> Int? {
        let end = min(b.count, within + needle.count) - needle.count
        guard end >= 0 else { return nil }
        var i = 0
        while i <= end {
            if b[i] == needle[0] {
                var j = 1
                while j < needle.count && b[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// The first `count` lines (CRLF or LF), as bytes, skipping a UTF-8 byte-order mark.
    static func firstLines(_ b: UnsafeRawBufferPointer, count: Int) -> [ArraySlice<UInt8>] {
        var bytes = Array(b.prefix(8192))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        for (i, x) in bytes.enumerated() where x == 10 {
            var end = i
            if end > start && bytes[end - 1] == 13 { end -= 1 }
            out.append(bytes[start..<end])
            start = i + 1
            if out.count == count { break }
        }
        return out
    }

    /// `From sender date…`: the mbox separator line.
    static func isMboxFromLine(_ l: ArraySlice<UInt8>) -> Bool {
        l.starts(with: Array("From ".utf8)) && l.count > 6 && l[l.startIndex + 5] != 32
    }

    /// `Name: value` with an RFC 5322 field name (printable ASCII, no space or colon), or a folded line.
    static func isHeaderLine(_ l: ArraySlice<UInt8>) -> Bool {
        guard let colon = l.firstIndex(of: 58), colon > l.startIndex else { return false }
        return l[l.startIndex..<colon].allSatisfy { $0 > 32 && $0 < 127 }
    }

    static let messageFields: Set<String> = ["from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
                                              "mime-version", "content-type", "reply-to", "x-mailer", "delivered-to", "sender",
                                              "x-protective-marking", "thread-topic", "in-reply-to", "references", "user-agent"]

    /// A block of header lines (at least three known fields, among them From, Date, Subject or Received, and
    /// nothing but header lines and their continuations before them).
    static func looksLikeMessage(_ lines: [ArraySlice<UInt8>]) -> Bool {
        var known = Set<String>()
        for l in lines {
            if l.isEmpty { break }
            if l.first == 32 || l.first == 9 { continue }   // a folded continuation
            guard isHeaderLine(l), let colon = l.firstIndex(of: 58) else { return false }
            known.insert(String(decoding: l[l.startIndex..<colon], as: UTF8.self).lowercased())
        }
        let fields = known.intersection(messageFields)
        return fields.count >= 3 && !fields.isDisjoint(with: ["from", "date", "subject", "received"])
    }
}
