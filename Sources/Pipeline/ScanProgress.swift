import Synchronization

/// Live counters for the progress display, updated by the walk threads without locks.
public final class ScanProgress: Sendable {
    public enum Phase: String, Sendable {
        case starting = "starting", walking = "walking", fingerprinting = "fingerprinting", finishing = "finishing", done = "done"
    }

    public let folders = Atomic<Int>(0)
    public let items = Atomic<Int>(0)
    public let opened = Atomic<Int>(0)
    public let bytesRead = Atomic<Int>(0)
    public let errors = Atomic<Int>(0)
    private let phaseValue = Atomic<Int>(0)

    public init() {}

    public var phase: Phase {
        get { [Phase.starting, .walking, .fingerprinting, .finishing, .done][phaseValue.load(ordering: .relaxed)] }
        set {
            let n = [Phase.starting, .walking, .fingerprinting, .finishing, .done].firstIndex(of: newValue)!
            phaseValue.store(n, ordering: .relaxed)
        }
    }
}
