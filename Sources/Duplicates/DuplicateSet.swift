import Index
import SweepModel

/// Items with byte-identical content, the copy to keep, and what removing the others would free.
public struct DuplicateSet: Sendable {
    public typealias Member = DuplicateMember

    public let content: String
    public let size: Int64
    public let members: [Member]
    public let keeper: Int
    public let keepReason: String

    /// Copies on disk: hardlinks (same device and inode) are one copy, not waste.
    public var copies: Int {
        var seen = Set<FileID>()
        var nested = 0
        for m in members {
            if let id = m.identity, m.kind == .file { seen.insert(id) } else { nested += 1 }
        }
        return seen.count + nested
    }

    /// Copies that are files on disk, a hardlinked inode once.
    public var diskCopies: Int {
        var seen = Set<FileID>()
        var unknown = 0
        for m in members where m.kind == .file { if let id = m.identity { seen.insert(id) } else { unknown += 1 } }
        return seen.count + unknown
    }

    /// What removing the copies on disk but the kept one frees: a copy inside an archive or a message is not
    /// freed by removing it (its container holds it), so it counts for nothing here.
    public var reclaimable: Int64 { size * Int64(max(0, diskCopies - 1)) }

    /// True when this member is another name for the kept copy's inode.
    public func isHardlinkOfKeeper(_ m: Member) -> Bool {
        m.id != members[keeper].id && m.kind == .file && m.identity != nil && m.identity == members[keeper].identity
            && m.host == members[keeper].host
    }
}

/// The duplicate sets of an index, largest waste first.
public struct DuplicateReport: Sendable {
    public let sets: [DuplicateSet]

    public var duplicateFiles: Int { sets.reduce(0) { $0 + $1.members.count - 1 } }
    public var reclaimable: Int64 { sets.reduce(0) { $0 + $1.reclaimable } }

    public init(index: SweepIndex, policy: KeepPolicy, minSize: Int64 = 1) throws {
        var sets: [DuplicateSet] = []
        try index.forEachDuplicateSet { content, members in
            guard let size = members.first?.size, size >= minSize else { return }
            let (keeper, reason) = policy.choose(members)
            let set = DuplicateSet(content: content, size: size, members: members, keeper: keeper, keepReason: reason)
            guard set.copies > 1 else { return }   // hardlinks of one file: one copy, nothing to sweep
            sets.append(set)
        }
        // Largest waste first; ties by size, then content, so the order is the same every run.
        self.sets = sets.sorted { ($0.reclaimable, $0.size, $1.content) > ($1.reclaimable, $1.size, $0.content) }
    }
}
