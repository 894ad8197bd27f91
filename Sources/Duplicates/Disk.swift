#if canImport(Glibc)
import Glibc
#endif
import SweepModel

/// The few file operations quarantine and restore need, on raw path bytes.
enum Disk {
    /// Fills `buffer` as far as the file allows; 0 at the end, -1 on error.
    static func readFull(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        var got = 0
        while got < buffer.count {
            let n = read(fd, buffer.baseAddress! + got, buffer.count - got)
            if n < 0 { if errno == EINTR { continue }; return -1 }
            if n == 0 { break }
            got += n
        }
        return got
    }

    /// Copies content, then mode, owner and times, and syncs; the target must not exist.
    static func copyPreserving(_ from: ItemPath, _ to: ItemPath) throws {
        guard let src = RawFS.openRead(from), let st = RawFS.lstat(from) else {
            throw Quarantine.Failure(message: "cannot read \(from.display): \(String(cString: strerror(errno)))")
        }
        defer { close(src) }
        let dst = RawFS.withCPath(to) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
        guard dst >= 0 else { throw Quarantine.Failure(message: "cannot create \(to.display): \(String(cString: strerror(errno)))") }
        defer { close(dst) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = readFull(src, buffer)
            guard n >= 0 else { throw Quarantine.Failure(message: "read failed on \(from.display)") }
            if n == 0 { break }
            guard write(dst, buffer.baseAddress, n) == n else { throw Quarantine.Failure(message: "write failed on \(to.display)") }
        }
        _ = fchown(dst, st.st_uid, st.st_gid)
        _ = fchmod(dst, st.st_mode & 0o7777)
        var times = [st.st_atim, st.st_mtim]
        _ = futimens(dst, &times)
        guard fsync(dst) == 0 else { throw Quarantine.Failure(message: "cannot sync \(to.display)") }
    }
}
