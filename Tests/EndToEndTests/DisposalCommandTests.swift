import Foundation
import GRDB
import TestSupport
import Testing

/// Holds, review decisions and recorded disposal, through the built binary.
@Suite struct DisposalCommandTests {
    func date(_ s: String) -> Date { ISO8601DateFormatter().date(from: s + "T12:00:00Z")! }

    static let schedule = """
        classes:
          - {id: HR-REC-02, retain: 6 months, action: destroy, when: {path: ["**/HR/Recruitment/**"]}}
          - {id: GOV-COM-01, retain: 1 year, action: transfer, when: {path: ["**/Committee/**"]}}
          - {id: CS-COMP-01, retain: 6 years, action: review, when: {path: ["**/Complaints/**"]}}
        default: {id: UNCLASSIFIED, retain: permanent, trigger: last_modified, action: review}
        """

    /// A scanned share: two recruitment files, committee minutes, a complaint; as-of 2026-01-01 all are due.
    func scanned() throws -> (share: TempTree, work: TempTree, db: String) {
        let share = TempTree("disposal-share")
        share.file("HR/Recruitment/2019/form.txt", "Application form, NINO JK123456C\n", modified: date("2019-06-14"))
        share.file("HR/Recruitment/2019/shortlist.txt", "Shortlist\n", modified: date("2019-06-10"))
        share.file("Committee/Minutes/cabinet.txt", "Minutes of Cabinet\n", modified: date("2020-01-01"))
        share.file("Customer Services/Complaints/c-117.txt", "Complaint 117\n", modified: date("2019-01-01"))
        let work = TempTree()
        work.file("rules/retention.yaml", Self.schedule)
        let db = work.path("sweep.db")
        let scan = try runSweep(["scan", share.root, "--index", db, "--rules", work.path("rules"), "--as-of", "2026-01-01", "--quiet"])
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        return (share, work, db)
    }

    func candidates(_ db: String, _ extra: [String] = []) throws -> [String: [String: Any]] {
        let run = try runSweep(["disposal", "list", "--index", db, "--format", "json"] + extra)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        return Dictionary(uniqueKeysWithValues: run.jsonLines.map { ($0["path"] as! String, $0) })
    }

