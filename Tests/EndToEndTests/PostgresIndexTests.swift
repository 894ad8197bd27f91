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

    /// The server drops every connection of a scan mid-way (as a restart or a network cut does): the scan
    /// reconnects, writes its batch again, and ends with everything, as a scan that was never cut off.
    @Test func aScanCutOffFromTheDatabaseReconnectsAndLosesNothing() throws {
        let root = share("cut")
        for d in 0..<60 {
            let dir = root + "/bulk/unit\(d)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in 0..<50 { try Data("record \(d)-\(f)\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/r\(f).txt")) }
        }
        let db = try server.createDatabase()
        let (scan, out, err) = try startSweep(["scan", root, "--index", server.uri(db), "--quiet", "--json", "--jobs", "2"], environment: env)
        var committed = 0
        let deadline = Date().addingTimeInterval(120)
        while committed == 0 && scan.isRunning && Date() < deadline {
            usleep(20_000)
            committed = Int((try? server.psql(db, "SELECT count(*) FROM item")) ?? "0") ?? 0
        }
        try #require(scan.isRunning, "the scan finished before it could be cut off: make the tree larger")
        let cut = try server.psql(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(db)' AND pid <> pg_backend_pid()")
        #expect((Int(cut) ?? 0) >= 1, "connections cut: \(cut)")
        let summary = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        scan.waitUntilExit()
        #expect(scan.terminationStatus <= 1, "\(stderr)")
        let parsed = try JSONSerialization.jsonObject(with: summary) as? [String: Any]
        let lite = work.path("cut.db")
        _ = try runSweep(["scan", root, "--index", lite, "--quiet"], environment: env)
        #expect(try export(server.uri(db)) == (try export(lite)), "the cut-off scan's index holds what an uncut scan's does")
        #expect(parsed?["interrupted"] as? Bool == false, "\(String(decoding: summary, as: UTF8.self))")
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

    /// TLS as libpq's sslmode means it, against a server that takes TCP clients over TLS only, with a certificate
    /// for `localhost` signed by a test CA.
    @Test func sslModesAreEnforcedAgainstARealTLSServer() throws {
        let certs = work.path("tls")
        let made = PostgresServer.run(["/bin/bash", "-c", """
            set -e; mkdir -p '\(certs)'; cd '\(certs)'
            for ca in ca other; do
              openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.pem -days 2 -subj "/CN=Sweep test $ca" 2>/dev/null
            done
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
            printf 'subjectAltName=DNS:localhost\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext 2>/dev/null
            chmod 755 '\(certs)'; chmod 644 *.pem
            """])
        try #require(made.0 == 0, "openssl: \(made.1)")
        let folder = NSTemporaryDirectory() + "sweep-pg-tls-\(getpid())"
        let started = PostgresServer.run(["/usr/bin/env", "PG_TEST_TLS_DIR=\(certs)", repositoryRoot + "/scripts/pg-test-server", "start", folder,
                                          "127.0.0.1"])
        defer { _ = PostgresServer.run([repositoryRoot + "/scripts/pg-test-server", "stop", folder]) }
        let parts = started.1.split(separator: " ")
        try #require(started.0 == 0 && parts.count == 2, "\(started.1)")
        let port = parts[1].trimmingCharacters(in: .whitespacesAndNewlines)
        _ = PostgresServer.run(["/usr/bin/psql", "-h", folder, "-p", port, "-U", "sweep", "-d", "postgres", "-qc", "CREATE DATABASE tls"])
        let root = share("tls-share")
        func scan(_ host: String, _ query: String) throws -> SweepRun {
            try runSweep(["scan", root, "--index", "postgres://sweep@\(host):\(port)/tls?\(query)", "--quiet"], environment: env)
        }
        let plain = try scan("localhost", "sslmode=disable")
        #expect(plain.status == 2 && plain.stderr.contains("cannot use the PostgreSQL index"), "no TLS, refused: \(plain.stderr)")
        #expect(finished(try scan("localhost", "sslmode=require")))
        #expect(finished(try scan("localhost", "sslmode=verify-full&sslrootcert=\(certs)/ca.pem")))
        let wrongName = try scan("127.0.0.1", "sslmode=verify-full&sslrootcert=\(certs)/ca.pem")
        #expect(wrongName.status == 2, "the certificate names localhost, not 127.0.0.1: \(wrongName.stderr)")
        let wrongCA = try scan("localhost", "sslmode=verify-full&sslrootcert=\(certs)/other.pem")
        #expect(wrongCA.status == 2, "a certificate from another CA: \(wrongCA.stderr)")
        #expect(finished(try scan("127.0.0.1", "sslmode=verify-ca&sslrootcert=\(certs)/ca.pem")), "verify-ca checks the CA, not the name")
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

/// The records side on a shared index: the same commands give the same results as on SQLite, and on many scanner
/// hosts each carries out what its own scans found, with review, holds and the log central.
@Suite(.serialized) struct PostgresRecordsTests {
    let server: PostgresServer
    let work = TempTree("sweep-pg-records")

    init() throws { server = try PostgresServer.shared() }

    static let schedule = """
        classes:
          - {id: HR-REC-02, retain: 6 months, action: destroy, when: {path: ["**/HR/Recruitment/**"]}}
          - {id: GOV-COM-01, retain: 1 year, action: transfer, when: {path: ["**/Committee/**"]}}
        default: {id: UNCLASSIFIED, retain: permanent, trigger: last_modified, action: review}
        """

    func date(_ s: String) -> Date { ISO8601DateFormatter().date(from: s + "T12:00:00Z")! }

    /// A share at `root`, made afresh with the same names, contents and times each call.
    func makeShare(_ root: String) {
        try? FileManager.default.removeItem(atPath: root)
        func file(_ rel: String, _ text: String, _ day: String) {
            let path = root + "/" + rel
            try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try! FileManager.default.setAttributes([.modificationDate: date(day)], ofItemAtPath: path)
        }
        file("HR/Recruitment/2019/form.txt", "Application form, NINO JK123456C\n", "2019-06-14")
        file("HR/Recruitment/2019/shortlist.txt", "Shortlist\n", "2019-06-10")
        file("HR/Recruitment/2019/shortlist copy.txt", "Shortlist\n", "2019-06-10")
        file("Committee/Minutes/cabinet.txt", "Minutes of Cabinet, OFFICIAL-SENSITIVE\n", "2020-01-01")
        file("Licensing/old.txt", "Licence 42\n", "2018-01-01")
    }

    /// Runs the records commands in order on one index and returns what each printed (the index's name taken out,
    /// device and inode numbers dropped: the share is made again for each backend).
    func recordsRun(_ index: String, env: [String: String]) throws -> [String] {
        let share = work.path("share")
        makeShare(share)
        let q = work.path("quarantine")
        try? FileManager.default.removeItem(atPath: q)
        let rules = work.path("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.schedule.utf8).write(to: URL(fileURLWithPath: rules + "/retention.yaml"))
        var outputs: [String] = []
        func run(_ args: [String], _ ok: Set<Int32> = [0]) throws {
            let r = try runSweep(args, environment: env)
            #expect(ok.contains(r.status), "\(args.joined(separator: " ")) on \(index): \(r.status) \(r.stderr)")
            let text = r.stdout.replacingOccurrences(of: index, with: "INDEX")
                .replacingOccurrences(of: #""(device|inode)":[0-9]+,"#, with: "", options: .regularExpression)
            outputs.append("$ \(args.first ?? "") \(args.dropFirst().first ?? "")\n" + text)
        }
        try run(["scan", share, "--index", index, "--rules", rules, "--as-of", "2026-01-01", "--quiet"])
        try run(["hold", "add", "--index", index, "--id", "LIC-1", "--reason", "Licensing appeal", "--authority", "Legal",
                 "--path", "Licensing/**"])
        try run(["hold", "list", "--index", index, "--format", "json"])
        try run(["disposal", "list", "--index", index, "--format", "json", "--as-of", "2026-01-01"])
        try run(["disposal", "decide", "--index", index, "--class", "HR-REC-02", "--approve", "--reviewer", "J Smith",
                 "--reason", "Schedule HR-REC-02", "--as-of", "2026-01-01"])
        try run(["disposal", "decide", "--index", index, "--item", share + "/Licensing/old.txt", "--approve", "--reviewer", "J Smith",
                 "--reason", "x"], [1])
        try run(["disposal", "list", "--index", index, "--format", "json", "--decision", "approved", "--as-of", "2026-01-01"])
        try run(["disposal", "execute", "--index", index, "--as-of", "2026-01-01", "--quarantine", q, "--authority", "IG Board"])
        try run(["disposal", "purge", "--index", index, "--quarantine", q, "--as-of", "2099-01-01"])
        try run(["disposal", "verify-log", "--index", index])
        try run(["hold", "release", "LIC-1", "--index", index, "--reason", "Appeal closed"])
        try run(["findings", "--index", index])
        try run(["dupes", "--index", index])
        try run(["status", "--index", index])
        try run(["export", "--index", index])
        // The scan report reads the same queries the web app does.
        let report = work.path("report.html")
        try run(["report", "--html", report, "--index", index])
        outputs.append(try String(contentsOfFile: report, encoding: .utf8).replacingOccurrences(of: index, with: "INDEX"))
        return outputs
    }

    @Test func recordsCommandsGiveTheSameResultsOnBothIndexes() throws {
        let env = ["SWEEP_KEY_FILE": work.path("index.key"), "SWEEP_STATE_DIR": work.root]
        let lite = try recordsRun(work.path("sweep.db"), env: env)
        let shared = try recordsRun(server.uri(try server.createDatabase()), env: env)
        #expect(lite.count == shared.count)
        for (a, b) in zip(lite, shared) {
            // Times of day differ between the two runs; what was done, to what, on whose authority does not.
            let clean = { (s: String) in
                s.replacingOccurrences(of: #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z"#, with: "TIME", options: .regularExpression)
                    .replacingOccurrences(of: #"[0-9]+\.[0-9] s"#, with: "N s", options: .regularExpression)
                    .replacingOccurrences(of: #"[0-9a-f]{64}"#, with: "HASH", options: .regularExpression)
                    .replacingOccurrences(of: #"[^ ]+\.log-heads"#, with: "HEADS", options: .regularExpression)
            }
            #expect(clean(a) == clean(b))
        }
        #expect(shared.contains { $0.contains("intact: 7 rows") }, "the hold, three destroys and three purges, chained: \(shared)")
        #expect(shared.contains { $0.contains("held: LIC-1") })
    }

    @Test func eachScannerHostCarriesOutOnlyWhatItsOwnScansFound() throws {
        let db = try server.createDatabase()
        let index = server.uri(db)
        let rules = work.path("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.schedule.utf8).write(to: URL(fileURLWithPath: rules + "/retention.yaml"))
        let a = work.path("alpha-share"), b = work.path("beta-share")
        makeShare(a)
        makeShare(b)
        func on(_ host: String, _ args: [String]) throws -> SweepRun {
            try runSweep(args + ["--index", index],
                         environment: ["SWEEP_HOST": host, "SWEEP_KEY_FILE": work.path("index.key"), "SWEEP_STATE_DIR": work.root])
        }
        #expect(try on("alpha", ["scan", a, "--rules", rules, "--as-of", "2026-01-01", "--quiet"]).status == 0)
        #expect(try on("beta", ["scan", b, "--rules", rules, "--as-of", "2026-01-01", "--quiet"]).status == 0)
        // Review is central: a records manager's host that reaches neither share decides for both.
        let decide = try on("records", ["disposal", "decide", "--class", "HR-REC-02", "--approve", "--reviewer", "J Smith",
                                        "--reason", "Schedule HR-REC-02", "--as-of", "2026-01-01"])
        #expect(decide.status == 0 && decide.stdout.contains("6 approved, 0 refused"), "\(decide.stdout) \(decide.stderr)")
        // Each host destroys only its own approved files.
        let q = work.path("q")
        let nothing = try on("records", ["disposal", "execute", "--as-of", "2026-01-01", "--quarantine", q])
        #expect(nothing.stdout.contains("0 carried out"), "\(nothing.stdout)")
        let alpha = try on("alpha", ["disposal", "execute", "--as-of", "2026-01-01", "--quarantine", q])
        #expect(alpha.status == 0 && alpha.stdout.contains("3 carried out, 0 refused"), "\(alpha.stdout) \(alpha.stderr)")
        #expect(!FileManager.default.fileExists(atPath: a + "/HR/Recruitment/2019/form.txt"))
        #expect(FileManager.default.fileExists(atPath: b + "/HR/Recruitment/2019/form.txt"), "beta's file is beta's to act on")
        let beta = try on("beta", ["disposal", "execute", "--as-of", "2026-01-01", "--quarantine", q])
        #expect(beta.status == 0 && beta.stdout.contains("3 carried out"), "\(beta.stdout) \(beta.stderr)")
        #expect(!FileManager.default.fileExists(atPath: b + "/HR/Recruitment/2019/form.txt"))
        // One log, one chain, whichever host appended.
        let verify = try on("records", ["disposal", "verify-log"])
        #expect(verify.stdout.contains("intact: 6 rows"), "\(verify.stdout) \(verify.stderr)")
        // A duplicate set across hosts: each host moves only its own copy, against a kept copy it can read.
        let dupes = try on("alpha", ["dupes", "quarantine", "--to", work.path("dq"), "--dry-run"])
        #expect(dupes.stdout.contains("scanner host beta"), "\(dupes.stdout) \(dupes.stderr)")
    }
}
