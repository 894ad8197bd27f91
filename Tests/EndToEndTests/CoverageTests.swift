import Foundation
import TestSupport
import Testing

/// The coverage account: what was read in full, in part, and not at all, with the reason, in the scan summary
/// and in `sweep status`, so an empty findings list is read for what it is.
@Suite struct CoverageTests {
    @Test func whatWasNotReadIsCountedWithItsReason() throws {
        let t = TempTree("share")
        t.file("notes.txt", "Contact a.smith@example.org about the case.\n")
        // A page with no text on it: a scan, as far as Sweep can tell without OCR.
        t.file("scan.pdf", "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               + "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
        // An Office Open XML name on a compound file: an encrypted package.
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 1016)
        FileManager.default.createFile(atPath: t.path("locked.docx"), contents: Data(ole))
        // A picture cut short after its header: with OCR off, an image Sweep does not read.
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
                            0x90, 0x77, 0x53, 0xDE]
        FileManager.default.createFile(atPath: t.path("photo.png"), contents: Data(png))
        let work = TempTree()
        let db = work.path("c.db")
        // Without OCR, as a site that turns it off: a PDF of scans is then a PDF with no text layer.
        let scan = try runSweep(["scan", t.root, "--index", db, "--quiet", "--no-ocr"])
        #expect(scan.status == 1)   // some items could not be read
        #expect(scan.stdout.contains("1 PDF has no text layer"), "\(scan.stdout)")
        #expect(scan.stdout.contains("1 office document is encrypted"), "\(scan.stdout)")

        let status = try runSweep(["status", "--index", db, "--json"])   // CONTRACT.md's form (also --format json)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let coverage = try #require(o["coverage"] as? [String: [String: Any]])
        #expect(Set(coverage.keys) == ["office", "pdf", "mail", "archive", "text", "image", "audio_video", "other"])
        #expect(coverage["pdf"]?["items"] as? Int == 1)
        #expect((coverage["pdf"]?["not_read"] as? [String: Int]) == ["no_text_layer": 1])
        #expect((coverage["office"]?["not_read"] as? [String: Int]) == ["encrypted": 1])
        #expect(coverage["text"]?["read_in_full"] as? Int == 1)
        #expect((coverage["image"]?["not_read"] as? [String: Int]) == ["no_reader": 1])

        let export = try runSweep(["export", "--index", db]).jsonLines
        let byName = Dictionary(uniqueKeysWithValues: export.map { (($0["path"] as! String).split(separator: "/").last.map(String.init)!, $0) })
        #expect(byName["notes.txt"]?["read_as"] as? String == "text")
        #expect(byName["notes.txt"]?["text_source"] as? String == "text")
        #expect(byName["scan.pdf"]?["text_source"] is NSNull)
        #expect((byName["scan.pdf"]?["error"] as? String)?.hasPrefix("no text layer") == true)
        #expect((byName["locked.docx"]?["error"] as? String)?.hasPrefix("encrypted") == true)

        let table = try runSweep(["status", "--index", db])
        #expect(table.stdout.contains("Coverage"))
        #expect(table.stdout.contains("has no text layer"))
    }
}
