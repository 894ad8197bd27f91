#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SweepModel

/// Readers that run in a worker process: a C library call that loops, allocates without end or crashes
/// (poppler on a hostile PDF) cannot be interrupted in process, so the PDF reader runs in `sweep
/// extract-worker` under an address-space limit and a CPU-time limit, and is killed at the item's deadline.
/// What it read before that (the pages it sent) stays, and the item says why it stopped; the scan goes on.
///
/// The request goes to the worker's standard input: one JSON line, then the bytes when there is no path.
/// The worker answers with JSON lines: one per page as it is read, then one that ends the reading.
public enum Isolated {
    struct Request: Codable {
        var path: String?
        var length: Int?
        var seconds: Double
        var memory: Int
        var textCap: Int
    }

    struct Line: Codable {
        var page: String?
        var end: End?
    }

    struct End: Codable {
        var title: String?, author: String?, application: String?
        var created: Int64?, modified: Int64?
        var pages: Int?
        var problemKind: String?, problemMessage: String?
    }

    // MARK: The scanner's side

    /// Reads a PDF in a worker process.
    public static func pdf(_ source: Extractor.Source, budget: ExtractionBudget, isolation: Isolation) -> Extraction {
        var request = Request(path: nil, length: nil, seconds: budget.limits.secondsPerItem, memory: budget.limits.workerMemoryBytes,
                              textCap: budget.limits.textCap)
        var payload: [UInt8] = []
        switch source {
        case .file(let path, let id):
            if String(validating: path.bytes, as: UTF8.self) != nil {
                request.path = path.display
            } else {
                // A name that is not UTF-8: its bytes go over the pipe instead.
                switch FileHead.open(path, expected: id) {
                case .success(let opened):
                    defer { close(opened.fd) }
                    payload = readAll(opened.fd, limit: budget.limits.maxWholeFileBytes)
                case .failure(let f): return Extraction(problem: Extractor.problem(f))
                }
                request.length = payload.count
            }
        case .bytes(let b):
            payload = b
            request.length = b.count
        }
        guard let header = try? JSONEncoder().encode(request) else { return .failed(.corrupt, "worker request") }
        return run(isolation, input: Array(header) + [10] + payload, seconds: budget.limits.secondsPerItem, cap: budget.limits.textCap)
    }

    static func run(_ isolation: Isolation, input: [UInt8], seconds: Double, cap: Int) -> Extraction {
        signal(SIGPIPE, SIG_IGN)   // a worker that died must not take the scan with it
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipeClosedOnExec(&toChild) else { return .failed(.unreadable, "no pipe for the PDF reader: \(String(cString: strerror(errno)))") }
        guard pipeClosedOnExec(&fromChild) else {
            close(toChild[0]); close(toChild[1])
            return .failed(.unreadable, "no pipe for the PDF reader: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(isolation.executable), strdup("extract-worker"), nil]
        defer { argv.forEach { free($0) } }
        // A crash in the worker is an answer, not a report: no backtrace printed and waited for.
        var env: [UnsafeMutablePointer<CChar>?] = []
        var cursor = environ
        while let v = cursor.pointee {
            if strncmp(v, "SWIFT_BACKTRACE=", 16) != 0 { env.append(strdup(v)) }
            cursor += 1
        }
        env.append(strdup("SWIFT_BACKTRACE=enable=no"))
        env.append(nil)
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, isolation.executable, &actions, nil, argv, env)
        close(toChild[0]); close(fromChild[1])
        guard spawned == 0 else {
            close(toChild[1]); close(fromChild[0])
            return .failed(.unreadable, "could not start the PDF reader (\(isolation.executable)): \(String(cString: strerror(spawned)))")
        }
        // The request: small for a file on disk; for bytes the worker reads it all before it answers.
        writeAll(toChild[1], input)
        close(toChild[1])

        var pages: [String] = []
        var end: End?
        var pending: [UInt8] = []
        var timedOut = false
        let deadline = Date().addingTimeInterval(seconds)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        reading: while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { timedOut = true; break }
            var p = pollfd(fd: fromChild[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(min(left, 1) * 1000) + 1)
            if ready < 0 { if errno == EINTR { continue }; break }
            if ready == 0 { continue }
            let n = read(fromChild[0], buffer.baseAddress, buffer.count)
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            pending += UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            while let nl = pending.firstIndex(of: 10) {
                let line = Array(pending[..<nl])
                pending.removeSubrange(...nl)
                guard let l = try? JSONDecoder().decode(Line.self, from: Data(line)) else { continue }
                if let page = l.page { pages.append(page) }
                if let e = l.end { end = e; break reading }
            }
        }
        close(fromChild[0])
        if timedOut || end == nil { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}

        var e = Extraction()
        var body = pages.joined(separator: "\u{0C}\n")
        if body.utf8.count > cap { body = String(decoding: body.utf8.prefix(cap), as: UTF8.self) }
        e.body = body
        let edges = pages.flatMap(PDFDocument.edgeLines)
        if !edges.isEmpty { e.headers["x-header-footer"] = edges.joined(separator: "\n") }
        let read = pages.isEmpty ? "nothing was read" : "\(pages.count) page(s) were read"
        if let end {
            e.metadata.title = end.title; e.metadata.author = end.author; e.metadata.application = end.application
            e.metadata.created = end.created.map { Timestamp(nanoseconds: $0) }
            e.metadata.modified = end.modified.map { Timestamp(nanoseconds: $0) }
            e.metadata.pages = end.pages
            if let k = end.problemKind, let kind = Problem.Kind(rawValue: k) { e.problem = Problem(kind, end.problemMessage ?? k) }
        } else if timedOut {
            e.problem = Problem(.timeout, "the PDF reader took more than \(Int(seconds)) s and was stopped; \(read)")
        } else {
            // Killed by its own limits, or crashed inside the library.
            let signal = status & 0x7F
            if signal == SIGXCPU || signal == SIGKILL {
                e.problem = Problem(.timeout, "the PDF reader used up its CPU time and was stopped; \(read)")
            } else if signal != 0 {
                e.problem = Problem(.corrupt, "the PDF reader crashed (signal \(signal)) on this file, or ran out of memory; \(read)")
            } else {
                e.problem = Problem(.limit, "the PDF reader stopped (exit \((status >> 8) & 0xFF): out of memory?); \(read)")
            }
        }
        return e
    }

    /// A pipe whose ends other workers do not inherit (their copies would keep this worker's output open).
    static func pipeClosedOnExec(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 { if errno == EINTR { continue }; return }
            written += n
        }
    }

