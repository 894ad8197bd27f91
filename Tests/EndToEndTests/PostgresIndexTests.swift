import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shared PostgreSQL index, against a real server started for the tests (`scripts/pg-test-server`): the same
/// results as the SQLite index, several scanners at once, leases, passwords.
@Suite(.serialized) struct PostgresIndexTests {
    let server: PostgresServer
    let work = TempTree("sweep-pg")

    init() throws { server = try PostgresServer.shared() }

    /// Every scanner host of one index shares a key file.
    var env: [String: String] { ["SWEEP_KEY_FILE": work.path("index.key")] }

    /// A council share: the bundled council and format fixtures (office files, PDFs, mail, archives with items inside).
    func share(_ name: String) -> String {
        let root = work.path(name)
        for f in ["council", "formats"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/cp")
            p.arguments = ["-R", repositoryRoot + "/fixtures/" + f, root + "/" + f]
            try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try! p.run()
            p.waitUntilExit()
        }
        return root
    }

    /// A scan that ran to the end: 0, or 1 when some items could not be read (the fixtures hold encrypted and
    /// corrupt files on purpose).
    func finished(_ r: SweepRun) -> Bool { r.status == 0 || r.status == 1 }

    func export(_ index: String) throws -> String {
        let r = try runSweep(["export", "--index", index], environment: env)
        #expect(r.status == 0, "export: \(r.stderr)")
        return r.stdout
    }

    @Test func scansAndRescansExportExactlyAsTheSQLiteIndexDoes() throws {
        let root = share("share")
        let pg = server.uri(try server.createDatabase())
        let lite = work.path("sweep.db")
        func both(_ step: String) throws {
            for index in [lite, pg] {
                let r = try runSweep(["scan", root, "--index", index, "--quiet"], environment: env)
                #expect(r.status == 0 || r.status == 1, "\(step) into \(index): \(r.stderr)")
            }
            let a = try export(lite), b = try export(pg)
            #expect(!a.isEmpty)
            #expect(a == b, "\(step): the PostgreSQL export differs from the SQLite one")
        }
        try both("first scan")
        try both("unchanged re-scan")
        // A rename within a folder, an edit, a copy, a deletion, a folder moved.
        let fm = FileManager.default
        let first = try fm.contentsOfDirectory(atPath: root + "/council/IT").sorted().first { name in
            var isFolder: ObjCBool = false
            return fm.fileExists(atPath: root + "/council/IT/" + name, isDirectory: &isFolder) && !isFolder.boolValue
        }!
        try fm.moveItem(atPath: root + "/council/IT/" + first, toPath: root + "/council/IT/renamed-" + first)
        try Data("Payroll note for NI AB123456C\n".utf8).write(to: URL(fileURLWithPath: root + "/council/Finance/new-note.txt"))
        try fm.copyItem(atPath: root + "/council/Finance/new-note.txt", toPath: root + "/formats/copy-of-note.txt")
        try fm.moveItem(atPath: root + "/council/Planning", toPath: root + "/formats/Planning")
        try both("after changes")
        let moved = try runSweep(["export", "--index", pg], environment: env).jsonLines
            .first { ($0["path"] as? String)?.hasSuffix("/renamed-" + first) == true }
        #expect(moved?["moved_from"] as? String == root + "/council/IT/" + first, "a file renamed in its folder keeps its row, as a move")
        try fm.removeItem(atPath: root + "/formats/Planning")
        try both("after a deletion")
    }

