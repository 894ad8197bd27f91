import ArgumentParser
import Detect
import Rules

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work with the rules folder.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load every rules file and check it; report each problem with the line and the fix.",
            discussion: "Example: sweep rules check rules/")

        @Argument(help: "The rules folder (default ./rules, else the rules shipped with Sweep).")
        var directory: String?

        func run() throws {
            let directory = self.directory ?? defaultRulesDirectory() ?? "rules"
            let set = try couldNotRun { try RuleSet.load(directory) }
            let detector = try couldNotRun { try Detector(rules: set.detection, key: Array(repeating: 0, count: 32)) }
            let problems = detector.checkExamples()
            if !problems.isEmpty {
                for p in problems { printError("sweep: \(directory)/\(p)") }
                printError("sweep: \(problems.count) rule example(s) failed: fix each rule (or its example) as said above")
                throw Exit.couldNotRun
            }
            let d = set.detection
            let examples = d.personalData.reduce(0) { $0 + $1.examples.match.count + $1.examples.noMatch.count }
                + d.specialCategories.reduce(0) { $0 + $1.examples.match.count + $1.examples.noMatch.count }
                + (d.markings?.examples.map { $0.match.count + $0.noMatch.count } ?? 0)
            print("rules OK: \(directory): \(set.files.count) file(s), version \(set.version)")
            print("  detection: \(d.personalData.count) personal-data types, \(d.specialCategories.count) special categories, "
                  + "\(d.markings?.labels.count ?? 0) marking labels; \(examples) examples hold")
            if let r = set.retention {
                print("  retention schedule: \(r.classes.count) classes, default \(r.defaultClass.id), \(r.holds.count) hold(s)")
            } else {
                print("  no retention.yaml: every item will take the built-in default class")
            }
        }
    }
}
