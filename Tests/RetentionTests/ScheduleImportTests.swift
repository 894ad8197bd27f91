import Retention
import Rules
import SweepModel
import TestSupport
import Testing

/// A records manager's spreadsheet → retention.yaml, loaded back by the schedule parser.
@Suite struct ScheduleImportTests {
    @Test func aGoodSpreadsheetRoundTrips() throws {
        // BOM, CRLF, headers in any case and order, quoted cells with commas, quotes and a line break.
        let csv = "\u{FEFF}ID,Title,Retain,Trigger,Action,Path,Name,Contains,Type,Marking,PII,Priority\r\n"
            + "FIN-TRN-01,\"Invoices, orders and receipts\",6 years,end_of_financial_year,destroy,**/Finance/**;**/Accounts Payable/**,,,,,,\r\n"
            + "HR-REC-02,\"Recruitment - \"\"unsuccessful\"\" applicants\",6 months,,Destroy,**/HR/Recruitment/**,*applic*;*cv*,\"application form\",docx;pdf,official-sensitive,nino,10\r\n"
            + ",,,,,,,,,,,\r\n"
            + "GOV-COM-01,\"Committee agendas\nand minutes\",permanent,last_modified,transfer,**/Committee/**,,,,,,\r\n"
        let yaml = try ScheduleImport.convert(csv).get()
        let s = try RetentionSchedule.load(yaml: yaml)
        #expect(s.classes.map(\.id) == ["FIN-TRN-01", "HR-REC-02", "GOV-COM-01"])
        let fin = s.classes[0], hr = s.classes[1], com = s.classes[2]
        #expect(fin.title == "Invoices, orders and receipts")
        #expect(fin.trigger == .endOfFinancialYear && fin.action == .destroy && fin.retain == .init(count: 6, unit: .years))
        #expect(fin.when.path.map(\.pattern) == ["**/Finance/**", "**/Accounts Payable/**"])
        #expect(hr.title == "Recruitment - \"unsuccessful\" applicants")
        #expect(hr.trigger == .lastModified && hr.action == .destroy && hr.priority == 10)
        #expect(hr.when.name.map(\.pattern) == ["*applic*", "*cv*"])
        #expect(hr.when.contains == ["application form"] && hr.when.type == ["docx", "pdf"])
        #expect(hr.when.marking == ["OFFICIAL-SENSITIVE"] && hr.when.pii == ["nino"])
        #expect(com.retain == nil && com.action == .transfer && com.title == "Committee agendas\nand minutes")
        #expect(s.defaultClass.id == "UNCLASSIFIED")
        // The classifier reads it as the spreadsheet meant.
        let c = Classifier(schedule: s).classify(ItemFacts(relativePath: "Finance/2021/inv.pdf", name: "inv.pdf", fileExtension: "pdf",
                                                           mime: "application/pdf", modified: Timestamp.parse("2021-11-03")))
        #expect(c.classID == "FIN-TRN-01" && c.disposalDate == "2028-03-31")
    }

    @Test func aBadSpreadsheetIsReportedByRowAndColumn() {
        let csv = """
            id,retain,trigger,action,path,marking,priority
            FIN-01,6 years,end_of_financial_year,destroy,**/Finance/**,,
            FIN-02,six years,last_modified,destroy,**/Payroll/**,,
            FIN-01,6 years,closure,shred,**/[Finance/**,SECRETISH,high
            EMPTY-CUES,1 year,,,,,

            """
        guard case .failure(let found) = ScheduleImport.convert(csv) else { Issue.record("a bad spreadsheet converted"); return }
        let text = found.list.map(\.description)
        #expect(text.contains("row 3, retain: 'six years' is not a period: use N days|weeks|months|years or permanent"))
        #expect(text.contains("row 4, id: 'FIN-01' is already used in row 2: give each class its own id"))
        #expect(text.contains { $0.hasPrefix("row 4, trigger: 'closure' is not a trigger: use last_modified") })
        #expect(text.contains("row 4, action: 'shred' is not an action: use destroy, review or transfer"))
        #expect(text.contains { $0.hasPrefix("row 4, path: '**/[Finance/**'") })
        #expect(text.contains { $0.hasPrefix("row 4, marking: 'SECRETISH' is not a marking") })
        #expect(text.contains { $0.hasPrefix("row 4, priority: 'high' is not a whole number") })
        #expect(text.contains { $0.hasPrefix("row 5, path: no cue") })
        #expect(found.list.count == 8)
    }

