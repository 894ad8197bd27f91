import ArgumentParser
import Foundation
import Index
import Pipeline

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "The key personal-data values are hashed under, kept outside the index.",
        discussion: """
            The key lives in a file of its own (default INDEX.key beside the index; key_file: in the scan's config or \
            $SWEEP_KEY_FILE), mode 0600, created by the first scan; the index records only its id. Keep it where the \
            index's backups are not: an index without its key yields no personal-data value.
            """,
        subcommands: [Rotate.self, Show.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a new key: the old one is replaced and every item is read again by the next scan.",
            discussion: "Example: sweep key rotate --index /var/lib/sweep/sweep.db --key-file /etc/sweep/sweep.key")

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        @Option(name: .customLong("key-file"), help: "The key file (default: $SWEEP_KEY_FILE, else INDEX.key).")
        var keyFile: String?

        func run() throws {
            let lock = try couldNotRun { try ScanLock(index: index) }
            defer { withExtendedLifetime(lock) {} }
            let store = try couldNotRun { try SweepIndex.openForScan(index) }
            guard let path = keyFile ?? ProcessInfo.processInfo.environment["SWEEP_KEY_FILE"].flatMap({ $0.isEmpty ? nil : $0 })
                ?? (IndexLocation.isPostgres(index) ? nil : KeyStore.defaultPath(forIndex: index)) else {
                throw fail("a PostgreSQL index keeps no key beside it: give the key file every scanner host shares with --key-file "
                           + "or $SWEEP_KEY_FILE")
            }
            let id = try couldNotRun { try KeyStore.rotate(store, at: path) }
            print("new key \(id) in \(path); the next scan reads every item again and hashes its values under it")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The id of the key the index's hashes were made with.")

        @Option(help: "The index file (default ./sweep.db).")
        var index = "sweep.db"

        func run() throws {
            let store = try couldNotRun { try SweepIndex.openForReading(index) }
            let id = try couldNotRun { try store.hashKeyID() }
            print(id.map { "key \($0)" } ?? "no key recorded yet (the next scan creates one)")
        }
    }
}
