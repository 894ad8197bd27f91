#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import Index
import SweepModel

extension Quarantine {
    public enum RestoreOutcome: Sendable, Equatable {
        case restored
        case skipped(String)
    }

    struct ManifestEntry {
        let path: ItemPath
        let sha256: String
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
        let who = Quarantine.actor
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
        let stored = ItemPath(bytes: Array(root.utf8) + e.path.bytes)
        guard RawFS.exists(stored) else { return .skipped("not in the quarantine any more") }
        if RawFS.exists(e.path) { return .skipped("something is at the original path again: left in the quarantine") }
        guard Quarantine.sha256(stored) == e.sha256 else { return .skipped("changed in the quarantine: SHA-256 differs from the manifest") }
        guard RawFS.makeFolders(e.path.parent) else {
            return .skipped("cannot recreate its folder: \(String(cString: strerror(errno)))")
        }
        try Quarantine.move(stored, to: e.path, sha256: e.sha256)
        let now = Timestamp.now().iso8601
        var o = JSONObject()
        o.add("path", e.path.display)
        if String(validating: e.path.bytes, as: UTF8.self) == nil { o.add("path_hex", Quarantine.hex(e.path.bytes)) }
        o.add("sha256", e.sha256); o.add("by", who); o.add("at", now)
        try Quarantine.append(root + "/restored.jsonl", o.text + "\n")
        try index.recordRestore(path: e.path, at: now)
        return .restored
    }

    static func entry(_ line: String) -> ManifestEntry? {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let sha = obj["sha256"] as? String else { return nil }
        if let hex = obj["path_hex"] as? String, let bytes = unhex(hex) { return ManifestEntry(path: ItemPath(bytes: bytes), sha256: sha) }
        guard let p = obj["path"] as? String else { return nil }
        return ManifestEntry(path: ItemPath(p), sha256: sha)
    }

    func readLines(_ path: String) throws -> [String]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(message: "cannot read \(path)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func sha256(_ p: ItemPath) -> String? {
        guard let fd = RawFS.openRead(p) else { return nil }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var sha = SHA256()
        while true {
            let n = Disk.readFull(fd, buffer)
            if n < 0 { return nil }
            if n == 0 { break }
            sha.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return sha.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
