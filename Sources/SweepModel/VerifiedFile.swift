#if canImport(Glibc)
import Glibc
#endif

/// The one way Sweep opens an item's content: `O_NOFOLLOW | O_NONBLOCK | O_NOCTTY`, so a FIFO swapped in
/// after the walk cannot block the read, then `fstat` to check it is still the regular file the walk
/// recorded (device and inode; size and modified time when given). A symbolic link is followed only on a
/// second try, and then read only when its target is the file the walk recorded, as it is when the walk
/// followed links (`--follow-symlinks`): a link swapped in for a file cannot redirect the read.
/// The only I/O in this module: every stage that reads content goes through it.
public enum VerifiedFile {
    public enum Failure: Error, Equatable {
        case open(Int32)
        case notSameFile
    }

    /// An open descriptor (the caller closes it) and its `fstat`.
    public static func open(_ path: ItemPath, expected: FileID, size: Int64? = nil, modified: Int64? = nil)
        -> Result<(fd: Int32, info: stat), Failure> {
        func open(_ flags: Int32) -> Int32 {
            (path.bytes + [0]).withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { Glibc.open($0.baseAddress!, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | flags) }
            }
        }
        var fd = open(O_NOFOLLOW)
        if fd < 0 && errno == ELOOP { fd = open(0) }   // a link: its target must be the file recorded (below)
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
