import Foundation
import TestSupport
import Testing

/// Office and OpenDocument files made by fixtures/make-office.py, scanned by the built sweep.
@Suite struct OfficeDocumentTests {
    @Test func textLabelsAndHeadersOfOfficeFilesAreRead() throws {
        let share = TempTree("office")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["python3", repositoryRoot + "/fixtures/make-office.py", share.root]
        try make.run(); make.waitUntilExit()
        try #require(make.terminationStatus == 0)
        // The shipped rules, with this tenant's label id named.
        let rules = TempTree("office-rules")
        for f in try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/rules") where f.hasSuffix(".yaml") {
            var text = try String(contentsOfFile: repositoryRoot + "/rules/" + f, encoding: .utf8)
            if f == "markings.yaml" {
                text = text.replacingOccurrences(of: "label_ids: {}", with: "label_ids: {\"9a8b7c6d-0000-4000-8000-000000000001\": OFFICIAL-SENSITIVE}")
            }
            rules.file(f, text)
        }
        let work = TempTree()
        let db = work.path("sweep.db")
        let scan = try runSweep(["scan", share.root, "--index", db, "--rules", rules.root, "--quiet"])
        #expect(scan.status == 1, "the truncated and the bomb are item errors: \(scan.stderr)")
        let items = Dictionary(uniqueKeysWithValues: try runSweep(["export", "--index", db]).jsonLines.map {
            (String(($0["path"] as! String).dropFirst(share.root.count + 1)), $0)
        })
        func pii(_ k: String) -> [String: Int] { items[k]?["pii"] as? [String: Int] ?? [:] }
        func markings(_ k: String) -> [String] { items[k]?["markings"] as? [String] ?? [] }

        #expect(pii("marked-header.docx") == ["nino": 1, "email": 1])
        #expect(markings("marked-header.docx") == ["OFFICIAL-SENSITIVE"])
        #expect(markings("labelled.docx") == ["OFFICIAL-SENSITIVE"])      // MSIP custom property
        #expect(markings("labelinfo.docx") == ["OFFICIAL-SENSITIVE"])     // LabelInfo.xml id, named by the rules
        #expect(pii("split-runs.docx")["nino"] == 1)                     // one value split across runs
        #expect(pii("payroll.xlsx")["nino"] == 2)
        #expect(markings("payroll.xlsx") == ["PROTECT"])                  // the sheet's header
        // Dates of birth stored as date-styled numbers and bare NHS numbers, with only their column headers as context.
        #expect(pii("register.xlsx") == ["date_of_birth": 3, "nhs_number": 1])
        #expect(pii("slides.pptx") == ["uk_phone": 1, "nhs_number": 1])   // slide and notes
        #expect(pii("minutes.odt")["email"] == 1)
        #expect(markings("minutes.odt") == ["OFFICIAL"])                  // ODF page header in styles.xml
        #expect((items["truncated.docx"]?["error"] as? String)?.hasPrefix("corrupt") == true)
        #expect((items["bomb.docx"]?["error"] as? String)?.hasPrefix("limit hit") == true)
        #expect(items["bomb.docx"]?["type"] as? String == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    }
}
