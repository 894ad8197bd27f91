import Foundation
import GRDB
import TestSupport
import Testing

/// Mail exports and archives from fixtures/make-nested.py, scanned by the built sweep: nested items in the
/// export, their duplicate identity, their limits, and what happens to them when their file changes or goes.
@Suite struct NestedItemsTests {
    func makeShare() throws -> TempTree {
        let share = TempTree("nested-share")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["python3", repositoryRoot + "/fixtures/make-nested.py", share.root]
        try make.run(); make.waitUntilExit()
        try #require(make.terminationStatus == 0)
        return share
    }

    func export(_ db: String, under root: String) throws -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: try runSweep(["export", "--index", db]).jsonLines.map {
            (String(($0["path"] as! String).dropFirst(root.count + 1)), $0)
        })
    }

    @Test func membersMessagesAndAttachmentsAreItemsOfTheirOwn() throws {
        let share = try makeShare()
        let work = TempTree()
        let db = work.path("sweep.db")
        let scan = try runSweep(["scan", share.root, "--index", db, "--rules", repositoryRoot + "/rules", "--quiet"])
        #expect(scan.status == 1, "the bomb, the locked member, the truncated zip and the deep zip are item errors: \(scan.stderr)")
        let items = try export(db, under: share.root)
        func error(_ k: String) -> String? { items[k]?["error"] as? String }
        func pii(_ k: String) -> [String: Int] { items[k]?["pii"] as? [String: Int] ?? [:] }
        func group(_ k: String) -> String? { items[k]?["dup_group"] as? String }

        // Mail: the message, its attachments and a forwarded message with its own attachment.
        #expect(items["mail/case.eml"]?["markings"] as? [String] == ["OFFICIAL-SENSITIVE"])   // [..] subject prefix
        #expect(pii("mail/case.eml")["nhs_number"] == 1)
        #expect(pii("mail/case.eml!/notes.txt")["nino"] == 1)
        #expect(items["mail/case.eml!/notes.txt"]?["type"] as? String == "text/plain")
        #expect(items["mail/case.eml!/notes.txt"]?["modified"] as? String == "2022-03-15T09:12:44Z")   // its message's date
        #expect(items["mail/case.eml!/message.eml!/minutes.txt"] != nil)
        #expect(items["mail/case.eml!/résumé.csv"] != nil)
        // mbox messages by position, with the message date as modified.
        #expect(["1", "2", "3", "4"].allSatisfy { items["mail/box.mbox!/\($0)"]?["type"] as? String == "message/rfc822" })
        #expect(items["mail/box.mbox!/5"] == nil)
        #expect(items["mail/box.mbox!/2"]?["modified"] as? String == "2016-06-01T10:02:00Z")
        #expect(items["mail/box.mbox!/4!/notes.txt"] != nil)

        // Archives: members by their path inside, recursively; a single compressed file by its inner name.
        #expect(pii("archives/bundle.zip!/HR/2019/notes.txt")["nino"] == 1)
        #expect(items["archives/bundle.zip!/HR/2019/notes.txt"]?["modified"] as? String == "2019-05-17T12:00:00Z")
        #expect(items["archives/bundle.zip!/HR/letter.html"]?["markings"] as? [String] == ["OFFICIAL"])
        #expect(items["archives/bundle.zip!/inner.zip!/forwarded/case.eml!/notes.txt"] != nil)
        #expect(items["archives/old.tar.gz!/notes.txt"] != nil)
        #expect(items["archives/report.txt.gz!/report.txt"]?["markings"] as? [String] == ["OFFICIAL"])

        // One content identity: the same bytes in an email, an mbox, a zip and a tar share one duplicate group.
        let notes = group("mail/case.eml!/notes.txt")
        #expect(notes != nil)
        for k in ["mail/box.mbox!/4!/notes.txt", "archives/bundle.zip!/HR/2019/notes.txt", "archives/old.tar.gz!/notes.txt",
                  "archives/bundle.zip!/inner.zip!/forwarded/case.eml!/notes.txt"] {
            #expect(group(k) == notes, "\(k)")
        }
        #expect(group("mail/case.eml") != nil)
        #expect(group("mail/case.eml") == group("mail/box.mbox!/4"))
        #expect(group("mail/case.eml") == group("archives/bundle.zip!/inner.zip!/forwarded/case.eml"))
        // The copy kept is the file on disk, whatever the dates: a member cannot stand alone.
        let dupes = try runSweep(["dupes", "--index", db, "--format", "json"])
        let sets = (try JSONSerialization.jsonObject(with: Data(dupes.stdout.utf8)) as? [String: Any])?["groups"] as? [[String: Any]] ?? []
        let eml = sets.first { ($0["members"] as? [[String: Any]])?.contains { ($0["path"] as? String)?.hasSuffix("mail/case.eml") == true } == true }
        #expect((eml?["keep"] as? String)?.hasSuffix("/mail/case.eml") == true)
        #expect(eml?["keep_reason"] as? String == "the only copy on disk (the others are inside containers)")

        // Defences.
        #expect(error("archives/bomb.zip")?.hasPrefix("limit hit") == true)
        #expect(error("archives/locked.zip!/salary.txt")?.hasPrefix("encrypted") == true)
        #expect(pii("archives/locked.zip!/salary.txt").isEmpty)
        #expect(error("archives/truncated.zip")?.hasPrefix("corrupt") == true)
        let deep = items.keys.filter { $0.hasPrefix("archives/deep.zip!/") }
        #expect(deep.map { $0.components(separatedBy: "!/").count - 1 }.max() == 8)
        #expect(deep.contains { error($0)?.hasPrefix("limit hit: nested more than 8 deep") == true })

        // Stored under their parents in the index.
        let dbq = try DatabaseQueue(path: db)
        let orphans = try dbq.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM item WHERE display_path LIKE '%!/%' AND (parent_id IS NULL OR top_id IS NULL)")
        }
        #expect(orphans == 0)
        let parent = try dbq.read { db in
            try String.fetchOne(db, sql: """
                SELECT p.display_path FROM item c JOIN item p ON p.id = c.parent_id WHERE c.display_path LIKE '%/case.eml!/message.eml!/minutes.txt'
                """)
        }
        #expect(parent?.hasSuffix("mail/case.eml!/message.eml") == true)
    }

    @Test func aChangedOrDeletedContainerTakesItsOldItemsAlong() throws {
        let share = try makeShare()
        let work = TempTree()
        let db = work.path("sweep.db")
        _ = try runSweep(["scan", share.root, "--index", db, "--rules", repositoryRoot + "/rules", "--quiet"])
        // Unchanged: the nested items stay as they were.
        let before = try export(db, under: share.root).keys.filter { $0.contains("!/") }.count
        _ = try runSweep(["scan", share.root, "--index", db, "--rules", repositoryRoot + "/rules", "--quiet"])
        #expect(try export(db, under: share.root).keys.filter { $0.contains("!/") }.count == before)

        // bundle.zip rewritten with one member: its other members go; box.mbox deleted: its messages go.
        share.remove("archives/bundle.zip")
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        zip.arguments = ["python3", "-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.writestr('only.txt','just this'); z.close()",
                         share.path("archives/bundle.zip")]
        try zip.run(); zip.waitUntilExit()
        share.remove("mail/box.mbox")
        _ = try runSweep(["scan", share.root, "--index", db, "--rules", repositoryRoot + "/rules", "--quiet"])
        let after = try export(db, under: share.root)
        #expect(after["archives/bundle.zip!/only.txt"] != nil)
        #expect(after.keys.filter { $0.hasPrefix("archives/bundle.zip!/") } == ["archives/bundle.zip!/only.txt"])
        #expect(!after.keys.contains { $0.hasPrefix("mail/box.mbox") })
        #expect(after["mail/case.eml!/notes.txt"] != nil)
    }
}
