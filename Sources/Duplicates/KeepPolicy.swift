import SweepModel

/// Which copy of a duplicate set to keep: rules tried in order until one tells the copies apart.
public struct KeepPolicy: Sendable {
    public enum Rule: String, Sendable, CaseIterable {
        /// Inside a designated records location (`--records GLOB`).
        case records
        /// Oldest modified: most likely the original.
        case oldest
        case newest
        /// Shortest path: most likely the tidy place, not "Copy of Copy of …".
        case shortest
        case longest
    }

    public var order: [Rule]
    public var recordsLocations: [Glob]

    public static let defaultOrder: [Rule] = [.records, .oldest, .shortest]

    public init(order: [Rule] = KeepPolicy.defaultOrder, recordsLocations: [Glob] = []) {
        self.order = order; self.recordsLocations = recordsLocations
    }

    public func inRecordsLocation(_ m: Member) -> Bool {
        recordsLocations.contains { g in
            g.matches(m.relativePath) || g.matches(String(m.display.drop(while: { $0 == "/" })))
                || (g.matchesPaths && (g.matches(m.relativePath + "/") || g.matches(m.display)))
        }
    }

    public typealias Member = DuplicateSet.Member

    /// The member to keep and the reason, in words a records manager can check.
    public func choose(_ members: [Member]) -> (index: Int, reason: String) {
        precondition(!members.isEmpty)
        func compare(_ rule: Rule, _ a: Member, _ b: Member) -> Int {
            switch rule {
            case .records:
                let x = inRecordsLocation(a), y = inRecordsLocation(b)
                return x == y ? 0 : (x ? -1 : 1)
            case .oldest, .newest:
                let x = a.modified?.nanoseconds ?? .max, y = b.modified?.nanoseconds ?? .max
                if x == y { return 0 }
                return (x < y) == (rule == .oldest) ? -1 : 1
            case .shortest, .longest:
                let x = a.display.count, y = b.display.count
                if x == y { return 0 }
                return (x < y) == (rule == .shortest) ? -1 : 1
            }
        }
        // A copy inside an archive or a message cannot be the one kept on its own: files on disk come first.
        func onDisk(_ m: Member) -> Bool { m.kind == .file }
        let ranked = members.indices.sorted { i, j in
            if onDisk(members[i]) != onDisk(members[j]) { return onDisk(members[i]) }
            for rule in order {
                let c = compare(rule, members[i], members[j])
                if c != 0 { return c < 0 }
            }
            return members[i].path < members[j].path   // stable last resort: path order
        }
        let best = ranked[0]
        guard ranked.count > 1 else { return (best, "only copy") }
        let runnerUp = members[ranked[1]]
        if onDisk(members[best]) && !onDisk(runnerUp) { return (best, "the only copy on disk (the others are inside containers)") }
        for rule in order where compare(rule, members[best], runnerUp) != 0 {
            switch rule {
            case .records: return (best, "in a records location")
            case .oldest: return (best, "oldest modified (\(members[best].modified?.iso8601 ?? "unknown"))")
            case .newest: return (best, "newest modified (\(members[best].modified?.iso8601 ?? "unknown"))")
            case .shortest: return (best, "shortest path")
            case .longest: return (best, "longest path")
            }
        }
        return (best, "first by path (the copies are alike by every rule)")
    }
}
