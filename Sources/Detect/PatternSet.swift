internal import CVectorscan
internal import CByteScan
import Foundation
import SweepModel

/// Many patterns, one pass: Vectorscan block-mode databases and the matches they report.
///
/// Vectorscan reports every end offset at which a pattern matches, each with its leftmost start; ``scan``
/// gathers them per pattern and start, longest end first, so a validator can try "DE89…000 today" and then
/// "DE89…000".
///
/// Patterns that need a rare byte in every match (a digit, `@`, `:`; see ``PatternGate``) are compiled into
/// databases of their own, one per set of such bytes, each run only over the segments of the text that hold
/// one of its bytes (an email pattern reads only the segments with an `@`, not every one with a digit); the
/// rest run over the whole text. All report exactly what one database over the whole text would.
///
/// Tracking where a match starts costs Vectorscan about half its speed. A pattern that is words joined by
/// whitespace runs (a keyword) is compiled without it: its start is found by stepping back from the end over
/// its words and the whitespace between them, which gives the same start.
public final class PatternSet: @unchecked Sendable {
    /// A database and the scratch space each thread's copy is cloned from.
    struct Compiled {
        let database: OpaquePointer
        let prototype: OpaquePointer
    }

    private let open: Compiled?
    /// Patterns asked for only when wanted (``scan(_:scratch:later:)``), over the whole text.
    private let later: Compiled?
    /// One database per set of trigger bytes (at most eight), in the order of ``triggers``' bits.
    private let gated: [Compiled]
    /// Per byte: a breaker (no gated match holds one).
    private let breaker: [Bool]
    /// Per byte: the gated databases it is a trigger for, one bit each.
    private let triggers: [UInt8]
    /// Per gated database: the most bytes any of its matches can hold, when that is known. Such a database
    /// reads only the bytes within that reach of its triggers (see ``gatedRanges(_:)``); one with no limit
    /// reads the whole segments that hold its triggers.
    let reach: [Int?]
    /// Per gated database with a ``reach``: at most how many bytes before its first trigger a match starts.
    let lead: [Int]
    /// Patterns whose matches hold at most this many bytes share databases apart from longer ones, so
    /// the short ones read less around each trigger.
    static let shortReach = 32
    /// Patterns whose longest match is longer than this read whole segments, as unbounded ones do.
    static let longestWindow = 4096
    /// A breaker to join segments with for one scan (a newline when it is one).
    private let separator: UInt8?
    /// Every trigger as at most three byte ranges (first bytes and widths: byte b is in a range when
    /// b − first ≤ width, wrapping), for the search in ``gatedRanges(_:)`` 32 bytes at a time (`CByteScan`);
    /// nil when there are more.
    private let triggerRanges: (first: [UInt8], width: [UInt8], count: Int)?
    /// Per pattern: the UTF-8 lengths of its words when it is compiled without start tracking, else nil.
    private let words: [[Int]?]
    public let count: Int
    /// How many patterns run only over the segments that can hold their matches.
    public let gatedCount: Int
    /// How many gated databases there are (one per set of bytes their patterns need).
    public var gateCount: Int { gated.count }
    /// How many databases were loaded from the cache rather than compiled.
    public let loadedFromCache: Int

    public struct CompileError: Error, CustomStringConvertible {
        public let index: Int?
        public let message: String
        public var description: String { message }
    }

    public struct Match: Sendable, Equatable {
        public let pattern: Int
        public let start: Int
        /// The longest end.
        public let end: Int
        /// Shorter ends at which the pattern matched from `start` too, longest first (most matches have none,
        /// and an empty array costs no allocation).
        public let shorter: [Int]
        /// Every end at which the pattern matched from `start`, longest first.
        public var ends: Ends { Ends(end: end, shorter: shorter) }

        public struct Ends: Sequence, Equatable, CustomStringConvertible {
            let end: Int
            let shorter: [Int]
            public func makeIterator() -> Iterator { Iterator(ends: self) }
            public struct Iterator: IteratorProtocol {
                let ends: Ends
                var i = -1
                public mutating func next() -> Int? {
                    defer { i += 1 }
                    return i < 0 ? ends.end : (i < ends.shorter.count ? ends.shorter[i] : nil)
                }
            }
            public var description: String { ([end] + shorter).description }
        }
    }