    @Test func headerProblemsAndAnOpenQuoteAreReported() {
        guard case .failure(let a) = ScheduleImport.convert("id,keep,path\nX,1 year,**/a/**\n") else { Issue.record("converted"); return }
        #expect(a.list.map(\.description).contains { $0.hasPrefix("row 1, keep: unknown column") })
        #expect(a.list.map(\.description).contains("row 1, retain: no retain column: add it to the header row"))
        guard case .failure(let b) = ScheduleImport.convert("id,retain,path\nX,1 year,\"**/a/**\n") else { Issue.record("converted"); return }
        #expect(b.list.first?.row == 2)
    }
}

/// The shipped example schedule classifies folder and file names any council might use.
@Suite struct ShippedScheduleTests {
    @Test func commonRecordsFindTheirClass() throws {
        let schedule = try #require(try RuleSet.load(TestSupport.repositoryRoot + "/rules").retention)
        let classifier = Classifier(schedule: schedule)
        func classify(_ path: String) -> Classification {
            let name = String(path.split(separator: "/").last!)
            return classifier.classify(ItemFacts(relativePath: path, name: name, fileExtension: name.split(separator: ".").last.map(String.init),
                                                 mime: nil, modified: Timestamp.parse("2024-05-01")))
        }
        let cases: [(String, String)] = [
            ("Parks/CCTV/Camera 3/2024-05-01.mp4", "CCTV-01"),
            ("Legal/Deeds/Town Hall/conveyance.pdf", "LEG-DEE-01"),
            ("Procurement/Contracts/Cleaning 2019/contract.pdf", "LEG-CON-01"),
            ("Adult Social Care/Case Files/A1234/assessment.docx", "SC-ADU-01"),
            ("Children's Services/Child Protection/C5678/plan.docx", "SC-CHI-01"),
            ("Information Governance/FOI Requests/FOI-2024-101 response.docx", "IG-REQ-01"),
            ("Information Governance/Subject Access/SAR-2024-07/bundle.pdf", "IG-REQ-01"),
            ("Democratic Services/Cabinet/2024-01-17 agenda.pdf", "GOV-COM-01"),
            ("Housing/Correspondence/reply to tenant.docx", "GEN-COR-01"),
            ("Finance/Payroll/2024-04.csv", "FIN-PAY-01"),
            ("Resources/Accounts Payable/2023-24/supplier invoice 8812.pdf", "FIN-TRN-01"),
            ("HR/Recruitment/Planning Officer/shortlist.xlsx", "HR-REC-02"),
            ("HR/Leavers/J Bloggs/exit.docx", "HR-PER-01"),
            ("Customer Services/Complaints/2024-117.eml", "CS-COMP-01"),
            ("Planning Applications/24-00456/decision notice.pdf", "PLN-APP-01"),
            ("IT/asset-register.csv", "UNCLASSIFIED"),
        ]
        for (path, expected) in cases {
            #expect(classify(path).classID == expected, "\(path)")
        }
        // CCTV: 31 days, destroy; committee papers kept permanently and transferred.
        #expect(classify("Parks/CCTV/cam.mp4").disposalDate == "2024-06-01")
        #expect(classify("Democratic Services/Cabinet/minutes.pdf").disposalDate == nil)
        #expect(classify("Democratic Services/Cabinet/minutes.pdf").action == .transfer)
    }
}
