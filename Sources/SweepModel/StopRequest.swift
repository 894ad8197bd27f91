import Synchronization

/// Set when the user asks a scan to stop (SIGINT, SIGTERM): readers and detection that would otherwise run to the
/// end of an item's time look at it in their loops and give up their item, so a stop takes seconds. One per scan.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func request() { flag.store(true, ordering: .relaxed) }
    public var isRequested: Bool { flag.load(ordering: .relaxed) }
}
