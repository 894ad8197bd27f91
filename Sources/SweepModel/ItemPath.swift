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

    /// UTF-8 where valid, `\xNN` for bytes that are not part of a valid sequence.
    public static func display(_ bytes: [UInt8]) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        var out = String()
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        while i < bytes.count {
            let n = validSequenceLength(bytes, at: i)
            if n > 0 {
                out += String(decoding: bytes[i..<(i + n)], as: UTF8.self)
                i += n
            } else {
                let b = bytes[i]
                let hex = Array("0123456789ABCDEF".utf8)
                out += "\\x" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 0xF)]], as: UTF8.self)
                i += 1
            }
        }
        return out
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
