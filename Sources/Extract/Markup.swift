import Foundation

/// Text of HTML and XML, from their UTF-8 bytes in one linear pass.
///
/// Works on bytes, not Swift characters: grapheme-by-grapheme walking ran at about 10 MB/s, and a tag
/// with no `>` after it made every later `<` search to the end (quadratic on hostile input). Here a
/// missing `>` is noticed once and every later `<` is plain text.
enum Markup {
    enum Dialect {
        /// HTML: block tags become line breaks (markings on their own line stay there), others a space;
        /// script and style content dropped; a table is written as tab-separated lines, one per row.
        case html
        /// Office XML: paragraph-like closing tags become line breaks, the rest nothing (Word splits one word
        /// across runs); a table is written as tab-separated lines (one per row, a tab after each cell, the
        /// paragraphs of a cell joined by spaces), so a value stays in its header's column; a spreadsheet
        /// cell's shared-string index is not text.
        case officeXML
    }

    static let htmlBlocks: Set<[UInt8]> = Set(["p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "title",
                                                "td", "th", "table"].map { Array($0.utf8) })
    static let xmlNewline: Set<[UInt8]> = Set(["p", "br", "cr", "tr", "si", "row", "h", "line-break", "sp", "table-row"].map { Array($0.utf8) })
    static let xmlSpace: Set<[UInt8]> = Set(["c", "s", "v"].map { Array($0.utf8) })
    /// Table cells: Word and PowerPoint (`w:tc`, `a:tc`), OpenDocument (`table:table-cell`, and the cells a merged one
    /// covers).
    static let xmlCell: Set<[UInt8]> = Set(["tc", "table-cell", "covered-table-cell"].map { Array($0.utf8) })
    /// Paragraph-like tags that end a line outside a table cell and a phrase inside one.
    static let xmlParagraph: Set<[UInt8]> = Set(["p", "h", "br", "cr", "line-break"].map { Array($0.utf8) })
    static let tabName = Array("tab".utf8), tabsName = Array("tabs".utf8)
    static let tdName = Array("td".utf8), thName = Array("th".utf8), trName = Array("tr".utf8), tableName = Array("table".utf8)
    /// At most this many empty cells are written for one OpenDocument cell repeated (rows end in a run of
    /// 1,000 or more).
    static let maxRepeatedCells = 64

    static func text(_ s: String, _ dialect: Dialect) -> String {
        var s = s
        return s.withUTF8 { text($0, dialect) }
    }

