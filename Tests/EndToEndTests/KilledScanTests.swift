import Foundation
import GRDB
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An overnight scan can die at any moment (OOM killer, reboot, SIGKILL): the index must stay valid and the
/// next scan must finish the job without re-reading what was committed.
@Suite struct KilledScanTests {
    func bigShare(folders: Int, filesPerFolder: Int) -> TempTree {
        let t = TempTree("big-share")
        for d in 0..<folders {
            let dir = t.path("dept\(d % 7)/unit\(d)")
            try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in 0..<filesPerFolder {
                FileManager.default.createFile(atPath: "\(dir)/record-\(f).txt", contents: Data("record \(d)-\(f)\n".utf8))
            }
        }
        return t
    }

    func count(_ db: String, _ sql: String) -> Int {
        (try? DatabaseQueue(path: db, configuration: { var c = Configuration(); c.readonly = true; return c }())
            .read { try Int.fetchOne($0, sql: sql) ?? 0 }) ?? 0
    }

    @Test func sigkillMidScanLeavesAValidIndexAndTheNextScanFinishes() throws {
        let total = 400 * 60
        let share = bigShare(folders: 400, filesPerFolder: 60)
        let work = TempTree()
        let db = work.path("sweep.db")

        let (process, _, _) = try startSweep(["scan", share.root, "--index", db, "--quiet", "--jobs", "2"])
        var committed = 0
        let deadline = Date().addingTimeInterval(120)
        while committed < 2000 && process.isRunning && Date() < deadline {
            usleep(10_000)
            committed = count(db, "SELECT count(*) FROM item")
        }
        try #require(process.isRunning, "the scan finished before it could be killed: make the tree larger")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        // Valid after the kill: integrity holds, and what was committed is there.
        let integrity = try DatabaseQueue(path: db).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        let survived = count(db, "SELECT count(*) FROM item")
        #expect(survived >= committed && survived < total)
        // A first scan builds its secondary indexes after its rows: killed first, it leaves them to be built.
        #expect(count(db, "SELECT count(*) FROM meta WHERE key LIKE 'deferred_index.%'") > 0)

        // The next scan takes the lock (the kernel dropped the dead one's), skips what was committed, finishes.
        let rerun = try runSweep(["scan", share.root, "--index", db, "--quiet", "--json"])
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(rerun.stdout.utf8)) as! [String: Any]
        #expect(summary["unchanged"] as? Int == survived)
        #expect(summary["new"] as? Int == total - survived)
        #expect(count(db, "SELECT count(*) FROM item WHERE gone_scan IS NULL") == total)
        #expect(count(db, "SELECT count(*) FROM item WHERE changed_scan = 2") == total - survived)
        #expect(count(db, "SELECT count(*) FROM scan WHERE state = 'interrupted'") == 1)
        #expect(count(db, "SELECT count(*) FROM meta WHERE key LIKE 'deferred_index.%'") == 0)

        // The same index a clean scan would have written.
        let clean = work.path("clean.db")
        _ = try runSweep(["scan", share.root, "--index", clean, "--quiet"])
        let a = try runSweep(["export", "--index", db]).jsonLines.map { "\($0["path"]!) \($0["size"]!) \($0["type"]!)" }
        let b = try runSweep(["export", "--index", clean]).jsonLines.map { "\($0["path"]!) \($0["size"]!) \($0["type"]!)" }
        #expect(a == b)
        let indexes = "SELECT group_concat(name || ':' || sql, ';') FROM (SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name)"
        let built = try DatabaseQueue(path: db).read { try String.fetchOne($0, sql: indexes) }
        let cleanBuilt = try DatabaseQueue(path: clean).read { try String.fetchOne($0, sql: indexes) }
        #expect(built != nil && built == cleanBuilt)
    }

    @Test func sigtermStopsCleanlyAndSavesWhatWasRead() throws {
        let share = bigShare(folders: 300, filesPerFolder: 60)
        let work = TempTree()
        let db = work.path("sweep.db")
        let (process, out, _) = try startSweep(["scan", share.root, "--index", db, "--quiet", "--jobs", "2"])
        let deadline = Date().addingTimeInterval(120)
        while count(db, "SELECT count(*) FROM item") < 1000 && process.isRunning && Date() < deadline { usleep(10_000) }
        try #require(process.isRunning, "the scan finished before it could be stopped: make the tree larger")
        kill(process.processIdentifier, SIGTERM)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(text.contains("stopped before the end"))
        #expect(count(db, "SELECT count(*) FROM scan WHERE state = 'stopped'") == 1)
        // Nothing is marked gone by a scan that did not see everything.
        #expect(count(db, "SELECT count(*) FROM item WHERE gone_scan IS NOT NULL") == 0)
    }
}
