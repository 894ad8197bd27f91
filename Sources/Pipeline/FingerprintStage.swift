import Fingerprint
import Foundation
import Index
import SweepModel

/// The duplicate stages after the walk: size → first 4 KiB → last 4 KiB → whole content.
///
/// Each stage reads only copies that still share every earlier fingerprint with another item, and only
/// what the index does not already hold (fingerprints survive while a file is unchanged), so an unchanged
/// re-run reads no content. Hardlinks are one copy on disk: read once, fingerprint shared by every name.
/// Reads within a stage go in inode order, `jobs` at a time. A file of at most 64 KiB is read whole at the
/// first stage: opening it costs more than its bytes, and three opens become one.
struct FingerprintStage {
    let index: SweepIndex
    let jobs: Int
    let progress: ScanProgress
    let shouldStop: @Sendable () -> Bool

    /// Items per batch: bounds memory whatever the size of the share.
    var batchItems = 20_000
    /// Updates held before they are written. A batch's items are spread over the whole table (sizes do not
    /// follow the walk), so each write touches most of its pages: fewer, larger writes rewrite it fewer times.
    var storeItems = 200_000

    struct Outcome { var read = 0; var errors = 0 }

    func run() throws -> Outcome {
        var outcome = Outcome()
        let groups = try index.sizeGroupsNeedingFingerprints()
        var start = 0
        var pending: [FingerprintUpdate] = []
        while start < groups.count && !shouldStop() {
            var end = start, items = 0
            while end < groups.count && (items == 0 || items + groups[end].count <= batchItems) {
                items += groups[end].count; end += 1
            }
            let sizes = Set(groups[start..<end].map(\.size))
            let candidates = try index.fingerprintCandidates(sizes: groups[start].size, groups[end - 1].size)
                .filter { sizes.contains($0.size) }
            pending += fingerprint(candidates, outcome: &outcome)
            if pending.count >= storeItems {
                try index.storeFingerprints(pending)
                pending.removeAll(keepingCapacity: true)
            }
            start = end
        }
        try index.storeFingerprints(pending)
        return outcome
    }

    /// One copy of some content: a file on disk with every name (hardlink) it has, or one nested item.
    struct Copy {
        var items: [FingerprintCandidate]
        var prefix: Int64?
        var suffix: Int64?
        var content: String?
        var error: String?
        var stopped = false
        var learned = false
        var first: FingerprintCandidate { items[0] }
        var readable: Bool { first.kind == .file && first.identity != nil && first.reachable }
    }

    enum Stage { case prefix, suffix, whole }

    /// What one read learned: a small file's first read learns all three.
    struct Learned: Sendable {
        var prefix: Int64? = nil
        var suffix: Int64? = nil
        var content: String? = nil
    }

    func fingerprint(_ candidates: [FingerprintCandidate], outcome: inout Outcome) -> [FingerprintUpdate] {
        var copies: [Copy] = []
        var byIdentity: [FileID: Int] = [:]
        for c in candidates {
            if c.kind == .file, let id = c.identity {
                if let k = byIdentity[id] { copies[k].items.append(c); continue }
                byIdentity[id] = copies.count
            }
            copies.append(Copy(items: [c], prefix: c.prefix, suffix: c.suffix, content: c.content))
        }
        let sample = Int64(Fingerprint.sampleSize)
        func itemCount(_ g: [Int]) -> Int { g.reduce(0) { $0 + copies[$1].items.count } }
        func split(_ groups: [[Int]], by key: (Copy) -> Int64?) -> [[Int]] {
            groups.flatMap { g -> [[Int]] in
                // Another host's copy without this fingerprint may match any of them: the group stays whole, and
                // this host's copies go on to the next stage (at worst, a whole-content hash).
                let live = g.filter { copies[$0].error == nil && !copies[$0].stopped }
                if live.contains(where: { !copies[$0].first.reachable && key(copies[$0]) == nil }) {
                    return itemCount(live) > 1 ? [live] : []
                }
                return Dictionary(grouping: g.filter { copies[$0].error == nil && !copies[$0].stopped && key(copies[$0]) != nil }, by: { key(copies[$0])! })
                    .values.filter { itemCount($0) > 1 }
            }
        }

        var groups = split([Array(copies.indices)]) { $0.first.size }
        read(.prefix, groups.flatMap { $0 }.filter { copies[$0].prefix == nil }, &copies, &outcome)
        groups = split(groups) { $0.prefix }
        read(.suffix, groups.flatMap { $0 }.filter { copies[$0].suffix == nil && copies[$0].first.size > sample }, &copies, &outcome)
        groups = split(groups) { $0.first.size > sample ? $0.suffix : 0 }
        read(.whole, groups.flatMap { $0 }.filter { copies[$0].content == nil }, &copies, &outcome)

        return copies.filter(\.learned).flatMap { copy in
            copy.items.map { FingerprintUpdate(id: $0.id, prefix: copy.prefix, suffix: copy.suffix, content: copy.content, error: copy.error) }
        }
    }

    /// Reads one stage's fingerprint for these copies, in parallel and inode order, and records it.
    func read(_ stage: Stage, _ wanted: [Int], _ copies: inout [Copy], _ outcome: inout Outcome) {
        let todo = wanted.filter { copies[$0].readable && copies[$0].error == nil }.sorted {
            (copies[$0].first.identity!.device, copies[$0].first.identity!.inode)
                < (copies[$1].first.identity!.device, copies[$1].first.identity!.inode)
        }
        let targets = todo.map { copies[$0].first }
        let stop = shouldStop
        let results = parallelMap(targets.count, jobs: jobs) { i, buffer -> Result<Learned, FileDigest.Failure>? in
            if stop() { return nil }
            let c = targets[i]
            let expected = FileDigest.Expected(id: c.identity!, size: c.size, modified: c.modified)
            switch stage {
            case .prefix where c.size <= Int64(min(Fingerprint.wholeReadSize, buffer.count - 1)):
                return FileDigest.all(c.path, expected, buffer: buffer)
                    .map { Learned(prefix: $0.prefix, suffix: $0.suffix, content: $0.content.hex) }
            case .prefix: return FileDigest.prefix(c.path, expected, buffer: buffer).map { Learned(prefix: $0.sample, content: $0.whole?.hex) }
            case .suffix: return FileDigest.suffix(c.path, expected, buffer: buffer).map { Learned(suffix: $0) }
            case .whole: return FileDigest.whole(c.path, expected, buffer: buffer).map { Learned(content: $0.hex) }
            }
        }
        for (k, result) in zip(todo, results) {
            guard let result else { copies[k].stopped = true; continue }   // the next scan reads it
            copies[k].learned = true
            switch result {
            case .success(let learned):
                outcome.read += 1
                if let p = learned.prefix { copies[k].prefix = p }
                if let x = learned.suffix { copies[k].suffix = x }
                if let c = learned.content { copies[k].content = c }
            case .failure(let f):
                copies[k].error = f.description
                outcome.errors += copies[k].items.count
            }
        }
        progress.opened.add(todo.count, ordering: .relaxed)
    }
}