    func logRows(_ db: String) throws -> [[String: Any]] {
        let run = try runSweep(["disposal", "log", "--index", db, "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        return run.jsonLines
    }

    /// A folder given as its whole path, with a trailing slash, is held as the path below its scan root; a path
    /// under no scanned root is refused, not stored to match nothing.
    @Test func aHoldOnAWholePathIsHeldBelowItsRoot() throws {
        let (share, work, db) = try scanned()
        defer { withExtendedLifetime(work) {} }
        let minutes = share.path("Committee/Minutes/cabinet.txt")
        #expect(try candidates(db)[minutes] != nil)
        let whole = try runSweep(["hold", "add", "--index", db, "--id", "FOI-9", "--reason", "FOI request", "--authority", "IG Team",
                                  "--path", share.path("Committee/Minutes") + "/"])
        #expect(whole.status == 0, "stderr: \(whole.stderr)")
        #expect(whole.stdout.contains("placed on Committee/Minutes "))
        #expect(try candidates(db)[minutes] == nil)
        let nowhere = try runSweep(["hold", "add", "--index", db, "--id", "X-1", "--reason", "r", "--authority", "a", "--path", "/nowhere/at/all"])
        #expect(nowhere.status == 2 && nowhere.stderr.contains("not below a folder this index has scanned"))
        // The same whole path picks disposal candidates by folder.
        let list = try runSweep(["disposal", "list", "--index", db, "--folder", share.path("HR"), "--format", "json"])
        #expect(list.status == 0 && !list.jsonLines.isEmpty && list.jsonLines.allSatisfy { ($0["path"] as! String).hasPrefix(share.path("HR/")) })
    }

    /// An approval given before a hold is void once the hold is released: the item is reviewed again, not
    /// destroyed on a decision taken before the reason for holding it was known.
    @Test func aDecisionTakenBeforeAHoldDoesNotOutliveIt() throws {
        let (share, work, db) = try scanned()
        defer { withExtendedLifetime(work) {} }
        let form = share.path("HR/Recruitment/2019/form.txt")
        let approve = try runSweep(["disposal", "decide", "--index", db, "--item", form, "--approve", "--reviewer", "R", "--reason", "batch"])
        #expect(approve.status == 0, "stderr: \(approve.stderr)")
        #expect(try candidates(db)[form]?["decision"] as? String == "approved")
        Thread.sleep(forTimeInterval: 1.1)   // decisions and holds are stamped to the second
        #expect(try runSweep(["hold", "add", "--index", db, "--id", "SAR-1", "--reason", "SAR", "--authority", "IG",
                              "--path", "**/Recruitment/**"]).status == 0)
        #expect(try runSweep(["hold", "release", "SAR-1", "--index", db, "--reason", "answered"]).status == 0)
        #expect(try candidates(db)[form]?["decision"] as? String == "pending")
        let execute = try runSweep(["disposal", "execute", "--index", db, "--quarantine", work.path("q"), "--authority", "IG"])
        #expect(FileManager.default.fileExists(atPath: form), "not destroyed on the old approval: \(execute.stdout)")
    }

    @Test func aHoldTakesEffectWithoutAScanAndItsReleaseIsRecorded() throws {
        let (share, work, db) = try scanned()
        defer { withExtendedLifetime(work) {} }
        let form = share.path("HR/Recruitment/2019/form.txt")
        #expect(try candidates(db)[form] != nil)

        let add = try runSweep(["hold", "add", "--index", db, "--id", "SAR-2026-07", "--reason", "Subject access request",
                                "--authority", "IG Team", "--path", "**/hr/RECRUITMENT/2019", "--review", "2026-06-30", "--by", "A Officer"])
        #expect(add.status == 0, "stderr: \(add.stderr)")
        // The glob names the folder, in other case: it covers everything below it.
        let after = try candidates(db)
        #expect(after[form] == nil)
        #expect(after[share.path("HR/Recruitment/2019/shortlist.txt")] == nil)
        #expect(after[share.path("Committee/Minutes/cabinet.txt")] != nil)

        let export = try runSweep(["export", "--index", db]).jsonLines
        let item = try #require(export.first { $0["path"] as? String == form })
        #expect(item["legal_hold"] as? Bool == true)
        #expect(item["disposal_candidate"] as? Bool == false)
        #expect(item["holds"] as? [String] == ["SAR-2026-07"])
        let other = try #require(export.first { $0["path"] as? String == share.path("Committee/Minutes/cabinet.txt") })
        #expect(other["legal_hold"] as? Bool == false && other["disposal_candidate"] as? Bool == true)

        // A held item is not decided either.
        let decide = try runSweep(["disposal", "decide", "--index", db, "--item", form, "--approve", "--reviewer", "R", "--reason", "x"])
        #expect(decide.status == 1)
        #expect(decide.stdout.contains("held: SAR-2026-07"))

        let dup = try runSweep(["hold", "add", "--index", db, "--id", "SAR-2026-07", "--reason", "r", "--authority", "a", "--path", "**/x"])
        #expect(dup.status == 2)

        let release = try runSweep(["hold", "release", "SAR-2026-07", "--index", db, "--reason", "Request answered", "--by", "B Officer"])
        #expect(release.status == 0, "stderr: \(release.stderr)")
        #expect(try candidates(db)[form] != nil)
        #expect(try runSweep(["hold", "list", "--index", db, "--format", "json"]).jsonLines.isEmpty)
        let all = try runSweep(["hold", "list", "--index", db, "--all", "--format", "json"]).jsonLines
        #expect(all.count == 1)
        #expect(all.first?["state"] as? String == "released")
        #expect(all.first?["released_by"] as? String == "B Officer")
        #expect(all.first?["release_reason"] as? String == "Request answered")
        #expect(all.first?["review"] as? String == "2026-06-30")
        #expect(try runSweep(["hold", "release", "SAR-2026-07", "--index", db, "--reason", "again"]).status == 2)

        let log = try logRows(db)
        #expect(log.map { $0["action"] as? String } == ["hold", "hold-release"])
        #expect(log.last?["reviewer"] as? String == "B Officer")
    }

    @Test func theDuplicateQuarantineRefusesAnItemHeldFromTheCommandLine() throws {
        let share = TempTree("disposal-dupes")
        share.file("Records/minutes.txt", "Minutes of the Licensing Committee\n", modified: date("2020-01-01"))
        share.file("Licensing/minutes copy.txt", "Minutes of the Licensing Committee\n")
        let work = TempTree()
        let db = work.path("sweep.db")
        #expect(try runSweep(["scan", share.root, "--index", db, "--quiet"]).status == 0)
        #expect(try runSweep(["hold", "add", "--index", db, "--id", "LIT-1", "--reason", "Litigation", "--authority", "Legal",
                              "--path", "**/Licensing/**"]).status == 0)
        let run = try runSweep(["dupes", "quarantine", "--index", db, "--to", work.path("q")])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("held: LIT-1"))
        #expect(run.stdout.contains("0 moved"))
        #expect(FileManager.default.fileExists(atPath: share.path("Licensing/minutes copy.txt")))
    }

    @Test func approvedItemsAreDestroyedIntoTheQuarantineAndAChangedOneIsRefused() throws {
        let (share, work, db) = try scanned()
        defer { withExtendedLifetime(work) {} }
        let form = share.path("HR/Recruitment/2019/form.txt"), shortlist = share.path("HR/Recruitment/2019/shortlist.txt")
        // Reviewer and reason are required.
        #expect(try runSweep(["disposal", "decide", "--index", db, "--class", "HR-REC-02", "--approve", "--reason", "x"]).status == 2)
        let decide = try runSweep(["disposal", "decide", "--index", db, "--class", "HR-REC-02", "--approve",
                                   "--reviewer", "J Smith", "--reason", "Schedule HR-REC-02"])
        #expect(decide.status == 0, "stderr: \(decide.stderr)")
        #expect(decide.stdout.contains("2 approved, 0 refused"))
        let listed = try candidates(db, ["--decision", "approved"])
        #expect(Set(listed.keys) == [form, shortlist])
        #expect(listed[form]?["reviewer"] as? String == "J Smith")
        #expect(try candidates(db, ["--decision", "pending"])[form] == nil)

        // The shortlist changes after approval (same size, so only the time and the bytes tell).
        share.file("HR/Recruitment/2019/shortlist.txt", "Shortlisx\n", modified: date("2019-06-11"))
        let q = work.path("quarantine")
        let run = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", q])
        #expect(run.status == 1, "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect(run.stdout.contains("refused   \(shortlist): changed on disk since it was approved"))
        #expect(run.stdout.contains("1 carried out, 1 refused"))
        #expect(!FileManager.default.fileExists(atPath: form))
        #expect(FileManager.default.fileExists(atPath: q + form))   // the quarantine mirrors the path
        #expect(FileManager.default.fileExists(atPath: shortlist))

        // After a scan the changed item is pending again; the destroyed one is no longer listed.
        #expect(try runSweep(["scan", share.root, "--index", db, "--rules", work.path("rules"), "--as-of", "2026-01-01", "--quiet"]).status == 0)
        let again = try candidates(db)
        #expect(again[shortlist]?["decision"] as? String == "pending")
        #expect(again[form] == nil)

        var log = try logRows(db)
        #expect(log.count == 1)
        #expect(log[0]["action"] as? String == "destroy" && log[0]["path"] as? String == form)
        #expect(log[0]["class"] as? String == "HR-REC-02" && log[0]["reviewer"] as? String == "J Smith")
        #expect((log[0]["sha256"] as? String)?.count == 64)
        #expect((log[0]["authority"] as? String)?.contains("HR-REC-02") == true)

        // Within the grace period nothing is purged; after it, the copy goes and the purge is logged.
        let early = try runSweep(["disposal", "purge", "--index", db])
        #expect(early.status == 0 && early.stdout.contains("0 purged"))
        #expect(FileManager.default.fileExists(atPath: q + form))
        let purge = try runSweep(["disposal", "purge", "--index", db, "--quarantine", q, "--as-of", "2099-01-01"])
        #expect(purge.status == 0, "stdout: \(purge.stdout)")
        #expect(purge.stdout.contains("1 purged"))
        #expect(!FileManager.default.fileExists(atPath: q + form))
        log = try logRows(db)
        #expect(log.map { $0["action"] as? String } == ["destroy", "purge"])
        #expect(log[1]["reviewer"] as? String == "J Smith" && log[1]["sha256"] as? String == log[0]["sha256"] as? String)
        #expect(try runSweep(["disposal", "verify-log", "--index", db]).stdout.contains("intact: 2 rows"))
    }

    @Test func extensionsRejectionsAndReviewsAreKeptAsDecided() throws {
        let (share, work, db) = try scanned()
        defer { withExtendedLifetime(work) {} }
        let complaint = share.path("Customer Services/Complaints/c-117.txt")
        let form = share.path("HR/Recruitment/2019/form.txt")
        // Disposal date 2025-01-01; two more years puts it after the as-of date.
        let ext = try runSweep(["disposal", "decide", "--index", db, "--item", complaint, "--extend", "2 years", "--reviewer", "K",
                                "--reason", "Ombudsman review"])
        #expect(ext.status == 0, "stdout: \(ext.stdout) stderr: \(ext.stderr)")
        #expect(try candidates(db)[complaint] == nil)
        let later = try candidates(db, ["--as-of", "2027-01-01"])[complaint]
        #expect(later?["decision"] as? String == "extended" && later?["disposal_date"] as? String == "2027-01-01")
        // The export agrees: the extended date, and not a candidate before it.
        let exported = try runSweep(["export", "--index", db]).jsonLines.first { $0["path"] as? String == complaint }
        #expect((exported?["retention"] as? [String: Any])?["disposal_date"] as? String == "2027-01-01")
        #expect(exported?["disposal_candidate"] as? Bool == false)
        let afterwards = try runSweep(["export", "--index", db, "--as-of", "2027-01-01"]).jsonLines.first { $0["path"] as? String == complaint }
        #expect(afterwards?["disposal_candidate"] as? Bool == true)
        #expect(try runSweep(["disposal", "decide", "--index", db, "--item", complaint, "--extend", "six years", "--reviewer", "K",
                              "--reason", "x"]).status == 2)

        // The latest decision wins: approve, then reject.
        #expect(try runSweep(["disposal", "decide", "--index", db, "--item", form, "--approve", "--reviewer", "K", "--reason", "a"]).status == 0)
        #expect(try runSweep(["disposal", "decide", "--index", db, "--item", form, "--reject", "--reviewer", "L", "--reason", "b"]).status == 0)
        #expect(try candidates(db)[form]?["decision"] as? String == "rejected")

        // A review-class item approved: nothing moves, the act is logged; a second run does not repeat it.
        #expect(try runSweep(["disposal", "decide", "--index", db, "--item", complaint, "--approve", "--reviewer", "K",
                              "--reason", "done"]).status == 0)
        let run = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01"])
        #expect(run.status == 0, "stdout: \(run.stdout)")
        #expect(run.stdout.contains("review    \(complaint)"))
        #expect(FileManager.default.fileExists(atPath: complaint) && FileManager.default.fileExists(atPath: form))
        #expect(try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01"]).stdout.contains("0 carried out, 0 refused"))
        #expect(try logRows(db).map { $0["action"] as? String } == ["review"])
    }

    @Test func anItemInsideAContainerIsRefused() throws {
        let share = TempTree("disposal-nested")
        let zip = share.path("HR/Recruitment/2019/pack.zip")
        try FileManager.default.createDirectory(atPath: share.path("HR/Recruitment/2019"), withIntermediateDirectories: true)
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        py.arguments = ["python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('cv.txt','Curriculum vitae\\n'); z.close()", zip]
        try py.run(); py.waitUntilExit()
        try FileManager.default.setAttributes([.modificationDate: date("2019-06-14")], ofItemAtPath: zip)
        let work = TempTree()
        work.file("rules/retention.yaml", Self.schedule)
        // Containers are opened when there is text to read for detection: the shipped detection rules.
        for name in ["personal-data.yaml", "special-category.yaml", "markings.yaml"] {
            try FileManager.default.copyItem(atPath: repositoryRoot + "/rules/" + name, toPath: work.path("rules/" + name))
        }
        let db = work.path("sweep.db")
        defer { withExtendedLifetime((share, work)) {} }
        #expect(try runSweep(["scan", share.root, "--index", db, "--rules", work.path("rules"), "--as-of", "2026-01-01", "--quiet"]).status == 0)
        let member = zip + "!/cv.txt"
        #expect(try runSweep(["disposal", "decide", "--index", db, "--item", member, "--approve", "--reviewer", "K", "--reason", "r"]).status == 0)
        let run = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", work.path("q")])
        #expect(run.status == 1)
        #expect(run.stdout.contains("refused   \(member): inside a container: act on the container"))
        #expect(FileManager.default.fileExists(atPath: zip))
    }

    @Test func aTransferMakesABagThatValidates() throws {
        let (share, work, db) = try scanned()
        let minutes = share.path("Committee/Minutes/cabinet.txt")
        #expect(try runSweep(["disposal", "decide", "--index", db, "--class", "GOV-COM-01", "--approve", "--reviewer", "J Smith",
                              "--reason", "Archive accession 2026/4"]).status == 0)
        let archive = work.path("archive")
        let run = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--archive", archive,
                                "--organization", "Example Borough Council", "--authority", "Head of Records"])
        #expect(run.status == 0, "stdout: \(run.stdout) stderr: \(run.stderr)")
        let bags = try FileManager.default.contentsOfDirectory(atPath: archive).filter { !$0.hasPrefix(".") }
        #expect(bags.count == 1)
        let bag = archive + "/" + (bags.first ?? "")
        #expect(bags.first?.hasPrefix("GOV-COM-01-") == true)
        #expect(FileManager.default.contents(atPath: bag + "/data" + minutes) == Data("Minutes of Cabinet\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: minutes))   // removed once the copy was checked
        let info = String(decoding: FileManager.default.contents(atPath: bag + "/bag-info.txt") ?? Data(), as: UTF8.self)
        #expect(info.contains("Source-Organization: Example Borough Council"))
        #expect(info.contains("Payload-Oxum: \("Minutes of Cabinet\n".utf8.count).1"))
        #expect(info.contains("GOV-COM-01") && info.contains("Head of Records") && info.contains("J Smith"))
        #expect(try logRows(db).first?["action"] as? String == "transfer")

        // Validate with the Library of Congress `bagit` package, installed into a venv here.
        let venv = work.path("venv")
        func sh(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = args
            let pipe = Pipe()
            p.standardOutput = pipe; p.standardError = pipe
            try p.run()
            let out = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: out, as: UTF8.self))
        }
        let made = try sh(["python3", "-m", "venv", venv])
        try #require(made.0 == 0, "python3 -m venv failed: \(made.1)")
        let pip = try sh([venv + "/bin/pip", "install", "-q", "bagit"])
        try #require(pip.0 == 0, "could not install the Python bagit package from PyPI (needed to validate the bag): \(pip.1)")
        let check = try sh([venv + "/bin/python", "-c", "import bagit,sys; bagit.Bag(sys.argv[1]).validate(); print('valid')", bag])
        #expect(check.0 == 0 && check.1.contains("valid"), "bagit: \(check.1)")
    }

    @Test func anEditedOrForgedLogRowIsFound() throws {
        let (share, work, db) = try scanned()
        defer { withExtendedLifetime((share, work)) {} }
        for id in ["H-1", "H-2", "H-3"] {
            #expect(try runSweep(["hold", "add", "--index", db, "--id", id, "--reason", "r", "--authority", "a", "--path", "**/x/**"]).status == 0)
        }
        let ok = try runSweep(["disposal", "verify-log", "--index", db])
        #expect(ok.status == 0 && ok.stdout.contains("intact: 3 rows"))

        let queue = try DatabaseQueue(path: db)
        // The triggers refuse edits and deletions.
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "UPDATE disposal_log SET path = 'x' WHERE seq = 2") } }
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "DELETE FROM disposal_log WHERE seq = 3") } }

        // Past them, an edit shows.
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER disposal_log_no_update")
            try db.execute(sql: "UPDATE disposal_log SET reviewer = 'someone else' WHERE seq = 2")
        }
        let edited = try runSweep(["disposal", "verify-log", "--index", db])
        #expect(edited.status == 1)
        #expect(edited.stdout.contains("BROKEN at row 2"))
        try queue.close()
    }

    @Test func aForgedOrRemovedLastRowIsFound() throws {
        let (share, work, db) = try scanned()
        defer { withExtendedLifetime((share, work)) {} }
        for id in ["H-1", "H-2"] {
            #expect(try runSweep(["hold", "add", "--index", db, "--id", id, "--reason", "r", "--authority", "a", "--path", "**/x/**"]).status == 0)
        }
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            let prev = try String.fetchOne(db, sql: "SELECT hash FROM disposal_log WHERE seq = 2")!
            try db.execute(sql: """
                INSERT INTO disposal_log (seq, path, action, act_date, prev_hash, hash)
                VALUES (3, '/s/HR/forged.txt', 'destroy', '2026-01-01T00:00:00Z', ?, ?)
                """, arguments: [prev, String(repeating: "a", count: 64)])
        }
        let forged = try runSweep(["disposal", "verify-log", "--index", db])
        #expect(forged.status == 1 && forged.stdout.contains("BROKEN at row 3"), "\(forged.stdout)")
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER disposal_log_no_delete")
            try db.execute(sql: "DELETE FROM disposal_log WHERE seq = 3")
        }
        // The forged row is gone, the chain is whole again: the sequence still shows a row went.
        let removed = try runSweep(["disposal", "verify-log", "--index", db])
        #expect(removed.status == 1 && removed.stdout.contains("row 3 is missing"), "\(removed.stdout)")
        try queue.close()
    }

    /// Deleting the newest rows and resetting the sequence leaves a whole chain: the heads noted outside the
    /// index, and a head noted by hand, still show it.
    @Test func aTruncatedLogIsFoundByItsNotedHeads() throws {
        let (share, work, db) = try scanned()
        defer { withExtendedLifetime((share, work)) {} }
        for id in ["H-1", "H-2", "H-3"] {
            #expect(try runSweep(["hold", "add", "--index", db, "--id", id, "--reason", "r", "--authority", "a", "--path", "**/x/**"]).status == 0)
        }
        let ok = try runSweep(["disposal", "verify-log", "--index", db])
        #expect(ok.status == 0)
        let head = try #require(ok.stdout.firstMatch(of: /head ([0-9a-f]{64})/)?.1).description
        #expect(try runSweep(["disposal", "verify-log", "--index", db, "--head", head]).status == 0)
        #expect(FileManager.default.fileExists(atPath: db + ".log-heads"))

        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER disposal_log_no_delete")
            try db.execute(sql: "DELETE FROM disposal_log WHERE seq = 3")
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = 2 WHERE name = 'disposal_log'")
        }
        try queue.close()
        let truncated = try runSweep(["disposal", "verify-log", "--index", db])
        #expect(truncated.status == 1 && truncated.stdout.contains("row 3"), "\(truncated.stdout)")
        // Without the file beside the index, the head noted by hand still shows it.
        try FileManager.default.removeItem(atPath: db + ".log-heads")
        #expect(try runSweep(["disposal", "verify-log", "--index", db]).status == 0)   // the chain alone is whole
        let byHand = try runSweep(["disposal", "verify-log", "--index", db, "--head", head])
        #expect(byHand.status == 1 && byHand.stdout.contains("is not in the log"), "\(byHand.stdout)")
    }
}

