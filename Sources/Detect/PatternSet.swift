internal import CVectorscan
import Foundation

/// Many patterns, one pass: Vectorscan block-mode databases and the matches they report.
///
/// Vectorscan reports every end offset at which a pattern matches, each with its leftmost start; ``scan``
/// gathers them per pattern and start, longest end first, so a validator can try "DE89…000 today" and then
/// "DE89…000".
///
/// Patterns that need a rare byte in every match (a digit, `@`, `:`; see ``PatternGate``) are compiled into a
/// second database run only over the segments of the text that hold one; the rest run over the whole text.
/// Both report exactly what one database over the whole text would.
public final class PatternSet: @unchecked Sendable {
    private let open: OpaquePointer?
    /// Patterns asked for only when wanted (``scan(_:scratch:later:)``), over the whole text.
    private let later: OpaquePointer?
    private let laterPrototype: OpaquePointer?
    private let gated: OpaquePointer?
    private let openPrototype: OpaquePointer?
    private let gatedPrototype: OpaquePointer?
    /// Per byte: 0 ordinary, 1 a trigger (a gated pattern needs one), 2 a breaker (no gated match holds one).
    private let classes: [UInt8]
    /// A breaker to join segments with for one scan (a newline when it is one).
    private let separator: UInt8?
    /// The triggers as at most three ranges of seven-bit bytes (lower and upper bounds; unused ranges are
    /// empty), for the word-at-a-time search in ``gatedRanges(_:)``; nil when they are not.
    private let triggerRanges: (lo: [UInt8], hi: [UInt8])?
    public let count: Int
    /// How many patterns run only over the segments that can hold their matches.
    public let gatedCount: Int

    public struct CompileError: Error, CustomStringConvertible {
        public let index: Int?
        public let message: String
        public var description: String { message }
    }

    public struct Match: Sendable, Equatable {
        public let pattern: Int
        public let start: Int
        /// Every end at which the pattern matched from `start`, longest first.
        public let ends: [Int]
        public var end: Int { ends[0] }
    }

    /// Compiles `patterns` (index = id); `caseless[i]` sets case-insensitive matching for pattern i.
    /// `gate: false` runs every pattern over the whole text. Patterns with `later[i]` set are scanned only
    /// by a call with `later: true`, and every other pattern only without.
    public init(_ patterns: [String], caseless: [Bool], gate: Bool = true, later: [Bool] = []) throws {
        count = patterns.count
        // Every pattern alone first, so an error names the pattern whatever database it would join.
        var shapes: [PatternGate.Shape?] = []
        for (i, p) in patterns.enumerated() {
            shapes.append(gate ? PatternGate.shape(of: p, caseless: caseless[i]) : nil)
        }
        var gatedIDs: [Int] = [], openIDs: [Int] = [], laterIDs: [Int] = []
        var alphabet = PatternGate.Bytes(), triggers = PatternGate.Bytes()
        for i in 0..<patterns.count {
            if i < later.count && later[i] {
                laterIDs.append(i)
            } else if let s = shapes[i], PatternGate.isGateable(s) {
                gatedIDs.append(i)
                alphabet = alphabet.union(s.alphabet)
                triggers = triggers.union(s.needs!)
            } else {
                openIDs.append(i)
            }
        }
        var classes = [UInt8](repeating: 0, count: 256)
        for b in 0..<256 {
            let byte = UInt8(b)
            if triggers.contains(byte) { classes[b] = 1 }
            else if !alphabet.contains(byte) && !PatternGate.Bytes.word.contains(byte) { classes[b] = 2 }
        }
        self.classes = classes
        separator = classes[10] == 2 ? 10 : classes.firstIndex(of: 2).map(UInt8.init)
        var lo: [UInt8] = [], hi: [UInt8] = []
        for b in 0..<256 where classes[b] == 1 {
            if let last = hi.last, Int(last) + 1 == b { hi[hi.count - 1] = UInt8(b) } else { lo.append(UInt8(truncatingIfNeeded: b)); hi.append(UInt8(truncatingIfNeeded: b)) }
        }
        if lo.count <= 3 && hi.allSatisfy({ $0 < 0x80 }) {
            while lo.count < 3 { lo.append(0x7F); hi.append(0x7E) }   // empty: no byte is both ≥ 127 and ≤ 126
            triggerRanges = (lo, hi)
        } else {
            triggerRanges = nil
        }
        gatedCount = gatedIDs.count
        func compile(_ ids: [Int]) throws -> (OpaquePointer, OpaquePointer)? {
            guard !ids.isEmpty else { return nil }
            let cStrings = ids.map { strdup(patterns[$0]) }
            defer { cStrings.forEach { free($0) } }
            let flags: [UInt32] = ids.map { UInt32(HS_FLAG_SOM_LEFTMOST) | (caseless[$0] ? UInt32(HS_FLAG_CASELESS) : 0) }
            let hsIDs = ids.map(UInt32.init)
            var db: OpaquePointer?
            var error: UnsafeMutablePointer<hs_compile_error_t>?
            let rc = cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { exprs in
                hs_compile_multi(exprs.baseAddress, flags, hsIDs, UInt32(ids.count), UInt32(HS_MODE_BLOCK), nil, &db, &error)
            }
            guard rc == HS_SUCCESS, let db else {
                let message = error.map { String(cString: $0.pointee.message) } ?? "error \(rc)"
                let index = error.map { Int($0.pointee.expression) }
                if let error { hs_free_compile_error(error) }
                throw CompileError(index: index.flatMap { $0 >= 0 && $0 < ids.count ? ids[$0] : nil }, message: message)
            }
            var scratch: OpaquePointer?
            guard hs_alloc_scratch(db, &scratch) == HS_SUCCESS, let scratch else {
                hs_free_database(db)
                throw CompileError(index: nil, message: "cannot allocate Vectorscan scratch space")
            }
            return (db, scratch)
        }
        var compiled: [(OpaquePointer, OpaquePointer)?] = []
        do {
            for ids in [openIDs, gatedIDs, laterIDs] { compiled.append(try compile(ids)) }
        } catch {
            for case let (db, scratch)? in compiled { hs_free_scratch(scratch); hs_free_database(db) }
            throw error
        }
        open = compiled[0]?.0; openPrototype = compiled[0]?.1
        gated = compiled[1]?.0; gatedPrototype = compiled[1]?.1
        self.later = compiled[2]?.0; laterPrototype = compiled[2]?.1
    }

