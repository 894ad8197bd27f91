import Foundation
import Rules
import TestSupport
import Testing

@Suite struct RuleSetTests {
    @Test func shippedRulesLoad() throws {
        let set = try RuleSet.load(repositoryRoot + "/rules")
        let schedule = try #require(set.retention)
        #expect(schedule.classes.count >= 5)
        #expect(schedule.defaultClass.id == "UNCLASSIFIED")
        #expect(schedule.classes.contains { $0.retain == nil })   // a permanent class
        #expect(set.version.count == 32)
    }

    @Test func versionFollowsContent() throws {
        let t = TempTree()
        t.file("retention.yaml", "classes: []\n")
        let v1 = try RuleSet.load(t.root).version
        #expect(try RuleSet.load(t.root).version == v1)
        t.file("retention.yaml", "classes: []\ndefault: {id: KEEP, retain: permanent, action: review}\n")
        #expect(try RuleSet.load(t.root).version != v1)
    }

    func problem(_ yaml: String) -> RulesError? {
        let t = TempTree()
        t.file("retention.yaml", yaml)
        do { _ = try RuleSet.load(t.root); return nil } catch let e as RulesError { return e } catch { return nil }
    }

    @Test func brokenSchedulesNameTheLineAndTheFix() throws {
        let badYAML = try #require(problem("classes:\n  - id: A\n   retain: [\n"))
        #expect(badYAML.line == 3)
        #expect(badYAML.problem.contains("not valid YAML"))

        let badPeriod = try #require(problem("classes:\n  - id: A\n    retain: 6 moons\n    when: {path: [\"**/x/**\"]}\n"))
        #expect(badPeriod.line == 3)
        #expect(badPeriod.fix.contains("N days|weeks|months|years"))

        let badMarking = try #require(problem("classes:\n  - id: A\n    retain: 1 year\n    when: {marking: [PROTECTED]}\n"))
        #expect(badMarking.problem.contains("PROTECTED"))

        let duplicate = try #require(problem("""
            classes:
              - {id: A, retain: 1 year, when: {name: ["*"]}}
              - {id: A, retain: 2 years, when: {name: ["*"]}}
            """))
        #expect(duplicate.problem.contains("used twice"))

        let noWhen = try #require(problem("classes:\n  - id: A\n    retain: 1 year\n"))
        #expect(noWhen.fix.contains("when:"))

        #expect(problem("classes: []\n") == nil)
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: RulesError.self) { try RuleSet.load("/nonexistent/rules") }
    }
}

/// The shipped rules are compiled into Sweep (`scripts/embed-rules`); a rules folder replaces them file by file.
@Suite struct LayeredRulesTests {
    @Test func theCompiledInCopyIsTheRulesFolder() throws {
        let shipped = try RuleSet.load(nil)
        let names = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/rules").filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(shipped.files.map(\.name) == names)
        for f in shipped.files {
            let onDisk = try String(contentsOfFile: repositoryRoot + "/rules/" + f.name, encoding: .utf8)
            #expect(f.text == onDisk, "rules/\(f.name) changed: run scripts/embed-rules")
            #expect(f.path == nil && f.use.source == "shipped")
        }
        #expect(try RuleSet.load(repositoryRoot + "/rules").version == shipped.version)
    }

    @Test func aScheduleOnlyFolderKeepsTheShippedDetection() throws {
        let t = TempTree()
        t.file("retention.yml", "classes: []\ndefault: {id: KEEP, retain: permanent, action: review}\n")
        let set = try RuleSet.load(t.root)
        #expect(set.retention?.defaultClass.id == "KEEP")
        #expect(set.detection.personalData.count == (try RuleSet.load(nil)).detection.personalData.count)
        #expect(set.detection.personalData.count >= 12 && set.detection.markings != nil)
        let sources = Dictionary(uniqueKeysWithValues: set.files.map { ($0.name, $0.use.source) })
        #expect(sources["retention.yaml"] == "local" && sources["markings.yaml"] == "shipped")
        #expect(set.version != (try RuleSet.load(nil)).version)
    }

    @Test func detectionIsOffOnlyWhenSaid() throws {
        let on = try RuleSet.load(nil), off = try RuleSet.load(nil, detection: false)
        #expect(on.detectionEnabled && !off.detectionEnabled)
        #expect(off.detection.personalData.isEmpty && off.detection.markings == nil && off.retention != nil)
        #expect(on.version != off.version)   // items scanned with detection off are read again when it is back on
    }

    @Test func aLocalFileOverridesItsShippedNamesake() throws {
        let t = TempTree()
        t.file("special-category.yaml", "categories:\n  - category: health\n    keywords: [\"wellbeing plan\"]\n")
        let set = try RuleSet.load(t.root)
        #expect(set.detection.specialCategories.map(\.category) == ["health"])
        #expect(set.detection.personalData.count >= 12)
    }
}
