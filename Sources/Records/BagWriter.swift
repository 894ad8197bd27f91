#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SafeFiles
import SweepModel

/// Writes a BagIt bag (RFC 8493): `data/` mirrors each file's absolute path, `manifest-sha256.txt`,
/// `bagit.txt`, `bag-info.txt` and `tagmanifest-sha256.txt`. It is built beside its final name and renamed
/// into place when complete, so a bag that exists is a whole one.
struct BagWriter {
    let folder: String
    let organization: String
    let description: String
    var partial: String {
        let slash = folder.lastIndex(of: "/")!
        return String(folder[...slash]) + "." + String(folder[folder.index(after: slash)...]) + ".partial"
    }
    private let entries = Entries()

    final class Entries { var list: [(path: String, sha256: String, size: Int64)] = [] }

    init(folder: String, organization: String, description: String) {
        self.folder = folder; self.organization = organization; self.description = description
    }

    func begin() throws {
        guard !RawFS.exists(ItemPath(folder)) else { throw FileOps.Failure(message: "\(folder) already exists") }
        guard RawFS.makeFolders(ItemPath(partial + "/data")) else {
            throw FileOps.Failure(message: "cannot create \(partial)/data: \(FileOps.lastError)")
        }
    }

    /// Copies a file into `data/`, checking the copy's SHA-256 against the approved one.
    func add(_ source: ItemPath, sha256: String) throws {
        guard String(validating: source.bytes, as: UTF8.self) != nil else {
            throw FileOps.Failure(message: "its name is not UTF-8: a BagIt manifest cannot name it; rename it first")
        }
        let inner = "data/" + String(decoding: source.bytes.drop { $0 == UInt8(ascii: "/") }, as: UTF8.self)
        let target = ItemPath(partial + "/" + inner)
        guard RawFS.makeFolders(target.parent) else { throw FileOps.Failure(message: "cannot create \(target.parent.display): \(FileOps.lastError)") }
        let read = try FileOps.copy(source, to: target)
        guard read == sha256, FileOps.sha256(target) == sha256 else {
            _ = RawFS.unlink(target)
            throw FileOps.Failure(message: "the copy in the bag does not match what was approved (SHA-256): left in place")
        }
        entries.list.append((inner, sha256, Int64(RawFS.lstat(target)?.st_size ?? 0)))
    }

    /// RFC 8493 §2.1.3: CR, LF and % in a manifest path are percent-encoded.
    static func encode(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Writes the tag files and renames the bag into place; returns its folder.
    func finish() throws -> String {
        let manifest = entries.list.map { "\($0.sha256)  \(BagWriter.encode($0.path))\n" }.joined()
        try FileOps.write(partial + "/manifest-sha256.txt", manifest)
        try FileOps.write(partial + "/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        let bytes = entries.list.reduce(Int64(0)) { $0 + $1.size }
        func one(_ s: String) -> String { s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ") }
        let info = """
            Source-Organization: \(one(organization))
            Bagging-Date: \(Timestamp.now().iso8601.prefix(10))
            Payload-Oxum: \(bytes).\(entries.list.count)
            External-Description: \(one(description))
            Bag-Software-Agent: Sweep

            """
        try FileOps.write(partial + "/bag-info.txt", info)
        var tags = ""
        for name in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
            guard let sha = FileOps.sha256(ItemPath(partial + "/" + name)) else { throw FileOps.Failure(message: "cannot read back \(name)") }
            tags += "\(sha)  \(name)\n"
        }
        try FileOps.write(partial + "/tagmanifest-sha256.txt", tags)
        guard rename(partial, folder) == 0 else { throw FileOps.Failure(message: "cannot rename the bag into \(folder): \(FileOps.lastError)") }
        return folder
    }

    /// Removes a bag that received nothing.
    func abandon() { try? FileManager.default.removeItem(atPath: partial) }
}
