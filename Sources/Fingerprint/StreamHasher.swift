import CXXHash

/// Prefix sample, suffix sample and whole-content hash of a byte stream, from one pass.
///
/// For content no longer than a sample, the suffix is the prefix: the same rule as ``FileDigest``, so an
/// item hashed as a stream and a file hashed by stages get equal fingerprints for equal bytes.
public final class StreamHasher {
    private let state: OpaquePointer
    private var head: [UInt8] = []
    private var tail: [UInt8]
    private var tailStart = 0          // ring position of the oldest tail byte
    private var count: Int64 = 0

    public struct Result: Sendable, Equatable {
        public let size: Int64
        public let prefix: Int64
        public let suffix: Int64
        public let content: ContentHash
    }

    /// The same three hashes of bytes held whole in memory, without streaming them.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> Result {
        let n = bytes.count, sample = Fingerprint.sampleSize
        let prefix = Sample.hash(UnsafeRawBufferPointer(rebasing: bytes[0..<min(n, sample)]))
        let suffix = n <= sample ? prefix : Sample.hash(UnsafeRawBufferPointer(rebasing: bytes[(n - sample)..<n]))
        return Result(size: Int64(n), prefix: prefix, suffix: suffix, content: ContentHash.of(bytes))
    }

    public init() {
        state = XXH3_createState()
        XXH3_128bits_reset(state)
        head.reserveCapacity(Fingerprint.sampleSize)
        tail = []
        tail.reserveCapacity(Fingerprint.sampleSize)
    }

    deinit { XXH3_freeState(state) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        XXH3_128bits_update(state, bytes.baseAddress, bytes.count)
        count += Int64(bytes.count)
        if head.count < Fingerprint.sampleSize {
            head.append(contentsOf: bytes.prefix(Fingerprint.sampleSize - head.count))
        }
        // Keep the last sampleSize bytes in a ring.
        let n = Fingerprint.sampleSize
        let slice = bytes.count > n ? UnsafeRawBufferPointer(rebasing: bytes.suffix(n)) : bytes
        for b in slice {
            if tail.count < n { tail.append(b) } else { tail[tailStart] = b; tailStart = (tailStart + 1) % n }
        }
    }

    public func finish() -> Result {
        let content = ContentHash(XXH3_128bits_digest(state))
        let prefix = head.withUnsafeBytes { Sample.hash($0) }
        let ordered = Array(tail[tailStart...] + tail[..<tailStart])
        let suffix = count <= Int64(Fingerprint.sampleSize) ? prefix : ordered.withUnsafeBytes { Sample.hash($0) }
        return Result(size: count, prefix: prefix, suffix: suffix, content: content)
    }
}
