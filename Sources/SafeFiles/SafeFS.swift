#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import SweepModel

/// File operations for disposal that follow no symbolic link at any component and act on what was verified,
/// not on a name looked up again: each folder of a path is opened in turn with `O_NOFOLLOW`, the file is opened
/// in its verified folder and checked through its descriptor, a move is a `renameat` between verified folders
/// followed by a check that the name moved was that file (a swap in between is put back and refused), and a
/// copy is read from the verified descriptor.
///
/// Someone who can write in a folder of a share can still rename files in it at any moment; what they cannot
/// do is make Sweep move, copy or delete anything but the file that was approved.
public enum SafeFS {
    public typealias Failure = FileOps.Failure
    public static var lastError: String { FileOps.lastError }

    /// A folder opened without following links, and the name of an entry in it.
    public struct Place {
        public let folder: Int32
        public let name: [UInt8]
        public func close() { _ = Glibc.close(folder) }

        public func stat() -> Glibc.stat? {
            var st = Glibc.stat()
            let rc = name.withCString { fstatat(folder, $0, &st, AT_SYMLINK_NOFOLLOW) }
            return rc == 0 ? st : nil
        }
    }

    /// Opens every folder of `path` from `/` with `O_NOFOLLOW`; `create` makes missing ones (`mode`, 0700 unless
    /// given, less the umask). The
    /// last component is not opened: it is the name in the returned folder.
    ///
    /// `trusted` is a folder above the path that the administrator named (a scan root, a quarantine folder): it
    /// is opened as named, links and all; only the components below it are walked without following links.
    public static func place(_ path: ItemPath, below trusted: ItemPath? = nil, create: Bool = false, mode: mode_t = 0o700) throws -> Place {
        var start: [UInt8] = Array("/".utf8)
        var rest = path.bytes
        if let trusted {
            let t = trusted.bytes.last == UInt8(ascii: "/") ? Array(trusted.bytes.dropLast()) : trusted.bytes
            if !t.isEmpty, rest.count > t.count, rest.starts(with: t), rest[t.count] == UInt8(ascii: "/") {
                start = t
                rest = Array(rest[(t.count + 1)...])
            }
        }
        let parts = rest.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init)
        guard let leaf = parts.last, path.bytes.first == UInt8(ascii: "/") else {
            throw Failure(message: "\(path.display) is not a whole path")
        }
        var fd = start.withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw Failure(message: "cannot open \(ItemPath(bytes: start).display): \(lastError)") }
        for part in parts.dropLast() {
            guard part != Array("..".utf8), part != Array(".".utf8) else {
                Glibc.close(fd)
                throw Failure(message: "\(path.display) holds . or ..: refused")
            }
            var next = part.withCString { openat(fd, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            if next < 0 && errno == ENOENT && create {
                _ = part.withCString { mkdirat(fd, $0, mode) }
                next = part.withCString { openat(fd, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            }
            let code = errno
            Glibc.close(fd)
            guard next >= 0 else {
                let why = code == ELOOP || code == ENOTDIR ? "a symbolic link or a file stands where a folder should (\(String(decoding: part, as: UTF8.self)))"
                    : String(cString: strerror(code))
                throw Failure(message: "cannot open the folders of \(path.display): \(why)")
            }
            fd = next
        }
        return Place(folder: fd, name: leaf)
    }

    /// The regular file at `place`, opened without following a link.
    public static func openFile(_ place: Place) throws -> (fd: Int32, stat: stat) {
        let fd = place.name.withCString { openat(place.folder, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else {
            throw Failure(message: errno == ELOOP ? "it is a symbolic link now: refused" : "cannot open it: \(lastError)")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw Failure(message: "it is not a regular file now: refused")
        }
        return (fd, st)
    }

    public static func sameFile(_ a: stat, _ b: stat) -> Bool { a.st_dev == b.st_dev && a.st_ino == b.st_ino }

    /// SHA-256 of what `fd` reads from its start.
    public static func sha256(_ fd: Int32) -> String? {
        guard lseek(fd, 0, SEEK_SET) == 0 else { return nil }
        var sha = SHA256()
        guard FileOps.stream(fd, { sha.update(bufferPointer: $0); return true }) else { return nil }
        return FileOps.hex(sha.finalize())
    }

    /// Moves the verified file (`source`, open as `fd` with `verified` status) to `target`: `renameat` on one file
    /// system, then a check that the name moved is that file (if not, it is put back and refused); across file
    /// systems a copy read from `fd`, synced and checked against `sha256`, then the original name removed only
    /// while it is still that file.
    public static func move(_ source: Place, fd: Int32, verified: stat, to target: Place, sha256: String) throws {
        let renamed = source.name.withCString { s in target.name.withCString { t in renameat(source.folder, s, target.folder, t) } }
        if renamed == 0 {
            guard let moved = target.stat(), sameFile(moved, verified) else {
                // Someone swapped the name between the check and the move: put back what was moved.
                _ = target.name.withCString { t in source.name.withCString { s in renameat(target.folder, t, source.folder, s) } }
                throw Failure(message: "the file was replaced by another between its check and its move: put back, nothing destroyed")
            }
            return
        }
        guard errno == EXDEV else { throw Failure(message: "cannot move it: \(lastError)") }
        let copied = try copy(fd: fd, verified: verified, to: target)
        guard copied == sha256 else {
            _ = target.name.withCString { unlinkat(target.folder, $0, 0) }
            throw Failure(message: "the copy does not match what was approved: left in place")
        }
        guard let now = source.stat(), sameFile(now, verified) else {
            _ = target.name.withCString { unlinkat(target.folder, $0, 0) }
            throw Failure(message: "the original was replaced while it was copied: left in place, copy removed")
        }
        guard source.name.withCString({ unlinkat(source.folder, $0, 0) }) == 0 else {
            _ = target.name.withCString { unlinkat(target.folder, $0, 0) }
            throw Failure(message: "copied it but cannot remove the original (\(lastError)): copy removed, original left in place")
        }
    }

    /// Writes a new file at `target` from `fd` (mode 0600 until done, then the original's mode and times),
    /// synced; the SHA-256 of what was written.
    public static func copy(fd: Int32, verified: stat, to target: Place) throws -> String {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw Failure(message: "cannot read it again: \(lastError)") }
        let dst = target.name.withCString { openat(target.folder, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        guard dst >= 0 else { throw Failure(message: "cannot create the copy: \(lastError)") }
        var sha = SHA256()
        let ok = FileOps.pump(fd, into: dst, hashing: &sha)
        CrashPoint.here("during-copy")
        _ = fchown(dst, verified.st_uid, verified.st_gid)   // kept where allowed (as root); otherwise the mover owns it
        _ = fchmod(dst, verified.st_mode & 0o7777)
        var times = [verified.st_atim, verified.st_mtim]
        _ = futimens(dst, &times)
        let synced = fsync(dst) == 0 && fsync(target.folder) == 0
        Glibc.close(dst)
        guard ok, synced else {
            _ = target.name.withCString { unlinkat(target.folder, $0, 0) }
            throw Failure(message: "cannot write the copy: \(lastError)")
        }
        return FileOps.hex(sha.finalize())
    }

    /// Deletes the file at `place` only while it is the file open as `verified`.
    public static func remove(_ place: Place, verified: stat) throws {
        guard let now = place.stat(), sameFile(now, verified) else {
            throw Failure(message: "it was replaced by another file since its check: left in place")
        }
        guard place.name.withCString({ unlinkat(place.folder, $0, 0) }) == 0 else { throw Failure(message: "cannot delete it: \(lastError)") }
        _ = fsync(place.folder)
    }
}

extension Array where Element == UInt8 {
    public func withCString<T>(_ body: (UnsafePointer<CChar>) -> T) -> T {
        (self + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }
}

/// `SWEEP_TEST_CRASH_AT=NAME`: the process dies at that step, as a kill or a power cut would stop it, so the tests
/// can show the next run recovers. Read only when set.
public enum CrashPoint {
    public static func here(_ name: String) {
        if let at = ProcessInfo.processInfo.environment["SWEEP_TEST_CRASH_AT"], at == name { kill(getpid(), SIGKILL) }
    }
}