@Suite struct ImportScheduleCommandTests {
    @Test func aGoodSpreadsheetIsWrittenAndScansABadOneWritesNothing() throws {
        let work = TempTree()
        work.file("good.csv", "id,title,retain,trigger,action,path\r\nHR-REC-02,Unsuccessful applicants,6 months,last_modified,destroy,**/HR/Recruitment/**\r\n")
        work.file("bad.csv", "id,retain,action,path\nHR-REC-02,6 moons,destroy,**/HR/**\n")
        let out = work.path("rules/retention.yaml")
        try FileManager.default.createDirectory(atPath: work.path("rules"), withIntermediateDirectories: true)
        let bad = try runSweep(["rules", "import-schedule", work.path("bad.csv"), "--out", out])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("row 2, retain: '6 moons' is not a period: use N days|weeks|months|years or permanent"))
        #expect(!FileManager.default.fileExists(atPath: out))

        let good = try runSweep(["rules", "import-schedule", work.path("good.csv"), "--out", out])
        #expect(good.status == 0, "stderr: \(good.stderr)")
        #expect(good.stdout.contains("1 classes"))
        // The scan loads it and classifies by it.
        let share = TempTree("import-share")
        share.file("HR/Recruitment/cv.txt", "CV\n", modified: ISO8601DateFormatter().date(from: "2019-06-14T12:00:00Z")!)
        let db = work.path("sweep.db")
        #expect(try runSweep(["scan", share.root, "--index", db, "--rules", work.path("rules"), "--as-of", "2026-01-01", "--quiet"]).status == 0)
        let item = try runSweep(["export", "--index", db]).jsonLines.first
        #expect((item?["retention"] as? [String: Any])?["class"] as? String == "HR-REC-02")
        #expect((item?["retention"] as? [String: Any])?["disposal_date"] as? String == "2019-12-14")
    }
}

