#if canImport(Glibc)
import Glibc
#endif
internal import CArchive
import Foundation
import SweepModel

/// Text and label metadata of Office Open XML (`.docx`, `.xlsx`, `.pptx` and macro-enabled variants) and
/// OpenDocument (`.odt`, `.ods`, `.odp`) files, read through libarchive's zip reader.
///
/// Body text (document, footnotes, comments, shared strings and cells, slides and notes; ODF content) is
/// kept apart from header and footer text (Word header/footer parts, spreadsheet header/footer elements,
/// slide masters, ODF styles), where protective markings live. `docProps/custom.xml` sensitivity-label
/// properties and `docMetadata/LabelInfo.xml` label ids come back in the `msip_labels` header form.
/// Expansion is capped: a zip bomb stops at the cap and says so.
public enum OfficeDocument {
    public struct Content: Sendable {
        public var body = ""
        public var headerFooter = ""
        /// `MSIP_Label_<GUID>_<Key>=<value>;` pairs, as an email's `msip_labels` header carries them.
        public var labels = ""
        public var created: Timestamp?
        public var modified: Timestamp?
        public var title: String?
        public var author: String?
        public var application: String?
        public var truncated = false
        /// A binary workbook (`.xlsb`): only its shared strings were read.
        public var binaryWorkbook = false
    }

    public enum Failure: Error, Equatable {
        case unreadable(FileHead.Failure)
        case corrupt(String)
    }

    static let officeTypes: Set<String> = [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-word.document.macroenabled.12",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.ms-powerpoint.presentation.macroenabled.12",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.ms-word.template.macroenabled.12",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "application/vnd.ms-excel.template.macroenabled.12",
        "application/vnd.ms-excel.sheet.binary.macroenabled.12",
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        "application/vnd.ms-powerpoint.slideshow.macroenabled.12",
        "application/vnd.openxmlformats-officedocument.presentationml.template",
        "application/vnd.ms-powerpoint.template.macroenabled.12",
        "application/vnd.oasis.opendocument.text-template", "application/vnd.oasis.opendocument.spreadsheet-template",
        "application/vnd.oasis.opendocument.presentation-template",
    ]

    public static func handles(_ mime: String?) -> Bool { mime.map(officeTypes.contains) ?? false }

    enum Part { case body, slide, headerFooter, custom, labelInfo, core, app, sheet, sharedStrings, binarySharedStrings, binarySheet, styles, workbook, skip }

    static func part(_ name: String) -> Part {
        let n = name.lowercased()
        if n == "docprops/custom.xml" { return .custom }
        if n == "docmetadata/labelinfo.xml" { return .labelInfo }
        if n == "docprops/core.xml" || n == "meta.xml" { return .core }
        if n == "docprops/app.xml" { return .app }
        if n == "xl/sharedstrings.bin" { return .binarySharedStrings }
        if n.hasPrefix("xl/worksheets/") && n.hasSuffix(".bin") || n == "xl/workbook.bin" { return .binarySheet }
        guard n.hasSuffix(".xml") else { return .skip }
        if n.hasPrefix("word/header") || n.hasPrefix("word/footer") || n.hasPrefix("ppt/slidemasters/") || n == "styles.xml" {
            return .headerFooter
        }
        if n.hasPrefix("xl/worksheets/sheet") { return .sheet }
        if n == "xl/sharedstrings.xml" { return .sharedStrings }
        if n == "xl/styles.xml" { return .styles }
        if n == "xl/workbook.xml" { return .workbook }
        if ["word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml", "content.xml"].contains(n)
            || n.hasPrefix("ppt/notesslides/notesslide") {
            return .body
        }
        if n.hasPrefix("ppt/slides/slide") { return .slide }
        return .skip
    }

    /// Reads the parts that carry text or labels, expanding at most `cap` bytes in all.
    public static func read(_ path: ItemPath, expected: FileID, cap: Int) -> Result<Content, Failure> {
        let fd: Int32
        switch FileHead.open(path, expected: expected) {
        case .success(let opened): fd = opened.fd
        case .failure(let f): return .failure(.unreadable(f))
        }
        defer { close(fd) }
        return read(.descriptor(fd), cap: cap).mapError { .corrupt($0.message.hasPrefix("corrupt: ") ? String($0.message.dropFirst(9)) : $0.message) }
    }

