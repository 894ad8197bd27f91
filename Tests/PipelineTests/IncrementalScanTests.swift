import Foundation
import GRDB
import Index
import Pipeline
import Rules
import SweepModel
import TestSupport
import Testing

/// One share and one index, scanned as often as a test likes.
struct Fixture {
    let share = TempTree("share")
    let store = TempTree("index")
    var rules = RuleSet.empty

    var indexPath: String { store.path("sweep.db") }

    func scan(jobs: Int = 4, excludes: [String] = [], rules: RuleSet? = nil) throws -> ScanSummary {
        let index = try SweepIndex.openForScan(indexPath)
        defer { try? index.close() }
        let config = ScanConfiguration(roots: [ItemPath(share.root)], excludes: try excludes.map { try Glob($0) },
                                       indexPath: indexPath, rules: rules ?? self.rules, jobs: jobs)
        return try Scanner(configuration: config, index: index).run()
    }

    func items() throws -> [String: StoredItem] {
        var out: [String: StoredItem] = [:]
        let index = try SweepIndex.openForReading(indexPath)
        defer { try? index.close() }
        try index.forEachItem { out[String($0.path.dropFirst(share.root.count + 1))] = $0 }
        return out
    }
}

@Suite struct IncrementalScanTests {
    func council() -> Fixture {
        let f = Fixture()
        f.share.file("HR/Recruitment/form.txt", "Application form\n")
        f.share.file("HR/Personnel/contract.txt", "Contract of employment\n")
        f.share.file("Finance/2021/invoice.csv", "a,b\n1,2\n")
        f.share.file("Finance/2021/notes.html", "<html><body><p>Notes</p></body></html>\n")
        f.share.file("empty.txt", "")
        return f
    }

