#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import SweepModel

/// The plain file operations disposal and the duplicate quarantine need, on raw path bytes (names need not be
/// UTF-8): every copy synced and checked. `SafeFS` is the part that follows no link.
public enum FileOps {
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    public static var lastError: String { String(cString: strerror(errno)) }


    /// Reads `fd` to the end, giving each chunk to `body`; false on a read error.
    public static func stream(_ fd: Int32, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 { if errno == EINTR { continue }; return false }
            if n == 0 { return true }
            guard body(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) else { return false }
        }
    }

    /// Copies `src` from where it stands to its end into `dst`, hashing what passes; false on a read or write error.
    public static func pump(_ src: Int32, into dst: Int32, hashing sha: inout SHA256) -> Bool {
        stream(src) { chunk in
            sha.update(bufferPointer: chunk)
            var done = 0
            while done < chunk.count {
                let n = Glibc.write(dst, chunk.baseAddress! + done, chunk.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
    }

    public static func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 { d.map { String(format: "%02x", $0) }.joined() }

    /// SHA-256 of the file's bytes, or nil when it cannot be read.
    public static func sha256(_ p: ItemPath) -> String? {
        guard let fd = RawFS.openRead(p) else { return nil }
        defer { close(fd) }
        var sha = SHA256()
        guard stream(fd, { sha.update(bufferPointer: $0); return true }) else { return nil }
        return hex(sha.finalize())
    }

    public static func sha256(text: String) -> String { hex(SHA256.hash(data: Data(text.utf8))) }

    /// Copies the content (new file, 0600 until the mode is set), keeps mode and times, syncs; the SHA-256 of what was read.
    public static func copy(_ from: ItemPath, to: ItemPath) throws -> String {
        guard let src = RawFS.openRead(from) else { throw Failure(message: "cannot open \(from.display): \(lastError)") }
        defer { close(src) }
        let dst = RawFS.withCPath(to) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        guard dst >= 0 else { throw Failure(message: "cannot create \(to.display): \(lastError)") }
        var sha = SHA256()
        let ok = pump(src, into: dst, hashing: &sha)
        var st = stat()
        if fstat(src, &st) == 0 {
            _ = fchmod(dst, st.st_mode & 0o7777)
            var times = [st.st_atim, st.st_mtim]
            _ = futimens(dst, &times)
        }
        let synced = fsync(dst) == 0
        close(dst)
        guard ok, synced else {
            _ = RawFS.unlink(to)
            throw Failure(message: "cannot copy \(from.display) to \(to.display): \(lastError)")
        }
        return hex(sha.finalize())
    }

    /// Writes a whole small file (bag tag files, manifests) and syncs it.
    public static func write(_ path: String, _ text: String, append: Bool = false) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o600)
        guard fd >= 0 else { throw Failure(message: "cannot write \(path): \(lastError)") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let ok = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) == $0.count }
        guard ok, fsync(fd) == 0 else { throw Failure(message: "cannot write \(path): \(lastError)") }
    }

    /// Who is acting: the login name, and the sudo caller when there is one.
    public static var actor: String {
        let uid = getuid()
        var name = String(uid)
        if let pw = getpwuid(uid), let n = pw.pointee.pw_name { name = String(cString: n) }
        if let s = ProcessInfo.processInfo.environment["SUDO_USER"], !s.isEmpty, s != name { return "\(name) (sudo by \(s))" }
        return name
    }
}
