#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import Index
import SafeFiles
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

    /// Quarantines the extra copies of each set; `dryRun` checks everything and moves nothing.
    public func run(_ sets: [DuplicateSet], dryRun: Bool) throws -> [Line] {
        if !dryRun { try makeFolder(root) }
        var lines: [Line] = []
        let who = FileOps.actor
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
        // On a shared index, each scanner host moves only what its own scans found, comparing it with a kept copy it
        // can read itself.
        if !m.reachableHere { return .skipped("on scanner host \(m.host ?? "?"): run sweep dupes quarantine there") }
        if !keeper.reachableHere {
            return .skipped("the kept copy is on scanner host \(keeper.host ?? "?"): this host cannot compare them byte for byte")
        }
        guard m.kind == .file else { return .skipped("not a file on disk (\(m.kind.rawValue)): remove its container instead") }
        if set.isHardlinkOfKeeper(m) { return .skipped("hardlink of the kept copy: frees nothing") }
        guard keeper.kind == .file else { return .skipped("the kept copy is inside a container: keep a file on disk instead") }
        // Both copies are opened through folders that are no links (below their scan roots) and checked through
        // their descriptors; the copy compared is the copy moved, whatever happens to the names meanwhile.
        let copy: Opened
        switch Quarantine.openVerified(m, changed: "changed since the scan: scan again first") {
        case .failure(let why): return .skipped(why.message)
        case .success(let o): copy = o
        }
        defer { copy.close() }
        let kept: Opened
        switch Quarantine.openVerified(keeper, changed: "the kept copy changed since the scan: scan again first") {
        case .failure(let why): return .skipped(why.message)
        case .success(let o): kept = o
        }
        defer { kept.close() }
        let sha: String
        switch Quarantine.compare(copy.fd, kept.fd) {
        case .failure(let why): return .skipped(why.message)
        case .success(let digest): sha = digest
        }
        if dryRun { return .wouldMove }
        let targetPath = ItemPath(bytes: Array(root.utf8) + m.path.bytes)
        let target = targetPath.display
        // The quarantine's own folders are made and walked without following a link: nothing planted in it can
        // send the copy elsewhere.
        let destination: SafeFS.Place
        do { destination = try SafeFS.place(targetPath, below: ItemPath(root), create: true) } catch {
            return .skipped("cannot make its place in the quarantine: \(error)")
        }
        defer { destination.close() }
        guard destination.stat() == nil else { return .skipped("already in the quarantine at \(target)") }
        do { try SafeFS.move(copy.place, fd: copy.fd, verified: copy.stat, to: destination, sha256: sha) } catch {
            return .skipped("\(error)")
        }
        let now = Timestamp.now().iso8601
        try appendManifest(path: m.path, root: m.root, stored: target, size: m.size, sha256: sha, kept: keeper.display, who: who, at: now)
        try index.recordQuarantine(itemID: m.id, path: m.path, storedAt: target, size: m.size, sha256: sha,
                                   kept: keeper.display, by: who, at: now)
        return .moved(to: target, sha256: sha)
    }

    // MARK: - Checks

    /// A copy opened for the move: its verified folder and name, its descriptor and status.
    struct Opened {
        let place: SafeFS.Place
        let fd: Int32
        let stat: stat
        func close() { _ = Glibc.close(fd); place.close() }
    }

    /// Opens the member below its scan root without following a link, and checks through the descriptor that
    /// it is still the file the scan recorded: same device, inode, size, modified and changed times.
    static func openVerified(_ m: DuplicateSet.Member, changed: String) -> Result<Opened, Failure> {
        let place: SafeFS.Place
        do { place = try SafeFS.place(m.path, below: ItemPath(bytes: ItemPath.parse(display: m.root))) } catch {
            return .failure(Failure(message: "\(error)"))
        }
        let opened: (fd: Int32, stat: stat)
        do { opened = try SafeFS.openFile(place) } catch {
            place.close()
            return .failure(Failure(message: "\(error)"))
        }
        let st = opened.stat
        let recorded = FileState(size: m.size, modified: m.modified?.nanoseconds, changed: m.changed?.nanoseconds,
                                 device: m.identity.map { Int64(bitPattern: $0.device) }, inode: m.identity.map { Int64(bitPattern: $0.inode) })
        guard FileState(st) == recorded else {
            Glibc.close(opened.fd); place.close()
            return .failure(Failure(message: changed))
        }
        return .success(Opened(place: place, fd: opened.fd, stat: st))
    }

    /// Compares two open files byte by byte from their starts; on equality, the SHA-256 of the first.
    static func compare(_ fa: Int32, _ fb: Int32) -> Result<String, Failure> {
        guard lseek(fa, 0, SEEK_SET) == 0, lseek(fb, 0, SEEK_SET) == 0 else {
            return .failure(Failure(message: "cannot read: \(FileOps.lastError)"))
        }
        let size = 1 << 20
        let x = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        let y = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { x.deallocate(); y.deallocate() }
        var sha = SHA256()
        while true {
            let n = Disk.readFull(fa, x), k = Disk.readFull(fb, y)
            guard n >= 0, k >= 0 else { return .failure(Failure(message: "read failed: \(FileOps.lastError)")) }
            guard n == k, memcmp(x.baseAddress!, y.baseAddress!, n) == 0 else {
                return .failure(Failure(message: "content differs from the kept copy: scan again"))
            }
            if n == 0 { break }
            sha.update(bufferPointer: UnsafeRawBufferPointer(rebasing: x[0..<n]))
        }
        return .success(FileOps.hex(sha.finalize()))
    }

    func makeFolder(_ path: String) throws {
        let p = ItemPath(path)
        guard RawFS.makeFolders(p) else {
            throw Failure(message: "cannot create \(p.display) in the quarantine: \(String(cString: strerror(errno)))")
        }
    }

    func appendManifest(path raw: ItemPath, root scanRoot: String, stored: String, size: Int64, sha256: String, kept: String, who: String, at: String) throws {
        let path = raw.display
        var o = JSONObject()
        o.add("path", path)
        // A name that is not UTF-8 is shown with \xNN escapes; the exact bytes go beside it for restore.
        if String(validating: raw.bytes, as: UTF8.self) == nil { o.add("path_hex", FileOps.hex(raw.bytes)) }
        // The scan root: restore walks below it without following a link.
        o.add("root", scanRoot)
        o.add("stored", stored); o.add("size", size); o.add("sha256", sha256)
        o.add("kept", kept); o.add("by", who); o.add("at", at)
        try FileOps.write(root + "/manifest.jsonl", o.text + "\n", append: true)
        let csvPath = root + "/manifest.csv"
        if !FileManager.default.fileExists(atPath: csvPath) {
            try FileOps.write(csvPath, CSVText.row(["path", "stored", "size", "sha256", "kept", "by", "at"]) + "\n", append: true)
        }
        try FileOps.write(csvPath, CSVText.row([path, stored, String(size), sha256, kept, who, at]) + "\n", append: true)
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        return stride(from: 0, to: u.count, by: 2).map { UInt8(String(decoding: u[$0..<$0 + 2], as: UTF8.self), radix: 16) }
            .reduce(into: [UInt8]?([])) { acc, b in if let b, acc != nil { acc!.append(b) } else { acc = nil } }
    }
}
