import Foundation

/// The header cell above a value in a table written as lines: tab-separated (spreadsheets, tables in
/// documents, TSV) or comma- or semicolon-separated (CSV). In a register or a payroll export the only
/// context word for a date of birth or an NHS number is its column's header, often many rows up.
///
/// A table is a run of lines that all hold the candidate line's separator (for commas and semicolons, the
/// same number of them outside quotes, so prose with commas is not a table); its first line is the header.
/// Candidates are asked about in order of position, so the runs already walked are remembered and the
/// text is walked about once however many values a table holds.
final class TableHeaders {
    private let bytes: [UInt8]
    /// The table last found: its separator, the separators per line (nil for tabs, whose rows may end early),
    /// where its header line starts, and the start of the furthest line known to belong to it.
    private var last: (separator: UInt8, count: Int?, header: Int, known: Int)?
    /// Lines longer than this are not looked at as rows.
    static let longestLine = 8192
    /// Header cells longer than this are not headers.
    static let longestHeader = 80

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Where a value sits in a table: the start of its row, and its column's header cell (nil when the header
    /// has no such cell, or a long one).
    struct Place {
        let row: Int
        let header: Range<Int>?
    }

    /// The place of the value at `start..<end` when it is a cell of a table's row below the header: its cell
    /// holds nothing else (spaces and quotes aside); nil otherwise.
    func place(_ start: Int, _ end: Int) -> Place? {
        bytes.withUnsafeBufferPointer { place(start, end, $0) }
    }

    /// True when the header cell `header` holds one of `words` (lower case) as a whole word.
    func header(_ header: Range<Int>, has words: [[UInt8]]) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            Detector.contextNear(words, header.upperBound, header.upperBound, b, window: header.count, after: 0)
        }
    }

    private func place(_ start: Int, _ end: Int, _ b: UnsafeBufferPointer<UInt8>) -> Place? {
        guard let line = TableHeaders.line(around: start, b), end <= line.upperBound else { return nil }
        let separator: UInt8
        if TableHeaders.contains(b, line, 9) { separator = 9 }
        else if TableHeaders.contains(b, line, UInt8(ascii: ",")) { separator = UInt8(ascii: ",") }
        else if TableHeaders.contains(b, line, UInt8(ascii: ";")) { separator = UInt8(ascii: ";") }
        else { return nil }
        let quoted = separator != 9
        // The value's cell and column.
        var column = 0, inQuotes = false, cellStart = line.lowerBound, cellEnd = line.upperBound
        for k in line {
            let c = b[k]
            if quoted && c == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            guard c == separator && !inQuotes else { continue }
            if k < start { column += 1; cellStart = k + 1 } else if k >= end { cellEnd = k; break } else { return nil }
        }
        func isPadding(_ c: UInt8) -> Bool { c == 32 || c == UInt8(ascii: "\"") || c == 9 }
        guard (cellStart..<start).allSatisfy({ isPadding(b[$0]) }), (end..<cellEnd).allSatisfy({ isPadding(b[$0]) }) else { return nil }
        let count = quoted ? TableHeaders.separators(b, line, separator) : nil
        if count == 0 { return nil }   // every separator inside quotes
        let header: Int
        if let t = last, t.separator == separator, t.count == count, t.known <= line.lowerBound,
           walk(from: line.lowerBound, down: t.known, separator: separator, count: count, b) {
            header = t.header
        } else {
            header = walkUp(from: line.lowerBound, separator: separator, count: count, b)
        }
        last = (separator, count, header, line.lowerBound)
        guard header < line.lowerBound, let headerLine = TableHeaders.line(around: header, b) else { return nil }
        var k = headerLine.lowerBound, index = 0, headerCell = k
        inQuotes = false
        while k < headerLine.upperBound {
            let c = b[k]
            if quoted && c == UInt8(ascii: "\"") { inQuotes.toggle() }
            else if c == separator && !inQuotes {
                if index == column { break }
                index += 1
                headerCell = k + 1
            }
            k += 1
        }
        let found = index == column && k > headerCell && k - headerCell <= TableHeaders.longestHeader
        return Place(row: line.lowerBound, header: found ? headerCell..<k : nil)
    }

    /// True when every line from the one starting at `from` up to the one starting at `known` (a line known to be
    /// in the table) is a row of it: the table found last reaches this line.
    private func walk(from: Int, down known: Int, separator: UInt8, count: Int?, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = from
        while start > known {
            guard let previous = TableHeaders.line(around: start - 1, b), isRow(previous, separator, count, b) else { return false }
            start = previous.lowerBound
        }
        return start == known
    }

    /// The start of the first line of the run of rows that ends with the line starting at `from`.
    private func walkUp(from: Int, separator: UInt8, count: Int?, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var start = from
        while start > 0, let previous = TableHeaders.line(around: start - 1, b), isRow(previous, separator, count, b) {
            start = previous.lowerBound
        }
        return start
    }

    private func isRow(_ line: Range<Int>, _ separator: UInt8, _ count: Int?, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !line.isEmpty else { return false }
        if let count { return TableHeaders.separators(b, line, separator) == count }
        return TableHeaders.contains(b, line, separator)
    }

    /// The line holding position `p` (without its line break; the line before when `p` is a line feed), or nil
    /// when it is longer than ``longestLine``.
    static func line(around p: Int, _ b: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard p >= 0, p <= b.count else { return nil }
        var hi = p
        while hi < b.count && b[hi] != 10 { hi += 1; if hi - p > longestLine { return nil } }
        var lo = p
        while lo > 0 && b[lo - 1] != 10 { lo -= 1; if p - lo > longestLine { return nil } }
        let end = hi > lo && b[hi - 1] == 13 ? hi - 1 : hi
        return lo..<end
    }

    static func contains(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ byte: UInt8) -> Bool {
        guard !r.isEmpty else { return false }
        return memchr(b.baseAddress! + r.lowerBound, Int32(byte), r.count) != nil
    }

    /// How many `separator`s lie in `r`, outside double quotes when `quotes`.
    static func separators(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ separator: UInt8, quotes: Bool = true) -> Int {
        var n = 0, inQuotes = false
        for k in r {
            let c = b[k]
            if quotes && c == UInt8(ascii: "\"") { inQuotes.toggle() } else if c == separator && !inQuotes { n += 1 }
        }
        return n
    }
}
