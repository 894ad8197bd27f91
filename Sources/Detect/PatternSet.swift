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
    /// No ASCII letter or space is a trigger or a breaker (the fast path in ``gatedRanges(_:)``).
    private let lettersAndSpacesAreQuiet: Bool
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
        lettersAndSpacesAreQuiet = (UInt8(65)...90).allSatisfy { classes[Int($0)] == 0 && classes[Int($0) + 32] == 0 } && classes[32] == 0
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
    func gatedRanges(_ text: UnsafeRawBufferPointer) -> [Range<Int>] {
        var out: [Range<Int>] = []
        classes.withUnsafeBufferPointer { table in
            let p = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let n = text.count
            var segment = 0, triggered = false
            func add(_ r: Range<Int>) {
                if let last = out.last, r.lowerBound - last.upperBound <= 256 { out[out.count - 1] = last.lowerBound..<r.upperBound }
                else { out.append(r) }
            }
            // Prose is mostly letters and spaces, which are never triggers and, here, never breakers: eight bytes
            // of them at a time are skipped without looking each up.
            let quiet = lettersAndSpacesAreQuiet
            let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
            var i = 0
            while i < n {
                if quiet && i + 8 <= n {
                    let x = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                    if x & high == 0 {   // seven-bit bytes: the sums below never carry into the next byte
                        let y = x | (ones &* 0x20)
                        let letters = (y &+ ones &* 0x1F) & ~(y &+ ones &* 0x05) & high   // 0x61 ≤ y ≤ 0x7A
                        let spaces = ~((x ^ (ones &* 0x20)) &+ ones &* 0x7F) & high        // x == 0x20
                        if letters | spaces == high { i += 8; continue }
                    }
                }
                let c = table[Int(p[i])]
                if c != 0 {
                    if c == 1 { triggered = true } else {
                        if triggered { add(segment..<i) }
                        segment = i + 1
                        triggered = false
                    }
                }
                i += 1
            }
            if triggered { add(segment..<n) }
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