    @Test func threeScannersAtOnceOneKilledGiveTheExportOfOneScannerOverAllThree() throws {
        // Three roots with copies across them (duplicate sets span scanners), one large enough to be killed mid-scan.
        var roots: [String] = []
        for n in 0..<3 {
            let root = share("root\(n)")
            for d in 0..<(n == 0 ? 60 : 8) {
                let dir = root + "/bulk/unit\(d)"
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for f in 0..<50 {
                    try Data("record \(d)-\(f) of root \(n == 2 ? 1 : n)\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/r\(f).txt"))
                }
            }
            roots.append(root)
        }
        let db = try server.createDatabase()
        let shared = server.uri(db)
        let scans = try roots.map { try startSweep(["scan", $0, "--index", shared, "--quiet", "--jobs", "2"], environment: env) }
        // Kill the big one once it has committed something, and before it is done.
        var committed = 0
        let deadline = Date().addingTimeInterval(120)
        while committed == 0 && scans[0].0.isRunning && Date() < deadline {
            usleep(20_000)
            committed = Int((try? server.psql(db, "SELECT count(*) FROM item WHERE root = '\(roots[0])'")) ?? "0") ?? 0
        }
        try #require(scans[0].0.isRunning, "the scan finished before it could be killed: make the tree larger")
        kill(scans[0].0.processIdentifier, SIGKILL)
        for (p, _, err) in scans {
            p.waitUntilExit()
            if p.processIdentifier != scans[0].0.processIdentifier {
                #expect(p.terminationStatus <= 1, "\(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
            }
        }
        #expect(scans[0].0.terminationReason == .uncaughtSignal)
        // The killed scanner's lease is taken over at once (its process is gone), and the re-run finishes.
        let rerun = try runSweep(["scan", roots[0], "--index", shared, "--quiet", "--json"], environment: env)
        #expect(finished(rerun), "re-run: \(rerun.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(rerun.stdout.utf8)) as? [String: Any]
        #expect((summary?["unchanged"] as? Int ?? 0) >= 1, "the re-run resumes: what the killed scan committed is not read again")
        // One scanner over all three, into a second database and into SQLite.
        let single = server.uri(try server.createDatabase())
        let one = try runSweep(["scan"] + roots + ["--index", single, "--quiet"], environment: env)
        #expect(finished(one), "\(one.stderr)")
        let lite = work.path("one.db")
        _ = try runSweep(["scan"] + roots + ["--index", lite, "--quiet"], environment: env)
        let many = try export(shared)
        #expect(many == (try export(single)), "three scanners at once give the export of one over all three")
        #expect(many == (try export(lite)))
        #expect(many.contains("\"dup_group\":\""), "copies across the scanners' roots are duplicate sets")
        #expect(try server.psql(db, "SELECT count(*) FROM scan_lease") == "0", "finished scans leave no lease")
        #expect(try server.psql(db, "SELECT count(*) FROM scan WHERE state = 'running'") == "0")
    }

    @Test func aRootLeasedByALiveScannerStopsASecondOne() throws {
        let root = share("leased")
        let db = try server.createDatabase()
        let uri = server.uri(db)
        #expect(finished(try runSweep(["scan", work.path("leased/formats"), "--index", uri, "--quiet"], environment: env)))
        // A live scanner of this host (this test process stands in for it) holds the root.
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        let host = ProcessInfo.processInfo.environment["SWEEP_HOST"] ?? String(cString: name)
        try server.psql(db, """
            INSERT INTO scan_lease (host, root, root_display, scan_id, pid, expires_at)
            SELECT '\(host)', convert_to('\(root)', 'UTF8'), '\(root)', max(id), \(getpid()), now() + interval '1 hour' FROM scan
            """)
        let refused = try runSweep(["scan", root + "/council", "--index", uri, "--quiet"], environment: env)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("process \(getpid())") && refused.stderr.contains(root), "\(refused.stderr)")
        // A holder that died (a pid that no longer runs) loses its lease at once.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try server.psql(db, "UPDATE scan_lease SET pid = \(gone.processIdentifier)")
        let taken = try runSweep(["scan", root, "--index", uri, "--quiet"], environment: env)
        #expect(finished(taken), "\(taken.stderr)")
        #expect(try server.psql(db, "SELECT count(*) FROM scan_lease") == "0")
    }

    @Test func thePasswordComesFromAFileOrTheEnvironmentNeverTheURI() throws {
        let root = share("pw")
        let db = try server.createDatabase()
        let uri = server.uri(db, user: "scanner")
        // In the URI: refused before connecting, and the message does not repeat it.
        let inURI = try runSweep(["scan", root, "--index", uri.replacingOccurrences(of: "scanner@", with: "scanner:scanner-secret@"),
                                  "--quiet"], environment: env)
        #expect(inURI.status == 2)
        #expect(inURI.stderr.contains("password file") && !inURI.stderr.contains("scanner-secret"), "\(inURI.stderr)")
        // None given: the server's refusal, as an error that says where a password goes.
        let none = try runSweep(["scan", root, "--index", uri, "--quiet"], environment: env.merging(["PGPASSFILE": "/nonexistent"]) { $1 })
        #expect(none.status == 2)
        #expect(none.stderr.contains("PGPASSFILE"), "\(none.stderr)")
        // A password file in libpq's format, private to its owner.
        let passfile = work.path("pgpass")
        try Data("# sweep\nlocalhost:\(server.port):\(db):scanner:scanner-secret\n".utf8).write(to: URL(fileURLWithPath: passfile))
        chmod(passfile, 0o644)
        let open = try runSweep(["scan", root, "--index", uri, "--quiet"], environment: env.merging(["PGPASSFILE": passfile]) { $1 })
        #expect(open.status == 2 && open.stderr.contains("chmod 600"), "a password file others can read is refused: \(open.stderr)")
        chmod(passfile, 0o600)
        let ok = try runSweep(["scan", root, "--index", uri, "--quiet"], environment: env.merging(["PGPASSFILE": passfile]) { $1 })
        #expect(finished(ok), "\(ok.stderr)")
        // PGPASSWORD, and the config's index_password_file.
        let viaEnv = try runSweep(["status", "--index", uri], environment: env.merging(["PGPASSFILE": "/nonexistent", "PGPASSWORD": "scanner-secret"]) { $1 })
        #expect(viaEnv.status == 0, "\(viaEnv.stderr)")
        let secret = work.path("index.password")
        try Data("scanner-secret\n".utf8).write(to: URL(fileURLWithPath: secret))
        chmod(secret, 0o600)
        let config = work.path("scan.yaml")
        try Data("roots: [\(root)]\nindex: \"\(uri)\"\nindex_password_file: \(secret)\nkey_file: \(work.path("index.key"))\n".utf8)
            .write(to: URL(fileURLWithPath: config))
        let viaConfig = try runSweep(["scan", "--config", config, "--quiet"], environment: ["PGPASSFILE": "/nonexistent"])
        #expect(finished(viaConfig), "\(viaConfig.stderr)")
    }

    @Test func aPostgreSQLIndexNeedsASharedKeyFileAndAReachableServer() throws {
        let root = share("nokey")
        let uri = server.uri(try server.createDatabase())
        let noKey = try runSweep(["scan", root, "--index", uri, "--quiet"], environment: ["SWEEP_KEY_FILE": ""])
        #expect(noKey.status == 2 && noKey.stderr.contains("key_file"), "\(noKey.stderr)")
        let nowhere = try runSweep(["status", "--index", "postgres://sweep@/nothing?host=\(work.path("no-socket"))"], environment: env)
        #expect(nowhere.status == 2 && nowhere.stderr.contains("cannot use the PostgreSQL index"), "\(nowhere.stderr)")
        let unknown = try runSweep(["status", "--index", uri + "&sslmode=sometimes"], environment: env)
        #expect(unknown.status == 2 && unknown.stderr.contains("sslmode"), "\(unknown.stderr)")
    }
}
