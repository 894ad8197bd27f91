import Foundation
import TestSupport
import Testing

/// A pattern `rules check` accepts can still match nearly every byte of a large file: detection stops at the
/// item's time or its match limit, keeps what it found, says so on the item, and the scan goes on.
@Suite struct DetectionDeadlineTests {
    @Test func aRunawayPatternCostsOneItemItsTimeAndNoMore() throws {
        let t = TempTree("deadline-share")
        t.file("big.txt", String(repeating: "abcdefghij klmnopqrst ", count: 100_000))   // 2.2 MB of words
        t.file("small.txt", "Contact a.smith@example.org\n")
        let work = TempTree()
        work.file("rules/personal-data.yaml", """
            types:
              - type: email
                patterns: ['\\w+']
                validator: email
            """)
        work.file("sweep.yaml", "limits:\n  seconds_per_item: 3\n")
        let db = work.path("d.db")
        let started = Date()
        let scan = try runSweep(["scan", t.root, "--index", db, "--rules", work.path("rules"), "--config", work.path("sweep.yaml"), "--quiet"])
        #expect(Date().timeIntervalSince(started) < 60, "the scan took \(Date().timeIntervalSince(started)) s")
        #expect(scan.status == 1, "\(scan.stderr)")
        let items = try runSweep(["export", "--index", db]).jsonLines
        let big = try #require(items.first { ($0["path"] as? String)?.hasSuffix("big.txt") == true })
        #expect((big["error"] as? String)?.hasPrefix("timeout: personal-data detection stopped") == true, "\(String(describing: big["error"]))")
        // `rules check` names the pattern's cost (and accepts it: detection is bounded either way).
        let check = try runSweep(["rules", "check", work.path("rules")])
        #expect(check.status == 0)
        #expect(check.stderr.contains("warning: personal-data.yaml: email: pattern \\w+ matched"), "\(check.stderr)")
        #expect(!(try runSweep(["rules", "check", repositoryRoot + "/rules"])).stderr.contains("warning"))
        // Unchanged, it is not read again (its time is not spent twice).
        let again = try runSweep(["scan", t.root, "--index", db, "--rules", work.path("rules"), "--config", work.path("sweep.yaml"), "--quiet"])
        #expect(again.status == 1)
        #expect(Date().timeIntervalSince(started) < 90)
    }
}

/// SIGTERM stops a scan in seconds even inside a long item: what was in hand is marked interrupted, and the
/// next scan reads it again.
@Suite struct StopInsideAnItemTests {
    @Test func sigtermStopsWithinSecondsAndTheItemIsReadAgain() throws {
        let t = TempTree("stop-share")
        t.file("big.txt", String(repeating: "abcdefghij klmnopqrst ", count: 100_000))
        let work = TempTree()
        work.file("rules/personal-data.yaml", """
            types:
              - type: email
                patterns: ['\\w+']
                validator: email
            """)
        work.file("slow.yaml", "limits:\n  seconds_per_item: 120\n")
        work.file("quick.yaml", "limits:\n  seconds_per_item: 2\n")
        let db = work.path("s.db")
        let (p, _, _) = try startSweep(["scan", t.root, "--index", db, "--rules", work.path("rules"), "--config", work.path("slow.yaml"), "--quiet"])
        Thread.sleep(forTimeInterval: 1.5)
        let sent = Date()
        p.terminate()   // SIGTERM
        p.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < 10, "stopping took \(Date().timeIntervalSince(sent)) s")
        #expect(p.terminationStatus == 1)
        let item = try #require(try runSweep(["export", "--index", db]).jsonLines.first)
        #expect((item["error"] as? String)?.hasPrefix("interrupted") == true, "\(String(describing: item["error"]))")
        // Read again by the next scan (an interrupted item is not passed over as unchanged).
        _ = try runSweep(["scan", t.root, "--index", db, "--rules", work.path("rules"), "--config", work.path("quick.yaml"), "--quiet"])
        let again = try #require(try runSweep(["export", "--index", db]).jsonLines.first)
        #expect((again["error"] as? String)?.hasPrefix("timeout") == true, "\(String(describing: again["error"]))")
    }
}
