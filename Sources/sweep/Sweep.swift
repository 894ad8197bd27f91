import ArgumentParser

@main
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Scan council shared drives and mail exports: duplicates, markings, personal data, retention.",
        discussion: """
            Exit codes: 0 success; 1 finished, but some items could not be read (they are in the index as errors); \
            2 could not run (bad arguments, unreadable rules, index locked or corrupt).
            """,
        subcommands: [ScanCommand.self, StatusCommand.self, ExportCommand.self, RulesCommand.self])
}
