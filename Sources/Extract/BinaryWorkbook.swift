/// The shared strings of a binary Excel workbook (`.xlsb`, MS-XLSB): the text most cells of a council
/// spreadsheet hold. Cell numbers and formulas live in the sheets' own records and are not read.
enum BinaryWorkbook {
    /// Each `BrtSSTItem` record's string (record type 19: a flags byte, then an XLWideString).
    static func sharedStrings(_ b: [UInt8], cap: Int = 1 << 24) -> [String] {
        var out: [String] = []
        var i = 0, total = 0
        /// A record's type or size: 7 bits a byte, the high bit saying another follows (type ≤ 2 bytes, size ≤ 4).
        func varint(_ maxBytes: Int) -> Int? {
            var v = 0
            for k in 0..<maxBytes {
                guard i < b.count else { return nil }
                let x = Int(b[i]); i += 1
                v |= (x & 0x7F) << (7 * k)
                if x & 0x80 == 0 { return v }
            }
            return v
        }
        while i < b.count {
            guard let type = varint(2), let size = varint(4), size >= 0, i + size <= b.count else { break }
            if type == 19, size >= 5 {
                let n = Int(b[i + 1]) | Int(b[i + 2]) << 8 | Int(b[i + 3]) << 16 | Int(b[i + 4]) << 24
                if n >= 0, 5 + 2 * n <= size {
                    var units: [UInt16] = []
                    units.reserveCapacity(n)
                    for k in 0..<n { units.append(UInt16(b[i + 5 + 2 * k]) | UInt16(b[i + 6 + 2 * k]) << 8) }
                    let s = String(decoding: units, as: UTF16.self)
                    total += s.utf8.count
                    if total > cap { break }
                    out.append(s)
                }
            }
            i += size
        }
        return out
    }
}
