#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SweepModel

/// A concurrent folder walk over openat/readdir + fstatat.
///
/// Folders wait on one shared stack (depth first, so memory stays bounded by the tree's breadth at the
/// current depth); `jobs` threads take from it. Each listing goes to the visitor on the thread that read it.
/// Symlinks are recorded, not followed, unless `followSymlinks`; then a link to a folder inside the roots is
/// recorded (that folder is walked under its own name), a link out of them is walked once however many
/// links lead there, and a link back to an ancestor is recorded as a loop. Only the walk's own decisions skip anything: excludes, and
/// other file systems under `oneFileSystem`.
public final class Walker: @unchecked Sendable {
    private let options: CrawlOptions
    private let condition = NSCondition()
    private var stack: [Job] = []
    private var active = 0
    private var stopped = false
    private var visited = Set<FileID>()

    struct Job {
        let path: ItemPath
        let root: ItemPath
        let relative: String
        let rootDevice: UInt64
        let ancestors: [FileID]
        let viaSymlink: Bool
        /// The folder's own details, as its parent's listing (or the root's stat) gave them.
        let stat: FileStat?
    }

    public enum RootProblem: Error, CustomStringConvertible {
        case missing(String, CrawlError)
        public var description: String {
            switch self {
            case .missing(let p, let e): return "cannot scan \(p): \(e.message). Check the path and that the share is mounted."
            }
        }
    }

    private let rootRealPaths: [ItemPath]

    public init(options: CrawlOptions) {
        self.options = options
        rootRealPaths = options.followSymlinks ? options.roots.compactMap { Walker.realPath($0) } : []
    }

    private func realPath(_ p: ItemPath) -> ItemPath? { Walker.realPath(p) }

