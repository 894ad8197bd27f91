#if canImport(Glibc)
import Glibc
#endif
import Fingerprint
import Foundation
import SweepModel

/// Text of the formats that are text already: plain text, CSV, HTML, XML, JSON, email source.
///
/// Reads at most `cap` bytes (a text cap per item), decodes UTF-8, UTF-16 with a byte-order mark, or else
/// Windows-1252 (what decades of council PCs wrote), and strips tags from markup. The richer extractors
/// (Office, PDF, mail parts, archives) come with the extraction work.
public enum PlainText {
    static let textualTypes: Set<String> = ["message/rfc822", "application/json", "application/xml", "application/mbox",
                                            "application/x-ndjson", "application/csv", "application/rtf"]

    public static func isTextual(_ mime: String?) -> Bool {
        guard let mime else { return false }
        return mime.hasPrefix("text/") || textualTypes.contains(mime)
    }

    public static func isMarkup(_ mime: String?) -> Bool {
        guard let mime else { return false }
        return mime == "text/html" || mime == "text/xml" || mime == "application/xml" || mime.hasSuffix("+xml")
    }

    public struct Text: Sendable {
        public let text: ItemText
        /// The cap cut it short.
        public let truncated: Bool
        /// The whole file's fingerprint, when it was read whole.
        public var digest: StreamHasher.Result? = nil
    }

    /// Up to `cap` bytes of the file at `path`, which must still be `expected`, decoded.
    public static func read(_ path: ItemPath, expected: FileID, cap: Int) -> Result<Text, FileHead.Failure> {
        let fd: Int32, st: stat
        switch FileHead.open(path, expected: expected) {
        case .success(let opened): (fd, st) = opened
        case .failure(let f): return .failure(f)
        }
        defer { close(fd) }
        let want = min(Int(st.st_size), cap)
        var failure: Int32?
        // Read straight into the array's storage: no zero-filling of bytes about to be overwritten.
        let bytes = [UInt8](unsafeUninitializedCapacity: want) { buffer, count in
            var got = 0
            while got < want {
                let n = pread(fd, buffer.baseAddress! + got, want - got, off_t(got))
                if n < 0 { if errno == EINTR { continue }; failure = errno; break }
                if n == 0 { break }
                got += n
            }
            count = got
        }
        if let failure { return .failure(.read(failure)) }
        let whole = bytes.count == Int(st.st_size)
        return .success(Text(text: text(of: bytes), truncated: Int(st.st_size) > cap,
                             digest: whole ? bytes.withUnsafeBytes { StreamHasher.digest($0) } : nil))
    }

    public static func decode(_ bytes: [UInt8]) -> String {
        if let s = withByteOrderMark(bytes) { return s }
        if let little = bytes.withUnsafeBytes(utf16Order) { return utf16(bytes, little: little) }
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return windows1252Text(bytes)
    }

    /// What ``decode(_:)`` gives, held as `bytes` themselves when they are well-formed UTF-8 with no byte-order
    /// mark (checked without copying them).
    public static func text(of bytes: [UInt8]) -> ItemText {
        if let s = withByteOrderMark(bytes) { return ItemText(s) }
        if let little = bytes.withUnsafeBytes(utf16Order) { return ItemText(utf16(bytes, little: little)) }
        if isWellFormedUTF8(bytes) { return ItemText(wellFormedUTF8: bytes) }
        return ItemText(windows1252Text(bytes))
    }

    /// True when `bytes` are what `String(validating:as: UTF8.self)` accepts. The ASCII they start with is
    /// passed over 32 bytes at a time (most text is all ASCII); the rest, from the first block with a byte
    /// above 127 (a character boundary: everything before it is ASCII), is validated.
    static func isWellFormedUTF8(_ bytes: [UInt8]) -> Bool {
        let ascii = bytes.withUnsafeBytes(asciiPrefix)
        if ascii == bytes.count { return true }
        if #available(macOS 26, *) { return (try? UTF8Span(validating: bytes.span.extracting(ascii...))) != nil }
        return String(validating: bytes[ascii...], as: UTF8.self) != nil
    }

    /// How many whole 32-byte blocks at the start of `bytes` are ASCII, in bytes; all of `bytes` when every
    /// byte is.
    static func asciiPrefix(_ bytes: UnsafeRawBufferPointer) -> Int {
        var i = 0
        let n = bytes.count
        while i + 32 <= n {
            let v = bytes.loadUnaligned(fromByteOffset: i, as: SIMD4<UInt64>.self)
            if (v[0] | v[1] | v[2] | v[3]) & 0x8080_8080_8080_8080 != 0 { return i }
            i += 32
        }
        while i < n {
            if bytes[i] >= 0x80 { return i & ~31 }
            i += 1
        }
        return n
    }

