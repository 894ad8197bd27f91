#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The worker processes of one scan (`sweep extract-worker`), kept between items: starting one costs about
/// 20 ms of exec and dynamic loading, which, paid per PDF or archive, was most of a first scan's time.
///
/// A worker serves one request at a time and goes back to the pool only after a complete answer. One that
/// overran its time, crashed, hit its memory limit, or was left mid-answer is killed and reaped, never reused;
/// one that has served ``requestsPerWorker`` requests is retired, so no reader's leaks or fragmentation build
/// up. Workers read requests from a pipe: when the scan ends (or dies), the pipe closes and they exit.
public final class WorkerPool: @unchecked Sendable {
    public let executable: String
    /// Requests a worker serves before it is replaced.
    public var requestsPerWorker = 200

    final class Worker {
        let pid: pid_t
        /// The worker's standard input (requests) and output (frames).
        let input: Int32
        let output: Int32
        var served = 0
        init(pid: pid_t, input: Int32, output: Int32) { self.pid = pid; self.input = input; self.output = output }
    }

    private let lock = NSLock()
    private var idle: [Worker] = []
    /// Workers started, for the tests and the benchmark.
    public private(set) var started = 0

    public init(executable: String) { self.executable = executable }

    deinit { shutdown() }

    /// An idle worker, or a new one.
    struct SpawnFailure: Error { let message: String }

    func take() -> Result<Worker, SpawnFailure> {
        while true {
            lock.lock()
            guard let w = idle.popLast() else { lock.unlock(); break }
            lock.unlock()
            // One that went while it waited (killed from outside) is reaped and replaced: an item is never blamed
            // for a worker's death before it was asked.
            var status: Int32 = 0
            if waitpid(w.pid, &status, WNOHANG) == 0 { return .success(w) }
            close(w.input); close(w.output)
        }
        let spawned = spawn()
        if case .success = spawned { lock.lock(); started += 1; lock.unlock() }
        return spawned
    }

    /// A worker that answered in full: kept, unless it has served its share.
    func give(_ w: Worker) {
        w.served += 1
        if w.served >= requestsPerWorker { _ = retire(w); return }
        lock.lock(); idle.append(w); lock.unlock()
    }

    /// Ends a worker: its input closed, killed when it has not already gone, and reaped. Its wait status.
    @discardableResult
    func retire(_ w: Worker) -> Int32 {
        close(w.input)
        close(w.output)
        var status: Int32 = 0
        // A worker that finished cleanly exits on its closed input at once; anything else is killed.
        if waitpid(w.pid, &status, WNOHANG) == w.pid { return status }
        kill(w.pid, SIGKILL)
        while waitpid(w.pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// Ends every idle worker (the scan is over).
    public func shutdown() {
        lock.lock()
        let all = idle
        idle.removeAll()
        lock.unlock()
        for w in all { retire(w) }
    }

    private func spawn() -> Result<Worker, SpawnFailure> {
        signal(SIGPIPE, SIG_IGN)   // a worker that died must not take the scan with it
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard Isolated.pipeClosedOnExec(&toChild) else { return .failure(SpawnFailure(message: "no pipe: \(String(cString: strerror(errno)))")) }
        guard Isolated.pipeClosedOnExec(&fromChild) else {
            close(toChild[0]); close(toChild[1])
            return .failure(SpawnFailure(message: "no pipe: \(String(cString: strerror(errno)))"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(executable), strdup("extract-worker"), nil]
        defer { argv.forEach { free($0) } }
        // A crash in the worker is an answer, not a report: no backtrace printed and waited for.
        var env: [UnsafeMutablePointer<CChar>?] = []
        var cursor = environ
        while let v = cursor.pointee {
            if strncmp(v, "SWIFT_BACKTRACE=", 16) != 0 { env.append(strdup(v)) }
            cursor += 1
        }
        env.append(strdup("SWIFT_BACKTRACE=enable=no"))
        // Tesseract would start a thread per core in every worker (OpenMP): one each keeps the workers, one per
        // scanning thread, from starving each other and the walk.
        if getenv("OMP_THREAD_LIMIT") == nil { env.append(strdup("OMP_THREAD_LIMIT=1")) }
        env.append(nil)
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, env)
        close(toChild[0]); close(fromChild[1])
        guard spawned == 0 else {
            close(toChild[1]); close(fromChild[0])
            return .failure(SpawnFailure(message: String(cString: strerror(spawned))))
        }
        return .success(Worker(pid: pid, input: toChild[1], output: fromChild[0]))
    }
}