/// Names that look alike must never be decided on one another: a decision lands on the item whose shown path
/// was typed, byte for byte, and a name cannot draw rows of its own in a table.
@Suite struct LookAlikeNameTests {
    @Test func aDecisionLandsOnTheItemWhosePathWasTyped() throws {
        let share = TempTree("lookalike-share")
        share.folder("HR/Recruitment")
        let raw = share.rawNamedFile(folder: "HR/Recruitment", name: Array("a".utf8) + [0xFF] + Array(".txt".utf8), "raw")
        let old = Date(timeIntervalSince1970: 1_560_000_000)
        share.file("HR/Recruitment/a\\xFF.txt", "literal", modified: old)
        share.file("HR/Recruitment/x\nAPPROVED  2019-01-01.txt", "two lines", modified: old)
        let t = timeval(tv_sec: Int(old.timeIntervalSince1970), tv_usec: 0)
        #expect(utimes(raw.bytes.map { CChar(bitPattern: $0) } + [0], [t, t]) == 0)
        let work = TempTree()
        work.file("rules/retention.yaml", DisposalCommandTests.schedule)
        let db = work.path("sweep.db")
        #expect(try runSweep(["scan", share.root, "--index", db, "--rules", work.path("rules"), "--as-of", "2026-01-01", "--quiet"]).status == 0)
        let list = try runSweep(["disposal", "list", "--index", db, "--format", "json"]).jsonLines.compactMap { $0["path"] as? String }
        let rawShown = share.root + "/HR/Recruitment/a\\xFF.txt", literalShown = share.root + "/HR/Recruitment/a\\x5CxFF.txt"
        #expect(Set(list).isSuperset(of: [rawShown, literalShown]), "\(list)")
        // The literal name decided by its shown form: only it is approved.
        let d = try runSweep(["disposal", "decide", "--index", db, "--item", literalShown, "--approve", "--reviewer", "R", "--reason", "x"])
        #expect(d.status == 0, "\(d.stderr)")
        let rows = Dictionary(uniqueKeysWithValues: try runSweep(["disposal", "list", "--index", db, "--format", "json"]).jsonLines
            .map { ($0["path"] as! String, $0["decision"] as? String) })
        #expect(rows[literalShown] == "approved" && rows[rawShown] == "pending")
        // Typed as the raw one shows, the text also names the literal file: refused, both named, nothing recorded.
        let ambiguous = try runSweep(["disposal", "decide", "--index", db, "--item", rawShown, "--reject", "--reviewer", "R", "--reason", "x"])
        #expect(ambiguous.status != 0)
        #expect(ambiguous.stderr.contains("names more than one item") && ambiguous.stderr.contains(literalShown), "\(ambiguous.stderr)")
        // A name with a line break stays on its row in the table.
        let table = try runSweep(["disposal", "list", "--index", db]).stdout
        #expect(table.contains("x\\x0AAPPROVED"))
        #expect(!table.split(separator: "\n").contains { $0.hasPrefix("APPROVED") })
    }
}