    deinit {
        if let openPrototype { hs_free_scratch(openPrototype) }
        if let open { hs_free_database(open) }
        if let gatedPrototype { hs_free_scratch(gatedPrototype) }
        if let gated { hs_free_database(gated) }
        if let laterPrototype { hs_free_scratch(laterPrototype) }
        if let later { hs_free_database(later) }
    }

    /// Scratch space for one thread's scans.
    public final class Scratch {
        let open: OpaquePointer?
        let gated: OpaquePointer?
        let later: OpaquePointer?
        init(_ o: OpaquePointer?, _ g: OpaquePointer?, _ l: OpaquePointer?) { open = o; gated = g; later = l }
        deinit {
            if let open { hs_free_scratch(open) }
            if let gated { hs_free_scratch(gated) }
            if let later { hs_free_scratch(later) }
        }
    }

    public func makeScratch() -> Scratch {
        func clone(_ p: OpaquePointer?) -> OpaquePointer? {
            guard let p else { return nil }
            var s: OpaquePointer?
            precondition(hs_clone_scratch(p, &s) == HS_SUCCESS && s != nil, "Vectorscan could not allocate scratch space")
            return s
        }
        return Scratch(clone(openPrototype), clone(gatedPrototype), clone(laterPrototype))
    }

    final class Collector {
        var raw: [(pattern: UInt32, from: Int, to: Int)] = []
        var base = 0
        /// For a scan of joined segments: where each segment starts in the joined bytes and in the text.
        var joinedStarts: [Int] = []
        var textStarts: [Int] = []
    }

    /// The ranges of `text` a gated pattern can match in: runs of segments that hold a trigger, joined when
    /// close (scanning the breakers and quiet segments between them finds nothing more).
    ///
    /// Triggers are rare in prose, so the text is searched for the next trigger eight bytes at a time (see
    /// ``triggerRanges``), and only the segment around it is read byte by byte for its breakers.
    func gatedRanges(_ text: UnsafeRawBufferPointer) -> [Range<Int>] {
        var out: [Range<Int>] = []
        classes.withUnsafeBufferPointer { table in
            let p = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let n = text.count
            func add(_ r: Range<Int>) {
                if let last = out.last, r.lowerBound - last.upperBound <= 256 { out[out.count - 1] = last.lowerBound..<r.upperBound }
                else { out.append(r) }
            }
            let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
            let words = triggerRanges != nil
            let (lo, hi) = triggerRanges ?? ([0x7F, 0x7F, 0x7F], [0x7E, 0x7E, 0x7E])
            let atLeast = lo.map { ones &* UInt64(0x80 - $0) }, above = hi.map { ones &* UInt64(0x7F - $0) }
            let (l0, l1, l2, h0, h1, h2) = (atLeast[0], atLeast[1], atLeast[2], above[0], above[1], above[2])
            // Seven-bit bytes b of x with lo ≤ b ≤ hi have their top bit set (the sums never carry into the next
            // byte): exact per byte.
            @inline(__always) func inRange(_ x: UInt64, _ l: UInt64, _ h: UInt64) -> UInt64 { (x &+ l) & ~(x &+ h) & high }
            /// The first trigger at or after `from`, or `n`.
            func nextTrigger(_ from: Int) -> Int {
                var i = from
                while i < n {
                    if words && i + 8 <= n {
                        let x = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                        if x & high == 0 {
                            let hit = inRange(x, l0, h0) | inRange(x, l1, h1) | inRange(x, l2, h2)
                            if hit == 0 { i += 8; continue }
                            i += hit.trailingZeroBitCount >> 3   // little-endian: the first such byte
                        }
                    }
                    if table[Int(p[i])] == 1 { return i }
                    i += 1
                }
                return n
            }
            // Everything before `done` is read; `done` is 0 or just after a breaker.
            var done = 0
            while done < n {
                let t = nextTrigger(done)
                if t == n { break }
                var start = t
                while start > done && table[Int(p[start - 1])] != 2 { start -= 1 }
                var end = t + 1
                while end < n && table[Int(p[end])] != 2 { end += 1 }
                add(start..<end)
                done = end + 1
            }
        }
        return out
    }

