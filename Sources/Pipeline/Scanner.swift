#if canImport(Glibc)
import Glibc
#endif
import Crawl
import Detect
import Extract
import Foundation
import Index
import Retention
import Rules
import SweepModel

/// One scan: walk the roots, compare each folder with the index, read only what is new or changed, write.
public final class Scanner: @unchecked Sendable {
    public let configuration: ScanConfiguration
    public let progress: ScanProgress
    private let index: SweepIndex
    private let walker: Walker
    private let contexts = ContextPool()
    private var indexWasEmpty = false
    private var detectors: LazyDetector?
    private let classifier: Classifier

    public init(configuration: ScanConfiguration, index: SweepIndex, progress: ScanProgress = ScanProgress()) {
        self.configuration = configuration
        self.index = index
        self.progress = progress
        classifier = Classifier(schedule: configuration.rules.retention ?? .defaultOnly)
        walker = Walker(options: CrawlOptions(roots: configuration.roots, excludes: configuration.excludes,
                                              oneFileSystem: configuration.oneFileSystem,
                                              followSymlinks: configuration.followSymlinks, jobs: configuration.jobs))
    }

    /// Stops taking new folders (SIGINT, SIGTERM); what was read is still written and the scan is marked stopped.
    public func stop() { walker.stop() }

    /// The stages, in order. Throws only for problems that stop the whole scan (roots, index); a bad item is
    /// recorded on the item and the scan goes on.
    public func run() throws -> ScanSummary {
        let started = Timestamp.now()
        try Walker.checkRoots(configuration.roots)
        _ = try TypeSniffer()   // fail now, not per item, when libmagic has no database
        indexWasEmpty = try index.isEmpty()
        let rules = configuration.rules.detection
        if !configuration.dupesOnly && !(rules.personalData.isEmpty && rules.specialCategories.isEmpty && rules.markings == nil) {
            let key = try index.hashKey()
            let lazy = LazyDetector { try Detector(rules: rules, key: key) }
            // New rules are compiled now, so a pattern Vectorscan refuses stops the scan before it starts; rules a
            // finished scan already compiled wait until some text needs them (an unchanged re-scan reads none).
            if try index.lastCompletedRulesVersion() != configuration.rules.version { _ = try lazy.build() }
            detectors = lazy
        }
        let writer = try ScanWriter(index: index, roots: configuration.roots, rulesVersion: configuration.itemVersion,
                                    jobs: configuration.jobs, asOf: String(configuration.asOf.iso8601.prefix(10)))
        try walk(into: writer)
        let fingerprints = try fingerprint(after: writer)
        progress.phase = .finishing
        let seconds = Double(Timestamp.now().nanoseconds - started.nanoseconds) / 1e9
        let summary = try writer.finish(walkComplete: !walker.wasStopped, seconds: seconds,
                                        fingerprinted: fingerprints.read, fingerprintErrors: fingerprints.errors)
        progress.phase = .done
        return summary
    }

    /// The walk: each folder examined on a walk thread, its result written by one writer thread, in
    /// batches, through a bounded queue (the walk never runs far ahead of the index).
    private func walk(into writer: ScanWriter) throws {
        progress.phase = .walking
        let queue = BoundedQueue<FolderResult>(capacity: 4 * configuration.jobs + 16)
        let writerFailure = WriterFailure()
        let writerDone = DispatchSemaphore(value: 0)
        let writerThread = Thread { [walker] in
            while true {
                let (next, finished) = queue.pop(timeout: 0.25)
                if finished { break }
                guard writerFailure.error == nil else { continue }   // drain so the walk can end
                do {
                    if let next { try writer.add(next) } else { try writer.tick() }
                } catch {
                    writerFailure.error = error
                    walker.stop()
                }
            }
            writerDone.signal()
        }
        writerThread.name = "sweep-index-writer"
        writerThread.start()
        walker.run { [self] listing in queue.push(examine(listing)) }
        queue.close()
        writerDone.wait()
        if let e = writerFailure.error { throw e }
        try writer.flush()   // the fingerprint stages read what the walk wrote
    }

    /// The duplicate stages, when anything was written since they last ran to the end.
    private func fingerprint(after writer: ScanWriter) throws -> FingerprintStage.Outcome {
        let settled = try index.fingerprintsSettled()
        guard !walker.wasStopped, writer.written > 0 || !settled else { return .init() }
        progress.phase = .fingerprinting
        try index.setFingerprintsSettled(false)
        let outcome = try FingerprintStage(index: index, jobs: configuration.jobs, progress: progress,
                                           shouldStop: { [walker] in walker.wasStopped }).run()
        if !walker.wasStopped { try index.setFingerprintsSettled(true) }
        return outcome
    }