/// Disposal against someone who can write in the share's folders or the quarantine: a link placed in the middle
/// of a path never sends a move or a deletion anywhere else.
@Suite struct DisposalLinkTests {
    let d = DisposalCommandTests()

    func approved() throws -> (TempTree, TempTree, String, String) {
        let (share, work, db) = try d.scanned()
        let form = share.path("HR/Recruitment/2019/form.txt")
        let decide = try runSweep(["disposal", "decide", "--index", db, "--item", form, "--approve", "--reviewer", "J Smith", "--reason", "HR-REC-02"])
        #expect(decide.status == 0, "\(decide.stderr)")
        return (share, work, db, form)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to act as a second, unprivileged user"))
    func aFolderSwappedByAnotherUserForALinkIsRefused() throws {
        let (share, work, db, form) = try approved()
        // The recruitment folder is one the other user may write in (as a shared folder is).
        for folder in [share.root, share.path("HR")] { #expect(chmod(folder, 0o755) == 0) }
        #expect(chown(share.path("HR/Recruitment"), 65534, 65534) == 0)
        // As that user: the approved file's folder moves away and a link to a folder of theirs, holding a file of
        // the same name and the same bytes, takes its place.
        let elsewhere = work.path("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        #expect(chown(elsewhere, 65534, 65534) == 0)
        #expect(chmod(work.root, 0o755) == 0)
        let quoted = AnotherUser.quoted
        let swapped = try AnotherUser.run("cp \(quoted(form)) \(quoted(elsewhere + "/form.txt")) && mv \(quoted(share.path("HR/Recruitment/2019"))) "
                                        + "\(quoted(share.path("HR/Recruitment/2019-moved"))) && ln -s \(quoted(elsewhere)) \(quoted(share.path("HR/Recruitment/2019")))")
        #expect(swapped == 0, "the other user could not make the swap")
        let run = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", work.path("q")])
        #expect(run.status == 1)
        #expect(run.stdout.contains("refused") && run.stdout.contains("symbolic link"), "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/form.txt"))
        #expect(FileManager.default.fileExists(atPath: share.path("HR/Recruitment/2019-moved/form.txt")))
        #expect(try d.logRows(db).isEmpty)
    }

    @Test func aLinkPlantedInTheQuarantineSendsNothingThere() throws {
        let (share, work, db, form) = try approved()
        let q = work.path("q")
        // Someone makes the quarantine's mirror of the share's folder a link to a folder they control.
        // (As the other user, when the tests run as root: a quarantine on a volume others can write in.)
        let theirs = work.path("theirs")
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: true)
        let mirror = q + share.path("HR")
        let above = (mirror as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: above, withIntermediateDirectories: true)
        AnotherUser.share([above, theirs], through: AnotherUser.ancestors(of: above) + AnotherUser.ancestors(of: theirs))
        #expect(try AnotherUser.run("ln -s \(AnotherUser.quoted(theirs)) \(AnotherUser.quoted(mirror))") == 0)
        let run = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", q])
        #expect(run.status == 1, "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: form), "the original stays")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: theirs).isEmpty, "nothing went into their folder")
    }

    @Test func purgeFollowsNoLinkOutOfTheQuarantine() throws {
        let (share, work, db, form) = try approved()
        let q = work.path("q")
        let run = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", q])
        #expect(run.status == 0, "\(run.stdout)")
        let stored = q + form
        // The quarantined copy's folder is swapped for a link to a live folder holding the same bytes under the
        // same name.
        // (As the other user, when the tests run as root: the live folder and the quarantine's folder are theirs.)
        let live = work.path("live")
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: stored, toPath: live + "/form.txt")
        let folder = (stored as NSString).deletingLastPathComponent
        let above = (folder as NSString).deletingLastPathComponent
        AnotherUser.share([above, folder, live], through: AnotherUser.ancestors(of: above) + AnotherUser.ancestors(of: live))
        let sh = AnotherUser.quoted
        #expect(try AnotherUser.run("mv \(sh(folder)) \(sh(folder + "-was")) && ln -s \(sh(live)) \(sh(folder))") == 0)
        let purge = try runSweep(["disposal", "purge", "--index", db, "--quarantine", q, "--as-of", "2099-01-01"])
        #expect(purge.status == 1, "\(purge.stdout)")
        #expect(FileManager.default.fileExists(atPath: live + "/form.txt"), "the live file is not deleted")
        #expect(try d.logRows(db).map { $0["action"] as? String } == ["destroy"])
        withExtendedLifetime(share) {}
    }
}

/// A destroy killed at any step is finished or undone by the next run: the original ends up either in place or
/// in the quarantine with exactly one quarantine row, one log row and one manifest line, and never refused forever.
@Suite struct DisposalCrashTests {
    let d = DisposalCommandTests()