    /// Every pattern's matches in `text` by start, sorted by start: the patterns compiled `later` when `later`
    /// is set, every other pattern when it is not.
    public func scan(_ text: UnsafeRawBufferPointer, scratch: Scratch, later wanted: Bool = false) -> [Match] {
        guard !text.isEmpty else { return [] }
        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let base = text.baseAddress!.assumingMemoryBound(to: CChar.self)
        let onMatch: match_event_handler = { id, from, to, _, ctx in
            let c = Unmanaged<Collector>.fromOpaque(ctx!).takeUnretainedValue()
            c.raw.append((id, c.base + Int(from), c.base + Int(to)))
            return 0
        }
        if wanted {
            if let later, let s = scratch.later { _ = hs_scan(later, base, UInt32(text.count), 0, s, onMatch, context) }
        } else if let open, let s = scratch.open {
            _ = hs_scan(open, base, UInt32(text.count), 0, s, onMatch, context)
        }
        if !wanted, let gated, let s = scratch.gated {
            var ranges = gatedRanges(text)
            let covered = ranges.reduce(0) { $0 + $1.count }
            // Most of the text can hold a match: one scan of all of it (what a whole-text pass would find, with
            // no copy).
            if covered > text.count / 2 { ranges = [0..<text.count] }
            if let separator, ranges.count > 1 {
                // One scan over the segments joined by a breaker, not one per segment: no match can hold the
                // separator, and it reads as a non-word byte to `\b` just as the breaker or edge it stands for.
                var joined: [UInt8] = []
                joined.reserveCapacity(covered + ranges.count)
                let bytes = text.bindMemory(to: UInt8.self)
                for r in ranges {
                    collector.joinedStarts.append(joined.count)
                    collector.textStarts.append(r.lowerBound)
                    joined.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[r]))
                    joined.append(separator)
                }
                let onJoinedMatch: match_event_handler = { id, from, to, _, ctx in
                    let c = Unmanaged<Collector>.fromOpaque(ctx!).takeUnretainedValue()
                    // The last segment starting at or before `from`.
                    var lo = 0, hi = c.joinedStarts.count - 1
                    while lo < hi { let mid = (lo + hi + 1) / 2; if c.joinedStarts[mid] <= Int(from) { lo = mid } else { hi = mid - 1 } }
                    let shift = c.textStarts[lo] - c.joinedStarts[lo]
                    c.raw.append((id, Int(from) + shift, Int(to) + shift))
                    return 0
                }
                joined.withUnsafeBytes { j in
                    _ = hs_scan(gated, j.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(j.count), 0, s, onJoinedMatch, context)
                }
            } else {
                for r in ranges {
                    collector.base = r.lowerBound
                    _ = hs_scan(gated, base + r.lowerBound, UInt32(r.count), 0, s, onMatch, context)
                }
            }
        }
        // By start, then pattern, then end, longest first; one Match per (pattern, start).
        var raw = collector.raw
        raw.sort { ($0.from, $0.pattern, $1.to) < ($1.from, $1.pattern, $0.to) }
        var out: [Match] = []
        var i = 0
        while i < raw.count {
            let (p, s) = (raw[i].pattern, raw[i].from)
            var ends: [Int] = [raw[i].to]
            var j = i + 1
            while j < raw.count && raw[j].pattern == p && raw[j].from == s {
                if raw[j].to != ends[ends.count - 1] { ends.append(raw[j].to) }
                j += 1
            }
            out.append(Match(pattern: Int(p), start: s, ends: ends))
            i = j
        }
        return out
    }
}
