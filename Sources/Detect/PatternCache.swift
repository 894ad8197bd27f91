import Crypto
import Foundation

/// Compiled pattern databases kept between runs. Compiling the shipped rules takes Vectorscan a few tenths
/// of a second, which every scan would otherwise wait for before reading its first file.
///
/// Each database is a file named by a digest of what was compiled (the Vectorscan version, every pattern and
/// its flags), holding a digest of its own bytes: a changed rule, a new Vectorscan or a damaged file is never
/// used, only compiled again. The files hold compiled rules only, nothing read from a scanned item. Anything
/// that goes wrong here (no home, a read-only disk) means compiling as if there were no cache.
public struct PatternCache: Sendable {
    public let directory: String
    /// Databases kept; the least recently written go first.
    public static let kept = 32

    public init(directory: String) { self.directory = directory }

    /// `$SWEEP_CACHE_DIR` when set (empty: no cache), else `$XDG_CACHE_HOME/sweep`, else `~/.cache/sweep`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> PatternCache? {
        if let dir = environment["SWEEP_CACHE_DIR"] { return dir.isEmpty ? nil : PatternCache(directory: dir) }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return PatternCache(directory: xdg + "/sweep") }
        if let home = environment["HOME"], home.hasPrefix("/") { return PatternCache(directory: home + "/.cache/sweep") }
        return nil
    }

    private static let magic = Array("SWEEPHS1".utf8)

    /// The file name for a database of `patterns` compiled with `flags` and reporting `ids` (a database reports
    /// the ids it was compiled with, so the same patterns at other places in the rules are another database) by
    /// Vectorscan `version`.
    static func key(version: String, ids: [UInt32], patterns: [String], flags: [UInt32]) -> String {
        var hash = SHA256()
        hash.update(data: Array("sweep patterns\0\(version)\0".utf8))
        for ((id, p), f) in zip(zip(ids, patterns), flags) { hash.update(data: Array("\(id) \(f) \(p.utf8.count) \(p)\0".utf8)) }
        return hash.finalize().map { String(format: "%02x", $0) }.joined() + ".hsdb"
    }

    func path(_ key: String) -> String { directory + "/" + key }

    /// The stored bytes, when the file is whole.
    func load(_ key: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path(key)), data.count > Self.magic.count + 32 else { return nil }
        let bytes = [UInt8](data)
        let body = bytes[(Self.magic.count + 32)...]
        guard bytes.starts(with: Self.magic), Array(SHA256.hash(data: body)) == Array(bytes[Self.magic.count..<(Self.magic.count + 32)])
        else { return nil }
        return Array(body)
    }

    /// Writes the bytes (through a temporary file, so a reader never sees half of one), then drops the oldest
    /// databases beyond ``kept``.
    func store(_ key: String, _ body: [UInt8]) {
        let fm = FileManager.default
        guard (try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])) != nil
        else { return }
        let temporary = path(".\(key).\(getpid()).\(UInt64.random(in: 0...UInt64.max))")
        let contents = Self.magic + Array(SHA256.hash(data: body)) + body
        guard fm.createFile(atPath: temporary, contents: Data(contents)) else { return }
        guard rename(temporary, path(key)) == 0 else { unlink(temporary); return }
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        let databases = names.filter { $0.hasSuffix(".hsdb") && !$0.hasPrefix(".") }
        guard databases.count > Self.kept else { return }
        let dated = databases.map { name -> (String, Date) in
            (name, ((try? fm.attributesOfItem(atPath: path(name)))?[.modificationDate] as? Date) ?? .distantPast)
        }
        for (name, _) in dated.sorted(by: { $0.1 < $1.1 }).prefix(databases.count - Self.kept) { unlink(path(name)) }
    }
}
