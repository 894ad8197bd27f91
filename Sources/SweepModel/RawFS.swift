#if canImport(Glibc)
import Glibc
#endif

/// File-system calls on raw path bytes (names need not be UTF-8): what quarantine, restore and disposal share.
public enum RawFS {
    public static func withCPath<T>(_ p: ItemPath, _ body: (UnsafePointer<CChar>) -> T) -> T {
        (p.bytes + [0]).withUnsafeBufferPointer { buf in buf.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }

    public static func lstat(_ p: ItemPath) -> stat? {
        var st = stat()
        return withCPath(p) { Glibc.lstat($0, &st) } == 0 ? st : nil
    }

    public static func exists(_ p: ItemPath) -> Bool { lstat(p) != nil }

    /// Opened for reading without following a link or blocking on a FIFO.
    public static func openRead(_ p: ItemPath) -> Int32? {
        let fd = withCPath(p) { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
        return fd >= 0 ? fd : nil
    }

    public static func rename(_ a: ItemPath, _ b: ItemPath) -> Bool {
        withCPath(a) { x in withCPath(b) { y in Glibc.rename(x, y) } } == 0
    }

    public static func unlink(_ p: ItemPath) -> Bool { withCPath(p) { Glibc.unlink($0) } == 0 }

    /// mkdir -p, new folders 0700: quarantines and bags hold other people's files.
    public static func makeFolders(_ p: ItemPath) -> Bool {
        if let st = lstat(p) { return (st.st_mode & S_IFMT) == S_IFDIR }
        if p.bytes.isEmpty || p.bytes == [UInt8(ascii: "/")] { return true }
        guard makeFolders(p.parent) else { return false }
        return withCPath(p) { mkdir($0, 0o700) } == 0 || errno == EEXIST
    }
}