    /// The same, from a file already open or a nested document held in memory.
    public static func read(_ input: ContainerInput, cap: Int) -> Result<Content, Problem> {
        let outcome = LibArchive.read(input, configure: { archive_read_support_format_zip($0) }) { a -> Result<Content, Problem> in
            var content = Content()
            var expanded = 0
            var entry: OpaquePointer?
            // Worksheets are written once the shared strings (usually stored after them) are known.
            var sheets: [String] = []
            var shared: [String]?
            var dates = Worksheet.Dates()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let rc = archive_read_next_header(a, &entry)
                if rc == ARCHIVE_EOF { break }
                guard rc == ARCHIVE_OK || rc == ARCHIVE_WARN, let entry else {
                    return .failure(LibArchive.openProblem(a))
                }
                let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
                let kind = part(name)
                if kind == .skip { archive_read_data_skip(a); continue }
                if archive_entry_is_encrypted(entry) != 0 { return .failure(Problem(.encrypted, "password-protected document")) }
                var bytes: [UInt8] = []
                while true {
                    let n = archive_read_data(a, buffer.baseAddress, buffer.count)
                    if n < 0 { return .failure(Problem(.corrupt, "\(name): " + LibArchive.message(a, "bad data"))) }
                    if n == 0 { break }
                    expanded += n
                    if expanded > cap { content.truncated = true; break }
                    bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                }
                if kind == .binarySheet { content.binaryWorkbook = true; continue }
                if kind == .binarySharedStrings {
                    content.binaryWorkbook = true
                    content.body += BinaryWorkbook.sharedStrings(bytes).joined(separator: "\n") + "\n"
                    continue
                }
                let xml = String(decoding: bytes, as: UTF8.self)
                switch kind {
                case .sheet: sheets.append(xml); absorb(kind, xml, into: &content)
                case .sharedStrings: shared = Worksheet.sharedStrings(xml)
                case .styles: dates.styles = Worksheet.Dates.styles(xml)
                case .workbook: dates.from1904 = Worksheet.Dates.from1904(xml)
                default: absorb(kind, xml, into: &content)
                }
                if content.truncated { break }
            }
            var used = [Bool](repeating: false, count: shared?.count ?? 0)
            for sheet in sheets { content.body += Worksheet.text(sheet, shared: shared ?? [], dates: dates, used: &used) + "\n" }
            // Strings no sheet shows (left behind by a deleted cell, or a sheet cut short by the cap) are text too.
            for (k, s) in (shared ?? []).enumerated() where !used[k] { content.body += s + "\n" }
            return .success(content)
        }
        return outcome.flatMap { $0 }
    }

    static func absorb(_ kind: Part, _ xml: String, into content: inout Content) {
        switch kind {
        case .body: content.body += xmlText(xml) + "\n"
        case .slide:
            content.body += xmlText(xml) + "\n"
            // A marking sits at the top or bottom of a slide, in its own text box: the slide's edge lines are
            // its header and footer, as a PDF page's are.
            let edges = slideEdgeLines(xml)
            if !edges.isEmpty { content.headerFooter += edges.joined(separator: "\n") + "\n" }
        case .headerFooter: content.headerFooter += xmlText(xml) + "\n"
        case .sheet:
            // The cells are written by Worksheet, with the shared strings; here only the page header and footer.
            for tag in ["oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"] {
                for v in elements(tag, in: xml) { content.headerFooter += sheetHeaderText(v) + "\n" }
            }
        case .custom: content.labels += customLabels(xml)
        case .labelInfo: content.labels += labelInfo(xml)
        case .core:
            if let c = elements("dcterms:created", in: xml).first ?? elements("meta:creation-date", in: xml).first {
                content.created = Timestamp.parse(String(c.prefix(19)) + "Z") ?? Timestamp.parse(String(c.prefix(10)))
            }
            if content.title == nil, let t = elements("dc:title", in: xml).first, !t.isEmpty { content.title = xmlText(t) }
            if content.author == nil, let c = elements("dc:creator", in: xml).first ?? elements("meta:initial-creator", in: xml).first,
               !c.isEmpty { content.author = xmlText(c) }
            if let m = elements("dcterms:modified", in: xml).first ?? elements("dc:date", in: xml).first {
                content.modified = Timestamp.parse(String(m.prefix(19)) + "Z")
            }
        case .app:
            if let app = elements("Application", in: xml).first ?? elements("meta:generator", in: xml).first { content.application = xmlText(app) }
        case .sharedStrings, .styles, .workbook, .skip, .binarySharedStrings, .binarySheet: break
        }
    }

    /// The first two and last two lines of a slide, its shapes in order from top to bottom (by their
    /// offsets; a title placeholder without one counts as near the top, other placeholders as the middle).
    static func slideEdgeLines(_ xml: String) -> [String] {
        var shapes: [(y: Double, order: Int, lines: [String])] = []
        for (i, sp) in elements("p:sp", in: xml).enumerated() {
            let lines = xmlText(sp).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !lines.isEmpty else { continue }
            var y = 3_000_000.0
            if let off = sp.range(of: "<a:off "), let q = sp[off.upperBound...].range(of: "y=\""),
               let end = sp[q.upperBound...].firstIndex(of: "\""), let v = Double(sp[q.upperBound..<end]) {
                y = v
            } else if sp.contains("type=\"title\"") || sp.contains("type=\"ctrTitle\"") {
                y = 1
            }
            shapes.append((y, i, lines))
        }
        let lines = shapes.sorted { ($0.y, $0.order) < ($1.y, $1.order) }.flatMap(\.lines)
        guard lines.count > 4 else { return lines }
        return Array(lines.prefix(2) + lines.suffix(2))
    }

    /// Text of an XML part: paragraphs, rows, breaks and shared-string items become line breaks, cells and
    /// tabs spaces, other tags nothing (Word splits one word across runs), entities decoded.
    static func xmlText(_ xml: String) -> String { Markup.text(xml, .officeXML) }

    /// The text inside every `<tag …>…</tag>`. Searched in the UTF-8 bytes: Foundation's `range(of:)`
    /// converts to UTF-16 first, and a large sheet made that most of a scan's time.
    static func elements(_ tag: String, in xml: String) -> [String] {
        var xml = xml
        return xml.withUTF8 { b -> [String] in
            let open = Array("<\(tag)".utf8), close = Array("</\(tag)>".utf8)
            func find(_ needle: [UInt8], from: Int) -> Int? { Markup.find(needle, in: b, from: from) }
            var out: [String] = []
            var k = 0
            while let o = find(open, from: k) {
                let after = o + open.count
                // `<tag>` or `<tag attr…>`, not `<tagLonger>`.
                guard after < b.count, b[after] == UInt8(ascii: ">") || b[after] == UInt8(ascii: " ") || b[after] == UInt8(ascii: "/") else {
                    k = after; continue
                }
                guard let gt = Markup.find(UInt8(ascii: ">"), in: b, from: after) else { break }
                if b[gt - 1] == UInt8(ascii: "/") { k = gt + 1; continue }   // `<tag/>`: empty
                guard let end = find(close, from: gt + 1) else { break }
                out.append(String(decoding: UnsafeBufferPointer(rebasing: b[(gt + 1)..<end]), as: UTF8.self))
                k = end + close.count
            }
            return out
        }
    }

    /// A spreadsheet header or footer without its `&L`, `&C`, `&"Arial,Bold"`, `&12` codes.
    static func sheetHeaderText(_ s: String) -> String {
        var out = ""
        var chars = Array(xmlText(s))
        var i = 0
        while i < chars.count {
            if chars[i] == "&", i + 1 < chars.count {
                if chars[i + 1] == "\"" { i += 2; while i < chars.count && chars[i] != "\"" { i += 1 }; i += 1; continue }
                if chars[i + 1] == "&" { out.append("&"); i += 2; continue }
                let code = chars[i + 1]
                i += 2
                // The left, centre and right sections are separate lines: a marking in one is a line of its own.
                if code == "L" || code == "C" || code == "R" { out.append("\n"); continue }
                if code == "K" { var k = 0; while i < chars.count && k < 6 && chars[i].isHexDigit { i += 1; k += 1 } }
                while i < chars.count && chars[i].isNumber { i += 1 }
                out.append(" ")
                continue
            }
            out.append(chars[i]); i += 1
        }
        chars.removeAll()
        return out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// `docProps/custom.xml` properties named `MSIP_Label_…` as `name=value;` pairs.
    static func customLabels(_ xml: String) -> String {
        var out = ""
        var search = xml.startIndex..<xml.endIndex
        while let r = xml.range(of: "name=\"MSIP_Label_", range: search) {
            let nameStart = xml.index(r.lowerBound, offsetBy: 6)
            guard let nameEnd = xml[nameStart...].firstIndex(of: "\"") else { break }
            let name = xml[nameStart..<nameEnd]
            let rest = xml[nameEnd...]
            if let vOpen = rest.range(of: "<vt:lpwstr>"), let vClose = rest.range(of: "</vt:lpwstr>"), vOpen.upperBound <= vClose.lowerBound {
                out += "\(name)=\(xml[vOpen.upperBound..<vClose.lowerBound]); "
                search = vClose.upperBound..<xml.endIndex
            } else { search = nameEnd..<xml.endIndex }
        }
        return out
    }

    /// `docMetadata/LabelInfo.xml` label elements as `MSIP_Label_<id>_Enabled=true;` pairs.
    static func labelInfo(_ xml: String) -> String {
        var out = ""
        var search = xml.startIndex..<xml.endIndex
        while let r = xml.range(of: "<clbl:label", range: search) ?? xml.range(of: "<label ", range: search),
              let gt = xml[r.upperBound...].firstIndex(of: ">") {
            let attrs = String(xml[r.upperBound..<gt])
            if let idr = attrs.range(of: "id=\"") {
                let id = attrs[idr.upperBound...].prefix { $0 != "\"" }.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
                let enabled = !attrs.contains("enabled=\"0\"") && !attrs.contains("enabled=\"false\"")
                out += "MSIP_Label_\(id)_Enabled=\(enabled ? "true" : "false"); "
            }
            search = gt..<xml.endIndex
        }
        return out
    }
}
