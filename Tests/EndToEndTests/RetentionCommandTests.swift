import Foundation
import TestSupport
import Testing

/// The schedule applied by a real scan: the export's retention fields, holds, and the review list.
@Suite struct RetentionCommandTests {
    func date(_ s: String) -> Date { Date(timeIntervalSince1970: TimeInterval(ISO8601DateFormatter().date(from: s + "T12:00:00Z")!.timeIntervalSince1970)) }

    @Test func exportAndDisposalListFollowTheSchedule() throws {
        let share = TempTree("retention-share")
        share.file("HR/Recruitment/2019/form.txt", "Application form\n", modified: date("2019-06-14"))
        share.file("Finance/Invoices/invoice.txt", "Invoice 1\n", modified: date("2021-11-03"))
        share.file("Finance/Invoices/late.txt", "Invoice 2\n", modified: date("2022-04-01"))
        share.file("Committee/Minutes/cabinet.txt", "OFFICIAL\nMinutes\n", modified: date("2001-01-01"))
        share.file("Social Care/Children/Smith family/note.txt", "Case note\n", modified: date("2001-01-01"))
        let work = TempTree()
        work.file("rules/retention.yaml", """
            classes:
              - {id: HR-REC-02, retain: 6 months, action: destroy, when: {path: ["**/HR/Recruitment/**"]}}
              - {id: FIN-TRN-01, retain: 6 years, trigger: end_of_financial_year, action: destroy, when: {path: ["**/Finance/**"]}}
              - {id: GOV-COM-01, retain: permanent, action: transfer, when: {path: ["**/Committee/**"]}}
            default: {id: UNCLASSIFIED, retain: 6 years, trigger: last_modified, action: review}
            holds:
              - {id: CASE-2026-014, reason: Subject access request pending, authority: IG Team, when: {path: ["**/Social Care/**/Smith*"]}}
            """)
        let db = work.path("sweep.db")
        let scan = try runSweep(["scan", share.root, "--index", db, "--rules", work.path("rules"), "--as-of", "2028-03-31", "--quiet"])
        #expect(scan.status == 0, "stderr: \(scan.stderr)")

        let items = Dictionary(uniqueKeysWithValues: try runSweep(["export", "--index", db]).jsonLines.map {
            (String(($0["path"] as! String).dropFirst(share.root.count + 1)), $0)
        })
        func retention(_ k: String) -> [String: Any]? { items[k]?["retention"] as? [String: Any] }
        #expect(retention("HR/Recruitment/2019/form.txt")?["class"] as? String == "HR-REC-02")
        #expect(retention("HR/Recruitment/2019/form.txt")?["disposal_date"] as? String == "2019-12-14")
        #expect(retention("Finance/Invoices/invoice.txt")?["disposal_date"] as? String == "2028-03-31")   // EoFY 2022 + 6 years
        #expect(retention("Finance/Invoices/late.txt")?["disposal_date"] as? String == "2029-03-31")      // after 31 March: next EoFY
        #expect(retention("Committee/Minutes/cabinet.txt")?["disposal_date"] is NSNull)
        #expect(retention("Committee/Minutes/cabinet.txt")?["action"] as? String == "transfer")
        // Candidates at the scan's as-of date (31 March 2028, the invoice's own disposal day included).
        #expect(items["Finance/Invoices/invoice.txt"]?["disposal_candidate"] as? Bool == true)
        #expect(items["Finance/Invoices/late.txt"]?["disposal_candidate"] as? Bool == false)
        #expect(items["Committee/Minutes/cabinet.txt"]?["disposal_candidate"] as? Bool == false)
        // The hold wins over a long-passed date.
        let held = try #require(items["Social Care/Children/Smith family/note.txt"])
        #expect(held["legal_hold"] as? Bool == true && held["disposal_candidate"] as? Bool == false)
        #expect((held["retention"] as? [String: Any])?["class"] as? String == "UNCLASSIFIED")

        // Another as-of date for the same index.
        let earlier = try runSweep(["export", "--index", db, "--as-of", "2027-01-01"]).jsonLines
        #expect(earlier.first { ($0["path"] as! String).hasSuffix("invoice.txt") }?["disposal_candidate"] as? Bool == false)

        let list = try runSweep(["disposal", "list", "--index", db, "--format", "json"])
        #expect(list.status == 0)
        let rows = list.jsonLines
        #expect(Set(rows.map { String(($0["path"] as! String).dropFirst(share.root.count + 1)) })
                == ["HR/Recruitment/2019/form.txt", "Finance/Invoices/invoice.txt"])
        let why = try #require(rows.first { ($0["class"] as? String) == "FIN-TRN-01" }?["reason"] as? [String: Any])
        #expect(why["matched"] as? [String] == ["path"])
        #expect(why["trigger"] as? String == "end_of_financial_year")
        let table = try runSweep(["disposal", "list", "--index", db, "--class", "HR-REC-02"])
        #expect(table.stdout.contains("Disposal candidates at 2028-03-31: 1 items"))
    }
}