    // MARK: - One folder

    /// Compares a folder's listing with the index and reads what is new or changed.
    func examine(_ listing: Listing) -> FolderResult {
        let ctx = contexts.take()
        defer { contexts.give(ctx) }
        progress.folders.add(1, ordering: .relaxed)
        let rulesVersion = configuration.itemVersion
        let rootText = listing.root.display
        var result = FolderResult(folder: listing.folder, listed: listing.error == nil && listing.complete)

        if let e = listing.error {
            var rec = ItemRecord(path: listing.folder, folder: listing.folder.parent, root: rootText,
                                 relativePath: listing.relative, kind: .directory, size: 0, rulesVersion: rulesVersion)
            rec.error = "cannot list folder: \(e.message)"
            rec.errorKind = e.kind.rawValue
            rec.mime = ItemKind.directory.inodeType
            result.upserts.append(rec)
            result.errors += 1
        }

        var previous: [RawName: PreviousItem]
        do { previous = try index.previousItems(inFolder: listing.folder, rulesVersion: rulesVersion) } catch { previous = [:] }

        for entry in listing.entries {
            if entry.kind == .directory && entry.error == nil {   // walked as a folder of its own
                previous.removeValue(forKey: RawName(entry.name))
                continue
            }
            result.items += 1
            // Taken out as it is matched: what is left at the end was not in the listing.
            let prev = previous.removeValue(forKey: RawName(entry.name))
            if let p = prev, let st = entry.stat, entry.error == nil, isUnchanged(p, st) {
                result.unchanged += 1
                result.bytes += st.size
                if p.hadError { result.errors += 1 }
                continue
            }
            let rec = record(for: entry, in: listing, context: ctx)
            if rec.error != nil { result.errors += 1 }
            result.bytes += rec.size
            if let p = prev, !p.gone {
                result.changed += 1
                if p.device.map(UInt64.init(bitPattern:)) == rec.identity?.device,
                   p.inode.map(UInt64.init(bitPattern:)) == rec.identity?.inode,
                   p.size == rec.size, p.modified == rec.modified?.nanoseconds {
                    // Same file, re-read for another rules version or a past error: not a content change.
                    result.changed -= 1; result.unchanged += 1
                }
                result.upserts.append(rec)
            } else if prev == nil, let move = movedFrom(rec) {
                result.moves.append(FolderResult.Move(fromID: move.id, fromPath: move.path, record: rec))
            } else {
                result.new += 1
                result.upserts.append(rec)
            }
        }

        if result.listed {
            for p in previous.values where !p.gone { result.gone.append(p.id) }
        }
        // Once per folder, not per item: two threads bumping one counter per item fight over its cache line.
        progress.items.add(result.items, ordering: .relaxed)
        progress.errors.add(result.errors, ordering: .relaxed)
        return result
    }

    private func isUnchanged(_ p: PreviousItem, _ st: FileStat) -> Bool {
        !p.gone && p.sameRules && p.kind == st.kind
            && p.size == st.size && p.modified == st.modified.nanoseconds && p.changed == st.changed.nanoseconds
            && p.device == Int64(bitPattern: st.id.device) && p.inode == Int64(bitPattern: st.id.inode)
            && !(p.retry && st.kind == .file)   // an unreadable file is tried again; a corrupt one waits for a change
    }

    /// A new path whose file (device + inode) the index holds at a path that no longer has it: a move.
    private func movedFrom(_ rec: ItemRecord) -> (id: Int64, path: ItemPath)? {
        guard !indexWasEmpty, rec.kind == .file, let identity = rec.identity, let modified = rec.modified,
              let candidates = try? index.items(withIdentity: identity, size: rec.size, modified: modified) else { return nil }
        for c in candidates where c.path != rec.path {
            if c.gone { return (c.id, c.path) }
            switch FileStat.of(c.path) {
            case .failure: return (c.id, c.path)
            case .success(let st) where st.id != identity: return (c.id, c.path)
            default: continue   // still there: a hardlink, not a move
            }
        }
        return nil
    }

