/// Sharpens libmagic's answer with what the name and the container say.
///
/// libmagic reads only the first bytes, so an Office Open XML file whose parts are stored in an unusual
/// order shows as a plain zip, and an old Office file as a bare compound file. The extension settles those.
public enum TypeRefiner {
    static let zipFamilies: [String: String] = [
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docm": "application/vnd.ms-word.document.macroenabled.12",
        "dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsm": "application/vnd.ms-excel.sheet.macroenabled.12",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptm": "application/vnd.ms-powerpoint.presentation.macroenabled.12",
        "odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation",
        "dotm": "application/vnd.ms-word.template.macroenabled.12",
        "xltx": "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "xltm": "application/vnd.ms-excel.template.macroenabled.12",
        "xlsb": "application/vnd.ms-excel.sheet.binary.macroenabled.12",
        "ppsx": "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        "ppsm": "application/vnd.ms-powerpoint.slideshow.macroenabled.12",
        "potx": "application/vnd.openxmlformats-officedocument.presentationml.template",
        "potm": "application/vnd.ms-powerpoint.template.macroenabled.12",
        "ott": "application/vnd.oasis.opendocument.text-template",
        "ots": "application/vnd.oasis.opendocument.spreadsheet-template",
        "otp": "application/vnd.oasis.opendocument.presentation-template",
    ]
    static let compoundFamilies: [String: String] = [
        "doc": "application/msword",
        "dot": "application/msword",
        "xls": "application/vnd.ms-excel",
        "xlt": "application/vnd.ms-excel",
        "ppt": "application/vnd.ms-powerpoint",
        "pps": "application/vnd.ms-powerpoint",
        "pot": "application/vnd.ms-powerpoint",
        "msg": "application/vnd.ms-outlook",
    ]
    static let textFamilies: [String: String] = [
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "eml": "message/rfc822",
        "mbox": "application/mbox",
        "md": "text/markdown",
    ]
    static let genericZip: Set<String> = ["application/zip", "application/octet-stream", "application/x-zip-compressed"]
    static let genericCompound: Set<String> = ["application/x-ole-storage", "application/CDFV2", "application/octet-stream",
                                               "application/vnd.ms-office"]

    /// Extensions of text files: when libmagic names such a file something Sweep cannot read, and its first
    /// bytes are text, it is read as text. libmagic calls any file starting "PA", "SP" or "NP" ("PAYROLL
    /// EXPORT", "SPECIAL EDUCATIONAL NEEDS", "NPM") an HP-GL plot.
    static let textExtensions: Set<String> = ["txt", "text", "csv", "tsv", "md", "markdown", "log", "eml", "mbox"]

    public static func refine(_ mime: String, extension ext: String?, head: UnsafeRawBufferPointer) -> String {
        if let ext, textExtensions.contains(ext), !PlainText.isTextual(mime), Extractor.family(of: mime) == nil, looksLikeText(head) {
            return refine("text/plain", extension: ext)
        }
        return refine(mime, extension: ext)
    }

    /// UTF-16 without a byte-order mark, or bytes of which at most one in a hundred is a NUL or a control
    /// character other than tab, line feed, form feed, carriage return and escape (bytes above 127 may be
    /// UTF-8 or Windows-1252): a stray NUL at the end of an export does not make a text file binary.
    static func looksLikeText(_ head: UnsafeRawBufferPointer) -> Bool {
        guard !head.isEmpty else { return false }
        if PlainText.utf16Order(head) != nil { return true }
        let controls = head.reduce(0) { n, b in n + (b < 32 && b != 9 && b != 10 && b != 12 && b != 13 && b != 27 || b == 127 ? 1 : 0) }
        return controls * 100 <= head.count
    }

    public static func refine(_ mime: String, extension ext: String?) -> String {
        guard let ext else { return mime }
        // libmagic names a PST store and a .msg message alike.
        if mime == "application/vnd.ms-outlook" && (ext == "pst" || ext == "ost") { return "application/vnd.ms-outlook-pst" }
        if genericZip.contains(mime), let m = zipFamilies[ext] { return m }
        if genericCompound.contains(mime), let m = compoundFamilies[ext] { return m }
        if mime == "text/plain", let m = textFamilies[ext] { return m }
        return mime
    }

    /// The lower-cased extension of a name, or nil (`.profile` has none, `a.tar.gz` has `gz`).
    public static func fileExtension(of name: String) -> String? {
        // Most names are ASCII: their ending is found and lower-cased byte by byte (this runs once per item).
        let u = name.utf8
        guard let dot = u.lastIndex(of: 0x2E) else { return nil }
        if dot != u.startIndex {
            let tail = u[u.index(after: dot)...]
            if tail.allSatisfy({ $0 < 0x80 }) {
                guard !tail.isEmpty, tail.count <= 16, !tail.contains(0x2F) else { return nil }
                return String(decoding: tail.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            }
        }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        guard !ext.isEmpty, ext.count <= 16, !ext.contains("/") else { return nil }
        return ext.lowercased()
    }
}
