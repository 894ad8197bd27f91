#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SweepModel

/// Readers that run in a worker process: a C library call that loops, allocates without end or crashes
/// (poppler on a hostile PDF, libarchive on a 7z with a huge dictionary, libpst on a damaged store) cannot be
/// interrupted in process, so these readers run in `sweep extract-worker` under an address-space limit and a
/// CPU-time limit, and the worker is killed when it says nothing for the item's time (each page or nested item
/// it sends starts a new window, as in process). What it sent before that stays, the item says why it stopped,
/// and the scan goes on.
///
/// The request goes to the worker's standard input: one JSON line, then the bytes when there is no path. The
/// worker answers in frames: a JSON line, then as many bytes as it names. A page of a PDF, a nested item (with
/// its bytes, or already read with its own nested items following), and last the reading's end.
public enum Isolated {
    /// The readers that run isolated.
    public enum Reader: String, Codable, Sendable { case pdf, archive, pst, image }

    struct Request: Codable {
        var reader: Reader
        var path: String?
        var length: Int?
        var name: String
        var mime: String
        var seconds: Double
        var memory: Int
        var textCap: Int
        var maxChildBytes: Int
        var maxExpandedBytes: Int64
        var maxRatio: Int64
        var maxChildren: Int
        var maxWholeFileBytes: Int
        var ocr: Bool?
        var ocrPages: Int?
    }

    /// An extraction as it crosses the pipe.
    struct Part: Codable {
        var text: String?
        var headers: [String: String] = [:]
        var title: String?, author: String?, application: String?, subject: String?, sender: String?
        var recipients: [String] = []
        var created: Int64?, modified: Int64?, date: Int64?
        var pages: Int?
        var problemKind: String?, problemMessage: String?
        var skippedPages: Int?

        init(_ e: Extraction, withText: Bool) {
            text = withText ? e.text.string : nil
            headers = e.headers
            title = e.metadata.title; author = e.metadata.author; application = e.metadata.application
            subject = e.metadata.subject; sender = e.metadata.sender; recipients = e.metadata.recipients
            created = e.metadata.created?.nanoseconds; modified = e.metadata.modified?.nanoseconds; date = e.metadata.date?.nanoseconds
            pages = e.metadata.pages
            problemKind = e.problem?.kind.rawValue; problemMessage = e.problem?.message
            skippedPages = e.skippedPages == 0 ? nil : e.skippedPages
        }

        var extraction: Extraction {
            var e = Extraction(body: text ?? "", headers: headers)
            e.metadata.title = title; e.metadata.author = author; e.metadata.application = application
            e.metadata.subject = subject; e.metadata.sender = sender; e.metadata.recipients = recipients
            e.metadata.created = created.map { Timestamp(nanoseconds: $0) }
            e.metadata.modified = modified.map { Timestamp(nanoseconds: $0) }
            e.metadata.date = date.map { Timestamp(nanoseconds: $0) }
            e.metadata.pages = pages
            if let k = problemKind, let kind = Problem.Kind(rawValue: k) { e.problem = Problem(kind, problemMessage ?? k) }
            e.skippedPages = skippedPages ?? 0
            return e
        }
    }

    /// A nested item as it crosses the pipe; its bytes (``length``) follow the line, its own nested items
    /// (``children``) the bytes.
    struct ChildHead: Codable {
        var name: String
        var kind: String
        var modified: Int64?
        var declaredType: String?
        var length: Int?
        var skippedSize: Int64?
        var problemKind: String?, problemMessage: String?
        var extracted: Part?
        var children: Int?
    }

    struct Frame: Codable {
        var page: String?
        /// Set when the page's text was recognised in its image: Tesseract's mean word confidence, and the seconds it took.
        var confidence: Int?
        var seconds: Double?
        var child: ChildHead?
        var end: Part?
    }

    // MARK: The scanner's side

