import Foundation
import Synchronization

/// Runs `body` over `count` tasks on `jobs` threads, each with its own read buffer; results in task order.
///
/// Threads, not the cooperative pool: a read from a slow share blocks its thread, and keeping many such
/// reads in flight is the point.
func parallelMap<T: Sendable>(_ count: Int, jobs: Int, bufferSize: Int = 1 << 20,
                              _ body: @escaping @Sendable (Int, UnsafeMutableRawBufferPointer) -> T) -> [T] {
    guard count > 0 else { return [] }
    let results = ResultSlots<T>(count)
    let next = Atomic<Int>(0)
    let group = DispatchGroup()
    for _ in 0..<max(1, min(jobs, count)) {
        group.enter()
        Thread {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
            defer { buffer.deallocate(); group.leave() }
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                if i >= count { break }
                results.set(i, body(i, buffer))
            }
        }.start()
    }
    group.wait()
    return results.values
}

/// ``parallelMap(_:jobs:bufferSize:_:)`` that hands each result to `deliver`, on the calling thread and in task
/// order, as soon as it and every one before it are done (and keeps none of them).
func parallelStream<T: Sendable>(_ count: Int, jobs: Int, bufferSize: Int = 1 << 20,
                                 _ body: @escaping @Sendable (Int, UnsafeMutableRawBufferPointer) -> T,
                                 deliver: (Int, T) -> Void) {
    guard count > 0 else { return }
    let results = ResultSlots<T>(count)
    let finished = FinishedTasks(count)
    let next = Atomic<Int>(0)
    for _ in 0..<max(1, min(jobs, count)) {
        Thread {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
            defer { buffer.deallocate() }
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                if i >= count { break }
                results.set(i, body(i, buffer))
                finished.mark(i)
            }
        }.start()
    }
    for i in 0..<count {
        finished.wait(for: i)
        deliver(i, results.take(i))
    }
}

/// Which tasks are done, for a thread waiting on them in order.
final class FinishedTasks: @unchecked Sendable {
    private let condition = NSCondition()
    private var done: [Bool]
    init(_ n: Int) { done = Array(repeating: false, count: n) }
    func mark(_ i: Int) {
        condition.lock()
        done[i] = true
        condition.signal()
        condition.unlock()
    }
    func wait(for i: Int) {
        condition.lock()
        while !done[i] { condition.wait() }
        condition.unlock()
    }
}

/// Write-once slots filled from several threads; each index is written by exactly one. Plain memory, not
/// an array: an array's mutating accessors are not safe to use from two threads even on distinct indices.
final class ResultSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>
    init(_ n: Int) {
        slots = .allocate(capacity: n)
        slots.initialize(repeating: nil)
    }
    deinit { slots.deinitialize(); slots.deallocate() }
    func set(_ i: Int, _ v: T) { slots[i] = v }
    /// Slot i's value, leaving it empty.
    func take(_ i: Int) -> T { defer { slots[i] = nil }; return slots[i]! }
    var values: [T] { slots.map { $0! } }
}