    static func realPath(_ p: ItemPath) -> ItemPath? {
        let resolved = (p.bytes + [0]).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { realpath($0.baseAddress!, nil) }
        }
        guard let resolved else { return nil }
        defer { free(resolved) }
        return ItemPath(bytes: Array(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved))))
    }

    /// Asks the walk to stop taking new folders; `run` returns once the folders in hand are done.
    public func stop() {
        condition.lock(); stopped = true; condition.broadcast(); condition.unlock()
    }

    public var wasStopped: Bool { condition.lock(); defer { condition.unlock() }; return stopped }

    /// Checks every root exists before anything is written.
    public static func checkRoots(_ roots: [ItemPath]) throws {
        for r in roots {
            if case .failure(let e) = FileStat.of(r, follow: true) { throw RootProblem.missing(r.display, e) }
        }
    }

    /// Walks every root; calls `visit` concurrently, once per folder (and once per root that is a single file).
    public func run(visit: @escaping @Sendable (Listing) -> Void) {
        for root in options.roots {
            switch FileStat.of(root, follow: true) {
            case .failure(let e):
                visit(Listing(folder: root.parent, root: root, relative: "", entries: [
                    Entry(name: root.name, folder: root.parent, folderRelative: "", stat: nil, error: e)], complete: false, error: nil))
            case .success(let st) where st.kind == .directory:
                stack.append(Job(path: root, root: root, relative: "", rootDevice: st.id.device,
                                 ancestors: [st.id], viaSymlink: true, stat: st))
            case .success(let st):
                visit(Listing(folder: root.parent, root: root, relative: "", entries: [
                    Entry(name: root.name, folder: root.parent, folderRelative: "", stat: st, error: nil)], complete: false, error: nil))
            }
        }
        stack.reverse()   // first root first
        let threads = options.jobs
        let done = DispatchGroup()
        for n in 0..<threads {
            done.enter()
            let t = Thread { [self] in
                while let job = take() {
                    let (listing, children) = list(job)
                    give(children)
                    visit(listing)
                    finish()
                }
                done.leave()
            }
            t.name = "sweep-walk-\(n)"
            t.start()
        }
        done.wait()
    }

    private func take() -> Job? {
        condition.lock(); defer { condition.unlock() }
        while stack.isEmpty && active > 0 && !stopped { condition.wait() }
        if stopped || stack.isEmpty { condition.broadcast(); return nil }
        active += 1
        return stack.removeLast()
    }

    private func give(_ jobs: [Job]) {
        guard !jobs.isEmpty else { return }
        condition.lock(); stack.append(contentsOf: jobs.reversed()); condition.broadcast(); condition.unlock()
    }

    private func finish() {
        condition.lock(); active -= 1; condition.broadcast(); condition.unlock()
    }

    /// Reads one folder: its entries with lstat, and the sub-folders to walk next.
    private func list(_ job: Job) -> (Listing, [Job]) {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | (job.viaSymlink ? 0 : O_NOFOLLOW)
        let fd = (job.path.bytes + [0]).withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, flags) }
        }
        guard fd >= 0 else {
            let e = CrawlError(errno: errno, doing: "open folder")
            return (Listing(folder: job.path, root: job.root, relative: job.relative, entries: [], complete: false, error: e,
                            stat: job.stat), [])
        }
        guard let dir = fdopendir(fd) else {
            let e = CrawlError(errno: errno, doing: "open folder")
            close(fd)
            return (Listing(folder: job.path, root: job.root, relative: job.relative, entries: [], complete: false, error: e,
                            stat: job.stat), [])
        }
        defer { closedir(dir) }

        var entries: [Entry] = []
        var children: [Job] = []
        var complete = true
        var listError: CrawlError?
        while true {
            errno = 0
            guard let ent = readdir(dir) else {
                if errno != 0 { complete = false; listError = CrawlError(errno: errno, doing: "read folder") }
                break
            }
            withUnsafePointer(to: &ent.pointee.d_name) { raw in
                raw.withMemoryRebound(to: CChar.self, capacity: 256) { cname in
                    let len = strlen(cname)
                    let name = Array(UnsafeRawBufferPointer(start: cname, count: len))
                    if name == [0x2E] || name == [0x2E, 0x2E] { return }
                    var st = stat()
                    guard fstatat(fd, cname, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                        let e = CrawlError(errno: errno, doing: "stat")
                        if options.isExcluded(name: name, in: job.relative, isFolder: false) { return }
                        entries.append(Entry(name: name, folder: job.path, folderRelative: job.relative, stat: nil, error: e))
                        return
                    }
                    let own = FileStat(st)
                    var fs = own
                    if options.isExcluded(name: name, in: job.relative, isFolder: fs.kind == .directory) { return }
                    var linkTarget: [UInt8]?
                    var error: CrawlError?
                    var viaSymlink = false
                    if fs.kind == .symlink {
                        linkTarget = readLink(fd, cname, size: Int(fs.size))
                        if options.followSymlinks {
                            var target = stat()
                            if fstatat(fd, cname, &target, 0) == 0 {
                                fs = FileStat(target)
                                viaSymlink = true
                            } else if errno == ELOOP {
                                error = CrawlError(kind: .loop, message: "symlink loop: the link resolves to itself")
                            }
                        }
                    }
                    if fs.kind == .directory {
                        if options.oneFileSystem && fs.id.device != job.rootDevice {
                            entries.append(Entry(name: name, folder: job.path, folderRelative: job.relative, stat: fs, error: nil, linkTarget: linkTarget))
                            return
                        }
                        if job.ancestors.contains(fs.id) {
                            let e = CrawlError(kind: .loop, message: "symlink loop: points back to a folder above it")
                            entries.append(Entry(name: name, folder: job.path, folderRelative: job.relative, stat: own, error: e, linkTarget: linkTarget))
                            return
                        }
                        if viaSymlink {
                            // A link into a root is walked under its real name: record the link, do not walk twice.
                            // A link out of the roots is walked once, however many links lead there.
                            if let real = realPath(job.path.appending(name)), rootRealPaths.contains(where: { real.isWithin($0) }) {
                                entries.append(Entry(name: name, folder: job.path, folderRelative: job.relative, stat: own, error: nil, linkTarget: linkTarget))
                                return
                            }
                            condition.lock()
                            let fresh = visited.insert(fs.id).inserted
                            condition.unlock()
                            if !fresh {
                                entries.append(Entry(name: name, folder: job.path, folderRelative: job.relative, stat: own, error: nil, linkTarget: linkTarget))
                                return
                            }
                        }
                        children.append(Job(path: job.path.appending(name), root: job.root,
                                            relative: Entry.relative(job.relative, name), rootDevice: job.rootDevice,
                                            ancestors: job.ancestors + [fs.id], viaSymlink: viaSymlink, stat: fs))
                    }
                    entries.append(Entry(name: name, folder: job.path, folderRelative: job.relative, stat: fs, error: error, linkTarget: linkTarget))
                }
            }
        }
        let listing = Listing(folder: job.path, root: job.root, relative: job.relative, entries: entries,
                              complete: complete, error: listError)
        return (listing, children)
    }

    private func readLink(_ fd: Int32, _ name: UnsafePointer<CChar>, size: Int) -> [UInt8]? {
        let cap = max(size, 255) + 1
        var buf = [CChar](repeating: 0, count: cap)
        let n = readlinkat(fd, name, &buf, cap)
        guard n >= 0 else { return nil }
        return buf[0..<n].map { UInt8(bitPattern: $0) }
    }
}
