#if canImport(Glibc)
import Glibc
#endif
import SweepModel

/// Reads the first bytes of a regular file, safely.
///
/// Opened with `O_NOFOLLOW | O_NONBLOCK | O_NOCTTY`, so a FIFO or device swapped in after the walk cannot
/// block the scan, and re-checked with `fstat` so a file replaced since its `lstat` is reported, not misread.
public enum FileHead {
    public enum Failure: Error, Equatable {
        case open(Int32)
        case notSameFile
        case read(Int32)
    }

    /// ``VerifiedFile/open(_:expected:size:modified:)`` in this module's terms; the caller closes the descriptor.
    static func open(_ path: ItemPath, expected: FileID) -> Result<(fd: Int32, info: stat), Failure> {
        VerifiedFile.open(path, expected: expected).mapError { e in
            switch e {
            case .open(let code): return .open(code)
            case .notSameFile: return .notSameFile
            }
        }
    }

    /// Calls `body` with up to `limit` bytes from the start of the file at `path`, which must still be `expected`.
    public static func read<T>(_ path: ItemPath, limit: Int, expected: FileID,
                               into buffer: UnsafeMutableRawBufferPointer,
                               _ body: (UnsafeRawBufferPointer) -> T) -> Result<T, Failure> {
        let fd: Int32
        switch open(path, expected: expected) {
        case .success(let opened): fd = opened.fd
        case .failure(let f): return .failure(f)
        }
        defer { close(fd) }
        let want = min(limit, buffer.count)
        var got = 0
        while got < want {
            let n = pread(fd, buffer.baseAddress! + got, want - got, off_t(got))
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.read(errno))
            }
            if n == 0 { break }
            got += n
        }
        return .success(body(UnsafeRawBufferPointer(start: buffer.baseAddress, count: got)))
    }
}
