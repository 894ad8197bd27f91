@testable import Retention
import Rules
import SweepModel
import TestSupport
import Testing

@Suite struct RetentionDateTests {
    typealias Day = RetentionDates.Day
    func day(_ s: String) -> Day { RetentionDates.day(Timestamp.parse(s)!) }

    @Test func endOfFinancialYearIsTheNext31MarchOnOrAfter() {
        #expect(RetentionDates.endOfFinancialYear(day("2021-11-03")).text == "2022-03-31")
        #expect(RetentionDates.endOfFinancialYear(day("2022-03-31")).text == "2022-03-31")   // 31 March itself
        #expect(RetentionDates.endOfFinancialYear(day("2022-04-01")).text == "2023-03-31")
        #expect(RetentionDates.endOfFinancialYear(day("2022-01-01")).text == "2022-03-31")
    }

    @Test func periodsLandOnTheSameDayOrTheLastOfAShorterMonth() {
        let six = RetentionSchedule.Period(count: 6, unit: .months)
        #expect(RetentionDates.add(six, to: day("2019-06-14")).text == "2019-12-14")
        #expect(RetentionDates.add(six, to: day("2023-08-31")).text == "2024-02-29")
        #expect(RetentionDates.add(RetentionSchedule.Period(count: 6, unit: .years), to: day("2022-03-31")).text == "2028-03-31")
        #expect(RetentionDates.add(RetentionSchedule.Period(count: 1, unit: .years), to: day("2024-02-29")).text == "2025-02-28")
        #expect(RetentionDates.add(RetentionSchedule.Period(count: 31, unit: .days), to: day("2026-12-15")).text == "2027-01-15")
        #expect(RetentionDates.add(RetentionSchedule.Period(count: 2, unit: .weeks), to: day("2024-02-20")).text == "2024-03-05")
    }

    /// "9999 years" is how many schedules write "for ever": a date past the year 9999 is its last day, never a
    /// five-digit year (which compares as text before every four-digit one), and huge counts neither overflow
    /// nor spin.
    @Test func periodsPastTheYear9999EndOnItsLastDay() {
        let start = day("2026-12-01")
        #expect(RetentionDates.add(RetentionSchedule.Period(count: 7973, unit: .years), to: start).text == "9999-12-01")
        #expect(RetentionDates.add(RetentionSchedule.Period(count: 7974, unit: .years), to: start).text == "9999-12-31")
        #expect(RetentionDates.add(RetentionSchedule.Period(count: 9999, unit: .years), to: start).text == "9999-12-31")
        for unit in [RetentionSchedule.Period.Unit.days, .weeks, .months, .years] {
            #expect(RetentionDates.add(RetentionSchedule.Period(count: Int.max, unit: unit), to: start).text == "9999-12-31")
        }
        #expect(RetentionDates.add(RetentionSchedule.Period(count: 2_000_000, unit: .days), to: start).text == "7502-09-25")
    }
}

@Suite struct ClassifierTests {
    func schedule(_ yaml: String) throws -> RetentionSchedule {
        let t = TempTree()
        t.file("retention.yaml", yaml)
        return try #require(try RuleSet.load(t.root).retention)
    }

    static let yaml = """
        classes:
          - id: FIN-01
            retain: 6 years
            trigger: end_of_financial_year
            action: destroy
            when: {path: ["**/Finance/**"]}
          - id: PAY-01
            retain: 6 years
            trigger: end_of_financial_year
            action: destroy
            when: {path: ["**/Finance/**"], name: ["*payroll*"]}
          - id: HR-REC-02
            retain: 6 months
            action: destroy
            when: {path: ["**/HR/Recruitment/**"]}
            priority: 10
          - id: HR-ANY
            retain: 6 years
            action: destroy
            when: {path: ["**/HR/**"], contains: ["application form"]}
          - id: MIN-01
            retain: permanent
            action: transfer
            when: {name: ["*minutes*"], type: [txt, pdf]}
          - id: SENS
            retain: 2 years
            action: review
            when: {marking: [OFFICIAL-SENSITIVE], pii: [nino]}
        default: {id: UNCLASSIFIED, retain: 6 years, trigger: last_modified, action: review}
        holds:
          - id: CASE-2026-014
            reason: Subject access request pending
            authority: Information Governance Team
            when: {path: ["**/Social Care/**/Smith*"]}
        """

