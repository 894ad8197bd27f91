#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Index
import Retention
import Rules
import SafeFiles
import SweepModel

/// Carries out approved decisions, one item at a time, each act logged before the next.
///
/// An item is acted on only when its latest decision is `approved` and still applies, nothing holds it, it
/// is a file on disk (not inside a container), it is due, and it is still what was approved: same device,
/// inode, size and modified time, and the SHA-256 taken now equals the one taken at the decision.
/// destroy moves it into the quarantine (mirroring its path) to be purged after the grace period;
/// transfer copies it into a BagIt bag and, once the copy is checked, removes the original (unless
/// `keepOriginals`); review moves nothing and is logged as reviewed.
public struct Disposer {
    public struct Options: Sendable {
        public var asOf: String
        public var quarantine: String?
        public var archive: String?
        public var graceDays: Int = 30
        public var dryRun = false
        public var authority: String?
        public var organization = "Records Management"
        public var keepOriginals = false
        public init(asOf: String) { self.asOf = asOf }
    }

    public enum Outcome: Sendable, Equatable {
        case done(action: LogAction, detail: String)
        case wouldDo(action: LogAction)
        case refused(String)
    }

    public struct Line: Sendable {
        public let path: String
        public let outcome: Outcome
    }

    public let index: SweepIndex
    public let options: Options

    public init(index: SweepIndex, options: Options) { self.index = index; self.options = options }

    /// Still the file the index row describes: a regular file in the state the scan recorded (``FileState``).
    static func sameAsRow(_ i: DisposalItem) -> Bool { FileState.now(i.path) == i.state }

    static func today() -> String { String(Timestamp.now().iso8601.prefix(10)) }

    struct Approved {
        let row: DisposalReview.Row
        let decision: DecisionRecord
        let sha256: String
    }

    public func run() throws -> [Line] {
        // A run cut short before this one is finished or undone first.
        var recovered: [Line] = []
        if !options.dryRun { recovered = try recover(who: FileOps.actor) }
        let review = try DisposalReview(index: index)
        let log = try index.disposalLog().rows
        // A decision carried out once is not carried out again (a transfer kept in place, a re-run).
        let carried = Set(log.filter { LogAction.carriesOutDecision.contains($0.action) }.map { "\($0.path)\u{0}\($0.decisionDate ?? "")" })
        var lines: [Line] = recovered
        var transfers: [Approved] = []
        let who = FileOps.actor
        // On a shared index, each scanner host carries out the approvals for what its own scans found.
        for (path, d) in review.decisions.sorted(by: { $0.key < $1.key })
        where d.decision == .approved && (d.host == nil || d.host == ScannerHost.name) {
            if carried.contains("\(path.display)\u{0}\(d.decidedAt)") { continue }
            let checked = try check(path, d, review)
            switch checked {
            case .failure(let why):
                lines.append(Line(path: path.display, outcome: .refused(why.message)))
            case .success(let a):
                if options.dryRun { lines.append(Line(path: path.display, outcome: .wouldDo(action: LogAction(a.row.item.action)))); continue }
                switch a.row.item.action {
                case .destroy: lines.append(Line(path: path.display, outcome: try destroy(a, who: who)))
                case .transfer: transfers.append(a)
                case .review: lines.append(Line(path: path.display, outcome: try reviewed(a, who: who)))
                }
            }
        }
        for (cls, group) in Dictionary(grouping: transfers, by: { $0.row.item.classID }).sorted(by: { $0.key < $1.key }) {
            lines += try transfer(cls, group, who: who)
        }
        return lines
    }

