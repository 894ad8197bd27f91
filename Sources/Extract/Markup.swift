import Foundation

/// Text of HTML and XML, from their UTF-8 bytes in one linear pass.
///
/// Works on bytes, not Swift characters: grapheme-by-grapheme walking ran at about 10 MB/s, and a tag
/// with no `>` after it made every later `<` search to the end (quadratic on hostile input). Here a
/// missing `>` is noticed once and every later `<` is plain text.
enum Markup {
    enum Dialect {
        /// HTML: block tags become line breaks (markings on their own line stay there), others a space;
        /// script and style content dropped.
        case html
        /// Office XML: paragraph-like closing tags become line breaks, cell-like ones a space, the rest
        /// nothing (Word splits one word across runs); a spreadsheet cell's shared-string index is not text.
        case officeXML
    }

    static let htmlBlocks: Set<[UInt8]> = Set(["p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "title",
                                                "td", "th", "table"].map { Array($0.utf8) })
    static let xmlNewline: Set<[UInt8]> = Set(["p", "br", "cr", "tr", "si", "row", "h", "line-break", "sp"].map { Array($0.utf8) })
    static let xmlSpace: Set<[UInt8]> = Set(["tab", "c", "tc", "s", "table-cell", "v"].map { Array($0.utf8) })

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
                    out.append(htmlBlocks.contains(name) ? 0x0A : 0x20)
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
                    if closing || selfClosing {
                        if xmlNewline.contains(name) { out.append(0x0A) } else if xmlSpace.contains(name) { out.append(0x20) }
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