    func facts(_ path: String, modified: String = "2021-11-03", text: String? = nil, markings: [String] = [], pii: Set<String> = []) -> ItemFacts {
        let name = String(path.split(separator: "/").last!)
        return ItemFacts(relativePath: path, name: name, fileExtension: name.split(separator: ".").last.map { String($0).lowercased() },
                         mime: "text/plain", text: text, markings: markings, personalData: pii, modified: Timestamp.parse(modified))
    }

    @Test func moreKeysWinATieAndTheReasonSaysSo() throws {
        let c = Classifier(schedule: try schedule(Self.yaml)).classify(facts("Finance/Payroll/payroll-2022-03.csv"))
        #expect(c.classID == "PAY-01")
        #expect(c.triggerDate == "2022-03-31" && c.disposalDate == "2028-03-31")
        #expect(c.reason.matched == ["path", "name"])
        #expect(c.reason.others?.contains { $0.class == "FIN-01" && $0.lost?.contains("fewer matching keys") == true } == true)
        // Stored as JSON and read back the same.
        #expect(RetentionReason(json: c.reason.json) == c.reason)
        #expect(c.reason.json.contains(#""matched":["path","name"]"#))
    }

    @Test func priorityBeatsMoreKeys() throws {
        let c = Classifier(schedule: try schedule(Self.yaml)).classify(facts("HR/Recruitment/2019/form.txt", modified: "2019-06-14",
                                                                           text: "Application Form for the post"))
        #expect(c.classID == "HR-REC-02")
        #expect(c.disposalDate == "2019-12-14")
        #expect(c.reason.others?.contains { $0.lost?.contains("lower priority") == true } == true)
        #expect(c.reason.description.contains("not ") && c.reason.description.contains("lower priority"))
        #expect(c.isDisposalCandidate(asOf: "2026-11-22"))
        #expect(!c.isDisposalCandidate(asOf: "2019-12-13"))
    }

    @Test func permanentHasNoDisposalDate() throws {
        let c = Classifier(schedule: try schedule(Self.yaml)).classify(facts("Committee/cabinet-minutes.txt"))
        #expect(c.classID == "MIN-01" && c.action == .transfer && c.disposalDate == nil)
        #expect(!c.isDisposalCandidate(asOf: "2100-01-01"))
    }

    @Test func findingsCanDecideTheClass() throws {
        let s = Classifier(schedule: try schedule(Self.yaml))
        #expect(s.classify(facts("Misc/note.docx", markings: ["OFFICIAL-SENSITIVE"], pii: ["nino"])).classID == "SENS")
        #expect(s.classify(facts("Misc/note.docx", markings: ["OFFICIAL-SENSITIVE"])).classID == "UNCLASSIFIED")
        let d = s.classify(facts("Misc/note.docx"))
        #expect(d.reason.why?.contains("default class") == true && d.reason.description.contains("default class"))
    }

    @Test func holdsAlwaysWin() throws {
        let c = Classifier(schedule: try schedule(Self.yaml)).classify(facts("Social Care/2018/Smith family/note.txt", modified: "2001-01-01"))
        #expect(c.holds == ["CASE-2026-014"])
        #expect(c.disposalDate != nil && c.disposalDate! < "2026-11-22")
        #expect(!c.isDisposalCandidate(asOf: "2026-11-22"))
    }

    /// `contains` is words or phrases (CONTRACT.md): not inside longer words, and a phrase across a line break.
    @Test func containsMatchesWholeWordsAndPhrasesAcrossLines() {
        func has(_ text: String, _ phrase: String) -> Bool { Classifier.containsPhrase(Array(text.lowercased().utf8), phrase) }
        #expect(has("Re: SAR from Mr Smith", "SAR"))
        #expect(!has("It is necessary to reply", "SAR"))
        #expect(!has("Information held", "form"))
        #expect(!has("aluminium foil", "FOI"))
        #expect(has("FOI-2024-117 request", "foi"))
        #expect(has("raise a purchase\norder now", "purchase order"))
        #expect(has("Purchase   Order: 12", "purchase order"))
        #expect(!has("purchase orders", "purchase order"))
        #expect(!has("purchaseorder", "purchase order"))
        #expect(has("application form.", "application form"))
        #expect(has("café", "café") && !has("cafés", "café"))
    }