    /// Everything known about one entry; for a regular file, its type from the first bytes.
    private func record(for entry: Entry, in listing: Listing, context ctx: WorkerContext) -> ItemRecord {
        let kind: ItemKind = entry.stat?.kind ?? .unknown
        var rec = ItemRecord(path: entry.path, folder: listing.folder, root: listing.root.display,
                             relativePath: entry.relative, kind: kind, size: entry.stat?.size ?? 0,
                             rulesVersion: configuration.itemVersion)
        let nameText = ItemPath.display(entry.name)
        rec.fileExtension = TypeRefiner.fileExtension(of: nameText)
        rec.linkTarget = entry.linkTarget
        if let st = entry.stat {
            rec.modified = st.modified
            rec.changed = st.changed
            rec.identity = st.id
            rec.links = st.links
            rec.uid = st.uid
            rec.owner = ctx.owner(of: st.uid)
            rec.mode = st.permissions
        }
        if let e = entry.error {
            rec.error = e.message
            rec.errorKind = e.kind.rawValue
            if let t = kind.inodeType { rec.mime = t }
            if !configuration.dupesOnly { classify(&rec, entry, text: nil) }
            return rec
        }
        var text: PlainTextRead?
        switch kind {
        case .file:
            guard let st = entry.stat else { return rec }
            guard !configuration.dupesOnly else { return rec }   // a duplicate sweep needs no type
            let outcome = ctx.withBuffer { buffer in
                FileHead.read(entry.path, limit: configuration.headBytes, expected: st.id, into: buffer) { head in
                    (ctx.sniffer.mimeType(of: head), head.count)
                }
            }
            switch outcome {
            case .success(let (mime, count)):
                rec.mime = TypeRefiner.refine(mime, extension: rec.fileExtension)
                progress.opened.add(1, ordering: .relaxed)
                progress.bytesRead.add(count, ordering: .relaxed)
                if rec.mime == "application/encrypted" {
                    rec.error = "encrypted: password-protected, content not read"
                    rec.errorKind = "encrypted"
                } else if st.size > 0, OfficeDocument.handles(rec.mime), let detector = detector(for: &rec) {
                    text = detectOffice(&rec, st, detector, ctx)
                } else if st.size > 0, PlainText.isTextual(rec.mime), let detector = detector(for: &rec) {
                    text = detect(&rec, st, detector, ctx)
                }
            case .failure(let f):
                rec.fail(f, doing: "open")
            }
        case .symlink:
            rec.mime = kind.inodeType
        case .fifo, .socket, .charDevice, .blockDevice, .unknown:
            // Recorded, never opened: reading a FIFO or a device could block the scan or never end.
            rec.mime = kind.inodeType
            rec.error = "not a regular file (\(kind.rawValue.replacingOccurrences(of: "_", with: " "))): recorded, not opened"
            rec.errorKind = "special"
        case .directory, .member, .message, .attachment:
            break
        }
        if !configuration.dupesOnly { classify(&rec, entry, text: text) }
        return rec
    }
}

extension Scanner {
    /// The detector, built on first use; should building fail, the item says why.
    func detector(for rec: inout ItemRecord) -> Detector? {
        guard let detectors else { return nil }
        do { return try detectors.build() } catch {
            rec.error = "detection unavailable: \(error)"
            rec.errorKind = "rules"
            return nil
        }
    }

    /// Reads a text item whole (up to the text cap) and runs detection over it; returns the text it read.
    func detect(_ rec: inout ItemRecord, _ st: FileStat, _ detector: Detector, _ ctx: WorkerContext) -> PlainTextRead? {
        switch PlainText.read(rec.path, expected: st.id, cap: configuration.textCap) {
        case .success(let t):
            progress.bytesRead.add(t.text.utf8.count, ordering: .relaxed)
            let headers = rec.mime == "message/rfc822" ? PlainText.mailHeaders(t.text) : [:]
            let body = PlainText.isMarkup(rec.mime) ? PlainText.stripMarkup(t.text) : t.text
            rec.detection = detector.detect(body, headers: headers, asOf: configuration.asOf, session: ctx.session(detector))
            if t.truncated {
                rec.error = "limit hit: only the first \(ByteCount(Int64(configuration.textCap))) of text were read"
                rec.errorKind = CrawlError.Kind.limit.rawValue
            }
            return PlainTextRead(body: body, headers: headers)
        case .failure(let f):
            rec.fail(f, doing: "open for text")
            return nil
        }
    }