    func check(_ path: ItemPath, _ d: DecisionRecord, _ review: DisposalReview) throws -> Result<Approved, Failure> {
        func no(_ why: String) -> Result<Approved, Failure> { .failure(Failure(why)) }
        guard let item = try index.disposalItem(at: path) else { return no("no longer in the index (gone or moved): nothing done") }
        let row = review.row(item)
        guard row.decision != nil else { return no("changed since it was approved: pending again, decide again") }
        if row.held { return no("held: \(row.holds.joined(separator: ", "))") }
        if !item.reachableHere { return no("found by scanner host \(item.host ?? "?"): carried out there") }
        if item.isNested { return no("inside a container: act on the container") }
        guard item.kind == .file else { return no("not a regular file (\(item.kind.rawValue))") }
        guard !item.disposalDate.isEmpty else { return no("no disposal date (kept permanently): nothing done") }
        if row.due > options.asOf { return no("not due until \(row.due)") }
        let sha: String
        switch Disposer.verifiedOpen(item, d) {
        case .failure(let f): return no(f.message)
        case .success(let v): sha = v.sha256; v.close()
        }
        switch item.action {
        case .destroy: if options.quarantine == nil { return no("destroy needs --quarantine DIR") }
        case .transfer: if options.archive == nil { return no("transfer needs --archive DIR") }
        case .review: break
        }
        return .success(Approved(row: row, decision: d, sha256: sha))
    }

    struct Failure: Error { let message: String; init(_ m: String) { message = m } }

    /// The approved file, opened through folders that are no links (below its scan root) and checked through its
    /// descriptor: the state decided on (``FileState``), and the same SHA-256.
    struct Verified {
        let place: SafeFS.Place
        let fd: Int32
        let stat: stat
        let sha256: String
        func close() { _ = Glibc.close(fd); place.close() }
    }

    static func verifiedOpen(_ item: DisposalItem, _ d: DecisionRecord) -> Result<Verified, Failure> {
        let place: SafeFS.Place
        do { place = try SafeFS.place(item.path, below: ItemPath(bytes: ItemPath.parse(display: item.root))) } catch {
            return .failure(Failure("\(error)"))
        }
        let opened: (fd: Int32, stat: stat)
        do { opened = try SafeFS.openFile(place) } catch { place.close(); return .failure(Failure("\(error)")) }
        let st = opened.stat
        guard FileState(st) == d.state else {
            Glibc.close(opened.fd); place.close()
            return .failure(Failure("changed on disk since it was approved: scan again and decide again"))
        }
        guard let sha = SafeFS.sha256(opened.fd) else {
            Glibc.close(opened.fd); place.close()
            return .failure(Failure("cannot read it: \(FileOps.lastError)"))
        }
        // A decision taken on a shared index by a host that could not read the file (central review) holds no
        // SHA-256: the file's state, checked above, is what was decided on. Anywhere else a missing one refuses.
        guard sha == d.sha256 || (d.sha256 == nil && d.host != nil) else {
            Glibc.close(opened.fd); place.close()
            return .failure(Failure("content differs from what was approved (SHA-256): scan again and decide again"))
        }
        return .success(Verified(place: place, fd: opened.fd, stat: st, sha256: sha))
    }

    func authority(_ a: Approved) -> String {
        options.authority ?? "retention schedule class \(a.row.item.classID) (rules \(a.row.item.rulesVersion.prefix(12)))"
    }

    func entry(_ a: Approved, action: LogAction, detail: String) -> DisposalLogEntry {
        DisposalLogEntry(path: a.row.item.display, size: a.row.item.size, sha256: a.sha256, classID: a.row.item.classID, action: action,
                         authority: authority(a), reviewer: a.decision.reviewer, decisionDate: a.decision.decidedAt,
                         actDate: Timestamp.now().iso8601, detail: detail)
    }

