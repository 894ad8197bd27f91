import Detect
import Rules
import SweepModel
import TestSupport
import Testing

/// Every example in the shipped rules, run through the real engine: the one generic test of the rules.
@Suite struct RuleExamplesTests {
    static let detector = try! Detector(rules: try! RuleSet.load(repositoryRoot + "/rules").detection, key: Array(repeating: 7, count: 32))

    @Test func everyShippedExampleHolds() {
        let problems = Self.detector.checkExamples()
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func aBrokenExampleIsReportedWithTheRuleAndTheFix() throws {
        let t = TempTree()
        t.file("personal-data.yaml", """
            types:
              - type: nino
                patterns: ['\\b[A-Z]{2}\\d{6}[A-D]\\b']
                validator: nino
                examples: {match: ["JK 12 34 56 C"], no_match: []}
            """)
        let d = try Detector(rules: try RuleSet.load(t.root).detection, key: [1])
        let problems = d.checkExamples()
        #expect(problems.count == 1)
        #expect(problems.first?.contains("nino") == true && problems.first?.contains("widen the pattern") == true)
    }

    @Test func aPatternVectorscanRefusesIsNamed() throws {
        let t = TempTree()
        t.file("personal-data.yaml", """
            types:
              - type: email
                patterns: ['(a']
                validator: email
            """)
        do {
            _ = try Detector(rules: try RuleSet.load(t.root).detection, key: [1])
            Issue.record("a broken pattern should be refused")
        } catch {
            #expect("\(error)".contains("personal-data type email"))
        }
    }
}
