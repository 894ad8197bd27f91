import Foundation
import TestSupport
import Testing

/// PDFs, archives and PST stores are read in worker processes under memory and CPU limits and killed at the item's
/// deadline: a reader that hangs, spins, crashes or eats memory (as poppler, libarchive or libpst can on a hostile
/// file) costs one item, never the scan.
@Suite struct WorkerIsolationTests {
    func share() throws -> TempTree {
        let t = TempTree("share")
        try FileManager.default.copyItem(atPath: repositoryRoot + "/fixtures/formats/pdf/report.pdf", toPath: t.path("report.pdf"))
        try FileManager.default.copyItem(atPath: repositoryRoot + "/fixtures/council/HR/Archive/recruitment-2017.zip",
                                         toPath: t.path("recruitment.zip"))
        t.file("notes.txt", "Contact a.smith@example.org about the case.\n")
        t.file("sweep.yaml", "limits:\n  seconds_per_item: 2\n  worker_memory_mb: 256\n")
        return t
    }

    func item(_ db: String, _ name: String) throws -> [String: Any] {
        try #require(try runSweep(["export", "--index", db]).jsonLines.first { ($0["path"] as? String)?.hasSuffix("/" + name) == true })
    }

    @Test(arguments: [("hang", "timeout"), ("spin", "timeout"), ("crash", "corrupt"), ("hog", "corrupt")])
    func aMisbehavingReaderCostsOneItem(fault: String, expected: String) throws {
        let t = try share()
        let work = TempTree()
        let db = work.path("w.db")
        let started = Date()
        let scan = try runSweep(["scan", t.root, "--index", db, "--config", t.path("sweep.yaml"), "--quiet"],
                                prefix: ["/usr/bin/env", "SWEEP_WORKER_FAULT=\(fault)"])
        #expect(Date().timeIntervalSince(started) < 30, "the deadline holds")
        #expect(scan.status == 1, "\(scan.stderr)")
        let pdf = try item(db, "report.pdf")
        #expect((pdf["error"] as? String)?.hasPrefix(expected) == true, "\(String(describing: pdf["error"]))")
        let zip = try item(db, "recruitment.zip")
        #expect((zip["error"] as? String)?.hasPrefix(expected) == true, "\(String(describing: zip["error"]))")
        #expect((try item(db, "notes.txt")["pii"] as? [String: Int]) == ["email": 1])   // the scan went on

        // An unchanged item that failed is not read again (its budget is not spent again)…
        _ = try runSweep(["scan", t.root, "--index", db, "--quiet"])
        #expect((try item(db, "report.pdf")["error"] as? String)?.hasPrefix(expected) == true)
        // …unless asked: then it is read, and this time the reader behaves.
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet", "--retry-errors"]).status == 0)
        let again = try item(db, "report.pdf")
        #expect(again["error"] is NSNull)
        #expect((again["pii"] as? [String: Int])?["nino"] == 1)
        #expect(again["markings"] as? [String] == ["OFFICIAL-SENSITIVE"])
        #expect(try item(db, "recruitment.zip")["error"] is NSNull)
        #expect((try item(db, "recruitment.zip!/2017/application-form-A-Smith.txt")["pii"] as? [String: Int])?["nino"] == 1)
    }
}

/// Workers are kept between items: a share of PDFs starts a worker per scanning thread, not per file, and a
/// worker that crashed on one file is replaced for the next.
@Suite struct WorkerPoolTests {
    func pdfs(_ n: Int) throws -> TempTree {
        let t = TempTree("pdfs")
        for i in 0..<n {
            // Each a different file (a comment after the end): a copy would take its original's reading, unread.
            try FileManager.default.copyItem(atPath: repositoryRoot + "/fixtures/formats/pdf/report.pdf", toPath: t.path("case-\(i).pdf"))
            try appendComment("case \(i)", to: t.path("case-\(i).pdf"))
            t.file("note-\(i).txt", "note \(i)\n")   // a different size each: the copies are not a duplicate-only tree
        }
        return t
    }

