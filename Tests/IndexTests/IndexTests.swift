import Foundation
import GRDB
@testable import Index
import SweepModel
import TestSupport
import Testing

@Suite struct IndexTests {
    @Test func newIndexIsPrivateAndMigrated() throws {
        let t = TempTree()
        let path = t.path("sweep.db")
        _ = try SweepIndex.openForScan(path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int
        #expect(mode == 0o600)
        let tables = try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(Set(tables).isSuperset(of: ["scan", "folder", "item", "meta", "grdb_migrations"]))
        let journal = try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test func aSecondScanLockIsRefusedAndReleasedWithTheFirst() throws {
        let t = TempTree()
        let path = t.path("sweep.db")
        var first: ScanLock? = try ScanLock(index: path)
        do {
            _ = try ScanLock(index: path)
            Issue.record("second lock should be refused")
        } catch let e as IndexError {
            #expect(e.description.contains("another sweep scan is writing"))
            #expect(e.description.contains("\(getpid())"))
        }
        _ = first
        first = nil
        _ = try ScanLock(index: path)
    }

    @Test func missingAndCorruptIndexesSayWhatToDo() throws {
        let t = TempTree()
        #expect(throws: IndexError.self) { try SweepIndex.openForReading(t.path("nope.db")) }
        t.file("junk.db", String(repeating: "this is not sqlite ", count: 400))
        do {
            _ = try SweepIndex.openForReading(t.path("junk.db"))
            Issue.record("junk should be refused")
        } catch let e as IndexError {
            #expect(e.description.contains("not a readable Sweep index"))
        }
        do {
            _ = try SweepIndex.openForScan(t.path("junk.db"))
            Issue.record("junk should be refused for a scan too")
        } catch let e as IndexError {
            #expect(e.description.contains("restore it from backup"))
        }
        // A plain SQLite file that Sweep did not write.
        try DatabaseQueue(path: t.path("other.db")).write { db in try db.execute(sql: "CREATE TABLE t(x)") }
        #expect(throws: IndexError.self) { try SweepIndex.openForReading(t.path("other.db")) }
    }

    /// Only damage sends the user to a backup: a failed statement (here a constraint) says the step failed, and a
    /// full disk says to free space.
    @Test func aFailedStepIsNotCalledDamage() {
        let failed = SweepIndex.translate(DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "UNIQUE constraint failed: item.path"),
                                          path: "/srv/sweep.db")
        #expect(!failed.description.contains("restore it from backup"))
        #expect(failed.description.contains("UNIQUE constraint failed") && failed.description.contains("failed"))
        let full = SweepIndex.translate(DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full"), path: "/srv/sweep.db")
        #expect(full.description.contains("free some space"))
        let damaged = SweepIndex.translate(DatabaseError(resultCode: .SQLITE_CORRUPT, message: "malformed"), path: "/srv/sweep.db")
        #expect(damaged.description.contains("restore it from backup"))
    }

    func record(_ path: String, folder: String, size: Int64 = 1) -> ItemRecord {
        var r = ItemRecord(path: ItemPath(path), folder: ItemPath(folder), root: "/s", relativePath: String(path.dropFirst(3)),
                           kind: .file, size: size, rulesVersion: "v1")
        r.identity = FileID(device: 1, inode: UInt64(abs(path.hashValue % 100_000)))
        r.modified = Timestamp(seconds: 1_700_000_000)
        return r
    }

    @Test func writerCommitsAndMarksUnvisitedFoldersGone() throws {
        let t = TempTree()
        let index = try SweepIndex.openForScan(t.path("sweep.db"))
        let w1 = try ScanWriter(index: index, roots: [ItemPath("/s")], rulesVersion: "v1", jobs: 2)
        var a = FolderResult(folder: ItemPath("/s/A"), listed: true)
        a.upserts = [record("/s/A/1.txt", folder: "/s/A"), record("/s/A/2.txt", folder: "/s/A")]
        a.new = 2
        var b = FolderResult(folder: ItemPath("/s/B"), listed: true)
        b.upserts = [record("/s/B/3.txt", folder: "/s/B")]
        b.new = 1
        try w1.add(a); try w1.add(b)
        let s1 = try w1.finish(walkComplete: true, seconds: 0)
        #expect(s1.new == 3)
        #expect(try index.previousItems(inFolder: ItemPath("/s/A"), rulesVersion: "v1").count == 2)

        // Second scan reaches only A: B's items are gone, not deleted.
        let w2 = try ScanWriter(index: index, roots: [ItemPath("/s")], rulesVersion: "v1", jobs: 2)
        try w2.add(FolderResult(folder: ItemPath("/s/A"), listed: true))
        let s2 = try w2.finish(walkComplete: true, seconds: 0)
        #expect(s2.gone == 1)
        let b3 = try #require(try index.previousItems(inFolder: ItemPath("/s/B"), rulesVersion: "v1").first?.value)
        #expect(b3.gone)
        #expect(b3.sameRules)
        var paths: [String] = []
        try index.forEachItem { paths.append($0.path) }
        #expect(paths == ["/s/A/1.txt", "/s/A/2.txt"])

        // A scan of another root leaves these alone.
        let w3 = try ScanWriter(index: index, roots: [ItemPath("/t")], rulesVersion: "v1", jobs: 2)
        #expect(try w3.finish(walkComplete: true, seconds: 0).gone == 0)
        let scans = try index.recentScans()
        #expect(scans.map(\.state) == ["complete", "complete", "complete"])
    }

    @Test func aScanLeftRunningIsMarkedInterruptedByTheNext() throws {
        let t = TempTree()
        let index = try SweepIndex.openForScan(t.path("sweep.db"))
        _ = try ScanWriter(index: index, roots: [ItemPath("/s")], rulesVersion: "v1", jobs: 2)   // never finished
        let w = try ScanWriter(index: index, roots: [ItemPath("/s")], rulesVersion: "v1", jobs: 2)
        _ = try w.finish(walkComplete: false, seconds: 0)
        #expect(try index.recentScans().map(\.state) == ["stopped", "interrupted"])
    }

    @Test func readersReadWhileAWriterHoldsATransaction() throws {
        let t = TempTree()
        let path = t.path("sweep.db")
        let index = try SweepIndex.openForScan(path)
        let w = try ScanWriter(index: index, roots: [ItemPath("/s")], rulesVersion: "v1", jobs: 2)
        var a = FolderResult(folder: ItemPath("/s/A"), listed: true)
        a.upserts = [record("/s/A/1.txt", folder: "/s/A")]
        try w.add(a)
        try w.flush()
        // Another connection holds a write transaction open; a reader still gets the committed state.
        let other = try DatabaseQueue(path: path)
        try other.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('k', 'v')")
            let reader = try SweepIndex.openForReading(path)
            #expect(try reader.totals().items == 1)
            try db.execute(sql: "ROLLBACK")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
