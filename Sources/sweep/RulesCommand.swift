import ArgumentParser
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

        @Argument(help: "The rules folder (default ./rules).")
        var directory = "rules"

        func run() throws {
            let set = try couldNotRun { try RuleSet.load(directory) }
            print("rules OK: \(directory): \(set.files.count) file(s), version \(set.version)")
            if let r = set.retention {
                print("  retention schedule: \(r.classes.count) classes, default \(r.defaultClass.id), \(r.holds.count) hold(s)")
            } else {
                print("  no retention.yaml: every item will take the built-in default class")
            }
        }
    }
}
