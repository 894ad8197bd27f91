#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Keeps a second scan off an index: an exclusive `flock` on `INDEX.lock`, held for the scan's life.
///
/// The kernel drops the lock when the process dies, SIGKILL included, so a killed scan never leaves a
/// stale lock behind. Readers (export, status) never take it: WAL lets them read while a scan writes.
///
/// A PostgreSQL index takes no file lock: many scanners write it at once, each holding leases on its own roots
/// (see the scan writer), and records commands change it in transactions.
public final class ScanLock {
    private let fd: Int32
    public let path: String

    public init(index: String) throws {
        if case .postgres = try SweepIndex.location(index) {
            path = ""
            fd = -1
            return
        }
        path = index + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw IndexError.cannotCreate(path, String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, 32, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
            throw IndexError.locked(index, holder: holder)
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.fd = fd
    }

    deinit {
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