    /// Reads an Office or OpenDocument file's text parts and labels and runs detection over them.
    func detectOffice(_ rec: inout ItemRecord, _ st: FileStat, _ detector: Detector, _ ctx: WorkerContext) -> PlainTextRead? {
        switch OfficeDocument.read(rec.path, expected: st.id, cap: configuration.textCap * 4) {
        case .success(let doc):
            let headers = ["x-header-footer": doc.headerFooter, "msip_labels": doc.labels]
            let text = doc.body + "\n" + doc.headerFooter
            rec.detection = detector.detect(text, headers: headers, asOf: configuration.asOf, session: ctx.session(detector))
            if doc.truncated {
                rec.error = "limit hit: expanded past \(ByteCount(Int64(configuration.textCap * 4))) (a zip bomb, or a very large document)"
                rec.errorKind = CrawlError.Kind.limit.rawValue
            }
            return PlainTextRead(body: text, headers: [:], created: doc.created)
        case .failure(.unreadable(let f)):
            rec.fail(f, doing: "open document")
        case .failure(.corrupt(let why)):
            rec.error = "corrupt: \(why)"
            rec.errorKind = "corrupt"
        }
        return nil
    }

    /// The item's class, dates and holds from the schedule, with the reason.
    func classify(_ rec: inout ItemRecord, _ entry: Entry, text: PlainTextRead?) {
        let facts = ItemFacts(
            relativePath: entry.relative, name: ItemPath.display(entry.name), fileExtension: rec.fileExtension, mime: rec.mime,
            text: text?.body, markings: rec.detection?.markings ?? [], personalData: Set(rec.detection?.personalData.keys ?? [:].keys),
            modified: rec.modified, created: text?.created, messageDate: text?.headers["date"].flatMap(PlainText.mailDate))
        let c = classifier.classify(facts)
        rec.retention = RetentionFacts(classID: c.classID, action: c.action, triggerDate: c.triggerDate,
                                       disposalDate: c.disposalDate, holds: c.holds, reason: c.reason)
    }
}

extension ItemRecord {
    /// Records why the item's content could not be read.
    mutating func fail(_ f: FileHead.Failure, doing action: String) {
        let e: CrawlError
        switch f {
        case .open(let code): e = CrawlError(errno: code, doing: action)
        case .read(let code): e = CrawlError(errno: code, doing: "read")
        case .notSameFile: e = CrawlError(kind: .vanished, message: "changed during scan: replaced after it was listed")
        }
        error = e.message
        errorKind = e.kind.rawValue
    }
}

/// The text an item gave, kept for classification (`contains`) and its mail headers (`message_date`).
struct PlainTextRead {
    let body: String
    let headers: [String: String]
    /// The document's own creation date, when its metadata has one.
    var created: Timestamp? = nil
}

/// Per-thread tools: a libmagic cookie (not thread-safe), a read buffer, an owner-name cache, a detection
/// session (Vectorscan scratch space).
final class WorkerContext {
    private var detectSession: Detector.Session?

    func session(_ detector: Detector) -> Detector.Session {
        if let s = detectSession { return s }
        let s = detector.makeSession()
        detectSession = s
        return s
    }

    /// Loaded on first use: an unchanged re-scan types nothing and need not load libmagic's database.
    lazy var sniffer: TypeSniffer = {
        // The scan checked libmagic loads before starting; a failure here is a broken installation.
        try! TypeSniffer()
    }()
    private let buffer: UnsafeMutableRawBufferPointer
    private var owners: [UInt32: String?] = [:]

    init(bufferSize: Int = 64 * 1024) {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func withBuffer<T>(_ body: (UnsafeMutableRawBufferPointer) -> T) -> T { body(buffer) }

    func owner(of uid: UInt32) -> String? {
        if let known = owners[uid] { return known }
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 4096)
        let name: String? = getpwuid_r(uid, &pwd, &buf, buf.count, &result) == 0 && result != nil
            ? String(cString: pwd.pw_name) : nil
        owners[uid] = name
        return name
    }
}

/// A detector built once, on first use, by whichever thread needs it first.
final class LazyDetector: @unchecked Sendable {
    private let lock = NSLock()
    private var built: Result<Detector, Error>?
    private let make: () throws -> Detector

    init(_ make: @escaping () throws -> Detector) { self.make = make }

    func build() throws -> Detector {
        lock.lock(); defer { lock.unlock() }
        if built == nil { built = Result { try make() } }
        return try built!.get()
    }
}

/// Hands each walk thread a context of its own.
final class ContextPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [WorkerContext] = []

    func take() -> WorkerContext {
        lock.lock(); defer { lock.unlock() }
        return free.popLast() ?? WorkerContext()
    }

    func give(_ c: WorkerContext) {
        lock.lock(); free.append(c); lock.unlock()
    }
}

final class WriterFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    var error: Error? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