    static func readAll(_ fd: Int32, limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while out.count <= limit {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            out += UnsafeRawBufferPointer(rebasing: buffer[0..<n])
        }
        return out
    }

    // MARK: The worker's side

    /// `sweep extract-worker`: reads one request from standard input, limits itself, reads the PDF and
    /// answers on standard output. The exit status is 0 whatever the PDF held.
    public static func workerMain() -> Int32 {
        var header: [UInt8] = []
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 && byte != 10 { header.append(byte) }
        guard let request = try? JSONDecoder().decode(Request.self, from: Data(header)) else { return 2 }
        var payload: [UInt8] = []
        if let length = request.length {
            payload = readAll(0, limit: length)
        }
        // The limits the scanner cannot impose from outside on a library call.
        var memory = rlimit(rlim_cur: rlim_t(request.memory), rlim_max: rlim_t(request.memory))
        setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &memory)
        let cpu = rlim_t(request.seconds.rounded(.up)) + 1
        var time = rlimit(rlim_cur: cpu, rlim_max: cpu + 1)
        setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &time)
        faultForTests()

        var limits = ExtractionLimits()
        limits.secondsPerItem = request.seconds
        limits.textCap = request.textCap
        let budget = ExtractionBudget(limits: limits)
        let encoder = JSONEncoder()
        func send(_ line: Line) {
            guard let data = try? encoder.encode(line) else { return }
            writeAll(1, Array(data) + [10])
        }
        let onPage: (String) -> Void = { send(Line(page: $0)) }
        let e = request.path.map { PDFDocument.extract(path: $0, budget: budget, onPage: onPage) }
            ?? PDFDocument.extract(bytes: payload, budget: budget, onPage: onPage)
        send(Line(end: End(title: e.metadata.title, author: e.metadata.author, application: e.metadata.application,
                           created: e.metadata.created?.nanoseconds, modified: e.metadata.modified?.nanoseconds,
                           pages: e.metadata.pages, problemKind: e.problem?.kind.rawValue, problemMessage: e.problem?.message)))
        return 0
    }

    /// `SWEEP_WORKER_FAULT=hang|crash|hog`: the worker misbehaves as a hostile file can make a library misbehave,
    /// so the tests can show the scan survives each. Read only by the worker process.
    static func faultForTests() {
        switch ProcessInfo.processInfo.environment["SWEEP_WORKER_FAULT"] {
        case "hang": while true { sleep(1) }
        case "spin": var x = 0; while true { x &+= 1; if x == -1 { break } }
        case "crash": UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 1   // a bad pointer, as a library bug would have
        case "hog":
            var blocks: [UnsafeMutableRawPointer] = []
            while let p = malloc(64 << 20) { memset(p, 1, 64 << 20); blocks.append(p) }
            abort()
        default: return
        }
    }
}
