#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import Index

/// The key personal-data values are hashed under (HMAC-SHA256), kept in a file outside the index: by default
/// `INDEX.key` beside it, else where `key_file:` in the config or `$SWEEP_KEY_FILE` says; mode 0600, created on
/// first use. The index records only the key's id (the first 16 hex digits of its SHA-256). An index copied
/// without its key file yields no value: its hashes cannot be tried against guesses.
public enum KeyStore {
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The default key file for an index.
    public static func defaultPath(forIndex index: String) -> String { index + ".key" }

    /// The key for `index`, from `path`: created there on first use; moved there from inside an index written by
    /// an earlier version. A key file that is missing or holds another key than the index's hashes were made with
    /// stops the scan with what to do.
    public static func key(for index: SweepIndex, at path: String) throws -> [UInt8] {
        let recorded = try index.hashKeyID()
        var legacy = try index.legacyHashKey()
        // A new index is made with a key inside it (its first schema did so); no hash was ever made with that one,
        // so a key file that exists already (shared by several indexes, or kept from an earlier index) is used.
        if legacy != nil, recorded == nil, try index.isEmpty(), try read(path) != nil {
            try index.dropLegacyHashKey()
            legacy = nil
        }
        if let key = try read(path) {
            let id = identifier(key)
            if let recorded, recorded != id {
                throw Problem(description: "the key file \(path) holds key \(id), but this index's personal-data hashes were made with key "
                              + "\(recorded): give the right file (key_file: in the config, or $SWEEP_KEY_FILE), or run "
                              + "`sweep key rotate --index \(index.path)` to start a new key (every item is read again)")
            }
            if let legacy, legacy != key {
                throw Problem(description: "this index holds its own key and \(path) holds another: move \(path) away and run the scan again")
            }
            if recorded == nil { try index.setHashKeyID(id) }
            if legacy != nil { try index.dropLegacyHashKey() }
            return key
        }
        if let recorded {
            throw Problem(description: "the key file \(path) is missing; this index's personal-data hashes were made with key \(recorded): "
                          + "restore the file from your backup, or run `sweep key rotate --index \(index.path)` to start a new key "
                          + "(every item is read again)")
        }
        let key = legacy ?? randomKey()
        try write(key, to: path)
        try index.setHashKeyID(identifier(key))
        if legacy != nil { try index.dropLegacyHashKey() }
        return key
    }

    /// A new key for `index`: written to `path` (replacing the old file), recorded, and every item marked to be
    /// read again so the next scan hashes every value under it.
    public static func rotate(_ index: SweepIndex, at path: String) throws -> String {
        let key = randomKey()
        let temporary = path + ".new-\(getpid())"
        try write(key, to: temporary)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Problem(description: "cannot put the new key in \(path): \(String(cString: strerror(errno)))")
        }
        let id = identifier(key)
        try index.setHashKeyID(id)
        if try index.legacyHashKey() != nil { try index.dropLegacyHashKey() }
        try index.markAllForRereading("key-rotated")
        return id
    }

    public static func identifier(_ key: [UInt8]) -> String {
        SHA256.hash(data: key).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    static func randomKey() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    static func read(_ path: String) throws -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw Problem(description: "cannot read the key file \(path): run sweep as the user that owns it")
            }
            return nil
        }
        let hex = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex), let b = UInt8(hex[i..<j], radix: 16) {
            out.append(b); i = j
        }
        guard out.count == 32, i == hex.endIndex else {
            throw Problem(description: "the key file \(path) does not hold a key (64 hex digits): restore it from your backup")
        }
        return out
    }

    static func write(_ key: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw Problem(description: "cannot create the key file \(path): \(String(cString: strerror(errno))): check the folder is writable")
        }
        defer { close(fd) }
        let text = Array((key.map { String(format: "%02x", $0) }.joined() + "\n").utf8)
        guard text.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == text.count, fsync(fd) == 0 else {
            unlink(path)
            throw Problem(description: "cannot write the key file \(path): \(String(cString: strerror(errno)))")
        }
    }
}
