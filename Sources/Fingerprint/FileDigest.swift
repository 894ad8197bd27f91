#if canImport(Glibc)
import Glibc
#endif
import CXXHash
import SweepModel

/// Reads a file for one fingerprint stage, through a caller's fixed buffer.
///
/// Every read opens with `O_NOFOLLOW | O_NONBLOCK` and checks the file is still the one the scan recorded
/// (device, inode, size, modified time): a file changed since is reported, never hashed as the old one.
public enum FileDigest {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case open(Int32)
        case changed
        case read(Int32)

        public var description: String {
            switch self {
            case .open(let e): return "cannot open for fingerprint: \(String(cString: strerror(e)))"
            case .changed: return "changed during scan: size or time differ from the walk"
            case .read(let e): return "read failed during fingerprint: \(String(cString: strerror(e)))"
            }
        }
    }

    public struct Expected: Sendable {
        public let id: FileID
        public let size: Int64
        public let modified: Int64
        public init(id: FileID, size: Int64, modified: Int64) { self.id = id; self.size = size; self.modified = modified }
    }

    /// Hash of the first 4 KiB; for a file no longer than that, also its whole-content hash (same read).
    public static func prefix(_ path: ItemPath, _ expected: Expected, buffer: UnsafeMutableRawBufferPointer)
        -> Result<(sample: Int64, whole: ContentHash?), Failure> {
        withFile(path, expected) { fd in
            let n = min(Int(expected.size), Fingerprint.sampleSize)
            let got = try readFully(fd, into: buffer, count: n, at: 0)
            guard got == n else { throw Failure.changed }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            return (Sample.hash(bytes), expected.size <= Int64(Fingerprint.sampleSize) ? ContentHash.of(bytes) : nil)
        }
    }

    /// Prefix sample, suffix sample and whole-content hash of a file that fits in `buffer`, from one read: for a
    /// small file, opening it is the cost, not the bytes, so three stages' worth of reads become one. Equal to
    /// what ``StreamHasher`` gives for the same bytes.
    public static func all(_ path: ItemPath, _ expected: Expected, buffer: UnsafeMutableRawBufferPointer)
        -> Result<StreamHasher.Result, Failure> {
        precondition(expected.size < Int64(buffer.count), "FileDigest.all: the file must fit in the buffer")
        return withFile(path, expected) { fd in
            let n = Int(expected.size)
            // One byte more than expected: a file that grew while it was read is told, not hashed short.
            let got = try readFully(fd, into: buffer, count: n + 1, at: 0)
            guard got == n else { throw Failure.changed }
            return StreamHasher.digest(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Prefix sample, suffix sample and whole-content hash of a file of any size, streamed through `buffer` in
    /// one pass (what the duplicate stages would otherwise learn in up to three reads).
    public static func streamed(_ path: ItemPath, _ expected: Expected, buffer: UnsafeMutableRawBufferPointer)
        -> Result<StreamHasher.Result, Failure> {
        withFile(path, expected) { fd in
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
            let hasher = StreamHasher()
            var offset: off_t = 0
            while true {
                let got = try readFully(fd, into: buffer, count: buffer.count, at: offset)
                if got == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
                offset += off_t(got)
                if got < buffer.count { break }
            }
            guard Int64(offset) == expected.size else { throw Failure.changed }
            return hasher.finish()
        }
    }

    /// Hash of the last 4 KiB.
    public static func suffix(_ path: ItemPath, _ expected: Expected, buffer: UnsafeMutableRawBufferPointer) -> Result<Int64, Failure> {
        withFile(path, expected) { fd in
            let n = min(Int(expected.size), Fingerprint.sampleSize)
            let got = try readFully(fd, into: buffer, count: n, at: off_t(expected.size) - off_t(n))
            guard got == n else { throw Failure.changed }
            return Sample.hash(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// XXH3-128 of the whole content, streamed through `buffer`.
    public static func whole(_ path: ItemPath, _ expected: Expected, buffer: UnsafeMutableRawBufferPointer) -> Result<ContentHash, Failure> {
        withFile(path, expected) { fd in
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
            guard let state = XXH3_createState() else { throw Failure.read(ENOMEM) }
            defer { XXH3_freeState(state) }
            XXH3_128bits_reset(state)
            var offset: off_t = 0
            while true {
                let got = try readFully(fd, into: buffer, count: buffer.count, at: offset)
                if got == 0 { break }
                XXH3_128bits_update(state, buffer.baseAddress, got)
                offset += off_t(got)
                if got < buffer.count { break }
            }
            guard Int64(offset) == expected.size else { throw Failure.changed }
            return ContentHash(XXH3_128bits_digest(state))
        }
    }

    static func withFile<T>(_ path: ItemPath, _ expected: Expected, _ body: (Int32) throws -> T) -> Result<T, Failure> {
        let fd: Int32
        switch VerifiedFile.open(path, expected: expected.id, size: expected.size, modified: expected.modified) {
        case .success(let opened): fd = opened.fd
        case .failure(.open(let code)): return .failure(.open(code))
        case .failure(.notSameFile): return .failure(.changed)
        }
        defer { close(fd) }
        do { return .success(try body(fd)) } catch let f as Failure { return .failure(f) } catch { return .failure(.read(EIO)) }
    }

    /// Reads up to `count` bytes at `offset`, retrying short reads; returns how many were read.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: off_t) throws -> Int {
        var got = 0
        while got < count {
            let n = pread(fd, buffer.baseAddress! + got, count - got, offset + off_t(got))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure.read(errno)
            }
            if n == 0 { break }
            got += n
        }
        return got
    }
}
