@testable import Detect
import Rules
import SweepModel
import TestSupport
import Testing

/// The pieces of the findings loop, each against the plain way of doing the same thing.
@Suite struct DetectLoopTests {
    /// Overlap resolution one insertion at a time: stricter type first, then earlier start, then found first;
    /// a newcomer is dropped when it overlaps a neighbour in the kept list.
    static func referenceOverlaps(_ found: [(rank: Int, start: Int, end: Int)]) -> [Int] {
        let order = found.indices.sorted { a, b in (found[b].rank, found[a].start, a) < (found[a].rank, found[b].start, b) }
        var kept: [(start: Int, end: Int, index: Int)] = []
        for i in order {
            let (start, end) = (found[i].start, found[i].end)
            var lo = 0
            while lo < kept.count && kept[lo].start < start { lo += 1 }
            if lo < kept.count && kept[lo].start < end { continue }
            if lo > 0 && kept[lo - 1].end > start { continue }
            kept.insert((start, end, i), at: lo)
        }
        return kept.map(\.index)
    }

    static func spans(_ rng: inout SplitMix, count: Int, empties: Bool) -> [(rank: Int, start: Int, end: Int)] {
        var out: [(rank: Int, start: Int, end: Int)] = []
        var start = 0
        for _ in 0..<count {
            start += Int(rng.next() % 6)   // candidates come by start, as the matches do
            let length = Int(rng.next() % 12) + (empties ? 0 : 1)   // some empty spans, or none
            out.append((Int(rng.next() % 5), start, start + length))
        }
        return out
    }

    @Test func overlapsResolveAsOneInsertionAtATime() {
        var rng = SplitMix(seed: 1)
        var resolved = 0
        for round in 0..<3000 {
            let found = Self.spans(&rng, count: Int(rng.next() % 40), empties: round % 3 == 0)
            let kept = Detector.resolveOverlaps(found)
            #expect(kept == Self.referenceOverlaps(found), "round \(round)")
            resolved += found.count - kept.count
        }
        #expect(resolved > 1000)   // overlaps did happen
        // Out of order by start too (the order found breaks ties).
        let shuffled: [(rank: Int, start: Int, end: Int)] = [(1, 10, 15), (2, 12, 20), (1, 0, 11), (1, 14, 30), (0, 25, 26), (2, 12, 14)]
        #expect(Detector.resolveOverlaps(shuffled) == Self.referenceOverlaps(shuffled))
        #expect(Detector.resolveOverlaps(shuffled) == [2, 1, 4])
    }

    @Test func nearnessIsABinarySearch() {
        var rng = SplitMix(seed: 2)
        for _ in 0..<2000 {
            let sorted = (0..<Int(rng.next() % 20)).map { _ in Int(rng.next() % 3000) }.sorted()
            let x = Int(rng.next() % 3400) - 200
            let naive = sorted.contains { abs($0 - x) <= 200 }
            #expect(Detector.anyWithin(sorted, of: x, distance: 200) == naive)
        }
        #expect(Detector.anyWithin([100], of: 300, distance: 200) && Detector.anyWithin([500], of: 300, distance: 200))
        #expect(!Detector.anyWithin([99, 501], of: 300, distance: 200))
        #expect(!Detector.anyWithin([], of: 0, distance: 200))
    }

    @Test func newlinesAreCountedEightBytesAtATime() {
        var rng = SplitMix(seed: 3)
        let text: [UInt8] = (0..<5000).map { _ in
            switch rng.next() % 10 { case 0: return 10; case 1: return 0x8A; case 2: return 0x0B; default: return UInt8(truncatingIfNeeded: rng.next()) }
        }
        text.withUnsafeBufferPointer { b in
            for _ in 0..<500 {
                let a = Int(rng.next() % 5001), c = Int(rng.next() % 5001)
                let (from, to) = (min(a, c), max(a, c))
                #expect(LineCounter.newlines(b, from, to) == text[from..<to].filter { $0 == 10 }.count)
            }
            #expect(LineCounter.newlines(b, 0, 5000) == text.filter { $0 == 10 }.count)
        }
        // Forward and backward, as findings and category keywords ask.
        var lines = LineCounter()
        for _ in 0..<300 {
            let at = Int(rng.next() % 5200)
            #expect(lines.line(at: at, in: text) == 1 + text[0..<min(at, text.count)].filter { $0 == 10 }.count)
        }
        let long = [UInt8](repeating: 10, count: 8 * 300 + 5)   // past one lane's 255 words
        long.withUnsafeBufferPointer { #expect(LineCounter.newlines($0, 1, long.count) == long.count - 1) }
    }

    @Test func detectingBytesIsDetectingTheirText() {
        let rules = try! RuleSet.load(repositoryRoot + "/rules").detection
        let detector = try! Detector(rules: rules, key: Array(repeating: 7, count: 32))
        let session = detector.makeSession()
        let asOf = Timestamp.parse("2026-11-22")!
        let text = """
            OFFICIAL-SENSITIVE
            Case notes. NI JK 12 34 56 C, card 4111 1111 1111 1111, tel 07700 900123, SW1A 1AA.
            The client's GP reported a mental health condition; JK123456C again. NHS 943 476 5919.
            café — sort code 40-47-84 account 70872490
            OFFICIAL-SENSITIVE
            """
        let a = detector.detect(text, asOf: asOf, session: session)
        let b = detector.detect(utf8: Array(text.utf8), asOf: asOf, session: session)
        #expect(a == b)
        #expect(a.personalData["nino"] == 1 && !a.specialCategories.isEmpty && a.markings == ["OFFICIAL-SENSITIVE"])
    }
}

/// A small deterministic generator, so a failure repeats.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
