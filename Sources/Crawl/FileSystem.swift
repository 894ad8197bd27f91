#if canImport(Glibc)
import Glibc
#endif
import CStatFS
import SweepModel

/// What kind of file system a path is on: network shares are bound by latency, local disks by CPU.
public enum FileSystem {
    /// statfs magic numbers of network and FUSE file systems (linux/magic.h and the SMB client's own).
    static let networkMagics: Set<UInt64> = [
        0xFE53_4D42,   // SMB2/3 (cifs.ko, current)
        0xFF53_4D42,   // CIFS
        0x517B,        // SMB (old smbfs)
        0x6969,        // NFS
        0x5346_414F,   // AFS
        0x6573_5546,   // FUSE (sshfs, rclone, …)
        0x0102_1997,   // 9P
    ]

    /// True when `path` is on a network (or FUSE) file system; false when local or unknown.
    public static func isNetwork(_ path: ItemPath) -> Bool {
        var fs = statfs()
        let rc = (path.bytes + [0]).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { statfs($0.baseAddress!, &fs) }
        }
        guard rc == 0 else { return false }
        let magic = UInt64(UInt32(truncatingIfNeeded: fs.f_type))
        return networkMagics.contains(magic)
    }
}
