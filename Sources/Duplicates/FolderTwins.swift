import Index
import SweepModel

/// Whole duplicated folder trees: folders holding the same files (by content) to the last byte.
///
/// Each folder gets an order-independent signature of every file beneath it: the count, the total size
/// and two 64-bit sums of the files' content hashes. Folders with equal signatures hold the same contents.
/// A folder is unsure, and never a twin, when a file beneath it has no content hash (its size is unique, so
/// no copy of it exists anywhere). Only the top of a duplicated tree is reported, not every folder inside it.
public struct FolderTwins: Sendable {
    public struct Group: Sendable {
        public let folders: [ItemPath]
        public let files: Int
        public let bytes: Int64
        public var reclaimable: Int64 { bytes * Int64(folders.count - 1) }
    }

    public let groups: [Group]

    struct Signature: Hashable {
        var files = 0
        var bytes: Int64 = 0
        var high: UInt64 = 0
        var low: UInt64 = 0
    }

    public init(index: SweepIndex, minFiles: Int = 1) throws {
        var signatures: [ItemPath: Signature] = [:]
        var unsure = Set<ItemPath>()
        try index.forEachFile { f in
            // Empty files are alike; they have no content hash and need none.
            let hash: (UInt64, UInt64)?
            if f.size == 0 { hash = (0x9E37_79B9_7F4A_7C15, 0) } else if let c = f.content, c.utf8.count == 32 {
                hash = (UInt64(c.prefix(16), radix: 16) ?? 0, UInt64(c.suffix(16), radix: 16) ?? 0)
            } else { hash = nil }
            var folder = FolderTwins.container(of: f.path)
            while let current = folder {
                if let (h, l) = hash {
                    var s = signatures[current] ?? Signature()
                    s.files += 1; s.bytes += f.size; s.high &+= h; s.low &+= l
                    signatures[current] = s
                } else {
                    unsure.insert(current)
                }
                folder = current.bytes.count > 1 ? FolderTwins.container(of: current) : nil
            }
        }
        var bySignature: [Signature: [ItemPath]] = [:]
        for (folder, sig) in signatures where !unsure.contains(folder) && sig.files >= minFiles {
            bySignature[sig, default: []].append(folder)
        }
        var found: [Group] = []
        for (sig, folders) in bySignature where folders.count > 1 {
            // A folder whose only content is one sub-folder shares its signature: keep unrelated folders only.
            let sorted = folders.sorted()
            var independent: [ItemPath] = []
            for f in sorted where !independent.contains(where: { f.isWithin($0) || $0.isWithin(f) }) { independent.append(f) }
            guard independent.count > 1 else { continue }
            found.append(Group(folders: independent, files: sig.files, bytes: sig.bytes))
        }
        // Drop groups inside a reported group: when /A and /B are twins, /A/x and /B/x need no line of their own.
        let tops = found.filter { g in
            let parents = Set(g.folders.compactMap { FolderTwins.container(of: $0) })
            return !found.contains { other in other.folders.count == g.folders.count && Set(other.folders) == parents }
        }
        groups = tops.sorted { ($0.reclaimable, $0.folders[0]) > ($1.reclaimable, $1.folders[0]) }
    }

    /// The folder holding a path; for a nested item (`a.zip!/x`), the folder holding its container.
    static func container(of path: ItemPath) -> ItemPath? {
        var p = path
        if let r = path.bytes.firstRange(of: Array("!/".utf8)) { p = ItemPath(bytes: Array(path.bytes[..<r.lowerBound])) }
        guard p.bytes.count > 1 else { return nil }
        return p.parent
    }
}
