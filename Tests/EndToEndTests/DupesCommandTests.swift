import Foundation
import TestSupport
import Testing

/// `sweep dupes` and the export's dup_group, through the built binary.
@Suite struct DupesCommandTests {
    func share() -> TempTree {
        let t = TempTree("dupes-cli")
        t.file("Records/minutes.txt", "Minutes of the Licensing Committee, 4 June 2021\n", modified: Date(timeIntervalSince1970: 1_600_000_000))
        t.file("Licensing/minutes copy.txt", "Minutes of the Licensing Committee, 4 June 2021\n")
        t.file("Social Care/Smith/minutes.txt", "Minutes of the Licensing Committee, 4 June 2021\n")
        t.file("Licensing/other.txt", "Minutes of the Planning Committee,  4 June 2021\n")   // same size, other bytes
        t.file("a-empty.txt", ""); t.file("b-empty.txt", "")
        return t
    }

    @Test func reportFormatsAndExportAgree() throws {
        let t = share()
        let work = TempTree()
        let db = work.path("sweep.db")
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet"]).status == 0)

        let json = try runSweep(["dupes", "--index", db, "--format", "json"])
        #expect(json.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect(report["sets"] as? Int == 1)
        #expect(report["duplicate_files"] as? Int == 2)
        let group = (report["groups"] as! [[String: Any]])[0]
        #expect(group["keep"] as? String == t.path("Records/minutes.txt"))
        #expect((group["keep_reason"] as? String)?.hasPrefix("oldest modified") == true)
        #expect((group["members"] as! [[String: Any]]).count == 3)

        let csv = try runSweep(["dupes", "--index", db, "--format", "csv"])
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.count == 4)
        #expect(rows[0] == "set,content,size,copies,reclaimable,role,path,modified,keep_reason")

        let table = try runSweep(["dupes", "--index", db, "--records", "**/Licensing/**"])
        #expect(table.stdout.contains("keep       \(t.path("Licensing/minutes copy.txt"))   (in a records location)"))

        let export = try runSweep(["export", "--index", db]).jsonLines
        let groups = Dictionary(grouping: export.compactMap { item -> (String, String)? in
            guard let g = item["dup_group"] as? String else { return nil }
            return (g, item["path"] as! String)
        }, by: \.0)
        #expect(groups.count == 1)
        #expect(Set(groups.values.first!.map(\.1)) == [t.path("Records/minutes.txt"), t.path("Licensing/minutes copy.txt"),
                                                        t.path("Social Care/Smith/minutes.txt")])
        #expect(export.first { ($0["path"] as! String).hasSuffix("a-empty.txt") }?["dup_group"] is NSNull)
    }

    @Test func quarantineHonoursHoldsInTheRulesAndRestoreUndoesIt() throws {
        let t = share()
        let work = TempTree()
        let db = work.path("sweep.db")
        work.file("rules/retention.yaml", """
            classes: []
            holds:
              - id: CASE-2026-014
                reason: Subject access request pending
                authority: Information Governance Team
                when: {path: ["**/Social Care/**/Smith*"]}
            """)
        #expect(try runSweep(["scan", t.root, "--index", db, "--rules", work.path("rules"), "--quiet"]).status == 0)
        let q = work.path("quarantine")
        let run = try runSweep(["dupes", "quarantine", "--index", db, "--to", q])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("held: CASE-2026-014"))
        #expect(run.stdout.contains("1 moved"))
        #expect(FileManager.default.fileExists(atPath: t.path("Social Care/Smith/minutes.txt")))
        #expect(!FileManager.default.fileExists(atPath: t.path("Licensing/minutes copy.txt")))
        #expect(FileManager.default.fileExists(atPath: q + "/manifest.csv"))

        // A scan meanwhile sees the copy gone; restore brings it back.
        let restore = try runSweep(["dupes", "restore", "--index", db, "--from", q])
        #expect(restore.status == 0)
        #expect(restore.stdout.contains("1 restored"))
        #expect(FileManager.default.fileExists(atPath: t.path("Licensing/minutes copy.txt")))
    }

    @Test func aDuplicateOnlyScanReportsSetsInItsSummary() throws {
        let t = share()
        let work = TempTree()
        let run = try runSweep(["scan", t.root, "--index", work.path("d.db"), "--dupes-only", "--json", "--quiet"])
        #expect(run.status == 0)
        let s = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        #expect(s["duplicate_sets"] as? Int == 1)
        #expect(s["reclaimable_bytes"] as? Int == 2 * "Minutes of the Licensing Committee, 4 June 2021\n".utf8.count)
    }
}
