import ArgumentParser
import Foundation
import Detect
import Rules

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work with the rules folder.",
        subcommands: [Check.self, ImportSchedule.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load every rules file and check it; report each problem with the line and the fix.",
            discussion: "Example: sweep rules check rules/")

        @Argument(help: "A rules folder laid over the shipped rules (default ./rules, else /etc/sweep/rules, else the shipped rules alone).")
        var directory: String?

        func run() throws {
            let folder = self.directory ?? defaultRulesDirectory()
            let directory = folder ?? "shipped rules"
            let set = try couldNotRun { try RuleSet.load(folder) }
            let detector = try couldNotRun { try Detector(rules: set.detection, key: Array(repeating: 0, count: 32)) }
            let problems = detector.checkExamples()
            if !problems.isEmpty {
                for p in problems { printError("sweep: \(directory)/\(p)") }
                printError("sweep: \(problems.count) rule example(s) failed: fix each rule (or its example) as said above")
                throw Exit.couldNotRun
            }
            // Costly patterns are named, not refused: detection stops at each item's time and match limit.
            for w in detector.costWarnings() { printError("sweep: warning: \(w)") }
            let d = set.detection
            let examples = d.personalData.reduce(0) { $0 + $1.examples.match.count + $1.examples.noMatch.count }
                + d.specialCategories.reduce(0) { $0 + $1.examples.match.count + $1.examples.noMatch.count }
                + (d.markings?.examples.map { $0.match.count + $0.noMatch.count } ?? 0)
            print("rules OK: \(directory): \(set.files.count) file(s) in force, version \(set.version)")
            for f in set.files { print("  " + f.use.described) }
            print("  detection: \(d.personalData.count) personal-data types, \(d.specialCategories.count) special categories, "
                  + "\(d.markings?.labels.count ?? 0) marking labels; \(examples) examples hold")
            if let r = set.retention {
                print("  retention schedule: \(r.classes.count) classes, default \(r.defaultClass.id), \(r.holds.count) hold(s)")
            } else {
                print("  no retention.yaml: every item will take the built-in default class")
            }
        }
    }

    struct ImportSchedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-schedule",
            abstract: "Turn a retention schedule spreadsheet (CSV) into retention.yaml.",
            discussion: """
                Columns (header row, any case): id, title, retain, trigger, action, path, name, contains, type, marking, \
                pii, priority; separate several values in one cell with `;`. Every problem is reported by row (the \
                header is row 1) and column, with the fix, and nothing is written (exit 2).
                Example: sweep rules import-schedule schedule.csv --out rules/retention.yaml
                """)

        @Argument(help: "The CSV file (UTF-8; Excel's \"CSV UTF-8\" is fine).")
        var file: String

        @Option(help: "Write the YAML here (default: standard output).")
        var out: String?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw fail("cannot read \(file): check the path") }
            guard let text = String(data: data, encoding: .utf8) else {
                throw fail("\(file) is not UTF-8 text: save it from the spreadsheet as \"CSV UTF-8\"")
            }
            switch ScheduleImport.convert(text, source: (file as NSString).lastPathComponent) {
            case .failure(let found):
                let problems = found.list
                for p in problems { printError("sweep: \(file): \(p)") }
                printError("sweep: \(problems.count) problem(s): nothing written")
                throw Exit.couldNotRun
            case .success(let yaml):
                // What is written must load as the scan will load it.
                let schedule = try couldNotRun { try RetentionSchedule.load(yaml: yaml, file: out ?? "retention.yaml") }
                if let out {
                    try couldNotRun { try Data(yaml.utf8).write(to: URL(fileURLWithPath: out)) }
                    print("wrote \(out): \(schedule.classes.count) classes")
                } else {
                    print(yaml, terminator: "")
                }
            }
        }
    }
}
