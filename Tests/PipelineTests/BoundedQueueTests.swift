import Foundation
@testable import Pipeline
import Testing

@Suite struct BoundedQueueTests {
    final class Payload: Sendable {}

    /// A popped element is the consumer's alone: the queue must not keep it alive (a scan's folder results,
    /// thousands of item records each, were once held until the walk ended).
    @Test func poppedElementsAreReleased() {
        let queue = BoundedQueue<Payload>(capacity: 4)
        weak var first: Payload?
        do {
            let p = Payload()
            first = p
            queue.push(p)
            queue.push(Payload())
        }
        do {
            let (popped, finished) = queue.pop(timeout: 1)
            #expect(popped != nil && !finished)
        }
        #expect(first == nil)
        let (second, _) = queue.pop(timeout: 1)
        #expect(second != nil)
        queue.close()
        let (none, finished) = queue.pop(timeout: 1)
        #expect(none == nil && finished)
    }

    @Test func keepsOrderAcrossCompaction() {
        let queue = BoundedQueue<Int>(capacity: 256)
        var out: [Int] = []
        for i in 0..<500 {
            queue.push(i)
            if i % 3 == 2 { for _ in 0..<2 { out.append(queue.pop(timeout: 1).0!) } }
        }
        queue.close()
        while case (let v?, false) = queue.pop(timeout: 1) { out.append(v) }
        #expect(out == Array(0..<500))
    }
    /// The writer is woken by a batch, or by its own timeout with fewer waiting: nothing pushed is left behind,
    /// and producers blocked on a full queue are let go as it drains.
    @Test func batchedWakingLosesNothingAndBlocksNoOne() {
        let queue = BoundedQueue<Int>(capacity: 24, wakeAt: 8)
        queue.push(1)   // one alone, below the batch: the consumer still takes it by its timeout
        #expect(queue.pop(timeout: 0.2).0 == 1)
        let producers = DispatchGroup()
        for p in 0..<3 {
            DispatchQueue.global().async(group: producers) { for i in 0..<2000 { queue.push(p * 10_000 + i) } }
        }
        DispatchQueue.global().async { producers.wait(); queue.close() }
        var seen: [Int] = []
        while true {
            let (v, finished) = queue.pop(timeout: 0.05)
            if finished { break }
            if let v { seen.append(v) }
        }
        #expect(seen.count == 6000 && Set(seen).count == 6000)
        for p in 0..<3 { #expect(seen.filter { $0 / 10_000 == p } == (0..<2000).map { p * 10_000 + $0 }) }
    }
    /// A heavy result wakes the writer at once; a light one waits for a batch or the writer's own timeout.
    @Test func aHeavyResultWakesTheConsumerAtOnce() {
        for (weight, promptly) in [(100, true), (1, false)] {
            let queue = BoundedQueue<Int>(capacity: 24, wakeAt: 8, wakeWeight: 64)
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { queue.push(7, weight: weight) }
            let started = Date()
            let (v, _) = queue.pop(timeout: 3)
            let waited = Date().timeIntervalSince(started)
            #expect(v == 7)
            #expect(promptly ? waited < 1.5 : waited >= 2.9, "weight \(weight): waited \(waited) s")
        }
    }
}