    /// Text that starts with a UTF-8 or UTF-16 byte-order mark, decoded; nil when there is none.
    static func withByteOrderMark(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(decoding: bytes.dropFirst(3), as: UTF8.self) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return utf16(bytes.dropFirst(2), little: bytes[0] == 0xFF)
        }
        return nil
    }

    /// Whether text with no byte-order mark is UTF-16, read from its first 4 KiB: little-endian (true) when
    /// most odd bytes are NUL and almost no even ones are, as in ASCII text written in UTF-16LE; big-endian
    /// (false) the other way round; nil when it is not UTF-16 by this test.
    public static func utf16Order(_ b: UnsafeRawBufferPointer) -> Bool? {
        let n = min(b.count, 4096) & ~1
        guard n >= 8 else { return nil }
        var evenZero = 0, oddZero = 0
        for i in stride(from: 0, to: n, by: 2) {
            if b[i] == 0 { evenZero += 1 }
            if b[i + 1] == 0 { oddZero += 1 }
        }
        let pairs = n / 2
        if oddZero * 10 >= pairs * 7 && evenZero * 20 <= pairs { return true }
        if evenZero * 10 >= pairs * 7 && oddZero * 20 <= pairs { return false }
        return nil
    }

    static func windows1252Text(_ bytes: [UInt8]) -> String { String(String.UnicodeScalarView(bytes.map { windows1252($0) })) }

    /// UTF-16 code units, little- or big-endian, to text (an odd last byte is dropped).
    static func utf16<C: Collection<UInt8>>(_ b: C, little: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(b.count / 2)
        var i = b.startIndex
        while i != b.endIndex {
            let first = b[i]
            i = b.index(after: i)
            guard i != b.endIndex else { break }
            let second = b[i]
            i = b.index(after: i)
            units.append(little ? UInt16(first) | UInt16(second) << 8 : UInt16(first) << 8 | UInt16(second))
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Windows-1252: Latin-1 but for 0x80–0x9F, where it has curly quotes, dashes, the euro sign…
    static func windows1252(_ b: UInt8) -> Unicode.Scalar {
        let high: [UInt32] = [0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
                              0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                              0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178]
        if (0x80...0x9F).contains(b) { return Unicode.Scalar(high[Int(b) - 0x80])! }
        return Unicode.Scalar(b)
    }

    /// Tags out (block tags become line breaks, so markings on their own line stay on their own line),
    /// scripts and styles dropped, the common entities decoded.
    public static func stripMarkup(_ s: String) -> String { Markup.text(s, .html) }

    static func entityValue(_ e: Substring) -> Character? {
        switch e {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        case "nbsp": return " "
        case "pound": return "£"
        default:
            if e.hasPrefix("#x") || e.hasPrefix("#X"), let v = UInt32(e.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { return Character(u) }
            if e.hasPrefix("#"), let v = UInt32(e.dropFirst()), let u = Unicode.Scalar(v) { return Character(u) }
            return nil
        }
    }

    /// An RFC 5322 date ("Tue, 15 Mar 2022 09:12:44 +0000"), to the second, in UTC; nil when unreadable.
    public static func mailDate(_ text: String) -> Timestamp? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        var t = text
        if let comma = t.firstIndex(of: ",") { t = String(t[t.index(after: comma)...]) }
        let parts = t.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 4, let day = Int(parts[0]), let m = months.firstIndex(of: parts[1].prefix(3).lowercased()),
              var year = Int(parts[2]) else { return nil }
        if year < 100 { year += year < 50 ? 2000 : 1900 }
        let hms = parts[3].split(separator: ":").compactMap { Int($0) }
        guard hms.count >= 2 else { return nil }
        let stamp = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, m + 1, day, hms[0], hms[1], hms.count > 2 ? hms[2] : 0)
        guard let local = Timestamp.parse(stamp) else { return nil }
        var offset = 0
        if parts.count > 4, let z = Int(parts[4]), parts[4].count == 5 { offset = (z / 100) * 3600 + (z % 100) * 60 }
        return Timestamp(seconds: local.seconds - Int64(offset))
    }

    /// An email's header block (RFC 5322): names lower-cased, folded lines joined. Empty when there is none.
    public static func mailHeaders(_ text: String) -> [String: String] {
        var headers: [String: String] = [:]
        var last: String?
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let l = line.hasSuffix("\r") ? line.dropLast() : line
            if l.isEmpty { break }
            if l.first == " " || l.first == "\t", let k = last {
                headers[k, default: ""] += " " + l.trimmingCharacters(in: .whitespaces)
            } else if let colon = l.firstIndex(of: ":") {
                let name = l[..<colon].lowercased()
                guard !name.contains(" ") else { break }
                headers[name] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = name
            } else { break }
        }
        return headers
    }
}
