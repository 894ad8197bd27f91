import Foundation
import TestSupport
import Testing
import Web

/// `sweep report --html`: one file about the latest scan beside the previous one.
@Suite struct ScanReportTests {
    @Test func theReportComparesTheLatestScanWithThePreviousAndStandsAlone() throws {
        let share = TempTree("report-share")
        let work = TempTree("report-work")
        let date = WebHarness.date
        share.file("HR/Recruitment/2019/form.txt", "Application form\nNational Insurance number JK123456C\n", modified: date("2019-06-14"))
        share.file("Committee/Minutes/2024.txt", "Minutes of Cabinet 2024\n", modified: date("2024-06-01"))
        share.file("Social Care/Smith family/notes.txt", "Contact jane.smith@example.org about the visit.\n")
        share.file("Finance/ledger.csv", String(repeating: "ledger,1\n", count: 100))
        share.file("Finance Backup/ledger.csv", String(repeating: "ledger,1\n", count: 100))
        work.folder("rules")
        for name in try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/rules") where name != "retention.yaml" {
            try FileManager.default.copyItem(atPath: repositoryRoot + "/rules/" + name, toPath: work.path("rules/" + name))
        }
        work.file("rules/retention.yaml", WebHarness.schedule)
        let db = work.path("sweep.db")
        func scan(_ asOf: String) throws {
            let r = try runSweep(["scan", share.root, "--index", db, "--rules", work.path("rules"), "--as-of", asOf, "--quiet"])
            #expect(r.status == 0, "stderr: \(r.stderr)")
        }
        try scan("2025-01-01")
        // Between the scans: a new recruitment file, a new folder with personal data, the minutes fall due.
        share.file("HR/Recruitment/2024/new.txt", "Shortlist 2024\n", modified: date("2024-06-01"))
        share.file("Social Care/Jones/visit.txt", "Call 07700 900123 or email a.jones@example.org\n")
        try scan("2026-01-01")

        let out = work.path("report.html")
        let run = try runSweep(["report", "--html", out, "--index", db])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("Report written to \(out)"))
        let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let html = try String(contentsOfFile: out, encoding: .utf8)

        #expect(html.contains("Scan 2 beside scan 1"))
        #expect(html.contains("2 of the 3 candidates at 2026-01-01 are new since the previous scan (due after 2025-01-01"))
        #expect(html.contains(HTML.escape(share.path("HR/Recruitment/2024/new.txt"))))
        #expect(html.contains(HTML.escape(share.path("Committee/Minutes/2024.txt"))))
        #expect(!html.contains("form.txt"), "a candidate of the previous scan is not new")
        #expect(html.contains(HTML.escape(share.path("Social Care/Jones"))))
        #expect(!html.contains("Smith family"), "an unchanged folder is not a new hot spot")
        #expect(html.contains("1 duplicate sets, 1 extra copies, <strong>900 B</strong> reclaimable"))
        #expect(html.contains("<svg"))
        #expect(html.contains("What was read") && html.contains("Items by family of formats"))   // the coverage account
        // Self-contained and safe to mail: no script, nothing fetched from anywhere, no values.
        for banned in ["<script", "src=", "<link", "https://", "url(", "JK123456C", "jane.smith", "a.jones", "900123"] {
            #expect(!html.contains(banned), "report contains \(banned)")
        }
        #expect(html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http://") == false)
    }

    @Test func aReportNeedsAnIndex() throws {
        let work = TempTree("report-none")
        let run = try runSweep(["report", "--html", work.path("r.html"), "--index", work.path("missing.db")])
        #expect(run.status == 2)
        #expect(!FileManager.default.fileExists(atPath: work.path("r.html")))
    }
}
