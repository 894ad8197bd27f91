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
}