    /// Images recognised at once, across the scan's threads: one per core.
    static let recognitionSlots = DispatchSemaphore(value: max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Reads the item with `reader` in a worker process; nested items go to `visit` as they arrive.
    public static func extract(_ reader: Reader, _ source: Extractor.Source, name: String, mime: String, budget: ExtractionBudget,
                            isolation: Isolation, visit: (Child) -> Bool) -> Extraction {
        let l = budget.limits
        var request = Request(reader: reader, path: nil, length: nil, name: name, mime: mime, seconds: l.secondsPerItem,
                              memory: l.workerMemoryBytes, textCap: l.textCap, maxChildBytes: l.maxChildBytes,
                              maxExpandedBytes: l.maxExpandedBytes, maxRatio: l.maxRatio, maxChildren: l.maxChildren,
                              maxWholeFileBytes: l.maxWholeFileBytes, ocr: l.ocr && l.ocrClock?.spent != true, ocrPages: l.ocrPagesPerItem)
        if reader == .image, l.ocrClock?.spent == true { return Extraction(problem: l.ocrClock!.problem) }
        // Images are all recognition: at most one per core at a time, however many threads the scan walks with
        // (a share over the network is scanned with many more threads than cores).
        if reader == .image { recognitionSlots.wait() }
        defer { if reader == .image { recognitionSlots.signal() } }
        var payload: [UInt8] = []
        switch source {
        case .file(let path, let id):
            if String(validating: path.bytes, as: UTF8.self) != nil {
                // Still the file the walk listed (the worker opens it by name just after).
                switch FileHead.open(path, expected: id) {
                case .success(let opened): close(opened.fd)
                case .failure(let f): return Extraction(problem: Extractor.problem(f))
                }
                request.path = path.display
            } else {
                // A name that is not UTF-8: its bytes go over the pipe instead.
                switch FileHead.open(path, expected: id) {
                case .success(let opened):
                    defer { close(opened.fd) }
                    guard Int(opened.info.st_size) <= l.maxWholeFileBytes else {
                        return Extraction(problem: Problem(.limit, "larger than \(ByteCount(Int64(l.maxWholeFileBytes))) under a name that is not UTF-8: not read"))
                    }
                    payload = readAll(opened.fd, limit: l.maxWholeFileBytes)
                case .failure(let f): return Extraction(problem: Extractor.problem(f))
                }
                request.length = payload.count
            }
        case .bytes(let b):
            payload = b
            request.length = b.count
        }
        guard let header = try? JSONEncoder().encode(request) else { return .failed(.corrupt, "worker request") }
        var e = run(isolation, input: Array(header) + [10] + payload, reader: reader, seconds: l.secondsPerItem, cap: l.textCap,
                    stop: budget.stop, clock: l.ocrClock, visit: visit)
        // A PDF of scans read after the scan's OCR time ran out: not recognised now, read by the next scan.
        if reader == .pdf, request.ocr == false, l.ocr, let clock = l.ocrClock, e.problem?.kind == .noTextLayer { e.problem = clock.problem }
        return e
    }

    /// Reads a PDF in a worker process.
    public static func pdf(_ source: Extractor.Source, budget: ExtractionBudget, isolation: Isolation) -> Extraction {
        extract(.pdf, source, name: "", mime: "application/pdf", budget: budget, isolation: isolation) { _ in true }
    }

    static func run(_ isolation: Isolation, input: [UInt8], reader: Reader, seconds: Double, cap: Int, stop: StopFlag?,
                    clock: OCRClock? = nil, visit: (Child) -> Bool) -> Extraction {
        let what = reader == .pdf ? "the PDF reader" : reader == .pst ? "the PST reader" : reader == .image ? "the image reader (OCR)"
            : "the archive reader"
        let worker: WorkerPool.Worker
        switch isolation.pool.take() {
        case .success(let w): worker = w
        case .failure(let why): return .failed(.unreadable, "could not start \(what) (\(isolation.executable)): \(why.message)")
        }
        let outcome = exchange(worker, input: input, reader: reader, what: what, seconds: seconds, cap: cap, stop: stop, clock: clock,
                               visit: visit)
        if outcome.finished {
            isolation.pool.give(worker)
            return outcome.extraction
        }
        let status = isolation.pool.retire(worker)
        return failed(outcome, status: status, reader: reader, what: what, seconds: seconds, stop: stop)
    }

    /// What one request to a worker gave.
    struct Exchange {
        var extraction: Extraction
        var finished: Bool
        var timedOut: Bool
        var pages: Int
        var children: Int
        var stoppedByVisitor: Bool
    }

    /// Sends one request to `worker` and reads its answer: pages and nested items as they come, then the end.
    static func exchange(_ worker: WorkerPool.Worker, input: [UInt8], reader: Reader, what: String, seconds: Double, cap: Int,
                         stop: StopFlag?, clock: OCRClock?, visit: (Child) -> Bool) -> Exchange {
        // The request: small for a file on disk; for bytes the worker reads it all before it answers.
        writeAll(worker.input, input)
        let stream = FrameReader(fd: worker.output, seconds: seconds, stop: stop)
        var pages: [String] = []
        var end: Part?
        var children = 0
        var stoppedByVisitor = false
        /// One nested item and its own nested items, from the stream.
        func nextChild(_ head: ChildHead) -> Child? {
            let kind = ItemKind(rawValue: head.kind) ?? .member
            let content: Child.Content
            if let n = head.length {
                guard let bytes = stream.bytes(n) else { return nil }
                content = .bytes(bytes)
            } else if let e = head.extracted {
                content = .extracted(e.extraction)
            } else {
                let kindOf = head.problemKind.flatMap(Problem.Kind.init(rawValue:)) ?? .limit
                content = .skipped(size: head.skippedSize ?? 0, problem: Problem(kindOf, head.problemMessage ?? "not read"))
            }
            var c = Child(name: head.name, kind: kind, content: content, modified: head.modified.map { Timestamp(nanoseconds: $0) },
                          declaredType: head.declaredType)
            for _ in 0..<(head.children ?? 0) {
                guard let frame = stream.frame(), let h = frame.child, let inner = nextChild(h) else { return nil }
                c.children.append(inner)
            }
            return c
        }
        var recognised = 0, confidences = 0
        reading: while let frame = stream.frame() {
            if let page = frame.page {
                pages.append(page)
                if let c = frame.confidence { recognised += 1; confidences += c; clock?.add(frame.seconds ?? 0) }
            }
            if let head = frame.child {
                guard let child = nextChild(head) else { break }
                children += 1
                if !visit(child) { stoppedByVisitor = true; break reading }
                stream.restartClock()   // the time the scanner spent on the item is not the reader's
            }
            if let e = frame.end { end = e; break }
        }

        var e = end?.extraction ?? Extraction()
        if reader == .pdf || reader == .image {
            e.recognisedPages = recognised
            e.textLayerPages = pages.count - recognised
            if recognised > 0 { e.recognitionConfidence = confidences / recognised }
            var body = pages.joined(separator: "\u{0C}\n")
            if body.utf8.count > cap { body = String(decoding: body.utf8.prefix(cap), as: UTF8.self) }
            e.body = body
            let edges = pages.flatMap(PDFDocument.edgeLines)
            if !edges.isEmpty { e.headers["x-header-footer"] = edges.joined(separator: "\n") }
        }
        // A worker stopped mid-answer (by the visitor, a deadline or its death) is not used again.
        return Exchange(extraction: e, finished: end != nil && !stoppedByVisitor, timedOut: stream.timedOut,
                        pages: pages.count, children: children, stoppedByVisitor: stoppedByVisitor)
    }

    /// The item's extraction when its worker did not finish: what was read, and why it stopped.
    static func failed(_ x: Exchange, status: Int32, reader: Reader, what: String, seconds: Double, stop: StopFlag?) -> Extraction {
        var e = x.extraction
        if x.stoppedByVisitor { return e }   // the scanner had what it wanted: nothing failed
        let read = reader == .pdf || reader == .image ? (x.pages == 0 ? "nothing was read" : "\(x.pages) page(s) were read")
            : (x.children == 0 ? "nothing was read" : "\(x.children) item(s) inside were read")
        if stop?.isRequested == true {
            e.problem = Problem(.interrupted, "the scan was stopped while this item was read; the next scan reads it again")
        } else if x.timedOut {
            e.problem = Problem(.timeout, "\(what) took more than \(Int(seconds)) s without progress and was stopped; \(read)")
        } else {
            // Killed by its own limits, or crashed inside the library.
            let signal = status & 0x7F
            if signal == SIGXCPU {
                e.problem = Problem(.timeout, "\(what) used up its CPU time and was stopped; \(read)")
            } else if signal != 0 {
                e.problem = Problem(.corrupt, "\(what) crashed (signal \(signal)) on this file, or ran out of memory; \(read)")
            } else {
                e.problem = Problem(.limit, "\(what) stopped (exit \((status >> 8) & 0xFF): out of memory?); \(read)")
            }
        }
        return e
    }

    /// Frames from the worker's output, each awaited for at most `seconds` from the last one (or the last restart).
    final class FrameReader {
        let fd: Int32
        let seconds: Double
        let stop: StopFlag?
        var deadline: Date
        var buffer: [UInt8] = []
        var start = 0
        var timedOut = false
        var closed = false
        private var chunk = [UInt8](repeating: 0, count: 1 << 16)

        init(fd: Int32, seconds: Double, stop: StopFlag?) {
            self.fd = fd; self.seconds = seconds; self.stop = stop; deadline = Date().addingTimeInterval(seconds)
        }

        func restartClock() { deadline = Date().addingTimeInterval(seconds) }

        /// Reads more into the buffer; false at the end, on an error or past the deadline.
        func fill() -> Bool {
            guard !closed && !timedOut else { return false }
            if start > 1 << 20 { buffer.removeFirst(start); start = 0 }
            while true {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 || stop?.isRequested == true { timedOut = true; return false }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&p, 1, Int32(min(left, 1) * 1000) + 1)
                if ready < 0 { if errno == EINTR { continue }; closed = true; return false }
                if ready == 0 { continue }
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; closed = true; return false }
                if n == 0 { closed = true; return false }
                buffer += chunk[0..<n]
                return true
            }
        }

