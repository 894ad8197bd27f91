import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server for the tests, from Debian's packages: initdb into a temporary folder, listening on a
/// Unix socket there only (`scripts/pg-test-server`), stopped when the test process exits. One per test process;
/// each test makes its own database.
public final class PostgresServer: @unchecked Sendable {
    public let folder: String
    public let port: Int

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: PostgresServer?
    nonisolated(unsafe) private static var failure: String?

    /// The server of this test process, started on first use.
    public static func shared() throws -> PostgresServer {
        lock.lock()
        defer { lock.unlock() }
        if let started { return started }
        if let failure { throw Unavailable(description: failure) }
        let folder = NSTemporaryDirectory() + "sweep-pg-\(getpid())"
        let (status, out) = PostgresServer.run([repositoryRoot + "/scripts/pg-test-server", "start", folder])
        let parts = out.split(separator: " ")
        guard status == 0, parts.count == 2, let port = Int(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            failure = "could not start a PostgreSQL server for the tests (install postgresql; `make test` does): \(out)"
            throw Unavailable(description: failure!)
        }
        let server = PostgresServer(folder: folder, port: port)
        started = server
        atexit {
            if let s = PostgresServer.started {
                _ = PostgresServer.run([repositoryRoot + "/scripts/pg-test-server", "stop", s.folder])
            }
        }
        return server
    }

    init(folder: String, port: Int) { self.folder = folder; self.port = port }

    /// A new, empty database; its name.
    public func createDatabase(_ prefix: String = "t") throws -> String {
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        try psql("postgres", "CREATE DATABASE \(name)")
        return name
    }

    /// The index URI of a database (no password: the `sweep` role is trusted on the socket).
    public func uri(_ database: String, user: String = "sweep") -> String {
        "postgres://\(user)@/\(database)?host=\(folder)&port=\(port)"
    }

    /// Runs SQL through psql and returns its unaligned output.
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> String {
        let (status, out) = PostgresServer.run(["/usr/bin/psql", "-h", folder, "-p", String(port), "-U", "sweep", "-d", database,
                                                "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql])
        guard status == 0 else { throw Unavailable(description: "psql failed on \(sql): \(out)") }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a program to its end with its output in a file (the server it may start keeps no pipe of ours open),
    /// waiting with waitpid: the status and the output.
    public static func run(_ argv: [String]) -> (Int32, String) {
        let out = NSTemporaryDirectory() + "sweep-pg-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let args = argv.map { strdup($0) } + [nil]
        defer { args.forEach { free($0) } }
        let rc = posix_spawn(&pid, argv[0], &actions, nil, args, environ)
        guard rc == 0 else { return (-1, "cannot run \(argv[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : -1, text)
    }
}