    func destroy(_ a: Approved, who: String) throws -> Outcome {
        let root = options.quarantine!
        let item = a.row.item
        let target = ItemPath(bytes: Array(root.utf8) + item.path.bytes)
        // The quarantine tree is made and walked without following a link: nothing planted in it can send the
        // copy elsewhere.
        let destination: SafeFS.Place
        do { destination = try SafeFS.place(target, below: ItemPath(root), create: true) } catch {
            return .refused("cannot make its place in the quarantine: \(error)")
        }
        defer { destination.close() }
        if destination.stat() != nil { return .refused("already in the quarantine at \(target.display)") }
        // Checked again now, through the descriptor that is moved: what was approved, and nothing else, moves.
        let v: Verified
        switch Disposer.verifiedOpen(item, a.decision) {
        case .failure(let f): return .refused(f.message)
        case .success(let x): v = x
        }
        defer { v.close() }
        // The intent first: a run cut short from here on is finished (or undone) by the next one.
        let intent = try index.addIntent(.init(
            itemID: item.id, path: item.display, pathBytes: item.path, root: item.root, storedAt: target, quarantine: root,
            size: item.size, sha256: a.sha256, classID: item.classID, device: a.decision.device, inode: a.decision.inode,
            reviewer: a.decision.reviewer, decidedAt: a.decision.decidedAt, authority: authority(a), startedAt: Timestamp.now().iso8601))
        CrashPoint.here("before-move")
        do { try SafeFS.move(v.place, fd: v.fd, verified: v.stat, to: destination, sha256: a.sha256) } catch {
            try index.removeIntent(intent)
            return .refused("\(error)")
        }
        CrashPoint.here("after-move")
        let detail = try recordDestroy(itemID: item.id, path: item.display, storedAt: target, quarantine: root, size: item.size,
                                       sha256: a.sha256, classID: item.classID, log: entry(a, action: .destroy, detail: ""), who: who,
                                       reviewer: a.decision.reviewer, intent: intent)
        return .done(action: .destroy, detail: detail)
    }

    /// What follows a move into the quarantine, in order: the index's quarantine row (the item gone), the log row,
    /// the manifest line, then the intent removed. The index records come first: the quarantine's own disk being
    /// full costs the manifest line only, and the next run writes it.
    func recordDestroy(itemID: Int64, path: String, storedAt: ItemPath, quarantine: String, size: Int64, sha256: String, classID: String?,
                       log: DisposalLogEntry, who: String, reviewer: String?, intent: Int64, recovered: Bool = false) throws -> String {
        let now = Timestamp.now().iso8601
        let today = String(now.prefix(10))
        let purgeAfter = RetentionDates.add(.init(count: options.graceDays, unit: .days), to: RetentionDates.day(Timestamp.parse(today)!)).text
        if try !index.quarantineRecorded(at: storedAt) {
            try index.recordDisposalQuarantine(itemID: itemID, path: path, storedAt: storedAt, quarantine: quarantine, size: size,
                                               sha256: sha256, classID: classID, movedAt: now, purgeAfter: purgeAfter)
        }
        CrashPoint.here("after-record")
        var detail = "moved to \(storedAt.display) by \(who); purge after \(purgeAfter)" + (recovered ? " (finished after an interrupted run)" : "")
        let logged = try index.disposalLog().rows.contains { $0.action == .destroy && $0.path == path && $0.sha256 == sha256 }
        if !logged {
            var e = log
            e.detail = detail
            e.actDate = now
            try DisposalLog.append(index, e)
        }
        CrashPoint.here("after-log")
        var o = JSONObject()
        o.add("path", path); o.add("stored", storedAt.display); o.add("size", size); o.add("sha256", sha256)
        o.add("class", classID); o.add("reviewer", reviewer); o.add("by", who); o.add("at", now); o.add("purge_after", purgeAfter)
        if recovered { o.add("recovered", true) }
        do {
            try FileOps.write(quarantine + "/manifest.jsonl", o.text + "\n", append: true)
            try index.removeIntent(intent)
        } catch {
            detail += "; its manifest line could not be written (\(error)): the next run writes it"
        }
        return detail
    }

