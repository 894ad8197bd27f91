import Foundation
import GRDB
import Index
@testable import Pipeline
import Rules
import SweepModel
import TestSupport
import Testing

/// What makes a first scan cheaper must leave the index exactly as reading everything, row by row, would.
@Suite struct FirstScanCostTests {
    static let shipped = try! RuleSet.load(repositoryRoot + "/rules")

    static let letter = """
        OFFICIAL-SENSITIVE
        Dear Ms Example, your National Insurance number QQ 12 34 56 C was wrong: it is JK 12 34 56 C.
        Please write to casework.team@example.gov.uk about your tenancy.
        OFFICIAL-SENSITIVE

        """

    func run(_ f: Fixture) throws -> (ScanSummary, Int) {
        let index = try SweepIndex.openForScan(f.indexPath)
        defer { try? index.close() }
        let config = ScanConfiguration(roots: [ItemPath(f.share.root)], excludes: [], indexPath: f.indexPath, rules: f.rules, jobs: 1)
        let scanner = Scanner(configuration: config, index: index)
        let summary = try scanner.run()
        return (summary, scanner.reusedReadings.load(ordering: .relaxed))
    }

    func withoutScanFacts(_ item: StoredItem) -> String {
        [item.mime, item.error, item.piiJSON, item.markingsJSON, item.highestMarking, item.specialJSON, item.retentionClass,
         item.retentionAction, item.disposalDate, item.holdsJSON, item.markingDescriptorsJSON, item.content]
            .map { $0 ?? "-" }.joined(separator: " | ")
    }

    func findings(_ f: Fixture, _ relative: String) throws -> [String] {
        try DatabaseQueue(path: f.indexPath).read { db in
            try String.fetchAll(db, sql: """
                SELECT finding.kind || ' ' || type || ' ' || value_hash || ' ' || confidence || ' ' || location || ' ' || excerpt
                FROM finding JOIN item ON item.id = finding.item_id WHERE item.display_path = ? ORDER BY finding.id
                """, arguments: [f.share.path(relative)])
        }
    }

