import Foundation

/// A blocking first-in first-out queue with a capacity: producers wait when it is full, so the walk can
/// never run ahead of the index writer by more than `capacity` folders.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Popped slots are emptied at once (a popped folder result is not kept alive) and dropped in bulk.
    private var items: [Element?] = []
    private var head = 0
    private var closed = false
    private let capacity: Int
    /// The consumer is woken when this many are waiting, or when they weigh this much (or at its timeout, or at
    /// close): a walk over unchanged folders pushes thousands of light results, and waking the writer for each
    /// cost more than writing them; a heavy one (a folder read for the first time) wakes it at once.
    private let wakeAt: Int
    private let wakeWeight: Int
    private var weight = 0
    private var weights: [Int] = []
    private var consumerWaiting = false
    private var producersWaiting = 0

    init(capacity: Int, wakeAt: Int = 1, wakeWeight: Int = 1) {
        self.capacity = capacity
        self.wakeAt = min(max(1, wakeAt), capacity)
        self.wakeWeight = max(1, wakeWeight)
    }

    func push(_ item: Element, weight w: Int = 1) {
        condition.lock(); defer { condition.unlock() }
        while items.count - head >= capacity && !closed {
            producersWaiting += 1
            condition.wait()
            producersWaiting -= 1
        }
        items.append(item)
        weights.append(max(1, w))
        weight += max(1, w)
        if consumerWaiting && (items.count - head >= wakeAt || weight >= wakeWeight) { condition.broadcast() }
    }

    /// The next element; nil after `timeout` seconds with nothing, or once closed and drained (`finished`).
    func pop(timeout: Double) -> (Element?, finished: Bool) {
        condition.lock(); defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while items.count == head && !closed {
            consumerWaiting = true
            let woken = condition.wait(until: deadline)
            consumerWaiting = false
            if !woken { return items.count == head ? (nil, false) : take() }
        }
        if items.count == head { return (nil, true) }
        return take()
    }

    private func take() -> (Element?, finished: Bool) {
        let item = items[head]
        items[head] = nil
        weight -= weights[head]
        head += 1
        if head >= 64 && head * 2 > items.count { items.removeFirst(head); weights.removeFirst(head); head = 0 }
        if producersWaiting > 0 { condition.broadcast() }
        return (item, false)
    }

    func close() {
        condition.lock(); closed = true; condition.broadcast(); condition.unlock()
    }
}
