import Foundation

/// A spreadsheet's worksheet (`xl/worksheets/sheetN.xml`) as text: one line per row, its cells separated by
/// tabs at their columns (an empty cell is an empty field, so every value stays under its header), shared
/// strings written in place of their indices, formulas left out.
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
            var text = Markup.text(item, .officeXML)
            text.unicodeScalars.removeAll { $0 == "\n" || $0 == "\r" || $0 == "\t" }
            return text
        }
    }

    static func text(_ xml: String, shared: [String]) -> String {
        var used = [Bool](repeating: false, count: shared.count)
        return text(xml, shared: shared, used: &used)
    }

    /// The sheet's text; marks in `used` (one per shared string) the strings it shows.
    static func text(_ xml: String, shared: [String], used: inout [Bool]) -> String {
        var xml = xml
        return xml.withUTF8 { text($0, shared: shared, used: &used) }
    }

    static func text(_ b: UnsafeBufferPointer<UInt8>, shared: [String], used: inout [Bool]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 4)
        var i = 0
        var lastColumn = -1       // the row's last cell written, -1 before its first
        var cellType: [UInt8] = []
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
                inCell = !selfClosing
            } else if inCell && !closing && !selfClosing && (name.elementsEqual("v".utf8) || name.elementsEqual("t".utf8)) {
                let end = Markup.find(UInt8(ascii: "<"), in: b, from: i) ?? b.count
                let raw = UnsafeBufferPointer(rebasing: b[i..<end])
                if name.elementsEqual("v".utf8) && cellType.elementsEqual("s".utf8) {
                    if let k = Int(String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespaces)), shared.indices.contains(k) {
                        out.append(contentsOf: shared[k].utf8)
                        if k < used.count { used[k] = true }
                    }
                } else {
                    for c in Markup.text(String(decoding: raw, as: UTF8.self), .officeXML).utf8 {
                        out.append(c == 0x0A || c == 0x0D || c == 0x09 ? 0x20 : c)
                    }
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
