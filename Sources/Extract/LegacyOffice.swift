import SweepModel

/// Text of the binary Office formats of 1997–2007: Word (`.doc`), Excel (`.xls`, BIFF8) and PowerPoint
/// (`.ppt`), read from their compound files.
///
/// Body text is kept apart from header and footer text (`x-header-footer`), where protective markings
/// live: Word's header/footer story, Excel's page header and footer, PowerPoint's header/footer settings.
/// Title, author, dates and application come from the `SummaryInformation` property set all three carry.
/// A password-protected file is reported as `encrypted` with its metadata; a damaged one as `corrupt` with
/// the text read before the damage. Text stops at the text cap.
public enum LegacyOffice {
    public static let types: Set<String> = ["application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"]

    public static func handles(_ mime: String?) -> Bool { mime.map(types.contains) ?? false }

    public static func extract(_ bytes: [UInt8], mime: String, limits: ExtractionLimits) -> Extraction {
        let file: CompoundFile
        do { file = try CompoundFile(bytes) } catch {
            // Not a compound file at all: an older format of the same application (Excel 2–4, Write, Word for DOS).
            if !bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]), let older = olderFormat(bytes) {
                return Extraction(problem: Problem(.unsupported, older))
            }
            return Extraction(problem: error)
        }
        var e = Extraction()
        e.metadata = summary(file)
        var text = Text(cap: limits.textCap)
        switch mime {
        case "application/msword": word(file, &e, &text)
        case "application/vnd.ms-excel": excel(file, &e, &text)
        case "application/vnd.ms-powerpoint": powerPoint(file, &e, &text)
        default: e.problem = Problem(.unsupported, "\(mime) is not a legacy Office type")
        }
        e.body = text.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        let hf = text.headerFooter.trimmingCharacters(in: .whitespacesAndNewlines)
        if !hf.isEmpty { e.headers["x-header-footer"] = hf }
        if text.truncated && e.problem == nil {
            e.problem = Problem(.limit, "text longer than \(limits.textCap) characters; the rest is not read")
        }
        return e
    }

    /// The format of a file named or typed as Office 97–2003 that is no compound file, in words.
    static func olderFormat(_ b: [UInt8]) -> String? {
        func u16(_ i: Int) -> Int { b.count > i + 1 ? Int(b[i]) | Int(b[i + 1]) << 8 : -1 }
        switch u16(0) {
        case 0x0009, 0x0209, 0x0409: return "Excel 2/3/4 worksheet (before Excel 97): not read"
        case 0x0809 where u16(4) == 0x0400 || u16(4) == 0x0500: return "Excel 4/5 workbook (before Excel 97): not read"
        case 0xBE31, 0xBE32: return "Microsoft Write or Word for DOS document: not read"
        case 0xA59B, 0xA5DB, 0xA5DC: return "Word 2/6 document (before Word 97): not read"
        default: return nil
        }
    }

    /// Body and header/footer text, both counted against one cap.
    struct Text {
        let cap: Int
        var body = String.UnicodeScalarView()
        var header = String.UnicodeScalarView()
        var truncated = false
        var count = 0
        var headerFooter: String { String(header) }
        var bodyText: String { String(body) }

        mutating func add(_ s: String, header toHeader: Bool = false) {
            for u in s.unicodeScalars {
                guard count < cap else { truncated = true; return }
                count += 1
                if toHeader { header.append(u) } else { body.append(u) }
            }
        }
    }

    // MARK: Summary information

    /// The `\u{5}SummaryInformation` property set (MS-OLEPS): title, author, created, last saved, application, pages.
    static func summary(_ file: CompoundFile) -> DocumentMetadata {
        var m = DocumentMetadata()
        guard let s = file.stream("\u{5}SummaryInformation"), s.count >= 48, CompoundFile.u16(s, 0) == 0xFFFE else { return m }
        let section = Int(CompoundFile.u32(s, 44))
        guard section >= 48, section + 8 <= s.count else { return m }
        let count = min(Int(CompoundFile.u32(s, section + 4)), (s.count - section - 8) / 8)
        var values: [UInt32: Int] = [:]
        for i in 0..<count {
            let pid = CompoundFile.u32(s, section + 8 + 8 * i)
            let offset = section + Int(CompoundFile.u32(s, section + 12 + 8 * i))
            if offset + 4 <= s.count { values[pid] = offset }
        }
        var codePage = 1252
        if let o = values[1], CompoundFile.u32(s, o) == 0x02 { codePage = Int(CompoundFile.u16(s, o + 4)) }
        func string(_ pid: UInt32) -> String? {
            guard let o = values[pid] else { return nil }
            let n = Int(CompoundFile.u32(s, o + 4))
            let text: String
            switch CompoundFile.u32(s, o) {
            case 0x1E:   // VT_LPSTR, in the set's code page
                guard n <= s.count - o - 8 else { return nil }
                let raw = s[(o + 8)..<(o + 8 + n)]
                switch codePage {
                case 1200: text = CompoundFile.utf16(raw)
                case 65001: text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                default: text = CompoundFile.ansi(raw)
                }
            case 0x1F:   // VT_LPWSTR
                guard n <= (s.count - o - 8) / 2 else { return nil }
                text = CompoundFile.utf16(s[(o + 8)..<(o + 8 + 2 * n)])
            default: return nil
            }
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : t
        }
        func time(_ pid: UInt32) -> Timestamp? {
            guard let o = values[pid], CompoundFile.u32(s, o) == 0x40 else { return nil }
            return CompoundFile.timestamp(filetime: CompoundFile.u64(s, o + 4))
        }
        m.title = string(0x02)
        m.author = string(0x04) ?? string(0x08)
        m.created = time(0x0C)
        m.modified = time(0x0D)
        m.application = string(0x12)
        if let o = values[0x0E], CompoundFile.u32(s, o) == 0x03 {
            let pages = Int(Int32(bitPattern: CompoundFile.u32(s, o + 4)))
            if pages > 0 { m.pages = pages }
        }
        return m
    }

    // MARK: Word

    /// Word 97–2003: the FIB, the piece table (CLX) in the table stream, then the character stream cut into
    /// its stories: main text, footnotes, then headers and footers (`ccpHdd`), then the rest.
    static func word(_ file: CompoundFile, _ e: inout Extraction, _ text: inout Text) {
        guard let doc = file.stream("WordDocument"), doc.count >= 0x200 else {
            e.problem = Problem(.corrupt, "Word document without a readable WordDocument stream"); return
        }
        let ident = CompoundFile.u16(doc, 0)
        if ident == 0xA5DC || ident == 0xA59B || ident == 0xA5DB {
            e.problem = Problem(.unsupported, "Word 2/6/95 document (before Word 97): not read"); return
        }
        guard ident == 0xA5EC else { e.problem = Problem(.corrupt, "Word document with a bad FIB"); return }
        let flags = CompoundFile.u16(doc, 0x0A)
        if flags & 0x0100 != 0 || flags & 0x8000 != 0 {
            e.problem = Problem(.encrypted, "password-protected Word document"); return
        }
        let nFib = CompoundFile.u16(doc, 2)
        guard nFib >= 0x00C1 || nFib == 0 else {
            e.problem = Problem(.unsupported, "Word 6/95 document (FIB version \(nFib))"); return
        }
        let table = file.stream(flags & 0x0200 != 0 ? "1Table" : "0Table")
        guard let table else { e.problem = Problem(.corrupt, "Word document without its table stream"); return }
        // FibBase (32 bytes), csw + FibRgW, cslw + FibRgLw, cbRgFcLcb + FibRgFcLcb.
        let csw = Int(CompoundFile.u16(doc, 32))
        let lw = 34 + csw * 2 + 2
        let cslw = Int(CompoundFile.u16(doc, lw - 2))
        let fcLcb = lw + cslw * 4 + 2
        guard cslw >= 11, fcLcb + 34 * 8 <= doc.count, Int(CompoundFile.u16(doc, fcLcb - 2)) >= 34 else {
            e.problem = Problem(.corrupt, "Word document with a truncated FIB"); return
        }
        func ccp(_ i: Int) -> Int { Int(Int32(bitPattern: CompoundFile.u32(doc, lw + 4 * i))) }
        let stories = [ccp(3), ccp(4), ccp(5), ccp(7), ccp(8), ccp(9), ccp(10)]   // text, ftn, hdd, atn, edn, txbx, hdrTxbx
        guard stories.allSatisfy({ $0 >= 0 && $0 < 1 << 30 }) else { e.problem = Problem(.corrupt, "Word document with bad story lengths"); return }
        let fcClx = Int(CompoundFile.u32(doc, fcLcb + 33 * 8))
        let lcbClx = Int(CompoundFile.u32(doc, fcLcb + 33 * 8 + 4))
        guard lcbClx > 0, fcClx <= table.count, lcbClx <= table.count - fcClx else {
            e.problem = Problem(.corrupt, "Word document without a piece table"); return
        }
        // Skip Prc entries (0x01) to the Pcdt (0x02).
        var o = fcClx
        let clxEnd = fcClx + lcbClx
        while o < clxEnd, table[o] == 0x01 {
            o += 3 + Int(Int16(bitPattern: CompoundFile.u16(table, o + 1)))
        }
        guard o + 5 <= clxEnd, table[o] == 0x02 else { e.problem = Problem(.corrupt, "Word piece table not found"); return }
        let lcb = Int(CompoundFile.u32(table, o + 1))
        let plc = o + 5
        guard lcb >= 16, lcb <= clxEnd - plc else { e.problem = Problem(.corrupt, "Word piece table is truncated"); return }
        let pieces = (lcb - 4) / 12
        let total = stories.reduce(0, +)
        let wanted = min(total, text.cap + 1)

        // The character stream, up to the stories' total (or the cap).
        var chars: [UInt16] = []
        chars.reserveCapacity(min(wanted, doc.count))
        var damaged = false
        for i in 0..<pieces where chars.count < wanted {
            let cpStart = Int(CompoundFile.u32(table, plc + 4 * i))
            let cpEnd = Int(CompoundFile.u32(table, plc + 4 * (i + 1)))
            guard cpEnd > cpStart else { continue }
            let fcRaw = CompoundFile.u32(table, plc + 4 * (pieces + 1) + 8 * i + 2)
            let compressed = fcRaw & 0x4000_0000 != 0
            let fc = Int(fcRaw & 0x3FFF_FFFF)
            let n = min(cpEnd - cpStart, wanted - chars.count)
            if compressed {
                let start = fc / 2
                guard start + n <= doc.count else { damaged = true; break }
                for k in 0..<n { chars.append(UInt16(PlainText.windows1252(doc[start + k]).value)) }
            } else {
                guard fc + 2 * n <= doc.count else { damaged = true; break }
                for k in 0..<n { chars.append(CompoundFile.u16(doc, fc + 2 * k)) }
            }
        }
        if damaged { e.problem = Problem(.corrupt, "Word piece table points outside the document") }

        // Stories: main text and footnotes, then headers/footers apart, then annotations, endnotes, text boxes.
        var start = 0
        for (k, length) in stories.enumerated() {
            let end = min(start + length, chars.count)
            if start < end {
                let story = wordText(chars[start..<end])
                if k == 2 { text.add(story + "\n", header: true) } else if k != 6 { text.add(story + "\n") }
                else { text.add(story + "\n", header: true) }   // header text boxes sit with the headers
            }
            start += length
        }
        if total > text.cap { text.truncated = true }
    }

    /// Word's special characters: paragraph, line and page breaks become line breaks, cell marks tabs; field
    /// instructions (between 0x13 and 0x14) are dropped and field results kept; object anchors dropped.
    static func wordText(_ chars: ArraySlice<UInt16>) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(chars.count)
        // One entry per open field: true while in its instruction part.
        var fields: [Bool] = []
        for c in chars {
            switch c {
            case 0x13: if fields.count < 64 { fields.append(true) }; continue
            case 0x14: if !fields.isEmpty { fields[fields.count - 1] = false }; continue
            case 0x15: _ = fields.popLast(); continue
            default: break
            }
            if fields.contains(true) { continue }
            switch c {
            case 0x0D, 0x0B, 0x0C, 0x0E: units.append(0x0A)
            case 0x07: units.append(0x09)
            case 0x09: units.append(0x09)
            case 0x1E: units.append(0x2D)     // non-breaking hyphen
            case 0xA0: units.append(0x20)
            case 0..<0x20: break              // anchors, optional hyphens, footnote marks
            default: units.append(c)
            }
        }
        return String(decoding: units, as: UTF16.self)
    }

    // MARK: Excel

    /// BIFF8 records of the `Workbook` stream (BIFF5 `Book` too, its strings 8-bit): shared strings, cells
    /// and cached formula results per sheet, one row a line, cells tab-separated (numbers in a date format as
    /// `dd/mm/yyyy`); page headers and footers apart.
    static func excel(_ file: CompoundFile, _ e: inout Extraction, _ text: inout Text) {
        guard let wb = file.stream("Workbook") ?? file.stream("Book") else {
            e.problem = Problem(.corrupt, "Excel file without a Workbook stream"); return
        }
        var biff8 = true
        var sst: [String] = []
        var sheetNames: [Int: String] = [:]
        struct Sheet { var name: String; var cells: [Int: [Int: String]] = [:] }
        var sheets: [Sheet] = []
        var current: Int? = nil
        var pendingFormula: (row: Int, col: Int)? = nil
        var headerFooter: [String] = []
        var cellCount = 0
        // Numbers in a date format are written as dates: formats (FORMAT) that show a date, each cell style's
        // format (XF, in order), and the 1904 date system (DATEMODE).
        var dateFormats: [Int: Bool] = [:]
        var styleFormats: [Int] = []
        var dates = Worksheet.Dates()
        func shown(_ value: Double, style: Int) -> String {
            if style < styleFormats.count {
                let f = styleFormats[style]
                if dateFormats[f] ?? ((14...22).contains(f) || (27...36).contains(f) || (50...58).contains(f)),
                   let date = dates.text(serial: value) { return date }
            }
            return number(value)
        }
        func put(_ row: Int, _ col: Int, _ value: String) {
            guard let c = current, cellCount < text.cap else { return }
            cellCount += 1
            sheets[c].cells[row, default: [:]][col] = value
        }
        var o = 0
        var problem: Problem?
        while o + 4 <= wb.count {
            let type = CompoundFile.u16(wb, o)
            let len = Int(CompoundFile.u16(wb, o + 2))
            let start = o + 4
            guard start + len <= wb.count else { problem = Problem(.corrupt, "Excel record runs past the end of the workbook"); break }
            let r = Array(wb[start..<(start + len)])
            var next = start + len
            func u16(_ at: Int) -> Int { Int(CompoundFile.u16(r, at)) }
            switch type {
            case 0x0809:   // BOF
                let version = u16(0), dt = u16(2)
                if version == 0x0500 { biff8 = false }
                if dt == 0x0010 || dt == 0x0020 {
                    sheets.append(Sheet(name: sheetNames[o] ?? "Sheet \(sheets.count + 1)"))
                    current = sheets.count - 1
                } else if dt != 0x0005 { current = nil }
            case 0x000A: current = nil                    // EOF
            case 0x002F:                                   // FILEPASS: the rest is encrypted
                e.problem = Problem(.encrypted, "password-protected Excel workbook")
                o = wb.count
                continue
            case 0x0085:                                   // BOUNDSHEET
                let pos = Int(CompoundFile.u32(r, 0))
                sheetNames[pos] = biff8 ? shortString(r, 6) : CompoundFile.ansi(r.dropFirst(7).prefix(Int(r.count > 6 ? r[6] : 0)))
            case 0x00FC:                                   // SST, with its CONTINUE records
                var segments = [r]
                while next + 4 <= wb.count, CompoundFile.u16(wb, next) == 0x003C {
                    let l = Int(CompoundFile.u16(wb, next + 2))
                    guard next + 4 + l <= wb.count else { break }
                    segments.append(Array(wb[(next + 4)..<(next + 4 + l)]))
                    next += 4 + l
                }
                sst = sharedStrings(segments, cap: text.cap)
            case 0x00FD:                                   // LABELSST
                let i = Int(CompoundFile.u32(r, 6))
                if i < sst.count { put(u16(0), u16(2), sst[i]) }
            case 0x0204, 0x00D6:                           // LABEL, RSTRING
                put(u16(0), u16(2), biff8 ? unicodeString(r, 6) : CompoundFile.ansi(r.dropFirst(8).prefix(u16(6))))
            case 0x041E:                                   // FORMAT
                if r.count >= 3 {
                    let code = biff8 ? unicodeString(r, 2) : CompoundFile.ansi(r.dropFirst(3).prefix(Int(r[2])))
                    dateFormats[u16(0)] = Worksheet.Dates.isDateFormat(code)
                }
            case 0x00E0:                                   // XF
                if r.count >= 4 { styleFormats.append(u16(2)) }
            case 0x0022:                                   // DATEMODE
                if r.count >= 2 { dates.from1904 = u16(0) == 1 }
            case 0x0203:                                   // NUMBER
                put(u16(0), u16(2), shown(Double(bitPattern: CompoundFile.u64(r, 6)), style: u16(4)))
            case 0x027E:                                   // RK
                put(u16(0), u16(2), shown(rk(CompoundFile.u32(r, 6)), style: u16(4)))
            case 0x00BD:                                   // MULRK
                let row = u16(0), first = u16(2)
                let n = max(0, (r.count - 6) / 6)
                for k in 0..<n { put(row, first + k, shown(rk(CompoundFile.u32(r, 4 + 6 * k + 2)), style: u16(4 + 6 * k))) }
            case 0x0006:                                   // FORMULA: the cached result
                if r.count >= 14 {
                    if u16(12) == 0xFFFF {
                        switch r[6] {
                        case 0: pendingFormula = (u16(0), u16(2))
                        case 1: put(u16(0), u16(2), r[8] != 0 ? "TRUE" : "FALSE")
                        default: break
                        }
                    } else {
                        put(u16(0), u16(2), shown(Double(bitPattern: CompoundFile.u64(r, 6)), style: u16(4)))
                    }
                }
            case 0x0207:                                   // STRING: a formula's cached text
                if let f = pendingFormula { put(f.row, f.col, biff8 ? unicodeString(r, 0) : CompoundFile.ansi(r.dropFirst(2).prefix(u16(0)))) }
                pendingFormula = nil
            case 0x0205:                                   // BOOLERR
                if r.count >= 8, r[7] == 0 { put(u16(0), u16(2), r[6] != 0 ? "TRUE" : "FALSE") }
            case 0x0014, 0x0015:                           // HEADER, FOOTER
                if !r.isEmpty {
                    let s = biff8 ? unicodeString(r, 0) : CompoundFile.ansi(r.dropFirst(1).prefix(Int(r[0])))
                    let clean = stripHeaderCodes(s)
                    if !clean.isEmpty, !headerFooter.contains(clean) { headerFooter.append(clean) }
                }
            default: break
            }
            o = next
        }
        for sheet in sheets {
            text.add(sheet.name + "\n")
            for row in sheet.cells.keys.sorted() {
                let cells = sheet.cells[row]!
                let last = cells.keys.max() ?? 0
                // Columns keep their place: empty cells before and between values stay as empty fields, so each
                // value stays under its column's header.
                let line = (0...min(last, 255)).map { cells[$0] ?? "" }.joined(separator: "\t")
                text.add(line + "\n")
            }
            text.add("\n")
        }
        for h in headerFooter { text.add(h + "\n", header: true) }
        if !sheets.isEmpty { e.metadata.pages = sheets.count }
        if e.problem == nil, let problem { e.problem = problem }
    }

    /// BIFF8 XLUnicodeString: a 16-bit count, a flags byte (bit 0: two bytes a character), the characters.
    static func unicodeString(_ r: [UInt8], _ at: Int) -> String {
        guard at + 3 <= r.count else { return "" }
        let n = Int(CompoundFile.u16(r, at))
        return characters(r, at + 3, n, wide: r[at + 2] & 1 != 0)
    }

    /// ShortXLUnicodeString: an 8-bit count, a flags byte, the characters.
    static func shortString(_ r: [UInt8], _ at: Int) -> String {
        guard at + 2 <= r.count else { return "" }
        return characters(r, at + 2, Int(r[at]), wide: r[at + 1] & 1 != 0)
    }

    static func characters(_ r: [UInt8], _ at: Int, _ n: Int, wide: Bool) -> String {
        if wide {
            let end = min(r.count, at + 2 * n)
            return at < end ? CompoundFile.utf16(r[at..<end]) : ""
        }
        let end = min(r.count, at + n)
        return at < end ? CompoundFile.ansi(r[at..<end]) : ""
    }

    /// The SST's strings across its CONTINUE records. A string's characters may break at a record boundary;
    /// the next record then starts with a fresh flags byte saying whether the rest is one or two bytes a
    /// character. Everything else (headers, rich-text runs, phonetic blocks) simply runs on.
    static func sharedStrings(_ segments: [[UInt8]], cap: Int) -> [String] {
        var seg = 0, pos = 8
        var out: [String] = []
        var total = 0
        func atEnd() -> Bool { seg >= segments.count }
        func byte() -> UInt8? {
            while seg < segments.count && pos >= segments[seg].count { seg += 1; pos = 0 }
            guard seg < segments.count else { return nil }
            defer { pos += 1 }
            return segments[seg][pos]
        }
        func skip(_ n: Int) {
            var left = n
            while left > 0, seg < segments.count {
                let here = min(left, segments[seg].count - pos)
                pos += here; left -= here
                if pos >= segments[seg].count { seg += 1; pos = 0 }
            }
        }
        let unique = segments.first.map { Int(CompoundFile.u32($0, 4)) } ?? 0
        while out.count < unique, total < cap, !atEnd() {
            guard let lo = byte(), let hi = byte(), let flags = byte() else { break }
            let n = Int(lo) | Int(hi) << 8
            var wide = flags & 1 != 0
            var runs = 0, ext = 0
            if flags & 0x08 != 0 { guard let a = byte(), let b = byte() else { break }; runs = Int(a) | Int(b) << 8 }
            if flags & 0x04 != 0 {
                var v = 0
                for k in 0..<4 { guard let b = byte() else { break }; v |= Int(b) << (8 * k) }
                ext = v
            }
            var units: [UInt16] = []
            units.reserveCapacity(n)
            while units.count < n {
                if seg < segments.count && pos >= segments[seg].count {
                    // A character run split here: the next CONTINUE starts with its own flags byte.
                    seg += 1; pos = 0
                    guard let f = byte() else { break }
                    wide = f & 1 != 0
                }
                guard seg < segments.count else { break }
                if wide {
                    guard let a = byte(), let b = byte() else { break }
                    units.append(UInt16(a) | UInt16(b) << 8)
                } else {
                    guard let a = byte() else { break }
                    units.append(UInt16(PlainText.windows1252(a).value))
                }
            }
            skip(4 * runs)
            skip(max(0, ext))
            let s = String(decoding: units, as: UTF16.self)
            total += s.count
            out.append(s)
        }
        return out
    }

    /// An RK number: a 30-bit integer or the top 30 bits of a double, optionally divided by 100.
    static func rk(_ v: UInt32) -> Double {
        var d: Double
        if v & 0x02 != 0 { d = Double(Int32(bitPattern: v) >> 2) }
        else { d = Double(bitPattern: UInt64(v & 0xFFFF_FFFC) << 32) }
        if v & 0x01 != 0 { d /= 100 }
        return d
    }

    /// Numbers as a reader would type them: integers without ".0".
    static func number(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return "" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// A page header or footer without its formatting codes: `&L`, `&C`, `&R` (sections) become spaces,
    /// `&P`, `&N`, `&D`, `&T`, `&F`, `&A` and font codes (`&"Arial,Bold"`, `&12`, `&B`…) go, `&&` is `&`.
    static func stripHeaderCodes(_ s: String) -> String {
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            i = s.index(after: i)
            guard c == "&", i < s.endIndex else { out.append(c); continue }
            let code = s[i]
            i = s.index(after: i)
            switch code {
            case "&": out.append("&")
            case "L", "C", "R": out.append(" ")
            case "\"":
                if let close = s[i...].firstIndex(of: "\"") { i = s.index(after: close) } else { i = s.endIndex }
            case _ where code.isNumber:
                while i < s.endIndex, s[i].isNumber { i = s.index(after: i) }
            default: break   // &P &N &D &T &F &A &Z &G &B &I &U &E &S &X &Y &O &H &K…
            }
        }
        return out.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    // MARK: PowerPoint

    /// The `PowerPoint Document` stream's records, containers descended into: text atoms of slides and
    /// notes as body, header/footer strings apart; master slides' placeholder prompts left out.
    static func powerPoint(_ file: CompoundFile, _ e: inout Extraction, _ text: inout Text) {
        if file.entry("EncryptedSummary") != nil {
            e.problem = Problem(.encrypted, "password-protected PowerPoint presentation"); return
        }
        guard let s = file.stream("PowerPoint Document") else {
            if file.entry("PP40") != nil || file.entry("PP97_DUALSTORAGE") != nil && file.entry("PowerPoint Document") == nil {
                e.problem = Problem(.unsupported, "PowerPoint 4 presentation (before PowerPoint 97): not read"); return
            }
            e.problem = Problem(.corrupt, "PowerPoint file without a PowerPoint Document stream"); return
        }
        var slides = 0
        var last = ""
        var problem: Problem?
        // (end of container, its type) for each open container.
        var open: [(end: Int, type: UInt16)] = []
        var o = 0
        var steps = 0
        while o + 8 <= s.count {
            steps += 1
            if steps > 5_000_000 { problem = Problem(.limit, "too many PowerPoint records"); break }
            while let top = open.last, o >= top.end { open.removeLast() }
            let verInstance = CompoundFile.u16(s, o)
            let type = CompoundFile.u16(s, o + 2)
            let len = Int(CompoundFile.u32(s, o + 4))
            let limit = open.last?.end ?? s.count
            guard len <= limit - (o + 8) else {
                problem = Problem(.corrupt, "PowerPoint record runs past its container"); break
            }
            if type == 0x2F14 { e.problem = Problem(.encrypted, "password-protected PowerPoint presentation"); return }
            if verInstance & 0xF == 0xF {
                if type == 0x03EE && open.isEmpty { slides += 1 }
                if open.count < 64 { open.append((o + 8 + len, type)) ; o += 8; continue }
                o += 8 + len
                continue
            }
            let inMaster = open.contains { $0.type == 0x03F8 }
            let inHeaderFooter = open.contains { $0.type == 0x0FD9 }
            let body = o + 8
            var atom: String?
            switch type {
            case 0x0FA0: atom = CompoundFile.utf16(s[body..<(body + len)])                    // TextCharsAtom
            case 0x0FA8: atom = CompoundFile.ansi(s[body..<(body + len)])                     // TextBytesAtom
            case 0x0FBA:                                                                        // CString
                if inHeaderFooter || open.contains(where: { $0.type == 0x03EE || $0.type == 0x03F0 }) {
                    atom = CompoundFile.utf16(s[body..<(body + len)])
                }
            default: break
            }
            if let a = atom {
                let clean = String(a.map { $0 == "\r" || $0 == "\u{0B}" ? "\n" : $0 })
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                if !clean.isEmpty {
                    if inHeaderFooter { text.add(clean + "\n", header: true) }
                    else if !inMaster && clean != last { text.add(clean + "\n"); last = clean }
                }
            }
            o = body + len
        }
        if slides > 0 { e.metadata.pages = slides }
        if let problem { e.problem = problem }
    }
}