    /// An unchanged re-scan reports the duplicate totals the last scan counted; anything that changes the sets
    /// (a copy deleted, an item marked gone outside a scan by a quarantine) makes the next scan count again.
    @Test func duplicateTotalsAreReusedOnlyWhileNothingChanged() throws {
        let f = Fixture()
        f.share.file("a/report.txt", "the same bytes\n")
        f.share.file("b/report copy.txt", "the same bytes\n")
        f.share.file("c/minutes.txt", "other bytes, same story\n")
        f.share.file("d/minutes.txt", "other bytes, same story\n")
        let first = try f.scan()
        #expect(first.duplicateSets == 2 && first.reclaimable == 15 + 24)
        let again = try f.scan()
        #expect(again.new == 0 && again.duplicateSets == 2 && again.reclaimable == first.reclaimable)
        // The coverage account is kept with the totals, and is the one counting would give.
        #expect(first.coverage.families[.text]?.items == 4)
        #expect(again.coverage == first.coverage)

        f.share.remove("b/report copy.txt")
        let afterDelete = try f.scan()
        #expect(afterDelete.gone == 1 && afterDelete.duplicateSets == 1 && afterDelete.reclaimable == 24)

        // A quarantine marks the copy gone in the index and moves it away; the next scan finds nothing new to
        // write, and must still not report the set.
        let index = try SweepIndex.openForScan(f.indexPath)
        let copyID = try #require(try DatabaseQueue(path: f.indexPath).read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM item WHERE display_path = ?", arguments: [f.share.path("d/minutes.txt")])
        })
        try index.markGone(itemID: copyID)
        try index.close()
        f.share.remove("d/minutes.txt")
        let afterQuarantine = try f.scan()
        #expect(afterQuarantine.new == 0 && afterQuarantine.gone == 0)
        #expect(afterQuarantine.duplicateSets == 0 && afterQuarantine.reclaimable == 0)
        // …nor count the item marked gone outside the scan.
        #expect(afterQuarantine.coverage.families[.text]?.items == 2)
        let counted = try SweepIndex.openForReading(f.indexPath)
        #expect(try counted.coverage() == afterQuarantine.coverage)
        try counted.close()
    }

    /// A first scan writes rows with a plain insert; overlapping roots write some paths twice, which must still
    /// leave each item once (the upsert takes over).
    @Test func overlappingRootsOnAFreshIndexWriteEachItemOnce() throws {
        let f = council()
        let index = try SweepIndex.openForScan(f.indexPath)
        defer { try? index.close() }
        let config = ScanConfiguration(roots: [ItemPath(f.share.root), ItemPath(f.share.path("HR"))], excludes: [],
                                       indexPath: f.indexPath, rules: f.rules, jobs: 2)
        let s = try Scanner(configuration: config, index: index).run()
        #expect(s.errors == 0)
        let files = try DatabaseQueue(path: f.indexPath).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM item WHERE kind = 'file'")
        }
        #expect(files == 5)   // HR's two files reached from both roots, each one row
    }

    @Test func firstScanRecordsEveryItemWithItsFacts() throws {
        let f = council()
        let s = try f.scan()
        #expect(s.new == 5 && s.changed == 0 && s.unchanged == 0 && s.errors == 0)
        let items = try f.items()
        #expect(items.count == 5)
        let csv = try #require(items["Finance/2021/invoice.csv"])
        #expect(csv.mime == "text/csv")
        #expect(csv.size == 8)
        #expect(csv.fileExtension == "csv")
        #expect(csv.owner != nil && csv.mode == 0o644 && csv.links == 1 && csv.identity != nil)
        #expect(items["Finance/2021/notes.html"]?.mime == "text/html")
        #expect(items["empty.txt"]?.mime == "application/x-empty")
    }

    @Test func unchangedItemsAreNotOpenedAgain() throws {
        let f = council()
        _ = try f.scan()
        let before = try f.items()
        let s = try f.scan()
        #expect(s.new == 0 && s.changed == 0 && s.gone == 0)
        #expect(s.unchanged == 5)
        // Not re-read: the row still says which scan last analysed it.
        let after = try f.items()
        #expect(after.values.allSatisfy { $0.changedScan == 1 })
        #expect(after.count == before.count)
    }

    @Test func changesDeletionsAndMovesAreTold() throws {
        let f = council()
        _ = try f.scan()
        let oldInode = try f.items()["HR/Personnel/contract.txt"]!.identity
        f.share.file("HR/Recruitment/form.txt", "Application form, now longer\n")
        f.share.remove("empty.txt")
        f.share.remove("Finance/2021/notes.html")
        f.share.move("HR/Personnel/contract.txt", "HR/Leavers/contract.txt")
        f.share.file("HR/new.txt", "new")
        let s = try f.scan()
        #expect(s.changed == 1)
        #expect(s.gone == 2)
        #expect(s.moved == 1)
        #expect(s.new == 1)
        #expect(s.unchanged == 1)
        let items = try f.items()
        let moved = try #require(items["HR/Leavers/contract.txt"])
        #expect(moved.movedFrom == f.share.path("HR/Personnel/contract.txt"))
        #expect(moved.identity == oldInode)
        #expect(moved.firstSeenScan == 1)
        #expect(items["HR/Recruitment/form.txt"]?.changedScan == 2)
        #expect(items["empty.txt"] == nil)

        // Gone items stay in the index for the history.
        let goneCount = try DatabaseQueue(path: f.indexPath).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM item WHERE gone_scan IS NOT NULL")
        }
        #expect(goneCount == 2)
    }

    /// A folder with much to read goes to the index in parts as its items are read, and is settled (what is
    /// gone from it) once, by its last part: every count and item comes out as for a small folder.
    @Test func aBigFolderIsWrittenInPartsAndSettledOnce() throws {
        let f = Fixture()
        let names = (0..<100).map { String(format: "big/letter-%03d.txt", $0) }
        func write(_ name: String, _ round: Int) {
            let line = "round \(round) of \(name): the council resident wrote about housing and repairs.\n"
            f.share.file(name, String(repeating: line, count: 60_000 / line.utf8.count))
        }
        for n in names { write(n, 1) }
        f.share.file("big/sub/note.txt", "a note\n")
        let first = try f.scan()
        #expect(first.errors == 0)
        var items = try f.items()
        #expect(names.allSatisfy { items[$0]?.mime == "text/plain" })
        let before = items.count

        for n in names[0..<5] { f.share.remove(n) }
        for n in names[5..<85] { write(n, 2) }
        let second = try f.scan()
        #expect(second.gone == 5)
        #expect(second.changed == 80)
        #expect(second.new == 0)
        #expect(second.unchanged == first.new - 85)
        items = try f.items()
        #expect(items.count == before - 5)
        #expect(names[5..<85].allSatisfy { items[$0]?.changedScan == 2 })
        #expect(names[85...].allSatisfy { items[$0]?.changedScan == 1 })
    }

    @Test func aDeletedFolderTakesItsItemsWithIt() throws {
        let f = council()
        _ = try f.scan()
        f.share.remove("Finance")
        let s = try f.scan()
        #expect(s.gone == 2)
        #expect(try f.items().count == 3)
    }

    @Test func hardlinksAreNotMoves() throws {
        let f = council()
        _ = try f.scan()
        link(f.share.path("HR/Recruitment/form.txt"), f.share.path("HR/form-link.txt"))
        let s = try f.scan()
        #expect(s.moved == 0)
        #expect(s.new == 1)
        let items = try f.items()
        #expect(items["HR/form-link.txt"]?.identity == items["HR/Recruitment/form.txt"]?.identity)
        #expect(items["HR/form-link.txt"]?.links == 2)
    }

    @Test func newRulesMeanEveryItemIsReadAgain() throws {
        let f = council()
        _ = try f.scan()
        let rulesDir = TempTree("rules")
        rulesDir.file("retention.yaml", "classes: []\n")
        let s = try f.scan(rules: try RuleSet.load(rulesDir.root))
        #expect(s.unchanged == 5)   // content did not change...
        #expect(try f.items().values.allSatisfy { $0.changedScan == 2 })   // ...but every item was looked at again
    }

    /// A text file read as UTF-8 is detected from its bytes and turned into a string only for `contains`; text
    /// in other encodings is decoded first. Both classify by what they say.
    @Test func containsReadsTextHoweverItIsEncoded() throws {
        let f = Fixture()
        f.share.file("forms/utf8.txt", "Café application form\nNI JK 12 34 56 C\n")
        let cp1252: [UInt8] = Array("Caf".utf8) + [0xE9] + Array(" application form ".utf8) + [0x93] + Array("quoted".utf8) + [0x94, 0x0A]
        #expect(FileManager.default.createFile(atPath: f.share.path("forms/cp1252.txt"), contents: Data(cp1252)))
        #expect(FileManager.default.createFile(atPath: f.share.path("forms/bom.txt"), contents: Data([0xEF, 0xBB, 0xBF] + Array("café application form\n".utf8))))
        f.share.file("forms/other.txt", "Café menu\n")
        let rulesDir = TempTree("rules")
        rulesDir.file("personal-data.yaml", try String(contentsOfFile: repositoryRoot + "/rules/personal-data.yaml", encoding: .utf8))
        rulesDir.file("retention.yaml", """
            classes:
              - id: FORMS
                retain: 1 year
                action: review
                when: {contains: ["café application form"]}
            default: {id: UNCLASSIFIED, retain: 6 years, trigger: last_modified, action: review}
            """)
        _ = try f.scan(rules: try RuleSet.load(rulesDir.root))
        let items = try f.items()
        #expect(items["forms/utf8.txt"]?.retentionClass == "FORMS")
        #expect(items["forms/utf8.txt"]?.piiJSON?.contains("nino") == true)
        #expect(items["forms/cp1252.txt"]?.retentionClass == "FORMS")
        #expect(items["forms/bom.txt"]?.retentionClass == "FORMS")
        #expect(items["forms/other.txt"]?.retentionClass == "UNCLASSIFIED")
    }

    @Test func excludedItemsLeaveTheIndex() throws {
        let f = council()
        _ = try f.scan()
        let s = try f.scan(excludes: ["Finance"])
        #expect(s.gone == 2)
        #expect(try f.items().keys.sorted() == ["HR/Personnel/contract.txt", "HR/Recruitment/form.txt", "empty.txt"])
    }

    @Test func specialFilesAreErrorsAndAreNotOpened() throws {
        let f = council()
        f.share.fifo("HR/pipe")
        let s = try f.scan(jobs: 1)   // a FIFO opened for reading would block this single walker for ever
        #expect(s.errors == 1)
        let pipe = try #require(try f.items()["HR/pipe"])
        #expect(pipe.mime == "inode/fifo")
        #expect(pipe.error?.contains("not opened") == true)
        // Still counted as an error on an unchanged re-scan: the exit code stays honest.
        #expect(try f.scan().errors == 1)
    }

    @Test func aFileThatVanishesIsGoneNextTime() throws {
        let f = council()
        _ = try f.scan()
        f.share.remove("HR/Recruitment/form.txt")
        f.share.file("HR/Recruitment/form.txt", "replaced with a new file\n")
        let s = try f.scan()
        #expect(s.changed == 1)   // same path, new identity
        #expect(s.moved == 0)
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite struct RetryTests {
    @Test func aCorruptFileIsNotReadAgainUntilItChanges() throws {
        let f = Fixture()
        f.share.file("broken.docx", "PK\u{3}\u{4} this is no zip at all")   // typed by its extension, then unreadable
        let rules = try RuleSet.load(repositoryRoot + "/rules")
        let first = try f.scan(rules: rules)
        #expect(first.errors == 1)
        #expect(try f.items()["broken.docx"]?.error?.hasPrefix("corrupt") == true)
        #expect(try f.items()["broken.docx"]?.changedScan == 1)
        let again = try f.scan(rules: rules)
        #expect(again.errors == 1)                                  // still reported
        #expect(try f.items()["broken.docx"]?.changedScan == 1)     // but not read again
    }
}