    func appendComment(_ text: String, to path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        try h.write(contentsOf: Data("% \(text)\n".utf8))
        try h.close()
    }

    func workers(_ log: String) -> Set<String> {
        Set(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasPrefix("start ") }.map(String.init))
    }

    @Test func aShareOfPDFsStartsAWorkerPerThreadNotPerFile() throws {
        let t = try pdfs(12)
        let work = TempTree()
        let log = work.path("workers.log")
        let scan = try runSweep(["scan", t.root, "--index", work.path("p.db"), "--jobs", "2", "--quiet"],
                                prefix: ["/usr/bin/env", "SWEEP_WORKER_LOG=\(log)"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let items = try runSweep(["export", "--index", work.path("p.db")]).jsonLines.filter { ($0["path"] as? String)?.hasSuffix(".pdf") == true }
        #expect(items.count == 12)
        #expect(items.allSatisfy { $0["error"] is NSNull && ($0["pii"] as? [String: Int])?["nino"] == 1 })
        let started = workers(log)
        #expect(!started.isEmpty && started.count <= 2, "\(started.count) workers for 12 PDFs")
    }

    @Test func aWorkerThatCrashedIsReplacedForTheNextFile() throws {
        let t = try pdfs(6)
        try FileManager.default.copyItem(atPath: repositoryRoot + "/fixtures/formats/pdf/report.pdf", toPath: t.path("bad.pdf"))
        try appendComment("bad", to: t.path("bad.pdf"))
        let work = TempTree()
        let log = work.path("workers.log")
        let scan = try runSweep(["scan", t.root, "--index", work.path("p.db"), "--jobs", "1", "--quiet"],
                                prefix: ["/usr/bin/env", "SWEEP_WORKER_LOG=\(log)", "SWEEP_WORKER_FAULT=crash", "SWEEP_WORKER_FAULT_ON=bad.pdf"])
        #expect(scan.status == 1)
        let items = try runSweep(["export", "--index", work.path("p.db")]).jsonLines.filter { ($0["path"] as? String)?.hasSuffix(".pdf") == true }
        let bad = try #require(items.first { ($0["path"] as? String)?.hasSuffix("/bad.pdf") == true })
        #expect((bad["error"] as? String)?.hasPrefix("corrupt") == true, "\(String(describing: bad["error"]))")
        let good = items.filter { ($0["path"] as? String)?.hasSuffix("/bad.pdf") == false }
        #expect(good.count == 6 && good.allSatisfy { $0["error"] is NSNull && ($0["pii"] as? [String: Int])?["nino"] == 1 })
        #expect(workers(log).count == 2, "one worker until the crash, one after")
    }
}

/// A real Outlook store (../shared/samples/mail/, which the project cannot commit) read through the worker: its
/// folders, messages and the items attached to them come back as they do in process.
@Suite struct IsolatedStoreTests {
    static let samples = repositoryRoot + "/../shared/samples/mail"
    static var present: Bool { FileManager.default.fileExists(atPath: samples + "/dist-list.pst") }

    @Test(.enabled(if: IsolatedStoreTests.present, "needs ../shared/samples/mail/dist-list.pst"))
    func aStoreReadInAWorkerKeepsItsNestedItems() throws {
        let t = TempTree("pst")
        try FileManager.default.copyItem(atPath: Self.samples + "/dist-list.pst", toPath: t.path("dist-list.pst"))
        let work = TempTree()
        let db = work.path("p.db")
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet"]).status == 0)
        let items = try runSweep(["export", "--index", db]).jsonLines
        let names = items.compactMap { ($0["path"] as? String)?.components(separatedBy: "dist-list.pst").last }.sorted()
        #expect(names == ["", "!/Calendar/1", "!/Calendar/1!/attachment-1", "!/Calendar/1!/attachment-2", "!/Contacts/1", "!/Contacts/2"])
        let contact = try #require(items.first { ($0["path"] as? String)?.hasSuffix("!/Contacts/2") == true })
        #expect((contact["pii"] as? [String: Int])?["email"] == 1)
        #expect(items.allSatisfy { $0["error"] is NSNull })
    }
}
