#if canImport(Glibc)
import Glibc
#endif

/// What says a file is still the one seen: device, inode, size, and modified and changed times (nanoseconds).
///
/// The one definition of "unchanged file" for the records side and the duplicate quarantine: a review decision
/// applies while the item's state equals the state decided on; a file is acted on only while its state on disk
/// equals the state the scan (or the decision) recorded. Any change — new content, a touch, a chmod, a rename
/// over it — is a change, and the answer is to scan and decide again.
public struct FileState: Equatable, Sendable {
    public var size: Int64
    public var modified: Int64?
    public var changed: Int64?
    public var device: Int64?
    public var inode: Int64?

    public init(size: Int64, modified: Int64?, changed: Int64?, device: Int64?, inode: Int64?) {
        self.size = size; self.modified = modified; self.changed = changed; self.device = device; self.inode = inode
    }

    /// The state `fstat`/`lstat` gives now.
    public init(_ st: stat) {
        self.init(size: Int64(st.st_size),
                  modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                  changed: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec),
                  device: Int64(bitPattern: UInt64(st.st_dev)), inode: Int64(bitPattern: UInt64(st.st_ino)))
    }

    /// The state of the regular file at `path` now (no link followed at its last component), or nil.
    public static func now(_ path: ItemPath) -> FileState? {
        guard let st = RawFS.lstat(path), (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileState(st)
    }
}