    /// Destroys a run before this one started and did not finish: a copy in the quarantine and no original means
    /// the move happened (its records are completed); the original still there means it did not (a partial or
    /// unconfirmed copy is removed, and the item is decided on afresh by this run).
    func recover(who: String) throws -> [Line] {
        var lines: [Line] = []
        for i in try index.intents() {
            func copyState() -> (there: Bool, matches: Bool, place: SafeFS.Place?, stat: stat?) {
                guard let place = try? SafeFS.place(i.storedAt, below: ItemPath(i.quarantine)) else { return (false, false, nil, nil) }
                guard let opened = try? SafeFS.openFile(place) else { return (place.stat() != nil, false, place, nil) }
                defer { Glibc.close(opened.fd) }
                return (true, SafeFS.sha256(opened.fd) == i.sha256, place, opened.stat)
            }
            let original: Bool = {
                guard let place = try? SafeFS.place(i.pathBytes, below: ItemPath(bytes: ItemPath.parse(display: i.root))) else { return false }
                defer { place.close() }
                guard let st = place.stat() else { return false }
                return Int64(bitPattern: UInt64(st.st_dev)) == i.device && Int64(bitPattern: UInt64(st.st_ino)) == i.inode
            }()
            let copy = copyState()
            defer { copy.place?.close() }
            if copy.matches && !original {
                let entry = DisposalLogEntry(path: i.path, size: i.size, sha256: i.sha256, classID: i.classID, action: .destroy,
                                             authority: i.authority, reviewer: i.reviewer, decisionDate: i.decidedAt,
                                             actDate: Timestamp.now().iso8601, detail: nil)
                let detail = try recordDestroy(itemID: i.itemID, path: i.path, storedAt: i.storedAt, quarantine: i.quarantine, size: i.size,
                                               sha256: i.sha256, classID: i.classID, log: entry, who: who, reviewer: i.reviewer,
                                               intent: i.id, recovered: true)
                lines.append(Line(path: i.path, outcome: .done(action: .destroy, detail: detail)))
            } else if original {
                // Not moved, or copied but not confirmed: whatever stands at the copy's place is removed.
                if copy.there, let place = copy.place, let st = copy.stat { try? SafeFS.remove(place, verified: st) }
                try index.removeIntent(i.id)
            } else {
                lines.append(Line(path: i.path, outcome: .refused(
                    "an interrupted disposal left neither the original nor a matching copy at \(i.storedAt.display): check by hand")))
            }
        }
        return lines
    }

    func reviewed(_ a: Approved, who: String) throws -> Outcome {
        let detail = "reviewed by \(who): nothing moved"
        try DisposalLog.append(index, entry(a, action: .review, detail: detail))
        return .done(action: .review, detail: detail)
    }

