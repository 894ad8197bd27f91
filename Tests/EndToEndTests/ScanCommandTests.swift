import Foundation
import GRDB
import Index
import SweepModel
import TestSupport
import Testing

/// The built `sweep` on real trees: exit codes, the export, the index file.
@Suite struct ScanCommandTests {
    static let contractFields = ["path", "size", "modified", "type", "read_as", "text_source", "error", "dup_group", "markings",
                                 "pii", "special_category", "retention", "disposal_candidate", "legal_hold"]

    /// A copy of the bundled council share (scanning the checkout itself would follow its path).
    func councilCopy() throws -> TempTree {
        let t = TempTree("council")
        try FileManager.default.removeItem(atPath: t.root)
        try FileManager.default.copyItem(atPath: repositoryRoot + "/fixtures/council", toPath: t.root)
        return t
    }

    @Test func scanningTheCouncilFixturesExportsEveryItemWithTheContractFields() throws {
        let share = try councilCopy()
        let work = TempTree()
        let db = work.path("sweep.db")
        let scan = try runSweep(["scan", share.root, "--index", db, "--rules", repositoryRoot + "/rules", "--quiet"])
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        #expect(scan.stdout.contains("new 15"))
        #expect(scan.stdout.contains("15 items, 5.6 KB (and 6 read inside them)"))

        let export = try runSweep(["export", "--index", db, "--format", "jsonl"])
        #expect(export.status == 0)
        let items = export.jsonLines
        // 15 files, and inside them 3 messages and an attachment (the mbox) and 2 members (the zip).
        #expect(items.count == 21)
        for item in items {
            for field in Self.contractFields { #expect(item.keys.contains(field), "\(field) missing") }
            #expect((item["path"] as? String)?.hasPrefix(share.root + "/") == true)
            #expect(item["modified"] is String)
            #expect(item["markings"] is [Any] && item["pii"] is [String: Any] && item["special_category"] is [Any])
            // Files just copied are new; what is inside them keeps its own, older dates.
            if !(item["path"] as! String).contains("!/") { #expect(item["disposal_candidate"] as? Bool == false) }
        }
        func type(_ suffix: String) -> String? { items.first { ($0["path"] as! String).hasSuffix(suffix) }?["type"] as? String }
        #expect(type("payroll-2022-03.csv") == "text/csv")
        #expect(type("complaint-2022-117.eml") == "message/rfc822")
        #expect(type("decision-notice.html") == "text/html")
        #expect(type("empty-placeholder.txt") == "application/x-empty")
        #expect(type("site-report.pdf") == "application/pdf")
        func item(_ suffix: String) -> [String: Any]? { items.first { ($0["path"] as! String).hasSuffix(suffix) } }
        #expect(item("mail-export-2019.mbox!/2")?["markings"] as? [String] == ["OFFICIAL-SENSITIVE"])
        #expect(item("mail-export-2019.mbox!/2")?["modified"] as? String == "2019-02-12T14:30:00Z")
        #expect((item("mail-export-2019.mbox!/2!/letter.txt")?["pii"] as? [String: Int])?["uk_postcode"] == 1)
        #expect((item("recruitment-2017.zip!/2017/application-form-A-Smith.txt")?["pii"] as? [String: Int])?["nino"] == 1)
        #expect(item("site-report.pdf")?["markings"] as? [String] == ["OFFICIAL-SENSITIVE"])
        let exported = Set(items.map { $0["path"] as! String }.filter { !$0.contains("!/") })
        let onDisk = Set(FileManager.default.enumerator(atPath: share.root)!.compactMap { $0 as? String }
            .filter { !isDirectory(share.path($0)) }.map { share.path($0) })
        #expect(exported == onDisk)

        let csv = try runSweep(["export", "--index", db, "--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 22)
        #expect(lines[0].hasPrefix("path,size,modified,type,error,dup_group,markings,pii,special_category,"))
    }

    func isDirectory(_ p: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &d) && d.boolValue
    }

    @Test func hostileFilesBecomeItemErrorsAndTheScanGoesOn() throws {
        let work = TempTree()
        let share = work.path("share")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: repositoryRoot + "/fixtures/make-hostile.sh")
        make.arguments = [share]
        try make.run(); make.waitUntilExit()
        try #require(make.terminationStatus == 0)
        let db = work.path("sweep.db")
        // As root, drop the capabilities that read any file, so mode 000 means what it says.
        let prefix = runningWithDACOverride ? withoutFileCapabilities : []
        let scan = try runSweep(["scan", share, "--index", db, "--quiet", "--follow-symlinks"], prefix: prefix)
        #expect(scan.status == 1, "stderr: \(scan.stderr)")
        let items = Dictionary(uniqueKeysWithValues: try runSweep(["export", "--index", db]).jsonLines.map {
            (String(($0["path"] as! String).dropFirst(share.count + 1)), $0)
        })
        func error(_ name: String) -> String? { items[name]?["error"] as? String }
        #expect(error("fifo")?.contains("not opened") == true)
        #expect(items["fifo"]?["type"] as? String == "inode/fifo")
        #expect(error("socket")?.contains("not opened") == true)
        #expect(error("unreadable.txt")?.contains("permission denied") == true)
        #expect(error("locked")?.contains("permission denied") == true)
        #expect(items["locked"]?["modified"] is String)   // what its parent's listing said of it
        #expect(error("loop")?.contains("symlink loop") == true)
        #expect(items["readable.txt"]?["error"] is NSNull)
        #expect(items["name-\\xFF.txt"]?["type"] as? String == "text/plain")

        // The raw name is kept in the index byte for byte.
        let raw = try DatabaseQueue(path: db).read { db in
            try Data.fetchOne(db, sql: "SELECT name FROM item WHERE display_path LIKE '%name-%'")
        }
        #expect(raw.map([UInt8].init) == Array("name-".utf8) + [0xFF] + Array(".txt".utf8))
    }

    /// A full scan of `share` with the shipped rules (which must find no item it cannot read), exported, by path
    /// below the share.
    func scannedExport(_ share: TempTree) throws -> [String: [String: Any]] {
        let work = TempTree()
        let db = work.path("sweep.db")
        let scan = try runSweep(["scan", share.root, "--index", db, "--rules", repositoryRoot + "/rules", "--quiet"])
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        return Dictionary(uniqueKeysWithValues: try runSweep(["export", "--index", db]).jsonLines.map {
            (String(($0["path"] as! String).dropFirst(share.root.count + 1)), $0)
        })
    }

    @Test func textFilesLibmagicMistakesForPlotsAreReadAsText() throws {
        // libmagic calls anything starting "PA", "SP" or "NP" an HP-GL plot.
        let share = TempTree("share")
        share.file("HR/payroll.csv", "PAYROLL EXPORT\nname,ni\nA Person,JK123456C\n")
        share.file("SEN/review.txt", "SPECIAL EDUCATIONAL NEEDS REVIEW\nNHS number 943 476 5919\n")
        share.file("plots/site.plt", "PA 100,200;PD;\n")
        let items = try scannedExport(share)
        #expect(items["HR/payroll.csv"]?["type"] as? String == "text/csv")
        #expect((items["HR/payroll.csv"]?["pii"] as? [String: Int])?["nino"] == 1)
        #expect(items["SEN/review.txt"]?["type"] as? String == "text/plain")
        #expect((items["SEN/review.txt"]?["pii"] as? [String: Int])?["nhs_number"] == 1)
        #expect(items["plots/site.plt"]?["type"] as? String == "application/vnd.hp-HPGL")   // no text extension: libmagic's answer
    }

    @Test func textFilesWithAStrayNulOrInUTF16WithoutAMarkAreRead() throws {
        let share = TempTree("share")
        let body = "NINO JK123456C\nbob@example.org\n" + String(repeating: "filler line\n", count: 200)
        share.file("nul-end.txt", body + "\u{0}")
        let utf16 = Array((body + "SW1A 1AA\n").utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        try Data(utf16).write(to: URL(fileURLWithPath: share.path("export.csv")))
        share.file("binary.txt", String(repeating: "\u{0}\u{1}\u{2}\u{3}JK123456C", count: 50))
        let items = try scannedExport(share)
        func pii(_ k: String) -> [String: Int] { items[k]?["pii"] as? [String: Int] ?? [:] }
        #expect(items["nul-end.txt"]?["type"] as? String == "text/plain")
        #expect(pii("nul-end.txt") == ["nino": 1, "email": 1])
        #expect(items["export.csv"]?["type"] as? String == "text/csv")
        #expect(pii("export.csv") == ["nino": 1, "email": 1, "uk_postcode": 1])
        #expect(items["binary.txt"]?["type"] as? String == "application/octet-stream")   // mostly control bytes: not text
    }

    @Test func followedLinksToFilesAreRead() throws {
        let work = TempTree()
        let root = work.path("share"), outside = work.path("outside")
        try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "NI JK123456C\n".write(toFile: root + "/a/t.txt", atomically: false, encoding: .utf8)
        try "contact bob@example.org\n".write(toFile: outside + "/o.txt", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/link-in.txt", withDestinationPath: "a/t.txt")
        try FileManager.default.createSymbolicLink(atPath: root + "/link-out.txt", withDestinationPath: outside + "/o.txt")
        let db = work.path("sweep.db")
        let scan = try runSweep(["scan", root, "--index", db, "--rules", repositoryRoot + "/rules", "--quiet", "--follow-symlinks"])
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        let items = Dictionary(uniqueKeysWithValues: try runSweep(["export", "--index", db]).jsonLines.map {
            (String(($0["path"] as! String).dropFirst(root.count + 1)), $0)
        })
        #expect(items["link-in.txt"]?["error"] is NSNull)
        #expect((items["link-in.txt"]?["pii"] as? [String: Int])?["nino"] == 1)
        #expect(items["link-out.txt"]?["error"] is NSNull)
        #expect((items["link-out.txt"]?["pii"] as? [String: Int])?["email"] == 1)
        // Without --follow-symlinks a link is recorded, not read.
        let db2 = work.path("sweep2.db")
        _ = try runSweep(["scan", root, "--index", db2, "--rules", repositoryRoot + "/rules", "--quiet"])
        let plain = try runSweep(["export", "--index", db2]).jsonLines.first { ($0["path"] as! String).hasSuffix("link-out.txt") }
        #expect((plain?["pii"] as? [String: Int]) == [:])
    }

    @Test func aSecondScanOnTheSameIndexIsRefused() throws {
        let share = try councilCopy()
        let work = TempTree()
        let db = work.path("sweep.db")
        let held = try ScanLock(index: db)
        let run = try runSweep(["scan", share.root, "--index", db, "--quiet"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("another sweep scan is writing to \(db)"))
        withExtendedLifetime(held) {}
    }

    @Test func couldNotRunExitsTwoWithTheFix() throws {
        let share = try councilCopy()
        let work = TempTree()
        work.file("rules/retention.yaml", "classes:\n  - id: A\n    retain: six years\n    when: {path: [\"**\"]}\n")
        let badRules = try runSweep(["scan", share.root, "--index", work.path("a.db"), "--rules", work.path("rules")])
        #expect(badRules.status == 2)
        #expect(badRules.stderr.contains("retention.yaml:3"))
        #expect(badRules.stderr.contains("fix:"))
        #expect(!FileManager.default.fileExists(atPath: work.path("a.db")))   // nothing written before the rules were good

        work.file("junk.db", String(repeating: "not a database ", count: 500))
        let corrupt = try runSweep(["scan", share.root, "--index", work.path("junk.db")])
        #expect(corrupt.status == 2)
        #expect(corrupt.stderr.contains("not a readable Sweep index"))

        let missingRoot = try runSweep(["scan", work.path("no-such-share"), "--index", work.path("b.db")])
        #expect(missingRoot.status == 2)
        #expect(missingRoot.stderr.contains("mounted"))

        let badArgs = try runSweep(["scan", share.root, "--as-of", "31/03/2026"])
        #expect(badArgs.status == 2)
        #expect(try runSweep(["export", "--index", work.path("none.db")]).status == 2)
    }

    /// A binary copied alone, run where there is no ./rules, scans with the rules built into it: detection
    /// and the retention classes are never lost because a folder is missing.
    @Test func aLoneBinaryScansWithItsShippedRules() throws {
        let share = try councilCopy()
        let work = TempTree()
        let lonely = work.path("bin/sweep")
        try FileManager.default.createDirectory(atPath: work.path("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sweepBinary, toPath: lonely)
        func run(_ arguments: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: lonely)
            p.arguments = arguments
            p.currentDirectoryURL = URL(fileURLWithPath: work.root)
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let (status, stdout) = try run(["scan", share.root, "--index", work.path("a.db"), "--quiet"])
        #expect(status == 0)
        #expect(stdout.contains("personal-data.yaml (shipped)") && stdout.contains("retention.yaml (shipped)"), "\(stdout)")
        let alone = try exportedFindings(work.path("a.db"))
        let db = work.path("b.db")
        #expect(try runSweep(["scan", share.root, "--index", db, "--rules", repositoryRoot + "/rules", "--quiet"]).status == 0)
        #expect(alone == (try exportedFindings(db)))
        #expect(alone.values.contains { !$0.isEmpty }, "the fixtures hold personal data")
    }

    /// Per path, the markings, personal-data counts, categories and class, as one comparable string.
    func exportedFindings(_ db: String) throws -> [String: String] {
        let export = try runSweep(["export", "--index", db, "--format", "jsonl"])
        var out: [String: String] = [:]
        for line in export.stdout.split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let path = try #require(o["path"] as? String)
            let rel = String(path.drop { $0 != "/" }.split(separator: "/").suffix(3).joined(separator: "/"))
            let pii = (o["pii"] as? [String: Int] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let found = (o["markings"] as? [String] ?? []) + pii + (o["special_category"] as? [String] ?? [])
            out[rel] = found.joined(separator: ",")
        }
        return out
    }

    /// A rules folder holding only a retention schedule replaces the shipped schedule and keeps the shipped
    /// detection rules: it finds exactly what the full shipped rules find. Detection is off only when asked.
    @Test func aScheduleOnlyRulesFolderKeepsShippedDetection() throws {
        let share = try councilCopy()
        let work = TempTree()
        try FileManager.default.createDirectory(atPath: work.path("local"), withIntermediateDirectories: true)
        let schedule = try String(contentsOfFile: repositoryRoot + "/rules/retention.yaml", encoding: .utf8)
            .replacingOccurrences(of: "id: HR-REC-02", with: "id: HR-REC-LOCAL")
        try schedule.write(toFile: work.path("local/retention.yaml"), atomically: true, encoding: .utf8)

        let full = work.path("full.db"), local = work.path("local.db"), off = work.path("off.db")
        #expect(try runSweep(["scan", share.root, "--index", full, "--rules", repositoryRoot + "/rules", "--quiet"]).status == 0)
        let scan = try runSweep(["scan", share.root, "--index", local, "--rules", work.path("local"), "--quiet", "--json"])
        #expect(scan.status == 0)
        #expect(try exportedFindings(local) == (try exportedFindings(full)))
        // The summary names each file in force and where it came from.
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        let files = try #require(summary["rules"] as? [[String: Any]])
        let sources = Dictionary(uniqueKeysWithValues: files.map { ($0["name"] as! String, $0["source"] as! String) })
        #expect(sources == ["retention.yaml": "local", "personal-data.yaml": "shipped", "markings.yaml": "shipped",
                            "special-category.yaml": "shipped"])
        #expect(summary["detection"] as? Bool == true)
        #expect((summary["coverage"] as? [String: Any])?["office"] != nil)
        // The local schedule is the one in force.
        #expect(try runSweep(["export", "--index", local, "--format", "jsonl"]).stdout.contains("HR-REC-LOCAL"))

        let none = try runSweep(["scan", share.root, "--index", off, "--rules", work.path("local"), "--no-detection"])
        #expect(none.status == 0)
        #expect(none.stdout.contains("detection is off"))
        #expect(try exportedFindings(off).values.allSatisfy { $0.isEmpty })
        // Reading still happens: nested items are there with detection off.
        #expect(try runSweep(["export", "--index", off, "--format", "jsonl"]).stdout.contains("!/"))
        let rules = try runSweep(["rules", "check", work.path("local")])
        #expect(rules.status == 0)
        #expect(rules.stdout.contains("retention.yaml (\(work.path("local"))/retention.yaml)"), "\(rules.stdout)")
        #expect(rules.stdout.contains("personal-data.yaml (shipped)"))
    }

    @Test func aConfigFileMakesTheScanOneLine() throws {
        let share = try councilCopy()
        let work = TempTree()
        let db = work.path("nightly.db")
        work.file("sweep.yaml", """
            roots: ["\(share.root)"]
            exclude: ["**/Finance/**", "*.eml"]
            index: \(db)
            rules: \(repositoryRoot)/rules
            jobs: 3
            """)
        let run = try runSweep(["scan", "--config", work.path("sweep.yaml"), "--json", "--quiet"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        #expect(summary["new"] as? Int == 12)   // 15 files but Finance's two and the .eml
        #expect(summary["errors"] as? Int == 0)
        let status = try runSweep(["status", "--index", db, "--format", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        let scans = parsed["scans"] as! [[String: Any]]
        #expect(scans.first?["jobs"] as? Int == 3)
        #expect(scans.first?["state"] as? String == "complete")
    }

    @Test func statusShowsTheScansNewestFirst() throws {
        let share = try councilCopy()
        let work = TempTree()
        let db = work.path("sweep.db")
        _ = try runSweep(["scan", share.root, "--index", db, "--quiet"])
        try FileManager.default.removeItem(atPath: share.path("IT"))
        _ = try runSweep(["scan", share.root, "--index", db, "--quiet"])
        let status = try runSweep(["status", "--index", db])
        #expect(status.status == 0)
        #expect(status.stdout.contains("Index \(db): 19 items"))   // 21 with the nested, less IT's two files
        #expect(status.stdout.contains("2 gone"))
        let rows = status.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }
        #expect(rows.map { $0.split(separator: " ").first! } == ["2", "1"])
    }
}

/// A PostgreSQL index URI (CONTRACT.md) holding a password is refused before anything connects, never taken as a
/// file name, and the password is never printed (a command line is visible to every user through `ps`).
@Suite struct IndexURITests {
    @Test func aPostgresURIWithAPasswordIsRefusedClearly() throws {
        let work = TempTree()
        for command in [["scan", work.root], ["status"], ["export"], ["findings"], ["disposal", "list"]] {
            let run = try runSweep(command + ["--index", "postgres://sweep:s3cret@db.example/sweep"], cwd: work.root)
            #expect(run.status == 2, "\(command)")
            #expect(run.stderr.contains("PostgreSQL index URI") && run.stderr.contains("password file") && !run.stderr.contains("s3cret"),
                    "\(command): \(run.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.root).isEmpty, "nothing created under the URI's name")
    }
}