    /// Compiles `patterns` (index = id); `caseless[i]` sets case-insensitive matching for pattern i.
    /// `gate: false` runs every pattern over the whole text. Patterns with `later[i]` set are scanned only
    /// by a call with `later: true`, and every other pattern only without.
    ///
    /// `words[i]`, when given, says pattern i matches exactly its words (of these UTF-8 lengths, none holding
    /// whitespace) joined by runs of whitespace (`\s`), and nothing else: it is compiled without start tracking.
    ///
    /// With a `cache`, a database compiled before from the same patterns is loaded rather than compiled again,
    /// and one compiled now is kept there.
    public init(_ patterns: [String], caseless: [Bool], gate: Bool = true, later: [Bool] = [], words: [[Int]?] = [],
                cache: PatternCache? = nil) throws {
        count = patterns.count
        var shapes: [PatternGate.Shape?] = []
        for (i, p) in patterns.enumerated() {
            shapes.append(gate ? PatternGate.shape(of: p, caseless: caseless[i]) : nil)
        }
        var openIDs: [Int] = [], laterIDs: [Int] = []
        // One group per set of needed bytes and size of match: short (at most `PatternSet.shortReach` bytes),
        // longer, or unbounded.
        var groups: [(needs: PatternGate.Bytes, size: Int, reach: Int?, lead: Int, ids: [Int])] = []
        var alphabet = PatternGate.Bytes()
        for i in 0..<patterns.count {
            if i < later.count && later[i] {
                laterIDs.append(i)
            } else if var s = shapes[i], PatternGate.isGateable(s), let needs = s.needs {
                alphabet = alphabet.union(s.alphabet)
                if let w = s.width, w > PatternSet.longestWindow { s.width = nil }   // read as unbounded: whole segments
                let size = s.width.map { $0 <= PatternSet.shortReach ? 0 : 1 } ?? 2
                // At most how far before its first trigger a match starts (never further than its width allows).
                let lead = s.width.map { width in
                    min(width - 1, PatternGate.lead(of: patterns[i], caseless: caseless[i], target: needs) ?? width - 1)
                } ?? 0
                if let g = groups.firstIndex(where: { $0.needs == needs && $0.size == size }) {
                    groups[g].ids.append(i)
                    groups[g].reach = groups[g].reach.flatMap { r in s.width.map { max(r, $0) } }
                    groups[g].lead = max(groups[g].lead, lead)
                } else {
                    groups.append((needs, size, s.width, lead, [i]))
                }
            } else {
                openIDs.append(i)
            }
        }
        // Eight groups at most (one bit each): the rest share the last, which then needs any of their bytes.
        while groups.count > 8 {
            let extra = groups.removeLast()
            let last = groups[groups.count - 1]
            groups[groups.count - 1] = (last.needs.union(extra.needs), last.size, last.reach.flatMap { r in extra.reach.map { max(r, $0) } },
                                        max(last.lead, extra.lead), last.ids + extra.ids)
        }
        reach = groups.map(\.reach)
        lead = groups.map(\.lead)
        var breaker = [Bool](repeating: false, count: 256), triggers = [UInt8](repeating: 0, count: 256)
        for b in 0..<256 {
            let byte = UInt8(b)
            for (g, group) in groups.enumerated() where group.needs.contains(byte) { triggers[b] |= 1 << UInt8(g) }
            breaker[b] = triggers[b] == 0 && !alphabet.contains(byte) && !PatternGate.Bytes.word.contains(byte)
        }
        self.breaker = breaker
        self.triggers = triggers
        separator = breaker[10] ? 10 : breaker.firstIndex(of: true).map(UInt8.init)
        var first: [UInt8] = [], last: [UInt8] = []
        for b in 0..<256 where triggers[b] != 0 {
            if let l = last.last, Int(l) + 1 == b { last[last.count - 1] = UInt8(b) } else { first.append(UInt8(b)); last.append(UInt8(b)) }
        }
        if !first.isEmpty && first.count <= 3 {
            triggerRanges = (first, zip(first, last).map { $1 - $0 }, first.count)
        } else {
            triggerRanges = nil
        }
        gatedCount = groups.reduce(0) { $0 + $1.ids.count }
        self.words = (0..<patterns.count).map { i in i < words.count ? words[i] : nil }
        let startless = self.words.map { $0 != nil }
        // The databases compile side by side (a tenth of a second or more each for the keyword and digit sets,
        // while every scan thread waits for them).
        let sets = [openIDs, laterIDs] + groups.map(\.ids)
        let flags: [UInt32] = (0..<patterns.count).map {
            (startless[$0] ? 0 : UInt32(HS_FLAG_SOM_LEFTMOST)) | (caseless[$0] ? UInt32(HS_FLAG_CASELESS) : 0)
        }
        let results = Slots<Result<(Compiled, cached: Bool)?, Error>>(sets.count, .success(nil))
        DispatchQueue.concurrentPerform(iterations: sets.count) { i in
            results.buffer[i] = Result { try PatternSet.compile(patterns, flags, sets[i], cache: cache) }
        }
        var compiled: [Compiled?] = []
        var failure: Error?
        var cached = 0
        for r in results.buffer {
            switch r {
            case .success(let c): compiled.append(c?.0); cached += c?.cached == true ? 1 : 0
            case .failure(let e): failure = failure ?? e; compiled.append(nil)
            }
        }
        loadedFromCache = cached
        if let failure {
            for case let c? in compiled { hs_free_scratch(c.prototype); hs_free_database(c.database) }
            throw failure
        }
        open = compiled[0]
        self.later = compiled[1]
        gated = compiled[2...].map { $0! }
    }