    @Test func textIsReadOnlyWhenAClassOrHoldLooksInside() throws {
        #expect(Classifier(schedule: try schedule(Self.yaml)).readsText)   // HR-ANY: contains
        let noText = "classes:\n  - id: A\n    retain: 1 year\n    action: review\n    when: {path: [\"**/A/**\"]}\n"
            + "default: {id: U, retain: 6 years, trigger: last_modified, action: review}\n"
        #expect(!Classifier(schedule: try schedule(noText)).readsText)
        let inHold = noText + "holds:\n  - id: H\n    reason: r\n    authority: a\n    when: {contains: [\"subject access\"]}\n"
        #expect(Classifier(schedule: try schedule(inHold)).readsText)
    }

    /// A schedule that would be read differently from how it was meant stops with the line and the fix: a
    /// misspelt key (which used to be passed over), a `when` that matches nothing, a repeated hold id, a default
    /// sharing a class's id.
    @Test func misspeltKeysAndEmptyConditionsAreRefused() throws {
        let base = "classes:\n  - id: A\n    retain: 1 year\n    action: review\n    when: {path: [\"**/A/**\"]}\n"
        func problem(_ yaml: String) -> String? {
            do { _ = try schedule(yaml); return nil } catch { return "\(error)" }
        }
        #expect(problem(base) == nil)
        #expect(problem(base.replacingOccurrences(of: "classes:", with: "clases:"))?.contains("did you mean `classes`?") == true)
        #expect(problem(base + "    priorty: 10\n")?.contains("did you mean `priority`?") == true)
        #expect(problem(base + "hold:\n  - {id: H, reason: r, authority: a, when: {path: [x]}}\n")?.contains("did you mean `holds`?") == true)
        #expect(problem(base + "defaults: {id: U, retain: 6 years}\n")?.contains("did you mean `default`?") == true)
        #expect(problem(base.replacingOccurrences(of: "retain: 1 year", with: "retian: 1 year"))?.contains("did you mean `retain`?") == true)
        #expect(problem(base.replacingOccurrences(of: "{path: [\"**/A/**\"]}", with: "{}"))?.contains("matches nothing") == true)
        #expect(problem(base.replacingOccurrences(of: "[\"**/A/**\"]", with: "[]"))?.contains("empty list") == true)
        #expect(problem(base + "holds:\n  - {id: H, reasn: r, authority: a, when: {path: [x]}}\n")?.contains("did you mean `reason`?") == true)
        // The schedule's own notes are not misspellings: a class's description, a hold's start and review dates.
        #expect(problem(base.replacingOccurrences(of: "    action: review\n", with: "    action: review\n    description: Recruitment\n    function: HR\n")
                        + "holds:\n  - {id: H, reason: r, authority: a, start: 2026-01-01, review: 2026-06-30, when: {path: [x]}}\n") == nil)
        #expect(problem(base + "holds:\n  - {id: H, reason: r, authority: a, when: {path: [x]}}\n  - {id: H, reason: r, authority: a, when: {path: [y]}}\n")?
            .contains("used twice") == true)
        #expect(problem(base + "default: {id: A, retain: 6 years}\n")?.contains("also a class's id") == true)
    }

    @Test func theShippedScheduleClassifiesTheFixtures() throws {
        let s = Classifier(schedule: try #require(try RuleSet.load(repositoryRoot + "/rules").retention))
        #expect(s.classify(facts("Finance/Invoices/2021-22/invoice-10442.txt")).classID == "FIN-TRN-01")
        #expect(s.classify(facts("Finance/Payroll/payroll-2022-03.csv")).classID == "FIN-PAY-01")
        let minutes = s.classify(facts("Committee/Minutes/cabinet-2023-07-12.txt"))
        #expect(minutes.classID == "GOV-COM-01" && minutes.action == .transfer && minutes.disposalDate == nil)
        #expect(s.classify(facts("Social Care/Children/Smith family/case-note-2018-04-02.txt")).classID == "SC-CHI-01")
    }
}
