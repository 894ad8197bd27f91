#if canImport(Glibc)
import Glibc
#endif
import Crawl
import Detect
import Extract
import Fingerprint
import Foundation
import Index
import Retention
import Rules
import SweepModel
import Synchronization

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
    /// Threads free to help a folder with much to read (see ``reserveHelpers(_:)``).
    private let spareHelpers: Atomic<Int>
    /// Set by ``stop()``: the readers and detection of the items in hand see it.
    let stopFlag = StopFlag()
    /// Small files fingerprinted in the walk's own read (counted with the duplicate stage's reads).
    let walkFingerprints = Atomic<Int>(0)
    /// What reading each content gave in this scan, by content hash: a copy is not read or searched again.
    let analysed = AnalysisCache()
    /// Items that took a copy's reading instead of reading their own bytes.
    let reusedReadings = Atomic<Int>(0)

    public init(configuration: ScanConfiguration, index: SweepIndex, progress: ScanProgress = ScanProgress()) {
        self.configuration = configuration
        self.index = index
        self.progress = progress
        classifier = Classifier(schedule: configuration.rules.retention ?? .defaultOnly)
        // A folder read alone runs on at most `--jobs` threads: its walk thread and jobs − 1 helpers.
        spareHelpers = Atomic(configuration.jobs - 1)
        walker = Walker(options: CrawlOptions(roots: configuration.roots, excludes: configuration.excludes,
                                              oneFileSystem: configuration.oneFileSystem,
                                              followSymlinks: configuration.followSymlinks, jobs: configuration.jobs))
    }

    /// Stops taking new folders (SIGINT, SIGTERM); what was read is still written and the scan is marked stopped.
    public func stop() {
        walker.stop()
        stopFlag.request()   // items in hand give up their reading too: a stop takes seconds, not an item's time
    }

    /// The stages, in order. Throws only for problems that stop the whole scan (roots, index); a bad item is
    /// recorded on the item and the scan goes on.
    public func run() throws -> ScanSummary {
        let started = Timestamp.now()
        try Walker.checkRoots(configuration.roots)
        _ = try TypeSniffer()   // fail now, not per item, when libmagic has no database
        indexWasEmpty = try index.isEmpty()
        let rules = configuration.rules.detection
        if !configuration.dupesOnly {
            guard let keyPath = configuration.keyPath ?? (index.isShared ? nil : KeyStore.defaultPath(forIndex: configuration.indexPath)) else {
                throw KeyStore.Problem(description: "a PostgreSQL index needs the key personal-data values are hashed under in a file "
                                       + "every scanner host shares: name it with key_file: in the config or $SWEEP_KEY_FILE "
                                       + "(it is created there on first use; copy it to each host, mode 0600)")
            }
            let key = try KeyStore.key(for: index, at: keyPath)
            let lazy = LazyDetector { [cache = configuration.patternCache] in try Detector(rules: rules, key: key, cache: cache) }
            // New rules are compiled now, so a pattern Vectorscan refuses stops the scan before it starts; rules a
            // finished scan already compiled wait until some text needs them (an unchanged re-scan reads none).
            if try index.lastCompletedRulesVersion() != configuration.itemVersion { _ = try lazy.build() }
            detectors = lazy
        }
        let writer = try ScanWriter(index: index, roots: configuration.roots, rulesVersion: configuration.itemVersion,
                                    jobs: configuration.jobs, asOf: String(configuration.asOf.iso8601.prefix(10)),
                                    rules: configuration.rules.files.map(\.use),
                                    detectionEnabled: configuration.rules.detectionEnabled)
        writer.freshIndex = indexWasEmpty
        if indexWasEmpty { try index.deferIndexes(SweepIndex.DeferredIndexes.all) }
        // A scan that stops on an error builds them too (or, killed, leaves them to the next open for writing).
        defer { if indexWasEmpty { try? index.buildDeferredIndexes() } }
        try walk(into: writer)
        try index.buildDeferredIndexes(SweepIndex.DeferredIndexes.afterWalk)
        let fingerprints = try fingerprint(after: writer)
        progress.phase = .finishing
        let seconds = Double(Timestamp.now().nanoseconds - started.nanoseconds) / 1e9
        var summary = try writer.finish(walkComplete: !walker.wasStopped, seconds: seconds,
                                        fingerprinted: fingerprints.read + walkFingerprints.load(ordering: .relaxed),
                                        fingerprintErrors: fingerprints.errors)
        try index.buildDeferredIndexes()
        summary.seconds = Double(Timestamp.now().nanoseconds - started.nanoseconds) / 1e9
        progress.phase = .done
        return summary
    }

    /// The walk: each folder examined on a walk thread, its result written by one writer thread, in
    /// batches, through a bounded queue (the walk never runs far ahead of the index).
    private func walk(into writer: ScanWriter) throws {
        progress.phase = .walking
        let queue = BoundedQueue<FolderResult>(capacity: 4 * configuration.jobs + 16, wakeAt: 8, wakeWeight: 64)
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
        walker.run { [self] listing in examine(listing) { queue.push($0, weight: $0.rowCount) } }
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

    /// Compares a folder's listing with the index and reads what is new or changed; what it learns goes to
    /// `emit`, in parts for a big folder (each part's items as soon as they are read) and last the part that
    /// settles the folder (what is gone from it).
    func examine(_ listing: Listing, emit: (FolderResult) -> Void) {
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
            rec.errorKind = e.kind.itemErrorKind
            if let st = listing.stat { describe(&rec, st, ctx) }   // what its parent's listing said of it
            rec.mime = ItemKind.directory.inodeType
            result.upserts.append(rec)
            result.errors += 1
        }

        // An index that was empty when the scan began has nothing to compare a listing with (a path met twice,
        // under overlapping roots, is settled by the writer's upsert).
        var previous: [RawName: PreviousItem] = [:]
        if !indexWasEmpty {
            do { previous = try index.previousItems(inFolder: listing.folder, rulesVersion: rulesVersion,
                                                    scanTypes: configuration.limits.ocr ? OCR.imageTypes : []) } catch { previous = [:] }
        }

        // First the listing against the index: what is unchanged needs nothing more.
        var toRead: [(entry: Entry, prev: PreviousItem?)] = []
        var readBytes: Int64 = 0
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
            toRead.append((entry, prev))
            if entry.kind == .file { readBytes += entry.stat?.size ?? 0 }
        }

        // Then the reading, each item's record added to the result as it comes.
        // Items renamed within this folder: their old names are not gone (the move keeps their row).
        var movedHere = Set<Int64>()
        func add(_ prev: PreviousItem?, _ rec: ItemRecord, _ nested: [ItemRecord]) {
            if rec.error != nil { result.errors += 1 }
            result.errors += nested.reduce(0) { $0 + ($1.error != nil ? 1 : 0) }
            result.nested += nested
            if prev != nil { result.reread.append(rec.path) }
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
                result.reread.append(rec.path)
                movedHere.insert(move.id)
            } else {
                result.new += 1
                result.upserts.append(rec)
            }
        }
        /// Sends the result so far (counted once per part, not per item: two threads bumping one counter per
        /// item fight over its cache line).
        func send(_ part: FolderResult) {
            progress.items.add(part.items, ordering: .relaxed)
            progress.errors.add(part.errors, ordering: .relaxed)
            emit(part)
        }

        // A folder with much to read (a folder of scanned PDFs, a mail export) shares it with idle threads, so
        // one big folder does not leave the other cores waiting, and its items go to the index a part at a
        // time as they are read, not all once the folder is done.
        let helpers = toRead.count > 1 && readBytes >= Scanner.parallelFolderBytes && !configuration.dupesOnly
            ? reserveHelpers(toRead.count - 1) : 0
        if helpers > 0 {
            let entries = toRead.map(\.entry)
            let known = toRead.map { sameContent($0.prev, $0.entry.stat) }
            parallelStream(entries.count, jobs: helpers + 1, bufferSize: 0, { [self] i, _ in
                let c = contexts.take()
                defer { contexts.give(c) }
                var nested: [ItemRecord] = []
                let rec = record(for: entries[i], in: listing, context: c, contentKnown: known[i], nested: &nested)
                return (rec, nested)
            }, deliver: { i, read in
                add(toRead[i].prev, read.0, read.1)
                if result.upserts.count + result.moves.count >= Scanner.partItems {
                    var part = result
                    part.listed = false   // the folder is settled by its last part
                    send(part)
                    result = FolderResult(folder: listing.folder, listed: listing.error == nil && listing.complete)
                }
            })
            releaseHelpers(helpers)
        } else {
            for item in toRead {
                var nested: [ItemRecord] = []
                let rec = record(for: item.entry, in: listing, context: ctx, contentKnown: sameContent(item.prev, item.entry.stat),
                                 nested: &nested)
                add(item.prev, rec, nested)
            }
        }

        if result.listed {
            for p in previous.values where !p.gone && !movedHere.contains(p.id) { result.gone.append(p.id) }
        }
        send(result)
    }

    /// Items read in a shared folder that are sent to the index as one part.
    static let partItems = 32

    /// Bytes to read in one folder above which it is shared with idle threads.
    static let parallelFolderBytes: Int64 = 4 << 20

    /// Takes up to `wanted` spare threads: a big folder read alone runs on `--jobs` threads, and the walk and
    /// its helpers together never run more than twice `--jobs` threads at once.
    private func reserveHelpers(_ wanted: Int) -> Int {
        var current = spareHelpers.load(ordering: .relaxed)
        while current > 0 {
            let take = min(current, wanted)
            let (exchanged, now) = spareHelpers.compareExchange(expected: current, desired: current - take, ordering: .relaxed)
            if exchanged { return take }
            current = now
        }
        return 0
    }

    private func releaseHelpers(_ n: Int) { spareHelpers.add(n, ordering: .relaxed) }

    /// The reading to use: an image is read only while OCR is on (`--no-ocr` leaves it unread, as the coverage
    /// account says).
    func usable(_ r: Reading?) -> Reading? {
        guard let r else { return nil }
        return r.family == .image && !configuration.limits.ocr ? nil : r
    }

    /// The same bytes as the stored row (same file, size and times), whatever else changed (the rules): its
    /// fingerprints stand, and the writer keeps them.
    private func sameContent(_ p: PreviousItem?, _ st: FileStat?) -> Bool {
        guard let p, let st, !p.gone, p.kind == .file, st.kind == .file else { return false }
        return p.size == st.size && p.modified == st.modified.nanoseconds && p.changed == st.changed.nanoseconds
            && p.device == Int64(bitPattern: st.id.device) && p.inode == Int64(bitPattern: st.id.inode)
    }

    private func isUnchanged(_ p: PreviousItem, _ st: FileStat) -> Bool {
        !p.gone && p.sameRules && p.kind == st.kind
            && p.size == st.size && p.modified == st.modified.nanoseconds && p.changed == st.changed.nanoseconds
            && p.device == Int64(bitPattern: st.id.device) && p.inode == Int64(bitPattern: st.id.inode)
            && !((p.retry || configuration.retryErrors && p.hadError) && st.kind == .file)   // an unreadable file is tried again; a corrupt one, or one that timed out, waits for a change or --retry-errors
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

    /// The record's times, identity, links, owner and mode, from the walk's stat.
    private func describe(_ rec: inout ItemRecord, _ st: FileStat, _ ctx: WorkerContext) {
        rec.modified = st.modified
        rec.changed = st.changed
        rec.identity = st.id
        rec.links = st.links
        rec.uid = st.uid
        rec.owner = ctx.owner(of: st.uid)
        rec.mode = st.permissions
    }

    /// Everything known about one entry; for a regular file, its type from the first bytes.
    private func record(for entry: Entry, in listing: Listing, context ctx: WorkerContext, contentKnown: Bool = false,
                        nested: inout [ItemRecord]) -> ItemRecord {
        let kind: ItemKind = entry.stat?.kind ?? .unknown
        var rec = ItemRecord(path: entry.path, folder: listing.folder, root: listing.root.display,
                             relativePath: entry.relative, kind: kind, size: entry.stat?.size ?? 0,
                             rulesVersion: configuration.itemVersion)
        let nameText = ItemPath.display(entry.name)
        rec.fileExtension = TypeRefiner.fileExtension(of: nameText)
        rec.linkTarget = entry.linkTarget
        if let st = entry.stat { describe(&rec, st, ctx) }
        if let e = entry.error {
            rec.error = e.message
            rec.errorKind = e.kind.itemErrorKind
            if let t = kind.inodeType { rec.mime = t }
            if !configuration.dupesOnly { classify(&rec, relativePath: entry.relative, name: nameText, text: nil) }
            return rec
        }
        var text: PlainTextRead?
        switch kind {
        case .file:
            guard let st = entry.stat else { return rec }
            // A small file is fingerprinted now, in one read on this walk thread: among thousands of small files
            // nearly every size is shared, so the duplicate stage would open it anyway, and its row then goes in
            // complete instead of being rewritten by that stage. A failed read leaves the stage to try (and to
            // record the error).
            if st.size > 0 && st.size <= Int64(Fingerprint.wholeReadSize) && !contentKnown {
                let expected = FileDigest.Expected(id: st.id, size: st.size, modified: st.modified.nanoseconds)
                if case .success(let h) = ctx.withBuffer({ FileDigest.all(entry.path, expected, buffer: $0) }) {
                    rec.fingerprint = (h.prefix, h.suffix, h.content.hex)
                    walkFingerprints.add(1, ordering: .relaxed)
                }
            }
            guard !configuration.dupesOnly else { return rec }   // a duplicate sweep needs no type
            let outcome = ctx.withBuffer { buffer in
                FileHead.read(entry.path, limit: configuration.headBytes, expected: st.id, into: buffer) { head -> (String, Reading?, Int) in
                    let mime = Identify.decisive(extension: rec.fileExtension, head: head)
                        ?? TypeRefiner.refine(ctx.sniffer.mimeType(of: head), extension: rec.fileExtension, head: head)
                    return (mime, usable(Identify.reading(mime: mime, extension: rec.fileExtension, head: head)), head.count)
                }
            }
            switch outcome {
            case .success(let (mime, reading, count)):
                rec.mime = mime
                progress.opened.add(1, ordering: .relaxed)
                progress.bytesRead.add(count, ordering: .relaxed)
                if rec.mime == "application/encrypted" {
                    rec.error = "encrypted: password-protected, content not read"
                    rec.errorKind = .encrypted
                } else if st.size > 0, let reading, let detector = detector(for: &rec) {
                    let nest = Nest(path: entry.path, top: entry.path, relative: entry.relative, folder: listing.folder,
                                    root: listing.root.display, name: nameText, modified: st.modified, owner: rec.owner,
                                    uid: rec.uid, depth: 0)
                    let budget = ExtractionBudget(limits: configuration.limits)
                    budget.stop = stopFlag
                    text = read(&rec, .file(entry.path, st.id), reading: reading, nest: nest, detector, ctx, budget, &nested,
                                contentKnown: contentKnown)
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
            rec.errorKind = .special
        case .directory, .member, .message, .attachment:
            break
        }
        if !configuration.dupesOnly { classify(&rec, relativePath: entry.relative, name: nameText, text: text) }
        return rec
    }
}

extension Scanner {
    /// The detector, built on first use; should building fail, the item says why.
    func detector(for rec: inout ItemRecord) -> Detector? {
        guard let detectors else { return nil }
        do { return try detectors.build() } catch {
            rec.error = "detection unavailable: \(error)"
            rec.errorKind = .rules
            return nil
        }
    }

    /// Reads an item's content with the extractor for its type, runs detection over what it gives, and reads
    /// every item nested inside it in turn (appended to `nested`, each before its own children).
    ///
    /// Each content is analysed once a scan: an item whose bytes, type and name ending match one already read
    /// (a copy, an attachment sent twice, a scan recognised before) takes that reading — its text's findings,
    /// markings, type of read and any recognition — and gets its own path's retention. Only readings that
    /// nested nothing and finished cleanly are kept (a container's copy is opened again, and its members reuse).
    func read(_ rec: inout ItemRecord, _ source: Extractor.Source, reading: Reading, nest: Nest, _ detector: Detector,
              _ ctx: WorkerContext, _ budget: ExtractionBudget, _ nested: inout [ItemRecord], contentKnown: Bool = false) -> PlainTextRead {
        var children = 0
        // A file read again with its content unchanged (new rules) keeps the fingerprint the index holds: it is
        // not read a second time to hash it.
        // The content hash: the walk's (or the container's) for bytes already in hand; a bigger file is
        // fingerprinted first only when something of its size was kept (copies have the same size).
        if rec.fingerprint == nil && !contentKnown && analysed.holds(size: rec.size) { fingerprintWhole(source, &rec, ctx) }
        if let content = rec.fingerprint?.content, let known = analysed.get(AnalysisCache.key(content, reading, rec)) {
            reusedReadings.add(1, ordering: .relaxed)
            known.apply(to: &rec)
            return known.text
        }
        let extraction = Extractor.extract(source, reading: reading, name: nest.name, budget: budget) { child in
            children += 1
            readChild(child, of: nest, detector, ctx, budget, &nested)
            return true
        }
        let text = apply(extraction, to: &rec, detector, ctx)
        // Read, in full or in part, when the reader gave text or items, or finished without a problem.
        if extraction.problem == nil || children > 0 || text.body.utf8Count > 0 { rec.readAs = reading.readAs }
        // A recognition cut short by the item's page limit is kept too: recognising the copy would stop there.
        let settled = rec.error == nil || (extraction.recognisedPages > 0 && rec.errorKind == .limit && !stopFlag.isRequested)
        if children == 0 && settled {
            // The reader's fingerprint when it read the whole file here; otherwise the file is read again for it.
            // Either way the row goes in with its fingerprint, and the duplicate stage need not read the file.
            if rec.fingerprint == nil, let d = extraction.digest, d.size == rec.size {
                rec.fingerprint = (d.prefix, d.suffix, d.content.hex)
            }
            if rec.fingerprint == nil && !contentKnown && rec.size <= AnalysisCache.hashAfterReadSize { fingerprintWhole(source, &rec, ctx) }
            if let content = rec.fingerprint?.content {
                analysed.put(AnalysisCache.key(content, reading, rec), size: rec.size,
                             Analysis(rec, classifier.readsText ? text : text.withoutBody))
            }
        }
        return text
    }

    /// The item's fingerprint from one read of a file still the one listed (bytes in hand have theirs already):
    /// what a copy is known by, and what the duplicate stage would otherwise read the file again for.
    func fingerprintWhole(_ source: Extractor.Source, _ rec: inout ItemRecord, _ ctx: WorkerContext) {
        guard case .file(let path, let id) = source else { return }
        let expected = FileDigest.Expected(id: id, size: rec.size, modified: rec.modified?.nanoseconds ?? 0)
        guard case .success(let d) = ctx.withBuffer({ FileDigest.streamed(path, expected, buffer: $0) }) else { return }
        rec.fingerprint = (d.prefix, d.suffix, d.content.hex)
        walkFingerprints.add(1, ordering: .relaxed)
    }

    /// Detection over an extraction's text and headers; its problem becomes the item's error.
    func apply(_ e: Extraction, to rec: inout ItemRecord, _ detector: Detector, _ ctx: WorkerContext) -> PlainTextRead {
        var text = e.text
        var headers = e.headers
        // A message read by a mail library carries its addresses in metadata: they are part of what it says.
        if (e.metadata.sender != nil || !e.metadata.recipients.isEmpty) && !text.string.hasPrefix("From: ") {
            let block = MailMessage.addressBlock(e.metadata)
            text = ItemText(block + text.string)
            headers[MailMessage.bodyOffsetHeader] = String(block.utf8.count)
        }
        if let hf = e.headers["x-header-footer"], !hf.isEmpty { text = ItemText(text.string + "\n" + hf) }
        progress.bytesRead.add(text.utf8Count, ordering: .relaxed)
        rec.textSource = text.utf8Count > 0 ? (e.textSource ?? "text") : nil
        if e.recognisedPages > 0 || e.skippedPages > 0 {
            rec.ocrPages = e.recognisedPages
            rec.ocrSkipped = e.skippedPages
            rec.ocrConfidence = e.recognitionConfidence
        }
        // Text read as UTF-8 goes to detection as it was read; it becomes a string only if classification asks.
        if let utf8 = text.utf8 {
            rec.detection = detector.detect(utf8: utf8, headers: headers, asOf: configuration.asOf, session: ctx.session(detector),
                                            seconds: configuration.limits.secondsPerItem, stop: stopFlag)
        } else {
            rec.detection = detector.detect(utf8: Array(text.string.utf8), headers: headers, asOf: configuration.asOf,
                                            session: ctx.session(detector), seconds: configuration.limits.secondsPerItem, stop: stopFlag)
        }
        if e.recognisedPages > 0, let c = e.recognitionConfidence, c < Detection.doubtfulRecognition {
            rec.detection = rec.detection?.recognisedWithDoubt()
        }
        if let p = e.problem {
            rec.error = p.message
            rec.errorKind = p.itemErrorKind
        } else if let p = rec.detection?.problem {
            rec.error = p
            // A detection cut short by the item's time waits for a change or --retry-errors; a pattern engine
            // error is read again by the next scan, as when the detector cannot be built.
            rec.errorKind = p.hasPrefix("timeout") ? .timeout : p.hasPrefix("interrupted") ? .interrupted : .rules
        }
        return PlainTextRead(body: text, headers: e.headers, created: e.metadata.created,
                             messageDate: e.metadata.date ?? e.headers["date"].flatMap(PlainText.mailDate))
    }

    /// One nested item: typed from its bytes, fingerprinted with the same identity files get, read inside
    /// (within the depth and budget), detected and classified with its container's path cues.
    func readChild(_ child: Child, of parent: Nest, _ detector: Detector, _ ctx: WorkerContext, _ budget: ExtractionBudget,
                   _ out: inout [ItemRecord]) {
        let path = parent.path.nesting(Array(child.name.utf8))
        let ownName = child.name.split(separator: "/").last.map(String.init) ?? child.name
        var rec = ItemRecord(path: path, folder: parent.folder, root: parent.root, relativePath: parent.relative + "!/" + child.name,
                             kind: child.kind, size: child.size, rulesVersion: configuration.itemVersion)
        rec.container = (parent.path, parent.top)
        rec.fileExtension = TypeRefiner.fileExtension(of: ownName)
        rec.modified = child.modified ?? parent.modified
        rec.owner = parent.owner
        rec.uid = parent.uid
        let slot = out.count
        out.append(rec)   // its place, before its children; filled in below
        let depth = parent.depth + 1
        var text: PlainTextRead?
        func nest(_ r: ItemRecord) -> Nest {
            Nest(path: path, top: parent.top, relative: r.relativePath, folder: parent.folder, root: parent.root, name: ownName,
                 modified: r.modified, owner: parent.owner, uid: parent.uid, depth: depth)
        }
        switch child.content {
        case .skipped(_, let problem):
            rec.mime = child.declaredType
            rec.error = problem.message
            rec.errorKind = problem.itemErrorKind
        case .bytes(let bytes):
            let hasher = StreamHasher()
            bytes.withUnsafeBytes { hasher.update($0) }
            let h = hasher.finish()
            rec.fingerprint = (h.prefix, h.suffix, h.content.hex)
            var (mime, reading) = bytes.withUnsafeBytes { all -> (String, Reading?) in
                let head = UnsafeRawBufferPointer(rebasing: all.prefix(configuration.headBytes))
                let mime = Identify.decisive(extension: rec.fileExtension, head: head)
                        ?? (child.kind == .message && child.declaredType == "message/rfc822" ? Identify.declaredMessage(head: head) : nil)
                        ?? TypeRefiner.refine(ctx.sniffer.mimeType(of: head), extension: rec.fileExtension, head: head)
                return (mime, usable(Identify.reading(mime: mime, extension: rec.fileExtension, head: head)))
            }
            if mime == "text/plain" || mime == "application/octet-stream" || mime == "text/html" && child.kind == .message,
               let declared = child.declaredType?.lowercased(), let r = Identify.byType(declared),
               reading == nil || reading!.family == .text || reading!.family == .markup {
                // An mbox message libmagic calls text or HTML, an attachment it cannot place.
                mime = declared
                reading = r
            }
            rec.mime = mime
            if mime == "application/encrypted" {
                rec.error = "encrypted: password-protected, content not read"
                rec.errorKind = .encrypted
            } else if !bytes.isEmpty, let reading {
                if Extractor.isContainer(reading.family) && depth >= configuration.limits.maxDepth {
                    rec.error = "limit hit: nested more than \(configuration.limits.maxDepth) deep; not opened"
                    rec.errorKind = .limit
                } else if let p = budget.check() {
                    rec.error = p.message
                    rec.errorKind = p.itemErrorKind
                } else {
                    text = read(&rec, .bytes(bytes), reading: reading, nest: nest(rec), detector, ctx, budget, &out)
                }
            }
        case .extracted(let extraction):
            rec.mime = child.declaredType ?? (child.kind == .message ? "application/vnd.ms-outlook" : nil)
            text = apply(extraction, to: &rec, detector, ctx)
            rec.readAs = child.kind == .message ? "pst" : nil   // only libpst hands over items it has read itself
            if child.kind == .message, let date = text?.messageDate { rec.modified = date }
            let me = nest(rec)
            for c in child.children {
                var c = c
                if c.modified == nil { c.modified = text?.messageDate }
                if budget.addChild() != nil { break }
                readChild(c, of: me, detector, ctx, budget, &out)
            }
        }
        // A message's modified time is its date.
        if child.kind == .message, let date = text?.messageDate { rec.modified = date }
        classify(&rec, relativePath: rec.relativePath, name: ownName, text: text)
        out[slot] = rec
    }

    /// The item's class, dates and holds from the schedule, with the reason.
    func classify(_ rec: inout ItemRecord, relativePath: String, name: String, text: PlainTextRead?) {
        let facts = ItemFacts(
            relativePath: relativePath, name: name, fileExtension: rec.fileExtension, mime: rec.mime,
            text: classifier.readsText ? text?.body.string : nil, markings: rec.detection?.markings ?? [], personalData: Set(rec.detection?.personalData.keys ?? [:].keys),
            modified: rec.modified, created: text?.created, messageDate: text?.messageDate)
        let c = classifier.classify(facts)
        rec.retention = RetentionFacts(classID: c.classID, action: c.action.rawValue, triggerDate: c.triggerDate,
                                       disposalDate: c.disposalDate, holds: c.holds, reason: c.reason.json)
    }
}

/// Where a nested item sits: its container's path (and the file on disk at the top), the path cues
/// retention reads, and what it inherits (owner, a date when it has none of its own).
struct Nest {
    let path: ItemPath
    let top: ItemPath
    let relative: String
    let folder: ItemPath
    let root: String
    let name: String
    let modified: Timestamp?
    let owner: String?
    let uid: UInt32?
    let depth: Int
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
        errorKind = e.kind.itemErrorKind
    }
}

/// The text an item gave, kept for classification (`contains`), with its own dates (`created`, `message_date`).
struct PlainTextRead: Sendable {
    let body: ItemText
    let headers: [String: String]
    /// The document's own creation date, when its metadata has one.
    var created: Timestamp? = nil
    /// A mail message's date.
    var messageDate: Timestamp? = nil

    /// The same without its text (kept for a copy when classification does not read text).
    var withoutBody: PlainTextRead { PlainTextRead(body: ItemText(""), headers: [:], created: created, messageDate: messageDate) }
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

    /// Room for a file the walk fingerprints whole (and the one byte more that tells one that grew).
    init(bufferSize: Int = Fingerprint.wholeReadSize + 4096) {
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

/// What reading one content gave: everything ``Scanner/read`` sets on the item, and the text classification uses.
struct Analysis: Sendable {
    let readAs: String?
    let textSource: String?
    let ocrPages: Int?
    let ocrSkipped: Int?
    let ocrConfidence: Int?
    let detection: Detection?
    let error: String?
    let errorKind: ItemErrorKind?
    let text: PlainTextRead

    init(_ rec: ItemRecord, _ text: PlainTextRead) {
        readAs = rec.readAs; textSource = rec.textSource
        ocrPages = rec.ocrPages; ocrSkipped = rec.ocrSkipped; ocrConfidence = rec.ocrConfidence
        detection = rec.detection; error = rec.error; errorKind = rec.errorKind
        self.text = text
    }

    func apply(to rec: inout ItemRecord) {
        rec.readAs = readAs; rec.textSource = textSource
        rec.ocrPages = ocrPages; rec.ocrSkipped = ocrSkipped; rec.ocrConfidence = ocrConfidence
        rec.detection = detection; rec.error = error; rec.errorKind = errorKind
    }

    /// Roughly what keeping it costs, in bytes.
    var cost: Int {
        var n = 512 + text.body.utf8Count + text.headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if let d = detection { n += d.findings.reduce(0) { $0 + 320 + $1.excerpt.utf8.count + $1.location.utf8.count } }
        return n
    }
}

/// Readings made in this scan by content, up to 32 MiB of them (after that, new ones are not kept), and the sizes
/// they came from. The key holds the type and the name's ending with the hash: the same bytes named `.csv` and
/// `.txt` may be read differently.
final class AnalysisCache: @unchecked Sendable {
    private let lock = NSLock()
    private var byKey: [String: Analysis] = [:]
    private var sizes: Set<Int64> = []
    private var bytes = 0
    static let capacity = 32 << 20
    /// Files up to this size are hashed after their reading, to be kept (the reading left them in the page cache).
    static let hashAfterReadSize: Int64 = 64 << 20

    static func key(_ content: String, _ reading: Reading, _ rec: ItemRecord) -> String {
        "\(content) \(reading.readAs) \(rec.mime ?? "") \(rec.fileExtension ?? "")"
    }

    func get(_ key: String) -> Analysis? { lock.lock(); defer { lock.unlock() }; return byKey[key] }

    /// Whether a reading of something this size is kept: only then can a file be a copy of one.
    func holds(size: Int64) -> Bool { lock.lock(); defer { lock.unlock() }; return sizes.contains(size) }

    func put(_ key: String, size: Int64, _ a: Analysis) {
        let cost = a.cost
        lock.lock(); defer { lock.unlock() }
        guard bytes + cost <= AnalysisCache.capacity, byKey[key] == nil else { return }
        byKey[key] = a
        sizes.insert(size)
        bytes += cost
    }
}
