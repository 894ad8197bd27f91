/// A path as the file system gives it: raw bytes, kept losslessly.
///
/// Shares written by decades of Windows clients hold names that are not valid UTF-8; the index keeps
/// the bytes and shows them with `\xNN` escapes (CONTRACT.md). Nested items join with `!/`.
public struct ItemPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The path shown to people: UTF-8 where valid, `\xNN` for each byte that is not.
    public var display: String { ItemPath.display(bytes) }
    public var description: String { display }

    /// The last component (for nested items, the inner name).
    public var name: [UInt8] {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return bytes }
        return Array(bytes[(slash + 1)...])
    }

    /// The folder holding this path; `/` for top-level entries.
    public var parent: ItemPath {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return ItemPath(bytes: []) }
        return slash == 0 ? ItemPath("/") : ItemPath(bytes: Array(bytes[..<slash]))
    }

    public func appending(_ component: [UInt8]) -> ItemPath {
        var out = bytes
        if out.last != UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        out.append(contentsOf: component)
        return ItemPath(bytes: out)
    }

    /// `OUTER!/INNER`: the name of an item nested inside this one (archive member, message, attachment).
    public func nesting(_ inner: [UInt8]) -> ItemPath {
        ItemPath(bytes: bytes + Array("!/".utf8) + inner)
    }

    /// The path below `root`, without a leading slash; empty when equal; nil when not below it.
    public func relative(to root: ItemPath) -> String? {
        let r = root.bytes.last == UInt8(ascii: "/") ? Array(root.bytes.dropLast()) : root.bytes
        if bytes == r { return "" }
        guard bytes.count > r.count, bytes.starts(with: r), bytes[r.count] == UInt8(ascii: "/") else { return nil }
        return ItemPath.display(Array(bytes[(r.count + 1)...]))
    }

    /// True for a path equal to `root` or inside it.
    public func isWithin(_ root: ItemPath) -> Bool { relative(to: root) != nil }

    public static func < (a: ItemPath, b: ItemPath) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Hashes the bytes in one call (an array's own hashing feeds the hasher a byte at a time).
    public func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    public static func == (a: ItemPath, b: ItemPath) -> Bool { a.bytes == b.bytes }

    /// UTF-8 where valid, `\xNN` for every byte that is not part of a valid sequence, and also for control
    /// characters (a name holding a line break cannot draw a row of its own in a table), for the characters that
    /// reorder text on screen (bidirectional overrides and isolates), and for a backslash that is followed by `x`
    /// and two hex digits (so the name `a\xFF` and the name with the byte FF never look alike). Every display
    /// reads back to its bytes with ``parse(display:)``.
    public static func display(_ bytes: [UInt8]) -> String {
        if isPlain(bytes), let s = String(validating: bytes, as: UTF8.self) { return s }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + 8)
        let hex = Array("0123456789ABCDEF".utf8)
        func escape(_ b: UInt8) { out += [0x5C, 0x78, hex[Int(b >> 4)], hex[Int(b & 0xF)]] }
        var i = 0
        while i < bytes.count {
            let n = validSequenceLength(bytes, at: i)
            let b = bytes[i]
            if n == 0 || b < 0x20 || b == 0x7F || (n > 1 && isReordering(bytes, at: i)) || (b == 0x5C && looksEscaped(bytes, at: i)) {
                for k in i..<(i + max(n, 1)) { escape(bytes[k]) }
                i += max(n, 1)
            } else {
                out += bytes[i..<(i + n)]
                i += n
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes a display stands for: each `\xNN` is the byte NN, everything else is itself.
    public static func parse(display text: String) -> [UInt8] {
        let u = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            if u[i] == 0x5C, i + 3 < u.count, u[i + 1] == 0x78, let h = hexValue(u[i + 2]), let l = hexValue(u[i + 3]) {
                out.append(h << 4 | l)
                i += 4
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return out
    }

    /// True for bytes that show as themselves: printable ASCII but a backslash, and no byte above 0x7F.
    private static func isPlain(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// A backslash at `i` followed by `x` and two hex digits.
    private static func looksEscaped(_ b: [UInt8], at i: Int) -> Bool {
        i + 3 < b.count && (b[i + 1] == 0x78) && hexValue(b[i + 2]) != nil && hexValue(b[i + 3]) != nil
    }

    /// U+202A–U+202E (embeddings and overrides), U+2066–U+2069 (isolates), U+200E–U+200F (marks) and U+061C:
    /// characters that change the order text is shown in.
    private static func isReordering(_ b: [UInt8], at i: Int) -> Bool {
        guard i + 2 < b.count else { return i + 1 < b.count && b[i] == 0xD8 && b[i + 1] == 0x9C }
        if b[i] == 0xD8 && b[i + 1] == 0x9C { return true }
        guard b[i] == 0xE2 else { return false }
        if b[i + 1] == 0x80 { return (0xAA...0xAE).contains(b[i + 2]) || b[i + 2] == 0x8E || b[i + 2] == 0x8F }
        if b[i + 1] == 0x81 { return (0xA6...0xA9).contains(b[i + 2]) }
        return false
    }

    /// Length of the valid UTF-8 scalar starting at `i`, or 0 when the byte there starts none.
    private static func validSequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        let need: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return 0
        }
        guard i + need < b.count else { return 0 }
        for k in 1...need {
            let x = b[i + k]
            if k == 1 { if x < lo || x > hi { return 0 } } else if x < 0x80 || x > 0xBF { return 0 }
        }
        return need + 1
    }
}

/// One name within a folder, as raw bytes: the key the scanner matches a listing against the index by.
public struct RawName: Hashable, Sendable {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    public static func == (a: RawName, b: RawName) -> Bool { a.bytes == b.bytes }
}