    func crashAndRecover(at step: String, quarantine: (TempTree) -> String) throws {
        let (share, work, db) = try d.scanned()
        defer { withExtendedLifetime(share) {} }
        let form = share.path("HR/Recruitment/2019/form.txt")
        #expect(try runSweep(["disposal", "decide", "--index", db, "--item", form, "--approve", "--reviewer", "J Smith", "--reason", "x"]).status == 0)
        let q = quarantine(work)
        defer { try? FileManager.default.removeItem(atPath: q) }
        let killed = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", q],
                                  prefix: ["/usr/bin/env", "SWEEP_TEST_CRASH_AT=\(step)"])
        #expect(killed.status != 0, "\(step): the run was not cut short")
        let again = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", q])
        #expect(again.status == 0, "\(step): \(again.stdout) \(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: form), "\(step): the original is destroyed")
        #expect(FileManager.default.fileExists(atPath: q + form), "\(step): its copy is in the quarantine")
        let log = try d.logRows(db)
        #expect(log.filter { $0["action"] as? String == "destroy" }.count == 1, "\(step): \(log)")
        let manifest = try String(contentsOfFile: q + "/manifest.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(manifest.count == 1, "\(step): \(manifest)")
        #expect(try runSweep(["disposal", "verify-log", "--index", db]).status == 0)
        // A third run has nothing left to do.
        let third = try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", q])
        #expect(third.status == 0 && third.stdout.contains("0 carried out, 0 refused"), "\(step): \(third.stdout)")
        #expect(try d.logRows(db).count == log.count)
    }

