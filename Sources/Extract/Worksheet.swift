import Foundation

/// A spreadsheet's worksheet (`xl/worksheets/sheetN.xml`) as text: one line per row, its cells separated by
/// tabs at their columns (an empty cell is an empty field, so every value stays under its header), shared
/// strings written in place of their indices, numbers in a date style written as dates (day first), formulas
/// left out.
///
/// Works on the UTF-8 bytes in one pass, as ``Markup`` does.
enum Worksheet {
    /// Columns past this one are written one tab apart, whatever their letters say (a hostile `r="XFD1"`
    /// would otherwise be 16,000 tabs).
    static let maxColumn = 1024

    /// The text of `<si>` items (`xl/sharedStrings.xml`), in order: each item's runs joined, line breaks as
    /// spaces.
    static func sharedStrings(_ xml: String) -> [String] {
        OfficeDocument.elements("si", in: xml).map { item in
            String(Markup.text(item, .officeXML).unicodeScalars.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : Character($0) })
        }
    }

    /// What the workbook says about showing numbers as dates: the cell styles (`s="N"`, indices into
    /// `cellXfs` of `xl/styles.xml`) whose number format is a date, and whether serial numbers count from 1904
    /// (`date1904` in `xl/workbook.xml`) rather than 1900.
    struct Dates: Sendable {
        var styles: Set<Int> = []
        var from1904 = false

        /// The date styles of `xl/styles.xml`: built-in date formats (14–22, 27–36, 50–58) and custom ones
        /// whose code holds a day or a year.
        static func styles(_ xml: String) -> Set<Int> {
            var xml = xml
            return xml.withUTF8 { b in
                var custom: [Int: Bool] = [:]
                for (from, to) in tags("numFmt", b, 0, b.count) {
                    if let id = Int(String(decoding: attribute("numFmtId", in: b, from: from, to: to), as: UTF8.self)) {
                        let code = String(decoding: attribute("formatCode", in: b, from: from, to: to), as: UTF8.self)
                            .replacingOccurrences(of: "&quot;", with: "\"")
                        custom[id] = isDateFormat(code)
                    }
                }
                guard let open = Markup.find(Array("<cellXfs".utf8), in: b, from: 0) else { return [] }
                let close = Markup.find(Array("</cellXfs>".utf8), in: b, from: open) ?? b.count
                var out = Set<Int>()
                for (k, (from, to)) in tags("xf", b, open, close).enumerated() {
                    guard let id = Int(String(decoding: attribute("numFmtId", in: b, from: from, to: to), as: UTF8.self)) else { continue }
                    if custom[id] ?? ((14...22).contains(id) || (27...36).contains(id) || (50...58).contains(id)) { out.insert(k) }
                }
                return out
            }
        }

        /// A custom number format that shows a date: a `d` or `y` outside quoted text, escapes and `[…]`
        /// sections (`[h]:mm` and `mm:ss` are durations and times).
        static func isDateFormat(_ code: String) -> Bool {
            var quoted = false, bracket = false, escaped = false
            for c in code.lowercased() {
                if escaped { escaped = false; continue }
                switch c {
                case "\\": escaped = true
                case "\"": quoted.toggle()
                case "[": if !quoted { bracket = true }
                case "]": if !quoted { bracket = false }
                case "d", "y": if !quoted && !bracket { return true }
                default: break
                }
            }
            return false
        }

        /// `dd/mm/yyyy` for a serial day number (its time of day dropped), or nil outside the years 1900–9999.
        func text(serial: Double) -> String? {
            guard serial.isFinite, serial >= (from1904 ? 0 : 61), serial < 2_958_466 else { return nil }
            // Days from 1970-01-01: serial 25,569 is that day in the 1900 system (which counts from 30 December
            // 1899, right from 1 March 1900 on: Excel counts a 29 February 1900 that never was), serial 24,107
            // in the 1904 system.
            let days = Int(serial.rounded(.down)) - (from1904 ? 24_107 : 25_569)
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let d = doy - (153 * mp + 2) / 5 + 1
            let m = mp < 10 ? mp + 3 : mp - 9
            let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
            func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
            return "\(two(d))/\(two(m))/\(y)"
        }

        /// Whether `xl/workbook.xml` counts dates from 1904 (`<workbookPr date1904="1"/>`).
        static func from1904(_ xml: String) -> Bool {
            var xml = xml
            return xml.withUTF8 { b in
                guard let (from, to) = tags("workbookPr", b, 0, b.count).first else { return false }
                let value = String(decoding: attribute("date1904", in: b, from: from, to: to), as: UTF8.self)
                return value == "1" || value == "true"
            }
        }

        /// The `<name …>` tags (open or empty) in `b[from..<to]`, as the ranges of their insides.
        static func tags(_ name: String, _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> [(Int, Int)] {
            let open = Array("<\(name)".utf8)
            var out: [(Int, Int)] = []
            var k = from
            while let at = Markup.find(open, in: b, from: k), at < to {
                let after = at + open.count
                guard after < b.count, let gt = Markup.find(UInt8(ascii: ">"), in: b, from: after) else { break }
                if b[after] == 0x20 || b[after] == 0x2F || b[after] == 0x3E || b[after] == 0x0A || b[after] == 0x09 { out.append((after, gt)) }
                k = gt + 1
            }
            return out
        }
    }

    static func text(_ xml: String, shared: [String], dates: Dates = Dates()) -> String {
        var used = [Bool](repeating: false, count: shared.count)
        return text(xml, shared: shared, dates: dates, used: &used)
    }

    /// The sheet's text; marks in `used` (one per shared string) the strings it shows.
    static func text(_ xml: String, shared: [String], dates: Dates, used: inout [Bool]) -> String {
        var xml = xml
        return xml.withUTF8 { text($0, shared: shared, dates: dates, used: &used) }
    }

    static func text(_ b: UnsafeBufferPointer<UInt8>, shared: [String], dates: Dates, used: inout [Bool]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 4)
        var i = 0
        var lastColumn = -1       // the row's last cell written, -1 before its first
        var cellType: [UInt8] = []
        var cellStyle: Int?
        var inCell = false
        while let lt = Markup.find(UInt8(ascii: "<"), in: b, from: i) {
            guard let gt = Markup.find(UInt8(ascii: ">"), in: b, from: lt + 1) else { break }
            var j = lt + 1
            let closing = j < gt && b[j] == UInt8(ascii: "/")
            if closing { j += 1 }
            var nameStart = j
            while j < gt, Markup.isNameByte(b[j]) {
                if b[j] == UInt8(ascii: ":") { nameStart = j + 1 }
                j += 1
            }
            let name = UnsafeBufferPointer(rebasing: b[nameStart..<j])
            let selfClosing = b[gt - 1] == UInt8(ascii: "/")
            i = gt + 1
            if name.elementsEqual("row".utf8) {
                if closing { out.append(0x0A) } else { lastColumn = -1; if selfClosing { out.append(0x0A) } }
            } else if name.elementsEqual("c".utf8) {
                if closing { inCell = false; continue }
                let column = reference(in: b, from: j, to: gt).map { min($0, maxColumn) } ?? lastColumn + 1
                let tabs = lastColumn < 0 ? column : max(1, column - lastColumn)
                out.append(contentsOf: repeatElement(0x09, count: min(tabs, maxColumn)))
                lastColumn = max(column, lastColumn + 1)
                cellType = attribute("t", in: b, from: j, to: gt)
                cellStyle = dates.styles.isEmpty ? nil : Int(String(decoding: attribute("s", in: b, from: j, to: gt), as: UTF8.self))
                inCell = !selfClosing
            } else if inCell && !closing && !selfClosing && (name.elementsEqual("v".utf8) || name.elementsEqual("t".utf8)) {
                let end = Markup.find(UInt8(ascii: "<"), in: b, from: i) ?? b.count
                let raw = UnsafeBufferPointer(rebasing: b[i..<end])
                if name.elementsEqual("v".utf8) && cellType.elementsEqual("s".utf8) {
                    if let k = Int(String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespaces)), shared.indices.contains(k) {
                        out.append(contentsOf: shared[k].utf8)
                        if k < used.count { used[k] = true }
                    }
                } else if name.elementsEqual("v".utf8), cellType.isEmpty || cellType.elementsEqual("n".utf8), let style = cellStyle,
                          dates.styles.contains(style), let serial = Double(String(decoding: raw, as: UTF8.self)),
                          let date = dates.text(serial: serial) {
                    out.append(contentsOf: date.utf8)   // a number shown as a date: written as the sheet shows it
                } else {
                    func put<S: Sequence<UInt8>>(_ text: S) { for c in text { out.append(c == 0x0A || c == 0x0D || c == 0x09 ? 0x20 : c) } }
                    // Entities decoded only where there is one: most cells are plain numbers and words.
                    if raw.contains(UInt8(ascii: "&")) { put(Markup.text(String(decoding: raw, as: UTF8.self), .officeXML).utf8) } else { put(raw) }
                }
                i = end
            } else if !closing && !selfClosing && name.elementsEqual("f".utf8) {
                i = Markup.endOfElement(Array("f".utf8), in: b, from: i)   // a formula: not what the cell shows
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The zero-based column of a cell's `r="B7"` inside `b[from..<to]`, or nil when it has none.
    static func reference(in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        let value = attribute("r", in: b, from: from, to: to)
        var column = 0, letters = 0
        for c in value {
            let upper = c & ~0x20
            guard upper >= 0x41 && upper <= 0x5A else { break }
            column = column * 26 + Int(upper - 0x40)
            letters += 1
            if letters > 3 { return nil }
        }
        return letters > 0 ? column - 1 : nil
    }

    /// The value of attribute `name` (no namespace) inside the tag bytes `b[from..<to]`; empty when absent.
    static func attribute(_ name: String, in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> [UInt8] {
        let key = Array(name.utf8)
        var k = from
        while k < to {
            // An attribute starts after whitespace.
            if b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x0A || b[k] == 0x0D {
                let s = k + 1
                if s + key.count + 1 < to, key.indices.allSatisfy({ b[s + $0] == key[$0] }), b[s + key.count] == UInt8(ascii: "=") {
                    let quote = b[s + key.count + 1]
                    guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return [] }
                    var e = s + key.count + 2
                    var value: [UInt8] = []
                    while e < to && b[e] != quote { value.append(b[e]); e += 1 }
                    return value
                }
            }
            k += 1
        }
        return []
    }
}
