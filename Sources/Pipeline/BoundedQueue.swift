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

    init(capacity: Int) { self.capacity = capacity }

    func push(_ item: Element) {
        condition.lock(); defer { condition.unlock() }
        while items.count - head >= capacity && !closed { condition.wait() }
        items.append(item)
        condition.broadcast()
    }

    /// The next element; nil after `timeout` seconds with nothing, or once closed and drained (`finished`).
    func pop(timeout: Double) -> (Element?, finished: Bool) {
        condition.lock(); defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while items.count == head && !closed {
            if !condition.wait(until: deadline) { return (nil, false) }
        }
        if items.count == head { return (nil, true) }
        let item = items[head]
        items[head] = nil
        head += 1
        if head >= 64 && head * 2 > items.count { items.removeFirst(head); head = 0 }
        condition.broadcast()
        return (item, false)
    }

    func close() {
        condition.lock(); closed = true; condition.broadcast(); condition.unlock()
    }
}