    @Test(arguments: ["before-move", "after-move", "after-record", "after-log"])
    func onOneFileSystem(step: String) throws {
        try crashAndRecover(at: step) { $0.path("q") }
    }

    @Test func aPurgeKilledAfterTheDeletionIsRecordedByTheNext() throws {
        let (share, work, db) = try d.scanned()
        defer { withExtendedLifetime(share) {} }
        let form = share.path("HR/Recruitment/2019/form.txt")
        #expect(try runSweep(["disposal", "decide", "--index", db, "--item", form, "--approve", "--reviewer", "J Smith", "--reason", "x"]).status == 0)
        let q = work.path("q")
        #expect(try runSweep(["disposal", "execute", "--index", db, "--as-of", "2026-01-01", "--quarantine", q]).status == 0)
        let killed = try runSweep(["disposal", "purge", "--index", db, "--as-of", "2099-01-01"], prefix: ["/usr/bin/env", "SWEEP_TEST_CRASH_AT=after-delete"])
        #expect(killed.status != 0)
        #expect(!FileManager.default.fileExists(atPath: q + form))
        let again = try runSweep(["disposal", "purge", "--index", db, "--as-of", "2099-01-01"])
        #expect(again.status == 0 && again.stdout.contains("finished after an interrupted purge"), "\(again.stdout)")
        #expect(try d.logRows(db).map { $0["action"] as? String } == ["destroy", "purge"])
        #expect(try runSweep(["disposal", "verify-log", "--index", db]).status == 0)
        let third = try runSweep(["disposal", "purge", "--index", db, "--as-of", "2099-01-01"])
        #expect(third.status == 0 && third.stdout.contains("0 purged"), "\(third.stdout)")
    }

    /// Across file systems the copy is written first: a kill in the middle leaves a partial copy that the next
    /// run removes before it starts again. Needs /dev/shm on a file system of its own (it is, on Linux).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/shm"), "needs /dev/shm"),
          arguments: ["during-copy", "after-move", "after-log"])
    func acrossFileSystems(step: String) throws {
        try crashAndRecover(at: step) { _ in "/dev/shm/sweep-q-\(getpid())-\(step)" }
    }
}