    /// One block-mode database of the patterns `ids`, and its scratch space (and whether the database came from
    /// the cache); nil for none.
    private static func compile(_ patterns: [String], _ allFlags: [UInt32], _ ids: [Int], cache: PatternCache?) throws
        -> (Compiled, cached: Bool)? {
        guard !ids.isEmpty else { return nil }
        let flags = ids.map { allFlags[$0] }
        let hsIDs = ids.map(UInt32.init)
        let key = cache.map { _ in PatternCache.key(version: String(cString: hs_version()) + " " + VectorscanRuntime.name, ids: hsIDs, patterns: ids.map { patterns[$0] }, flags: flags) }
        var db: OpaquePointer?
        if let cache, let key, let bytes = cache.load(key) {
            let rc = bytes.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { hs_deserialize_database($0.baseAddress, $0.count, &db) }
            }
            if rc != HS_SUCCESS { db = nil }
        }
        let cached = db != nil
        if db == nil {
            let cStrings = ids.map { strdup(patterns[$0]) }
            defer { cStrings.forEach { free($0) } }
            var error: UnsafeMutablePointer<hs_compile_error_t>?
            var platform = VectorscanRuntime.platform()
            let rc = cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { exprs in
                if platform != nil {
                    return hs_compile_multi(exprs.baseAddress, flags, hsIDs, UInt32(ids.count), UInt32(HS_MODE_BLOCK), &platform!, &db, &error)
                }
                return hs_compile_multi(exprs.baseAddress, flags, hsIDs, UInt32(ids.count), UInt32(HS_MODE_BLOCK), nil, &db, &error)
            }
            guard rc == HS_SUCCESS, db != nil else {
                let message = error.map { String(cString: $0.pointee.message) } ?? "error \(rc)"
                let index = error.map { Int($0.pointee.expression) }
                if let error { hs_free_compile_error(error) }
                throw CompileError(index: index.flatMap { $0 >= 0 && $0 < ids.count ? ids[$0] : nil }, message: message)
            }
            var bytes: UnsafeMutablePointer<CChar>?
            var length = 0
            if let cache, let key, hs_serialize_database(db, &bytes, &length) == HS_SUCCESS, let bytes {
                cache.store(key, Array(UnsafeRawBufferPointer(start: bytes, count: length)))
                free(bytes)
            }
        }
        guard let db else { throw CompileError(index: nil, message: "Vectorscan returned no database") }
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(db, &scratch) == HS_SUCCESS, let scratch else {
            hs_free_database(db)
            throw CompileError(index: nil, message: "cannot allocate Vectorscan scratch space")
        }
        return (Compiled(database: db, prototype: scratch), cached)
    }

    /// Results written by concurrent tasks, one slot each.
    private final class Slots<T>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<T>
        init(_ count: Int, _ value: T) { buffer = .allocate(capacity: count); buffer.initialize(repeating: value) }
        deinit { buffer.deinitialize(); buffer.deallocate() }
    }

    deinit {
        for c in [open, later].compactMap({ $0 }) + gated {
            hs_free_scratch(c.prototype)
            hs_free_database(c.database)
        }
    }

    /// Scratch space for one thread's scans.
    public final class Scratch {
        let open: OpaquePointer?
        let later: OpaquePointer?
        let gated: [OpaquePointer]
        /// Room for the joined segments of one scan, kept for the next.
        private(set) var joined = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        /// The first error a scan with this scratch space returned (Vectorscan out of memory, a database it
        /// cannot run…), until cleared: what those scans found is incomplete.
        public var failure: Int32?
        /// Set when the last scan was stopped at its match limit or deadline (what it found before is kept).
        public var stopped = false
        /// Keeps a scan's return code when it is the first failure (a scan stopped on purpose is none).
        func note(_ rc: hs_error_t) { if rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED && failure == nil { failure = rc } }
        init(_ o: OpaquePointer?, _ l: OpaquePointer?, _ g: [OpaquePointer]) { open = o; later = l; gated = g }

        /// At least `count` bytes of room in ``joined``.
        func reserve(_ count: Int) {
            guard joined.count < count else { return }
            joined.deallocate()
            joined = .allocate(byteCount: max(count, 2 * joined.count), alignment: 64)
        }

        deinit {
            joined.deallocate()
            if let open { hs_free_scratch(open) }
            if let later { hs_free_scratch(later) }
            gated.forEach { hs_free_scratch($0) }
        }
    }

    public func makeScratch() -> Scratch {
        func clone(_ c: Compiled) -> OpaquePointer {
            var s: OpaquePointer?
            precondition(hs_clone_scratch(c.prototype, &s) == HS_SUCCESS && s != nil, "Vectorscan could not allocate scratch space")
            return s!
        }
        return Scratch(open.map(clone), later.map(clone), gated.map(clone))
    }

    /// What one scan's match handler reads and writes. One thread uses it at a time (the scan's), so its fields
    /// skip the run-time exclusivity checks, which cost a few percent of a scan called for every match.
    final class Collector {
        @exclusivity(unchecked) var raw: [(pattern: UInt32, from: Int, to: Int)] = []
        let words: [[Int]?]
        /// The bytes being scanned, and where they start in the text when they are part of it.
        @exclusivity(unchecked) var scanned: UnsafePointer<UInt8>?
        @exclusivity(unchecked) var base = 0
        /// For a scan of joined segments: where each segment starts in the joined bytes and in the text.
        @exclusivity(unchecked) var joinedStarts: [Int] = []
        @exclusivity(unchecked) var textStarts: [Int] = []
        /// The scan is stopped (the callback returns non-zero) past this many matches or this uptime.
        let maxMatches: Int
        let deadline: UInt64
        let stop: StopFlag?
        @exclusivity(unchecked) var stopped = false
        init(words: [[Int]?], maxMatches: Int = .max, deadline: UInt64 = .max, stop: StopFlag? = nil) {
            self.words = words; self.maxMatches = maxMatches; self.deadline = deadline; self.stop = stop
        }
    }

    /// Where a match of `words` joined by whitespace runs that ends at `end` starts: back over the last word,
    /// the whitespace before it, the word before that… A match's words hold no whitespace and its gaps nothing
    /// else, so each gap is the whole whitespace run between two words.
    static func start(of words: [Int], endingAt end: Int, in bytes: UnsafePointer<UInt8>) -> Int {
        var i = end
        for k in stride(from: words.count - 1, through: 0, by: -1) {
            i -= words[k]
            if k > 0 {
                while i > 0, bytes[i - 1] == 32 || (9...13).contains(bytes[i - 1]) { i -= 1 }
            }
        }
        return i
    }

    /// Per gated database, the ranges of `text` its patterns can match in, in order and apart.
    ///
    /// A database whose matches hold at most `reach` bytes, and start at most `lead` bytes before their first
    /// trigger, reads around each of its triggers at `t` the bytes `t − lead ..< t + reach`: every match whose
    /// first trigger that is lies there. Windows that touch or nearly touch are joined, and each is widened to
    /// the nearest non-word bytes (or the text's edges), so `\b` at its edges reads as it does in the whole
    /// text. Every match holds a trigger, so it lies whole inside one range, and that range holds everything
    /// the whole text offers for its end (its leftmost start too).
    ///
    /// A database with no such limit reads the runs of segments that hold one of its triggers, joined when
    /// close (scanning the breakers and quiet segments between them finds nothing more).
    ///
    /// Triggers are rare in prose, so the text is searched for the next one 32 bytes at a time (see
    /// ``triggerRanges``).
    func gatedRanges(_ text: UnsafeRawBufferPointer) -> [[Range<Int>]] {
        let count = gated.count
        var out = [[Range<Int>]](repeating: [], count: count)
        var unbounded: UInt8 = 0
        for (g, r) in reach.enumerated() where r == nil { unbounded |= 1 << UInt8(g) }
        breaker.withUnsafeBufferPointer { breaker in
        triggers.withUnsafeBufferPointer { triggers in
        PatternSet.wordBytes.withUnsafeBufferPointer { word in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * count) { state in
            let p = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let n = text.count
            // Per bounded database: its open window's first and last triggers (first −1 for none), its reach and
            // its lead.
            let (opened, closes) = (state.baseAddress!, state.baseAddress! + count)
            let (reaches, leads) = (state.baseAddress! + 2 * count, state.baseAddress! + 3 * count)
            for g in 0..<count { opened[g] = -1; closes[g] = 0; reaches[g] = reach[g] ?? 0; leads[g] = lead[g] }
            func add(_ out: inout [[Range<Int>]], _ r: Range<Int>, _ g: Int, joining gap: Int) {
                if let last = out[g].last, r.lowerBound - last.upperBound <= gap {
                    out[g][out[g].count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
                } else {
                    out[g].append(r)
                }
            }
            // With newline a breaker, windows stop at lines, found 16 bytes at a time (other breakers are passed
            // over: a window may only be wider than it needs).
            let lines = separator == 10
            /// Database g's open window as a range: from its first trigger back by its lead, and from its last
            /// forward by its reach, each no further than a breaker (no match holds one), then widened to non-word
            /// bytes.
            func close(_ out: inout [[Range<Int>]], _ g: Int) {
                let (first, last) = (opened[g], closes[g])
                let low = max(0, first - leads[g]), high = min(n, last + reaches[g])
                var start = first, end = last + 1
                if lines {
                    start = PatternSet.lastNewline(p, low, first).map { $0 + 1 } ?? low
                    end = PatternSet.firstNewline(p, end, high) ?? high
                } else {
                    while start > low && !breaker[Int(p[start - 1])] { start -= 1 }
                    while end < high && !breaker[Int(p[end])] { end += 1 }
                }
                while start > 0 && word[Int(p[start - 1])] { start -= 1 }
                while end < n && word[Int(p[end])] { end += 1 }
                add(&out, start..<end, g, joining: PatternSet.windowGap)
                opened[g] = -1
            }
            /// The first trigger at or after `from`, or `n`.
            func nextTrigger(_ from: Int) -> Int {
                if let (first, width, count) = triggerRanges {
                    return sweep_find_in_ranges(p, from, n, first, width, Int32(count))
                }
                var i = from
                while i < n {
                    if triggers[Int(p[i])] != 0 { return i }
                    i += 1
                }
                return n
            }
            // The text before `segmented` is read for the unbounded databases: it ends just after a breaker.
            var segmented = 0
            var t = nextTrigger(0)
            while t < n {
                // A cluster of triggers, each within `clusterGap` bytes of the last: read byte by byte.
                var groups: UInt8 = 0
                var last = t
                var i = t
                while i < n && i - last <= PatternSet.clusterGap {
                    let here = triggers[Int(p[i])]
                    if here != 0 {
                        groups |= here
                        last = i
                        if here & unbounded != 0 && i >= segmented {
                            // The segment around i; its triggers for unbounded databases all lie at or after i.
                            var start = i
                            while start > segmented && !breaker[Int(p[start - 1])] { start -= 1 }
                            var end = i + 1
                            var segment = here & unbounded
                            while end < n && !breaker[Int(p[end])] { segment |= triggers[Int(p[end])] & unbounded; end += 1 }
                            while segment != 0 {
                                add(&out, start..<end, segment.trailingZeroBitCount, joining: PatternSet.segmentGap)
                                segment &= segment - 1
                            }
                            segmented = end + 1
                        }
                    }
                    i += 1
                }
                // Each bounded database with a trigger here: the cluster joins its open window or opens the next
                // (its own triggers lie within the cluster, so the window may only be wider than it needs).
                var bounded = groups & ~unbounded
                while bounded != 0 {
                    let g = bounded.trailingZeroBitCount
                    bounded &= bounded - 1
                    if opened[g] >= 0 && t - closes[g] <= leads[g] + reaches[g] + PatternSet.windowGap {
                        closes[g] = last
                    } else {
                        if opened[g] >= 0 { close(&out, g) }
                        opened[g] = t
                        closes[g] = last
                    }
                }
                t = nextTrigger(i)
            }
            for g in 0..<count where opened[g] >= 0 { close(&out, g) }
        }
        }
        }
        }
        return out
    }

    /// The last newline in `p[low..<end]`, read from the end 16 bytes at a time.
    static func lastNewline(_ p: UnsafePointer<UInt8>, _ low: Int, _ end: Int) -> Int? {
        let newline = SIMD16<UInt8>(repeating: 10)
        var i = end
        while i - 16 >= low {
            let lanes = unsafeBitCast(UnsafeRawPointer(p + i - 16).loadUnaligned(as: SIMD16<UInt8>.self) .== newline, to: SIMD2<UInt64>.self)
            if lanes[0] | lanes[1] != 0 { break }
            i -= 16
        }
        while i > low {
            i -= 1
            if p[i] == 10 { return i }
        }
        return nil
    }

    /// The first newline in `p[from..<end]`, read 16 bytes at a time.
    static func firstNewline(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int? {
        let newline = SIMD16<UInt8>(repeating: 10)
        var i = from
        while i + 16 <= end {
            let lanes = unsafeBitCast(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self) .== newline, to: SIMD2<UInt64>.self)
            if lanes[0] | lanes[1] != 0 { break }
            i += 16
        }
        while i < end {
            if p[i] == 10 { return i }
            i += 1
        }
        return nil
    }

    /// Ranges of one database this close are read as one (with the bytes between them).
    static let windowGap = 16
    /// Triggers this close are taken together.
    static let clusterGap = 8
    static let segmentGap = 256

    /// Per byte: a word byte for `\b` (ASCII letters, digits and `_`).
    static let wordBytes: [Bool] = (0..<256).map { PatternGate.Bytes.word.contains(UInt8($0)) }

    /// Every pattern's matches in `text` by start, sorted by start: the patterns compiled `later` when `later`
    /// is set, every other pattern when it is not.
    /// The scan stops (keeping what it found) past `maxMatches` matches or past `deadline` (uptime nanoseconds),
    /// and says so in ``Scratch/stopped``: a pattern that matches nearly everywhere cannot hold an item past its time.
    public func scan(_ text: UnsafeRawBufferPointer, scratch: Scratch, later wanted: Bool = false, maxMatches: Int = .max,
                     deadline: UInt64 = .max, stop: StopFlag? = nil) -> [Match] {
        scratch.stopped = false
        guard !text.isEmpty else { return [] }
        let collector = Collector(words: words, maxMatches: maxMatches, deadline: deadline, stop: stop)
        defer { if collector.stopped { scratch.stopped = true } }
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let bytes = text.bindMemory(to: UInt8.self)
        let onMatch: match_event_handler = { id, from, to, _, ctx in
            let c = Unmanaged<Collector>.fromOpaque(ctx!).takeUnretainedValue()
            var start = Int(from)
            if let w = c.words[Int(id)] { start = PatternSet.start(of: w, endingAt: Int(to), in: c.scanned!) }
            var shift = c.base
            if !c.joinedStarts.isEmpty {
                // The last segment starting at or before the match.
                var lo = 0, hi = c.joinedStarts.count - 1
                while lo < hi { let mid = (lo + hi + 1) / 2; if c.joinedStarts[mid] <= start { lo = mid } else { hi = mid - 1 } }
                shift = c.textStarts[lo] - c.joinedStarts[lo]
            }
            c.raw.append((id, start + shift, Int(to) + shift))
            if c.raw.count >= c.maxMatches
                || (c.raw.count & 1023 == 0 && (DispatchTime.now().uptimeNanoseconds > c.deadline || c.stop?.isRequested == true)) {
                c.stopped = true
                return 1
            }
            return 0
        }
        /// One scan of `range` of the text.
        func run(_ database: OpaquePointer, _ s: OpaquePointer, _ range: Range<Int>) {
            guard !collector.stopped else { return }
            collector.scanned = bytes.baseAddress! + range.lowerBound
            collector.base = range.lowerBound
            collector.joinedStarts = []
            scratch.note(VectorscanRuntime.scan(database, UnsafeRawPointer(collector.scanned!).assumingMemoryBound(to: CChar.self), UInt32(range.count), s, onMatch, context))
        }
        if wanted {
            if let later, let s = scratch.later { run(later.database, s, 0..<text.count) }
        } else if let open, let s = scratch.open {
            run(open.database, s, 0..<text.count)
        }
        if !wanted && !gated.isEmpty {
            for (g, var ranges) in gatedRanges(text).enumerated() where !ranges.isEmpty {
                let (database, s) = (gated[g].database, scratch.gated[g])
                let covered = ranges.reduce(0) { $0 + $1.count }
                // Most of the text can hold a match: one scan of all of it (what a whole-text pass would find,
                // with no copy).
                if covered > text.count / 2 { ranges = [0..<text.count] }
                if let separator, ranges.count > 1 {
                    // One scan over the segments joined by a breaker, not one per segment: no match can hold the
                    // separator, and it reads as a non-word byte to `\b` just as the breaker or edge it stands for.
                    scratch.reserve(covered + ranges.count)
                    let joined = scratch.joined.baseAddress!
                    collector.joinedStarts = []
                    collector.textStarts = []
                    collector.joinedStarts.reserveCapacity(ranges.count)
                    collector.textStarts.reserveCapacity(ranges.count)
                    var length = 0
                    for r in ranges {
                        collector.joinedStarts.append(length)
                        collector.textStarts.append(r.lowerBound)
                        (joined + length).copyMemory(from: text.baseAddress! + r.lowerBound, byteCount: r.count)
                        length += r.count
                        joined.storeBytes(of: separator, toByteOffset: length, as: UInt8.self)
                        length += 1
                    }
                    collector.scanned = UnsafePointer(joined.assumingMemoryBound(to: UInt8.self))
                    collector.base = 0
                    scratch.note(VectorscanRuntime.scan(database, joined.assumingMemoryBound(to: CChar.self), UInt32(length), s, onMatch, context))
                } else {
                    for r in ranges { run(database, s, r) }
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
            var shorter: [Int] = []
            var last = raw[i].to
            var j = i + 1
            while j < raw.count && raw[j].pattern == p && raw[j].from == s {
                if raw[j].to != last { shorter.append(raw[j].to); last = raw[j].to }
                j += 1
            }
            out.append(Match(pattern: Int(p), start: s, end: raw[i].to, shorter: shorter))
            i = j
        }
        return out
    }
}
