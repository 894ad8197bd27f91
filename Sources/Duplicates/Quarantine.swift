#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import Index
import SweepModel

/// Moves the copies not kept into a quarantine folder that mirrors their paths, and puts them back.
///
/// A copy moves only when (1) it is not held, (2) it and the kept copy are still what the scan saw
/// (device, inode, size, modified and changed times), and (3) its bytes equal the kept copy's, compared
/// as it is read. A hardlink of the kept copy frees nothing and stays. Each move is appended to
/// `manifest.jsonl` (and `manifest.csv`) in the quarantine — path, size, SHA-256, the kept copy, who, when —
/// and recorded in the index, before the next one starts.
public struct Quarantine {
    public let root: String
    public let index: SweepIndex
    /// Why an item may not move (a legal hold), or nil.
    public let holdReason: (DuplicateSet.Member) -> String?

    public init(root: String, index: SweepIndex, holdReason: @escaping (DuplicateSet.Member) -> String? = { _ in nil }) {
        self.root = root; self.index = index; self.holdReason = holdReason
    }

    public enum Outcome: Sendable, Equatable {
        case moved(to: String, sha256: String)
        case wouldMove
        case skipped(String)
    }

    public struct Line: Sendable {
        public let path: String
        public let kept: String
        public let outcome: Outcome
    }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Who is moving files: the login name, and the sudo caller when there is one.
    public static var actor: String {
        let uid = getuid()
        var name = String(uid)
        if let pw = getpwuid(uid), let n = pw.pointee.pw_name { name = String(cString: n) }
        if let s = ProcessInfo.processInfo.environment["SUDO_USER"], !s.isEmpty, s != name { return "\(name) (sudo by \(s))" }
        return name
    }

    /// Quarantines the extra copies of each set; `dryRun` checks everything and moves nothing.
    public func run(_ sets: [DuplicateSet], dryRun: Bool) throws -> [Line] {
        if !dryRun { try makeFolder(root) }
        var lines: [Line] = []
        let who = Quarantine.actor
        // Holds placed with `sweep hold add` count as much as the rules' own, read once here so one added
        // since the scan already applies.
        let placed = try index.activeHolds()
        for set in sets {
            let keeper = set.members[set.keeper]
            for m in set.members where m.id != keeper.id {
                let cli = placed.ids(for: m.relativePath)
                let outcome = try cli.isEmpty ? quarantine(m, keeping: keeper, in: set, dryRun: dryRun, who: who)
                    : .skipped("held: " + cli.joined(separator: ", "))
                lines.append(Line(path: m.display, kept: keeper.display, outcome: outcome))
            }
        }
        return lines
    }

    func quarantine(_ m: DuplicateSet.Member, keeping keeper: DuplicateSet.Member, in set: DuplicateSet,
                    dryRun: Bool, who: String) throws -> Outcome {
        if let hold = holdReason(m) { return .skipped("held: \(hold)") }
        guard m.kind == .file else { return .skipped("not a file on disk (\(m.kind.rawValue)): remove its container instead") }
        if set.isHardlinkOfKeeper(m) { return .skipped("hardlink of the kept copy: frees nothing") }
        guard keeper.kind == .file else { return .skipped("the kept copy is inside a container: keep a file on disk instead") }
        guard Quarantine.unchanged(m) else { return .skipped("changed since the scan: scan again first") }
        guard Quarantine.unchanged(keeper) else { return .skipped("the kept copy changed since the scan: scan again first") }
        let sha: String
        switch Quarantine.compare(m.path, keeper.path) {
        case .failure(let why): return .skipped(why.message)
        case .success(let digest): sha = digest
        }
        if dryRun { return .wouldMove }
        let targetPath = ItemPath(bytes: Array(root.utf8) + m.path.bytes)
        let target = targetPath.display
        guard RawFS.exists(targetPath) == false else { return .skipped("already in the quarantine at \(target)") }
        try makeFolder(targetPath.parent.display, bytes: targetPath.parent)
        try Quarantine.move(m.path, to: targetPath, sha256: sha)
        let now = Timestamp.now().iso8601
        try appendManifest(path: m.path, stored: target, size: m.size, sha256: sha, kept: keeper.display, who: who, at: now)
        try index.recordQuarantine(itemID: m.id, path: m.path, storedAt: target, size: m.size, sha256: sha,
                                   kept: keeper.display, by: who, at: now)
        return .moved(to: target, sha256: sha)
    }

    // MARK: - Checks