    static func text(_ b: UnsafeBufferPointer<UInt8>, _ dialect: Dialect) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 2)
        let n = b.count
        var i = 0
        var noMoreClose = false
        var sharedStringCell = false   // inside <c … t="s">: its <v> is an index, not text
        var cellDepth = 0              // inside a table cell (tables nest)
        var inTabStops = false         // inside <w:tabs>: tab stops, not tabs
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "<") && !noMoreClose {
                guard let close = find(UInt8(ascii: ">"), in: b, from: i + 1) else {
                    noMoreClose = true
                    out.append(c); i += 1
                    continue
                }
                var j = i + 1
                let closing = j < close && b[j] == UInt8(ascii: "/")
                if closing { j += 1 }
                var nameStart = j
                while j < close, isNameByte(b[j]) {
                    if b[j] == UInt8(ascii: ":") { nameStart = j + 1 }
                    j += 1
                }
                let name = lowercased(b, nameStart, j)
                let selfClosing = close > i + 1 && b[close - 1] == UInt8(ascii: "/")
                switch dialect {
                case .html:
                    if !closing && (name == Array("script".utf8) || name == Array("style".utf8)) {
                        i = endOfElement(name, in: b, from: close + 1)
                        continue
                    }
                    if name == tdName || name == thName {
                        // A table as tab-separated rows, as documents' tables are written: a value stays under
                        // its column's heading.
                        if closing || selfClosing {
                            cellDepth = max(0, cellDepth - 1)
                            while out.last == 0x20 { out.removeLast() }
                            out.append(0x09)
                        } else { cellDepth += 1 }
                    } else if name == trName || name == tableName {
                        if out.last != 0x0A { out.append(0x0A) }   // rows are consecutive lines: a table is one run
                    } else {
                        out.append(htmlBlocks.contains(name) && cellDepth == 0 ? 0x0A : 0x20)
                    }
                    if !closing && name == [UInt8(ascii: "a")], let target = linkTarget(b, from: j, to: close) {
                        out.append(contentsOf: target)   // a mailto: or tel: link's address, shown or not
                        out.append(0x20)
                    }
                case .officeXML:
                    if name == [UInt8(ascii: "c")] {
                        if closing { sharedStringCell = false } else {
                            sharedStringCell = contains(Array("t=\"s\"".utf8), in: b, from: j, to: close)
                        }
                    }
                    if !closing && !selfClosing && sharedStringCell && name == [UInt8(ascii: "v")] {
                        i = endOfElement(name, in: b, from: close + 1)
                        out.append(0x20)
                        continue
                    }
                    if name == tabsName { inTabStops = !closing && !selfClosing }
                    if xmlCell.contains(name) {
                        if !closing && !selfClosing { cellDepth += 1 } else {
                            if closing { cellDepth = max(0, cellDepth - 1) }
                            while out.last == 0x20 { out.removeLast() }   // the space its last paragraph ended with
                            var cells = 1
                            if selfClosing, let repeated = attribute(Array("number-columns-repeated=\"".utf8), in: b, from: j, to: close) {
                                cells = min(max(repeated, 1), maxRepeatedCells)
                            }
                            out.append(contentsOf: repeatElement(0x09, count: cells))
                        }
                    } else if name == tabName {
                        if !closing && !inTabStops { out.append(0x09) }
                    } else if closing || selfClosing {
                        if cellDepth > 0 && xmlParagraph.contains(name) { out.append(0x20) }
                        else if xmlNewline.contains(name) { out.append(0x0A) } else if xmlSpace.contains(name) { out.append(0x20) }
                    }
                }
                i = close + 1
                continue
            }
            if c == UInt8(ascii: "&"), let semi = find(UInt8(ascii: ";"), in: b, from: i + 1, limit: 12),
               let decoded = entity(b, i + 1, semi) {
                out.append(contentsOf: decoded)
                i = semi + 1
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x3A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
    }

    static func lowercased(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> [UInt8] {
        var r = [UInt8]()
        r.reserveCapacity(max(0, to - from))
        var k = from
        while k < to { let c = b[k]; r.append(c >= 0x41 && c <= 0x5A ? c + 32 : c); k += 1 }
        return r
    }

    static func find(_ byte: UInt8, in b: UnsafeBufferPointer<UInt8>, from: Int, limit: Int = .max) -> Int? {
        guard from < b.count else { return nil }
        let length = min(b.count - from, limit)
        guard let p = memchr(b.baseAddress! + from, Int32(byte), length) else { return nil }
        return b.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    /// Where `needle` next starts at or after `from`: memchr to each candidate first byte, then a compare.
    static func find(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first else { return from }
        var k = from
        while let at = find(first, in: b, from: k) {
            guard at + needle.count <= b.count else { return nil }
            if needle.withUnsafeBytes({ memcmp(b.baseAddress! + at, $0.baseAddress!, needle.count) }) == 0 { return at }
            k = at + 1
        }
        return nil
    }

    static func contains(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        guard to - from >= needle.count else { return false }
        var k = from
        while k + needle.count <= to {
            if b[k] == needle[0] && needle.indices.allSatisfy({ b[k + $0] == needle[$0] }) { return true }
            k += 1
        }
        return false
    }

    /// The address of a `mailto:` or `tel:` link in the tag bytes `b[from..<to]` (before any `?`), or nil.
    static func linkTarget(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> [UInt8]? {
        let tag = lowercased(b, from, to)
        guard let at = find(Array("href=".utf8), in: tag) else { return nil }
        var k = at + 5
        let quote = k < tag.count && (tag[k] == UInt8(ascii: "\"") || tag[k] == UInt8(ascii: "'")) ? tag[k] : nil
        if quote != nil { k += 1 }
        var scheme = 0
        if tag[k...].starts(with: "mailto:".utf8) { scheme = 7 } else if tag[k...].starts(with: "tel:".utf8) { scheme = 4 } else { return nil }
        k += scheme
        var value: [UInt8] = []
        while k < tag.count, value.count < 256 {
            let c = b[from + k]   // as written, not lowered
            if c == UInt8(ascii: "?") || c == quote || (quote == nil && (c == 32 || c == UInt8(ascii: ">"))) || c == 10 { break }
            value.append(c)
            k += 1
        }
        return value.isEmpty ? nil : value
    }

    static func find(_ needle: [UInt8], in a: [UInt8]) -> Int? {
        guard needle.count <= a.count else { return nil }
        for k in 0...(a.count - needle.count) where a[k] == needle[0] && a[k..<(k + needle.count)].elementsEqual(needle) { return k }
        return nil
    }

    /// The number in `name="N"` (`name` given with its `="`) inside `b[from..<to]`, or nil.
    static func attribute(_ name: [UInt8], in b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var k = from
        while k + name.count <= to {
            if b[k] == name[0] && name.indices.allSatisfy({ b[k + $0] == name[$0] }) {
                var v = 0, j = k + name.count, digits = 0
                while j < to, b[j] >= 0x30 && b[j] <= 0x39, digits < 9 { v = v * 10 + Int(b[j] - 0x30); j += 1; digits += 1 }
                return digits > 0 ? v : nil
            }
            k += 1
        }
        return nil
    }

    /// Just past `</name …>` (any case) after `from`, or the end when it never closes.
    static func endOfElement(_ name: [UInt8], in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var k = from
        while let lt = find(UInt8(ascii: "<"), in: b, from: k) {
            if lt + 1 < b.count && b[lt + 1] == UInt8(ascii: "/") {
                var j = lt + 2, nameStart = j
                while j < b.count, isNameByte(b[j]) { if b[j] == UInt8(ascii: ":") { nameStart = j + 1 }; j += 1 }
                if lowercased(b, nameStart, j) == name {
                    return find(UInt8(ascii: ">"), in: b, from: j).map { $0 + 1 } ?? b.count
                }
            }
            k = lt + 1
        }
        return b.count
    }

    /// The UTF-8 of an entity's body (`amp`, `#163`, `#xA3`), or nil when it is not one.
    static func entity(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> [UInt8]? {
        let body = String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
        return PlainText.entityValue(Substring(body)).map { Array(String($0).utf8) }
    }
}
