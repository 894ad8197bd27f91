#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import Index
import SafeFiles
import SweepModel

extension Quarantine {
    public enum RestoreOutcome: Sendable, Equatable {
        case restored
        case skipped(String)
    }

    struct ManifestEntry {
        let path: ItemPath
        let sha256: String
        /// The scan root the copy was found under; nil in a manifest written before roots were noted, when the
        /// whole path is walked without following a link.
        var root: ItemPath?
    }

    /// Puts every quarantined copy back where it was, unless something else is there now or the copy in the
    /// quarantine no longer matches its SHA-256. rename(2) keeps content, mode, owner and times; across file
    /// systems they are copied. Each restore is appended to `restored.jsonl` and recorded in the index.
    public func restore() throws -> [(path: String, outcome: RestoreOutcome)] {
        let manifest = try readLines(root + "/manifest.jsonl")
        guard let manifest else {
            throw Failure(message: "no manifest.jsonl in \(root): give --from the folder `sweep dupes quarantine --to` wrote")
        }
        let done = Set(try readLines(root + "/restored.jsonl")?.compactMap { Quarantine.entry($0)?.path } ?? [])
        let who = FileOps.actor
        var out: [(String, RestoreOutcome)] = []
        for line in manifest {
            guard let e = Quarantine.entry(line) else {
                out.append((line, .skipped("unreadable manifest line"))); continue
            }
            if done.contains(e.path) { continue }
            out.append((e.path.display, try restore(e, who: who)))
        }
        return out
    }

    func restore(_ e: ManifestEntry, who: String) throws -> RestoreOutcome {
        // The copy is opened through the quarantine's folders and its original place through the folders below its
        // scan root, neither following a link: a link planted in either cannot send it anywhere else.
        let stored = ItemPath(bytes: Array(root.utf8) + e.path.bytes)
        let from: SafeFS.Place
        do { from = try SafeFS.place(stored, below: ItemPath(root)) } catch { return .skipped("\(error)") }
        defer { from.close() }
        guard from.stat() != nil else { return .skipped("not in the quarantine any more") }
        let opened: (fd: Int32, stat: stat)
        do { opened = try SafeFS.openFile(from) } catch { return .skipped("in the quarantine: \(error)") }
        defer { close(opened.fd) }
        guard SafeFS.sha256(opened.fd) == e.sha256 else { return .skipped("changed in the quarantine: SHA-256 differs from the manifest") }
        let to: SafeFS.Place
        do { to = try SafeFS.place(e.path, below: e.root, create: true, mode: 0o777) } catch {
            return .skipped("cannot reach its folder: \(error)")
        }
        defer { to.close() }
        if to.stat() != nil { return .skipped("something is at the original path again: left in the quarantine") }
        do { try SafeFS.move(from, fd: opened.fd, verified: opened.stat, to: to, sha256: e.sha256) } catch {
            return .skipped("\(error)")
        }
        let now = Timestamp.now().iso8601
        var o = JSONObject()
        o.add("path", e.path.display)
        if String(validating: e.path.bytes, as: UTF8.self) == nil { o.add("path_hex", FileOps.hex(e.path.bytes)) }
        o.add("sha256", e.sha256); o.add("by", who); o.add("at", now)
        try FileOps.write(root + "/restored.jsonl", o.text + "\n", append: true)
        try index.recordRestore(path: e.path, at: now)
        return .restored
    }

    static func entry(_ line: String) -> ManifestEntry? {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let sha = obj["sha256"] as? String else { return nil }
        let root = (obj["root"] as? String).map { ItemPath(bytes: ItemPath.parse(display: $0)) }
        if let hex = obj["path_hex"] as? String, let bytes = unhex(hex) { return ManifestEntry(path: ItemPath(bytes: bytes), sha256: sha, root: root) }
        guard let p = obj["path"] as? String else { return nil }
        return ManifestEntry(path: ItemPath(p), sha256: sha, root: root)
    }

    func readLines(_ path: String) throws -> [String]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(message: "cannot read \(path)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
