@testable import Extract
import Foundation
import SweepModel
import TestSupport
import Testing

/// Real Outlook stores from ../shared/samples/mail/ (see its README: the project cannot commit them).
/// dist-list.pst holds a calendar item and, in Contacts, a distribution list and a contact; passworded.pst
/// has an Outlook password. Message bodies are never printed.
@Suite struct OutlookStoreTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/samples/mail/").standardized.path

    func sample(_ name: String) throws -> String {
        let path = Self.samples + "/" + name
        try #require(FileManager.default.fileExists(atPath: path),
                     "the shared mail samples are missing: expected \(path) (see ../shared/samples/mail/README.md)")
        return path
    }

    func read(_ path: String, budget: ExtractionBudget = ExtractionBudget(limits: ExtractionLimits()),
              stopAfter: Int = .max) -> (Extraction, [Child]) {
        var seen: [Child] = []
        let e = OutlookStore.extract(path: path, budget: budget) { child in
            seen.append(child)
            return seen.count < stopAfter
        }
        return (e, seen)
    }

    func extracted(_ c: Child) -> Extraction? {
        if case .extracted(let e) = c.content { return e }
        return nil
    }

    @Test func walksFoldersAndReadsEveryItem() throws {
        let (store, items) = read(try sample("dist-list.pst"))
        #expect(store.problem == nil)
        #expect(store.metadata.title == "Personal Folders")
        #expect(items.map(\.name) == ["Calendar/1", "Contacts/1", "Contacts/2"])
        #expect(items.allSatisfy { $0.kind == .message })
        #expect(items.map { extracted($0)?.metadata.subject } == ["Test appointment", "test dist list", "contact name 1"])
        #expect(items.map { extracted($0)?.metadata.application } == ["IPM.Appointment", "IPM.DistList", "IPM.Contact"])
        for item in items {
            let e = try #require(extracted(item))
            #expect(e.body.hasPrefix((e.metadata.subject ?? "") + "\n"))
            #expect(e.headers["subject"] == e.metadata.subject)
            // An RFC 5322 date in UTC, the same instant as the metadata's.
            let date = try #require(e.headers["date"])
            #expect(date.hasSuffix(" +0000"))
            #expect(PlainText.mailDate(date)?.seconds == e.metadata.date?.seconds)
            #expect(item.modified == e.metadata.date)
            #expect(!item.name.contains("!/"))
        }
        #expect(items.first.flatMap(extracted)?.headers["date"] == "Tue, 02 Aug 2016 00:27:12 +0000")
    }

    @Test func embeddedMessagesComeBackAsReadChildren() throws {
        let (_, items) = read(try sample("dist-list.pst"))
        let calendar = try #require(items.first)
        // The appointment carries two embedded Outlook items (no file name of their own).
        #expect(calendar.children.map(\.name) == ["attachment-1", "attachment-2"])
        #expect(calendar.children.allSatisfy { $0.kind == .message && self.extracted($0) != nil })
        #expect(items.dropFirst().allSatisfy { $0.children.isEmpty })
    }

    @Test func passwordProtectedStoreIsReportedNotRead() throws {
        let (store, items) = read(try sample("passworded.pst"))
        #expect(store.problem == Problem(.encrypted, "password-protected PST"))
        #expect(store.metadata.title == "Personal Folders")
        #expect(items.isEmpty)
    }

    @Test func visitorCanStopTheWalk() throws {
        let (store, items) = read(try sample("dist-list.pst"), stopAfter: 1)
        #expect(items.count == 1)
        #expect(store.problem == nil)
    }

    @Test func spentBudgetStopsWithTimeout() throws {
        let spent = ExtractionBudget(limits: ExtractionLimits(), now: ExtractionBudget.clock() - 3600)
        let (store, items) = read(try sample("dist-list.pst"), budget: spent)
        #expect(store.problem?.kind == .timeout)
        #expect(items.isEmpty)
    }

    @Test func childLimitStops() throws {
        var limits = ExtractionLimits()
        limits.maxChildren = 1
        let (store, items) = read(try sample("dist-list.pst"), budget: ExtractionBudget(limits: limits))
        #expect(store.problem?.kind == .limit)
        #expect(items.count == 1)
    }

    @Test func notAStoreIsCorruptAndMissingIsUnreadable() {
        let t = TempTree()
        let junk = t.file("junk.pst", String(repeating: "!BDN not really a store ", count: 200))
        let (e, items) = read(junk)
        #expect(e.problem?.kind == .corrupt)
        #expect(items.isEmpty)
        #expect(read(t.file("empty.pst")).0.problem?.kind == .corrupt)
        #expect(read(t.path("absent.pst")).0.problem?.kind == .unreadable)
    }

    @Test func truncatedStoreDoesNotCrash() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try sample("dist-list.pst")))
        let t = TempTree()
        for fraction in [1, 4, 8] {
            let path = t.path("cut-\(fraction).pst")
            try bytes.prefix(bytes.count * fraction / 10).write(to: URL(fileURLWithPath: path))
            let (e, items) = read(path)
            // Whatever libpst makes of it, the walk ends; a store it cannot open is corrupt.
            if items.isEmpty && e.problem != nil { #expect(e.problem?.kind == .corrupt) }
        }
    }

    @Test func storesOnSeveralThreadsAtOnce() async throws {
        let path = try sample("dist-list.pst")
        let names = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    var seen: [String] = []
                    _ = OutlookStore.extract(path: path, budget: ExtractionBudget(limits: ExtractionLimits())) {
                        seen.append($0.name); return true
                    }
                    return seen
                }
            }
            var all: [[String]] = []
            for await n in group { all.append(n) }
            return all
        }
        #expect(names.count == 6)
        #expect(Set(names.map { $0.joined(separator: ",") }) == ["Calendar/1,Contacts/1,Contacts/2"])
    }

    @Test func namesStayOneSegmentAndUnique() {
        #expect(OutlookStore.safeName("Projects/2024") == "Projects_2024")
        #expect(OutlookStore.safeName("Urgent!") == "Urgent_")
        #expect(!("Inbox/" + OutlookStore.safeName("a!") + "/1").contains("!/"))
        #expect(OutlookStore.safeName("") == "_")
        #expect(OutlookStore.safeName("..") == "_..")
        var used = Set<String>()
        #expect(["report.pdf", "report.pdf", "notes", "notes"].map { OutlookStore.unique($0, in: &used) }
                == ["report.pdf", "report (2).pdf", "notes", "notes (2)"])
    }

    @Test func datesInRFC5322() throws {
        let t = try #require(Timestamp.parse("2022-03-15T09:12:44Z"))
        #expect(OutlookStore.rfc5322(t) == "Tue, 15 Mar 2022 09:12:44 +0000")
        #expect(PlainText.mailDate(OutlookStore.rfc5322(t)) == t)
    }
}
