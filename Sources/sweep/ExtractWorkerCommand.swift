import ArgumentParser
import Extract
#if canImport(Glibc)
import Glibc
#endif

/// The worker process `sweep scan` starts for readers that must not run in the scan's own process (see
/// `Isolated` in the Extract module). Not for people: it reads a request on standard input.
struct ExtractWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-worker",
        abstract: "Internal: reads one PDF for a scan, in a separate process with memory and CPU limits.",
        shouldDisplay: false)

    func run() throws {
        Glibc.exit(Isolated.workerMain())
    }
}