    /// Still the file the scan recorded: same device, inode, size, modified and changed times.
    static func unchanged(_ m: DuplicateSet.Member) -> Bool {
        guard let st = RawFS.lstat(m.path) else { return false }
        return (st.st_mode & S_IFMT) == S_IFREG && UInt64(st.st_dev) == m.identity?.device && UInt64(st.st_ino) == m.identity?.inode
            && Int64(st.st_size) == m.size
            && Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec) == m.modified?.nanoseconds
            && Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec) == m.changed?.nanoseconds
    }

    /// Compares two files byte by byte; on equality, the SHA-256 of the first.
    static func compare(_ a: ItemPath, _ b: ItemPath) -> Result<String, Failure> {
        guard let fa = RawFS.openRead(a) else { return .failure(Failure(message: "cannot open: \(String(cString: strerror(errno)))")) }
        defer { close(fa) }
        guard let fb = RawFS.openRead(b) else { return .failure(Failure(message: "cannot open the kept copy: \(String(cString: strerror(errno)))")) }
        defer { close(fb) }
        let size = 1 << 20
        let x = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        let y = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { x.deallocate(); y.deallocate() }
        var sha = SHA256()
        while true {
            let n = Disk.readFull(fa, x), k = Disk.readFull(fb, y)
            guard n >= 0, k >= 0 else { return .failure(Failure(message: "read failed: \(String(cString: strerror(errno)))")) }
            guard n == k, memcmp(x.baseAddress!, y.baseAddress!, n) == 0 else {
                return .failure(Failure(message: "content differs from the kept copy: scan again"))
            }
            if n == 0 { break }
            sha.update(bufferPointer: UnsafeRawBufferPointer(rebasing: x[0..<n]))
        }
        return .success(sha.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// rename(2) when on one file system; otherwise copy (mode, owner, times kept), check, then unlink.
    static func move(_ from: ItemPath, to: ItemPath, sha256: String) throws {
        if RawFS.rename(from, to) { return }
        guard errno == EXDEV else { throw Failure(message: "cannot move \(from.display): \(String(cString: strerror(errno)))") }
        try Disk.copyPreserving(from, to)
        guard case .success(let copied) = compare(to, from), copied == sha256 else {
            _ = RawFS.unlink(to)
            throw Failure(message: "the copy of \(from.display) in the quarantine does not match it: left in place")
        }
        guard RawFS.unlink(from) else { throw Failure(message: "copied \(from.display) but cannot remove it: \(String(cString: strerror(errno)))") }
    }

    func makeFolder(_ path: String, bytes: ItemPath? = nil) throws {
        let p = bytes ?? ItemPath(path)
        guard RawFS.makeFolders(p) else {
            throw Failure(message: "cannot create \(p.display) in the quarantine: \(String(cString: strerror(errno)))")
        }
    }

    func appendManifest(path raw: ItemPath, stored: String, size: Int64, sha256: String, kept: String, who: String, at: String) throws {
        let path = raw.display
        var o = JSONObject()
        o.add("path", path)
        // A name that is not UTF-8 is shown with \xNN escapes; the exact bytes go beside it for restore.
        if String(validating: raw.bytes, as: UTF8.self) == nil { o.add("path_hex", Quarantine.hex(raw.bytes)) }
        o.add("stored", stored); o.add("size", size); o.add("sha256", sha256)
        o.add("kept", kept); o.add("by", who); o.add("at", at)
        try Quarantine.append(root + "/manifest.jsonl", o.text + "\n")
        let csvPath = root + "/manifest.csv"
        if !FileManager.default.fileExists(atPath: csvPath) {
            try Quarantine.append(csvPath, CSVText.row(["path", "stored", "size", "sha256", "kept", "by", "at"]) + "\n")
        }
        try Quarantine.append(csvPath, CSVText.row([path, stored, String(size), sha256, kept, who, at]) + "\n")
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func unhex(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        return stride(from: 0, to: u.count, by: 2).map { UInt8(String(decoding: u[$0..<$0 + 2], as: UTF8.self), radix: 16) }
            .reduce(into: [UInt8]?([])) { acc, b in if let b, acc != nil { acc!.append(b) } else { acc = nil } }
    }

    /// Appends and syncs: the manifest is the record of what moved, written before the next move.
    static func append(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let ok = text.utf8CString.withUnsafeBufferPointer { buf in write(fd, buf.baseAddress, buf.count - 1) == buf.count - 1 }
        guard ok, fsync(fd) == 0 else { throw Failure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
