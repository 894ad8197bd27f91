import CXXHash

/// XXH3-128 of an item's whole content: the identity duplicate sets are built on.
public struct ContentHash: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
    init(_ h: XXH128_hash_t) { self.init(high: h.high64, low: h.low64) }

    /// 32 lower-case hex digits.
    public var hex: String { ContentHash.hex16(high) + ContentHash.hex16(low) }
    public var description: String { hex }

    public init?(hex: String) {
        guard hex.utf8.count == 32, let h = UInt64(hex.prefix(16), radix: 16), let l = UInt64(hex.suffix(16), radix: 16) else { return nil }
        self.init(high: h, low: l)
    }

    public static func < (a: ContentHash, b: ContentHash) -> Bool { (a.high, a.low) < (b.high, b.low) }

    /// The hash of these bytes, in one call.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> ContentHash {
        ContentHash(XXH3_128bits(bytes.baseAddress, bytes.count))
    }

    static func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// XXH3-64 of a 4 KiB sample: cheap to read, and enough to tell most same-size files apart.
public enum Sample {
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Int64 {
        Int64(bitPattern: XXH3_64bits(bytes.baseAddress, bytes.count))
    }
}
