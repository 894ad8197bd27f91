#if canImport(Glibc)
import Glibc
#endif
import SweepModel

/// What `lstat` says about one directory entry.
public struct FileStat: Sendable, Equatable {
    public var kind: ItemKind
    public var size: Int64
    public var modified: Timestamp
    public var changed: Timestamp
    public var id: FileID
    public var links: UInt64
    public var uid: UInt32
    public var gid: UInt32
    public var mode: UInt32

    public init(kind: ItemKind, size: Int64, modified: Timestamp, changed: Timestamp, id: FileID,
                links: UInt64, uid: UInt32, gid: UInt32, mode: UInt32) {
        self.kind = kind; self.size = size; self.modified = modified; self.changed = changed
        self.id = id; self.links = links; self.uid = uid; self.gid = gid; self.mode = mode
    }

    public init(_ st: stat) {
        self.init(kind: FileStat.kind(of: UInt32(st.st_mode)), size: Int64(st.st_size),
                  modified: Timestamp(seconds: Int64(st.st_mtim.tv_sec), nanos: Int64(st.st_mtim.tv_nsec)),
                  changed: Timestamp(seconds: Int64(st.st_ctim.tv_sec), nanos: Int64(st.st_ctim.tv_nsec)),
                  id: FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)),
                  links: UInt64(st.st_nlink), uid: st.st_uid, gid: st.st_gid, mode: UInt32(st.st_mode))
    }

    public static func kind(of mode: UInt32) -> ItemKind {
        switch mode & 0o170000 {
        case 0o100000: return .file
        case 0o040000: return .directory
        case 0o120000: return .symlink
        case 0o010000: return .fifo
        case 0o140000: return .socket
        case 0o020000: return .charDevice
        case 0o060000: return .blockDevice
        default: return .unknown
        }
    }

    /// Permission bits only, as `0640`.
    public var permissions: UInt32 { mode & 0o7777 }

    /// `lstat` (or `stat` when `follow`) of a path given as raw bytes.
    public static func of(_ path: ItemPath, follow: Bool = false) -> Result<FileStat, CrawlError> {
        var st = stat()
        let rc = (path.bytes + [0]).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { follow ? stat($0.baseAddress!, &st) : lstat($0.baseAddress!, &st) }
        }
        return rc == 0 ? .success(FileStat(st)) : .failure(CrawlError(errno: errno, doing: "stat"))
    }
}