    /// A copy is not read again: it takes its original's reading (findings, markings, type of read) and gets
    /// its own path's retention, exactly as if it had been read on its own.
    @Test func aCopyTakesItsOriginalsReadingAndKeepsItsOwnRetention() throws {
        var both = Fixture()
        both.rules = Self.shipped
        both.share.file("HR/Personnel/letter.txt", Self.letter)
        both.share.file("Finance/Invoices/letter.txt", Self.letter)
        var alone = Fixture()
        alone.rules = Self.shipped
        alone.share.file("Finance/Invoices/letter.txt", Self.letter)
        // The same key for both indexes, so keyed hashes compare.
        for path in [both.indexPath + ".key", alone.indexPath + ".key"] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data((String(repeating: "5a", count: 32) + "\n").utf8),
                                                   attributes: [.posixPermissions: 0o600]))
        }

        let (s, reused) = try run(both)
        #expect(s.new == 2 && s.errors == 0)
        #expect(reused == 1)
        let (_, reusedAlone) = try run(alone)
        #expect(reusedAlone == 0)

        let copy = try #require(try both.items()["Finance/Invoices/letter.txt"])
        let original = try #require(try both.items()["HR/Personnel/letter.txt"])
        let readAlone = try #require(try alone.items()["Finance/Invoices/letter.txt"])
        #expect(withoutScanFacts(copy) == withoutScanFacts(readAlone))
        #expect(copy.piiJSON == original.piiJSON && copy.highestMarking == "OFFICIAL-SENSITIVE")
        #expect(try findings(both, "Finance/Invoices/letter.txt") == findings(alone, "Finance/Invoices/letter.txt"))
        #expect(try !findings(both, "Finance/Invoices/letter.txt").isEmpty)
    }

    /// A file too big for the walk's own read is known by the hash its reader made while reading it: its copy,
    /// hashed because a reading of its size is kept, takes that reading.
    @Test func aBigCopyIsKnownByItsReadersHash() throws {
        var f = Fixture()
        f.rules = Self.shipped
        let big = String(repeating: Self.letter, count: 400)   // about 100 KB, over the walk's 64 KiB
        f.share.file("HR/Personnel/big.txt", big)
        f.share.file("Finance/Invoices/big.txt", big)
        let (s, reused) = try run(f)
        #expect(s.new == 2 && s.errors == 0)
        #expect(reused == 1)
        let items = try f.items()
        #expect(items["HR/Personnel/big.txt"]?.piiJSON == items["Finance/Invoices/big.txt"]?.piiJSON)
        #expect(items["Finance/Invoices/big.txt"]?.piiJSON != nil)
        // Their rows went in with the fingerprint the reading made: the pair is a duplicate set.
        #expect(items["HR/Personnel/big.txt"]?.content != nil && items["HR/Personnel/big.txt"]?.dupGroup != nil)
        #expect(s.duplicateSets == 1)
    }

    /// The same bytes under another name ending may be another type, read another way: not taken as a copy.
    @Test func theSameBytesAsAnotherTypeAreReadAgain() throws {
        var f = Fixture()
        f.rules = Self.shipped
        f.share.file("a/letter.txt", Self.letter)
        f.share.file("b/letter.html", Self.letter)
        let (_, reused) = try run(f)
        #expect(reused == 0)
    }

    func indexDefinitions(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        }
    }

    /// A first scan builds some indexes after writing its rows: they end as the migrations define them, and
    /// none is left to build.
    @Test func aFirstScanLeavesEveryIndexAsTheSchemaDefinesIt() throws {
        var f = Fixture()
        f.rules = Self.shipped
        f.share.file("HR/Personnel/letter.txt", Self.letter)
        f.share.file("HR/Personnel/again.txt", Self.letter)
        let store = TempTree("schema")
        let empty = store.path("empty.db")
        try SweepIndex.openForScan(empty).close()
        _ = try run(f)
        #expect(try indexDefinitions(f.indexPath) == indexDefinitions(empty))
        #expect(try DatabaseQueue(path: f.indexPath).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM meta WHERE key LIKE 'deferred_index.%'")
        } == 0)
    }

    /// Deferred and never built (the scan was killed): the next open for writing builds them.
    @Test func indexesLeftUnbuiltAreBuiltByTheNextOpen() throws {
        let store = TempTree("schema")
        let path = store.path("sweep.db")
        let empty = store.path("empty.db")
        try SweepIndex.openForScan(empty).close()
        let index = try SweepIndex.openForScan(path)
        try index.deferIndexes(SweepIndex.DeferredIndexes.all)
        try index.close()
        #expect(try indexDefinitions(path) != indexDefinitions(empty))
        let reader = try SweepIndex.openForReading(path)   // reading alone changes nothing
        try reader.close()
        #expect(try indexDefinitions(path) != indexDefinitions(empty))
        try SweepIndex.openForScan(path).close()
        #expect(try indexDefinitions(path) == indexDefinitions(empty))
    }
    /// While a first scan has its indexes deferred (or after it was killed), readers still work: no query names
    /// a deferred index, and every reading command gives what it gives once they are built.
    @Test func readersWorkWhileIndexesAreDeferred() throws {
        var f = Fixture()
        f.rules = Self.shipped
        f.share.file("HR/Personnel/letter.txt", Self.letter)
        f.share.file("Finance/Invoices/letter.txt", Self.letter)
        f.share.file("Finance/Invoices/other.txt", "Nothing to see.\n")
        _ = try run(f)
        let commands = [["export", "--index", f.indexPath], ["dupes", "--index", f.indexPath], ["findings", "--index", f.indexPath],
                        ["disposal", "list", "--index", f.indexPath], ["status", "--index", f.indexPath]]
        let built = try commands.map { try runSweep($0) }
        let index = try SweepIndex.openForScan(f.indexPath)
        try index.deferIndexes(SweepIndex.DeferredIndexes.all)
        try index.close()
        for (command, before) in zip(commands, built) {
            let now = try runSweep(command)
            #expect(now.status == before.status && now.stdout == before.stdout, "\(command): \(now.stderr)")
        }
    }

    /// The deferred indexes are ones no query names: a name in `INDEXED BY` fails outright when the index is
    /// missing.
    @Test func noQueryNamesADeferredIndex() throws {
        let sources = repositoryRoot + "/Sources"
        let files = FileManager.default.enumerator(atPath: sources)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        for file in files {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for name in SweepIndex.DeferredIndexes.all {
                #expect(!text.contains("INDEXED BY " + name), "\(file) names \(name)")
            }
        }
    }
}
