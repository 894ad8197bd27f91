#if canImport(Glibc)
import Glibc
#endif
import SweepModel

/// The few file operations quarantine and restore need, on raw path bytes.
enum Disk {
    static func withCPath<T>(_ p: ItemPath, _ body: (UnsafePointer<CChar>) -> T) -> T {
        (p.bytes + [0]).withUnsafeBufferPointer { buf in buf.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }

    static func lstat(_ p: ItemPath) -> stat? {
        var st = stat()
        return withCPath(p) { Glibc.lstat($0, &st) } == 0 ? st : nil
    }

    static func exists(_ p: ItemPath) -> Bool { lstat(p) != nil }

    static func openRead(_ p: ItemPath) -> Int32? {
        let fd = withCPath(p) { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
        return fd >= 0 ? fd : nil
    }

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

    static func rename(_ a: ItemPath, _ b: ItemPath) -> Bool {
        withCPath(a) { x in withCPath(b) { y in Glibc.rename(x, y) } } == 0
    }

    static func unlink(_ p: ItemPath) -> Bool { withCPath(p) { Glibc.unlink($0) } == 0 }

    /// mkdir -p, new folders 0700: the quarantine holds other people's files.
    static func makeFolders(_ p: ItemPath) -> Bool {
        if let st = lstat(p) { return (st.st_mode & S_IFMT) == S_IFDIR }
        guard p.bytes.count > 1, makeFolders(p.parent) else { return p.bytes.count <= 1 }
        return withCPath(p) { mkdir($0, 0o700) } == 0 || errno == EEXIST
    }

    /// Copies content, then mode, owner and times, and syncs; the target must not exist.
    static func copyPreserving(_ from: ItemPath, _ to: ItemPath) throws {
        guard let src = openRead(from), let st = lstat(from) else {
            throw Quarantine.Failure(message: "cannot read \(from.display): \(String(cString: strerror(errno)))")
        }
        defer { close(src) }
        let dst = withCPath(to) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
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