        func frame() -> Frame? {
            while true {
                if let nl = buffer[start...].firstIndex(of: 10) {
                    let line = buffer[start..<nl]
                    start = nl + 1
                    restartClock()
                    return try? JSONDecoder().decode(Frame.self, from: Data(line))
                }
                guard fill() else { return nil }
            }
        }

        func bytes(_ n: Int) -> [UInt8]? {
            while buffer.count - start < n { guard fill() else { return nil } }
            let out = Array(buffer[start..<start + n])
            start += n
            restartClock()
            return out
        }
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
        while out.count < limit {
            let n = read(fd, buffer.baseAddress, min(buffer.count, limit - out.count))
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            out += UnsafeRawBufferPointer(rebasing: buffer[0..<n])
        }
        return out
    }

    // MARK: The worker's side

    /// `sweep extract-worker`: reads one request from standard input, limits itself, reads the item and answers
    /// on standard output. The exit status is 0 whatever the item held.
    public static func workerMain() -> Int32 {
        // The address-space limit is set once, at the first request (every request of a scan names the same);
        // the CPU limit is moved on for each request, to what the worker has used so far plus the item's time.
        var memorySet = false
        // For the tests: `start PID` when a worker starts, `read PID READER NAME` for each request.
        let log = ProcessInfo.processInfo.environment["SWEEP_WORKER_LOG"]
        func note(_ line: String) {
            guard let log else { return }
            let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            if fd >= 0 { writeAll(fd, Array((line + "\n").utf8)); close(fd) }
        }
        note("start \(getpid())")
        while let (request, payload) = nextRequest() {
            note("read \(getpid()) \(request.reader.rawValue) \((request.path ?? request.name).split(separator: "/").last ?? "")")
            if !memorySet {
                var memory = rlimit(rlim_cur: rlim_t(request.memory), rlim_max: rlim_t(request.memory))
                setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &memory)
                memorySet = true
                _ = Archive.utf8Locale
            }
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let used = rlim_t(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + 1
            var time = rlimit()
            getrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &time)
            time.rlim_cur = min(used + rlim_t(request.seconds.rounded(.up)) + 1, time.rlim_max)
            setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &time)
            faultForTests(request)
            serve(request, payload)
        }
        return 0
    }

    /// The next request on standard input, or nil at its end (the scan closed it, or ended).
    static func nextRequest() -> (request: Request, payload: [UInt8])? {
        guard let header = input.line(),
              let request = try? JSONDecoder().decode(Request.self, from: Data(header)) else { return nil }
        var payload: [UInt8] = []
        if let length = request.length { payload = input.bytes(length) }
        return (request, payload)
    }

    /// Standard input, read in blocks: a request's header line once came a byte (and a system call) at a time.
    nonisolated(unsafe) static let input = InputReader(fd: 0)

    final class InputReader {
        let fd: Int32
        private var buffer: [UInt8] = []
        private var start = 0
        private var chunk = [UInt8](repeating: 0, count: 1 << 16)

        init(fd: Int32) { self.fd = fd }

        /// Reads one more block; false at the end or on an error.
        private func fill() -> Bool {
            if start > 0 { buffer.removeFirst(start); start = 0 }
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                buffer += chunk[0..<n]
                return true
            }
        }

        /// The next line, without its newline; nil at the end (a line cut short by the end is no line).
        func line() -> [UInt8]? {
            var searched = start
            while true {
                if let nl = buffer[searched...].firstIndex(of: 10) {
                    let line = Array(buffer[start..<nl])
                    start = nl + 1
                    return line
                }
                searched = buffer.count
                let consumed = start
                guard fill() else { return nil }
                searched -= consumed
            }
        }

        /// The next `count` bytes (fewer at the end).
        func bytes(_ count: Int) -> [UInt8] {
            let held = min(count, buffer.count - start)
            var out = Array(buffer[start..<(start + held)])
            start += held
            if out.count < count { out += Isolated.readAll(fd, limit: count - out.count) }
            return out
        }
    }

    /// Reads one item and answers: pages, nested items, then the end.
    static func serve(_ request: Request, _ payload: [UInt8]) {
        var limits = ExtractionLimits()
        limits.secondsPerItem = request.seconds
        limits.textCap = request.textCap
        limits.maxChildBytes = request.maxChildBytes
        limits.maxExpandedBytes = request.maxExpandedBytes
        limits.maxRatio = request.maxRatio
        limits.maxChildren = request.maxChildren
        limits.maxWholeFileBytes = request.maxWholeFileBytes
        limits.ocr = request.ocr ?? true
        limits.ocrPagesPerItem = request.ocrPages ?? limits.ocrPagesPerItem
        let budget = ExtractionBudget(limits: limits)
        let encoder = JSONEncoder()
        func send(_ frame: Frame, _ bytes: [UInt8] = []) {
            guard let data = try? encoder.encode(frame) else { return }
            writeAll(1, Array(data) + [10] + bytes)
        }
        func sendChild(_ c: Child) {
            var head = ChildHead(name: c.name, kind: c.kind.rawValue, modified: c.modified?.nanoseconds, declaredType: c.declaredType)
            var bytes: [UInt8] = []
            switch c.content {
            case .bytes(let b): head.length = b.count; bytes = b
            case .extracted(let e): head.extracted = Part(e, withText: true)
            case .skipped(let size, let p): head.skippedSize = size; head.problemKind = p.kind.rawValue; head.problemMessage = p.message
            }
            head.children = c.children.isEmpty ? nil : c.children.count
            send(Frame(child: head), bytes)
            for inner in c.children { sendChild(inner) }
        }
        let visit: (Child) -> Bool = { sendChild($0); return true }
        let e: Extraction
        switch request.reader {
        case .pdf:
            let onPage: (String, OCR.Page?) -> Void = { send(Frame(page: $0, confidence: $1?.confidence, seconds: $1?.seconds)) }
            e = request.path.map { PDFDocument.extract(path: $0, budget: budget, onPage: onPage) }
                ?? PDFDocument.extract(bytes: payload, budget: budget, onPage: onPage)
        case .image:
            let bytes = request.path.map { p -> [UInt8] in
                let fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                guard fd >= 0 else { return [] }
                defer { close(fd) }
                return readAll(fd, limit: request.maxWholeFileBytes)
            } ?? payload
            e = OCR.read(bytes, limits: limits) { send(Frame(page: $0.text, confidence: $0.confidence, seconds: $0.seconds)) }
        case .archive:
            if let path = request.path {
                let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                guard fd >= 0 else { send(Frame(end: Part(.failed(.unreadable, "open failed: " + String(cString: strerror(errno))), withText: false))); return }
                defer { close(fd) }
                var st = stat()
                fstat(fd, &st)
                e = Archive.extract(.descriptor(fd), name: request.name, containerSize: Int64(st.st_size), mime: request.mime,
                                    budget: budget, visit: visit)
            } else {
                e = Archive.extract(.memory(payload), name: request.name, containerSize: Int64(payload.count), mime: request.mime,
                                    budget: budget, visit: visit)
            }
        case .pst:
            if let path = request.path {
                e = OutlookStore.extract(path: path, budget: budget, visit: visit)
            } else {
                e = Extractor.withTemporaryFile(payload) { tmp in
                    guard let tmp else { return Extraction(problem: Problem(.unreadable, "no temporary file for the PST store")) }
                    return OutlookStore.extract(path: tmp, budget: budget, visit: visit)
                }
            }
        }
        send(Frame(end: Part(e, withText: request.reader != .pdf)))
    }

    /// `SWEEP_WORKER_FAULT=hang|spin|crash|hog`: the worker misbehaves as a hostile file can make a library
    /// misbehave, so the tests can show the scan survives each; with `SWEEP_WORKER_FAULT_ON=TEXT`, only on items
    /// whose path holds TEXT. Read only by the worker process.
    /// The environment, read once (building it costs a dictionary of every variable).
    static let environment = ProcessInfo.processInfo.environment

    static func faultForTests(_ request: Request) {
        let env = environment
        if let only = env["SWEEP_WORKER_FAULT_ON"], !(request.path ?? request.name).contains(only) { return }
        switch env["SWEEP_WORKER_FAULT"] {
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
