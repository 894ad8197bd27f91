import Foundation
import TestSupport
import Testing

/// Personal data is the thing Sweep protects: plant values, scan, and look for them everywhere Sweep writes.
@Suite struct PrivacyTests {
    static let planted = ["JK 12 34 56 C", "JK123456C", "943 476 5919", "9434765919", "4111 1111 1111 1111", "4111111111111111",
                          "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "joe.bloggs@example.org", "07700 900123",
                          "447700900123", "925076473", "MORGA657054SM9IJ", "70872490"]

    @Test func rawValuesNeverReachTheIndexExportsReportsOrLogs() throws {
        let share = TempTree("privacy-share")
        share.file("HR/case.txt", """
            OFFICIAL-SENSITIVE: PERSONAL
            Subject: J Bloggs, NI JK 12 34 56 C, NHS number 943 476 5919
            Card 4111 1111 1111 1111; IBAN GB82 WEST 1234 5698 7654 32; email joe.bloggs@example.org; mobile 07700 900123
            Passport number 925076473; driving licence MORGA657054SM9IJ; sort code 40-47-84 account 70872490
            GP informed of medication change.
            OFFICIAL-SENSITIVE: PERSONAL
            """)
        share.file("HR/copy.txt", "NI number JK123456C\n")
        let work = TempTree()
        let db = work.path("sweep.db")
        let scan = try runSweep(["scan", share.root, "--index", db])   // progress and summary on stderr/stdout: logs too
        #expect(scan.status == 0, "stderr: \(scan.stderr)")
        var outputs = [scan.stdout, scan.stderr]
        for args in [["export", "--format", "jsonl"], ["export", "--format", "csv"], ["findings"], ["findings", "--by", "folder"],
                     ["findings", "--format", "csv"], ["findings", "--format", "json"], ["findings", "--by", "folder", "--format", "json"],
                     ["dupes"], ["dupes", "--format", "json"], ["status"], ["status", "--format", "json"]] {
            let r = try runSweep(args + ["--index", db])
            #expect(r.status == 0, "\(args): \(r.stderr)")
            outputs += [r.stdout, r.stderr]
        }
        // The findings were made: the test would prove nothing if nothing was detected.
        let export = try runSweep(["export", "--index", db]).jsonLines
        let caseFile = try #require(export.first { ($0["path"] as! String).hasSuffix("case.txt") })
        let pii = caseFile["pii"] as! [String: Int]
        #expect(Set(pii.keys).isSuperset(of: ["nino", "nhs_number", "payment_card", "iban", "email", "uk_phone", "uk_passport",
                                               "uk_driving_licence", "uk_bank_account"]))
        #expect(caseFile["markings"] as? [String] == ["OFFICIAL-SENSITIVE"])
        #expect(caseFile["special_category"] as? [String] == ["health"])

        // "Where else does this NINO appear?" is answered by keyed hash.
        let like = try runSweep(["findings", "--index", db, "--like", share.path("HR/case.txt"), "--format", "json"]).jsonLines
        #expect(like.count == 1 && (like.first?["path"] as? String)?.hasSuffix("HR/copy.txt") == true)
        #expect(like.first?["shared_types"] as? [String] == ["nino"])
        outputs.append(try runSweep(["findings", "--index", db, "--like", share.path("HR/case.txt")]).stdout)

        // Every file the index is made of, byte for byte (the WAL too, should one be left).
        var stored = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: work.root) where name.hasPrefix("sweep.db") {
            stored += FileManager.default.contents(atPath: work.path(name)) ?? Data()
        }
        let index = String(decoding: stored, as: UTF8.self)
        for value in Self.planted {
            #expect(!index.contains(value), "the index holds \(value)")
            for (n, text) in outputs.enumerated() { #expect(!text.contains(value), "output \(n) holds \(value)") }
        }
    }
}
