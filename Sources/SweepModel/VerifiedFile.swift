#if canImport(Glibc)
import Glibc
#endif

/// The one way Sweep opens an item's content: `O_NOFOLLOW | O_NONBLOCK | O_NOCTTY`, so a link or a FIFO
/// swapped in after the walk can neither redirect nor block the read, then `fstat` to check it is still
/// the regular file the walk recorded (device and inode; size and modified time when given).
/// The only I/O in this module: every stage that reads content goes through it.
public enum VerifiedFile {
    public enum Failure: Error, Equatable {
        case open(Int32)
        case notSameFile
    }

    /// An open descriptor (the caller closes it) and its `fstat`.
    public static func open(_ path: ItemPath, expected: FileID, size: Int64? = nil, modified: Int64? = nil)
        -> Result<(fd: Int32, info: stat), Failure> {
        let fd = (path.bytes + [0]).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { Glibc.open($0.baseAddress!, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
        }
        guard fd >= 0 else { return .failure(.open(errno)) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
              UInt64(st.st_dev) == expected.device, UInt64(st.st_ino) == expected.inode,
              size.map({ $0 == Int64(st.st_size) }) ?? true,
              modified.map({ $0 == Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec) }) ?? true else {
            close(fd)
            return .failure(.notSameFile)
        }
        return .success((fd, st))
    }
}