    func transfer(_ cls: String, _ group: [Approved], who: String) throws -> [Line] {
        let stamp = Timestamp.now().iso8601.filter { $0.isNumber }.prefix(14)
        let name = String(cls.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }) + "-\(stamp)"
        let reviewers = Array(Set(group.map(\.decision.reviewer))).sorted().joined(separator: ", ")
        let bag = BagWriter(folder: options.archive! + "/" + name, organization: options.organization,
                            description: "Transfer to the archive under retention class \(cls); authority: \(authority(group[0])); "
                                + "approved by \(reviewers); bagged by \(who) with Sweep")
        var lines: [Line] = []
        var added: [Approved] = []
        try bag.begin()
        for a in group {
            do {
                try bag.add(a.row.item.path, sha256: a.sha256)
                added.append(a)
            } catch {
                lines.append(Line(path: a.row.item.display, outcome: .refused("\(error)")))
            }
        }
        guard !added.isEmpty else { bag.abandon(); return lines }
        let done = try bag.finish()
        for a in added {
            var detail = "copied into the bag \(done)"
            if !options.keepOriginals {
                switch Disposer.verifiedOpen(a.row.item, a.decision) {
                case .success(let v):
                    defer { v.close() }
                    do {
                        try SafeFS.remove(v.place, verified: v.stat)
                        try index.markGone(itemID: a.row.item.id)
                        detail += "; original removed"
                    } catch {
                        detail += "; original left in place (\(error))"
                    }
                case .failure(let f):
                    detail += "; original left in place (\(f.message))"
                }
            } else {
                detail += "; original left in place"
            }
            try DisposalLog.append(index, entry(a, action: .transfer, detail: detail))
            lines.append(Line(path: a.row.item.display, outcome: .done(action: .transfer, detail: detail)))
        }
        return lines
    }

    // MARK: - Purge

    /// Deletes quarantined copies whose grace period has ended (on or before `asOf`), each checked against
    /// its SHA-256 first and logged as the destruction it is.
    public static func purge(index: SweepIndex, asOf: String, quarantine: String?, dryRun: Bool) throws -> [Line] {
        let who = FileOps.actor
        var lines: [Line] = []
        // A purge cut short after a deletion and before its record: the copy is gone, so the record is finished;
        // one cut short before the deletion is simply purged again below.
        if !dryRun {
            let earlier = try index.disposalLog().rows
            for c in try index.copiesBeingPurged() {
                let gone = (try? SafeFS.place(c.storedAt, below: ItemPath(c.quarantine))).map { p -> Bool in defer { p.close() }; return p.stat() == nil } ?? false
                guard gone else { try index.markPurging(copyID: c.id, at: nil); continue }
                lines.append(try recordPurge(c, detail: "deleted \(c.storedAt.display) (finished after an interrupted purge, by \(who))",
                                             log: earlier, index: index))
            }
        }
        let log = try index.disposalLog().rows
        for c in try index.copiesToPurge(asOf: asOf, quarantine: quarantine) {
            // The copy is opened through the quarantine's folders without following a link (a link planted in
            // the tree cannot point the deletion at a live file) and checked through its descriptor.
            let place: SafeFS.Place
            do { place = try SafeFS.place(c.storedAt, below: ItemPath(c.quarantine)) } catch {
                lines.append(Line(path: c.path, outcome: .refused("\(error): left as it is"))); continue
            }
            defer { place.close() }
            guard place.stat() != nil else { lines.append(Line(path: c.path, outcome: .refused("not in the quarantine any more at \(c.storedAt.display)"))); continue }
            let opened: (fd: Int32, stat: stat)
            do { opened = try SafeFS.openFile(place) } catch {
                lines.append(Line(path: c.path, outcome: .refused("\(error): left at \(c.storedAt.display)"))); continue
            }
            defer { close(opened.fd) }
            guard SafeFS.sha256(opened.fd) == c.sha256 else {
                lines.append(Line(path: c.path, outcome: .refused("changed in the quarantine (SHA-256 differs): left at \(c.storedAt.display)")))
                continue
            }
            if dryRun { lines.append(Line(path: c.path, outcome: .wouldDo(action: .purge))); continue }
            try index.markPurging(copyID: c.id, at: Timestamp.now().iso8601)
            do { try SafeFS.remove(place, verified: opened.stat) } catch {
                try index.markPurging(copyID: c.id, at: nil)
                lines.append(Line(path: c.path, outcome: .refused("cannot delete \(c.storedAt.display): \(error)"))); continue
            }
            CrashPoint.here("after-delete")
            lines.append(try recordPurge(c, detail: "deleted \(c.storedAt.display) by \(who) (quarantined \(c.movedAt.prefix(10)), grace ended \(c.purgeAfter))",
                                         log: log, index: index))
        }
        return lines
    }

    /// A deleted copy recorded: its quarantine row closed and a purge row in the log carrying the destroy's authority.
    static func recordPurge(_ c: QuarantinedCopy, detail: String, log: [DisposalLogEntry], index: SweepIndex) throws -> Line {
        let now = Timestamp.now().iso8601
        try index.recordPurge(copyID: c.id, at: now)
        let moved = log.last { $0.action == .destroy && $0.path == c.path && $0.sha256 == c.sha256 }
        try DisposalLog.append(index, DisposalLogEntry(path: c.path, size: c.size, sha256: c.sha256, classID: c.classID, action: .purge,
                                                       authority: moved?.authority, reviewer: moved?.reviewer,
                                                       decisionDate: moved?.decisionDate, actDate: now, detail: detail))
        return Line(path: c.path, outcome: .done(action: .purge, detail: detail))
    }
}
