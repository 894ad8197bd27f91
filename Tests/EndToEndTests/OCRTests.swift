import Foundation
import TestSupport
import Testing

/// Scanned letters (fixtures/make-scans.py: PNG at 300 dpi, JPEG at 200, a skewed sheet, a noisy one, a two-page
/// TIFF, an image-only PDF) give the same personal data and marking as the same letters typed.
@Suite(.serialized) struct OCRTests {
    struct Made {
        let tree: TempTree
        let expected: [String: Any]
    }

    /// The scans and their typed controls, made fresh (Pillow and the DejaVu fonts come from scripts/setup).
    static func make() throws -> Made {
        let t = TempTree("scans")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: repositoryRoot + "/fixtures/make-scans.py")
        p.arguments = [t.path("made")]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let why = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "fixtures/make-scans.py failed (needs python3-pil and fonts-dejavu-core: scripts/setup): \(why)")
        let data = try Data(contentsOf: URL(fileURLWithPath: t.path("made/expected.json")))
        return Made(tree: t, expected: try JSONSerialization.jsonObject(with: data) as! [String: Any])
    }

    func byName(_ db: String) throws -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for item in try runSweep(["export", "--index", db]).jsonLines {
            if let p = item["path"] as? String { out[(p as NSString).lastPathComponent] = item }
        }
        return out
    }

    @Test func scansGiveTheFindingsOfTheirTypedLetters() throws {
        let m = try Self.make()
        let work = TempTree()
        let db = work.path("o.db")
        let scan = try runSweep(["scan", m.tree.path("made/scans"), m.tree.path("made/typed"), "--index", db, "--json"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let items = try byName(db)
        // The coverage account counts the scanned pages and their confidence.
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        let coverage = try #require(summary["coverage"] as? [String: [String: Any]])
        let imagePages = try #require(coverage["image"]?["ocr"] as? [String: Any])
        #expect(imagePages["pages_recognised"] as? Int == 6 && imagePages["pages_skipped_for_limits"] as? Int == 0, "\(imagePages)")
        #expect((imagePages["mean_confidence"] as? Int ?? 0) >= 60, "\(imagePages)")
        #expect((coverage["pdf"]?["ocr"] as? [String: Any])?["pages_recognised"] as? Int == 2)
        let scans = try #require(m.expected["scans"] as? [String: [Int]])
        for (name, letters) in scans {
            let item = try #require(items[name], "\(name) is in the index")
            #expect(item["text_source"] as? String == "ocr", "\(name): \(String(describing: item["text_source"]))")
            #expect(item["read_as"] as? String == (name.hasSuffix(".pdf") ? "pdf" : "ocr"), "\(name)")
            #expect(item["error"] is NSNull, "\(name): \(String(describing: item["error"]))")
            let pii = item["pii"] as? [String: Int] ?? [:]
            // Every planted value of every letter on it, as its typed control gives them.
            for type in ["nino", "nhs_number", "email"] {
                #expect(pii[type] == letters.count, "\(name): \(type) \(String(describing: pii[type])) for \(letters.count) letter(s)")
            }
            #expect((item["markings"] as? [String])?.contains("OFFICIAL-SENSITIVE") == true, "\(name): the marking on the page's first line")
            for l in Set(letters) {
                let typed = try #require(items["letter-\(l + 1).txt"])
                let typedTypes = Set((typed["pii"] as? [String: Int] ?? [:]).keys)
                #expect(typedTypes.isSubset(of: Set(pii.keys)), "\(name) finds what letter-\(l + 1).txt does: \(typedTypes) ⊆ \(pii.keys)")
            }
        }
        // An unchanged re-scan recognises nothing again: no reader is started.
        let log = work.path("workers.log")
        let again = try runSweep(["scan", m.tree.path("made/scans"), m.tree.path("made/typed"), "--index", db, "--quiet"],
                                 prefix: ["/usr/bin/env", "SWEEP_WORKER_LOG=\(log)"])
        #expect(again.status == 0)
        #expect(!FileManager.default.fileExists(atPath: log), "an unchanged re-scan started a reader")
    }

    @Test func pagesOverTheLimitAreCountedAndSaid() throws {
        let m = try Self.make()
        let work = TempTree()
        work.file("sweep.yaml", "limits:\n  ocr_pages_per_item: 1\n")
        let db = work.path("l.db")
        let scan = try runSweep(["scan", m.tree.path("made/scans"), "--index", db, "--config", work.path("sweep.yaml"), "--json"])
        #expect(scan.status == 1, "two items have a second page left: \(scan.stderr)")
        let items = try byName(db)
        let tif = try #require(items["letters-1-2.tif"])
        #expect((tif["error"] as? String)?.hasPrefix("limit hit") == true, "\(String(describing: tif["error"]))")
        #expect((tif["pii"] as? [String: Int])?["nino"] == 1, "the first page is still read")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        let coverage = try #require(summary["coverage"] as? [String: [String: Any]])
        #expect((coverage["image"]?["ocr"] as? [String: Any])?["pages_skipped_for_limits"] as? Int == 1)
        #expect((coverage["pdf"]?["ocr"] as? [String: Any])?["pages_skipped_for_limits"] as? Int == 1)
    }

    @Test func withoutOCRScansAreCountedAsNotRead() throws {
        let m = try Self.make()
        let work = TempTree()
        let db = work.path("n.db")
        let scan = try runSweep(["scan", m.tree.path("made/scans"), "--index", db, "--no-ocr", "--json"])
        #expect(scan.status == 1, "the image-only PDF is an error without OCR: \(scan.stderr)")
        let items = try byName(db)
        let png = try #require(items["letter-1-300dpi.png"])
        #expect(png["read_as"] is NSNull && png["text_source"] is NSNull && (png["pii"] as? [String: Int] ?? [:]).isEmpty)
        let pdf = try #require(items["letter-3-scan.pdf"])
        #expect((pdf["error"] as? String)?.hasPrefix("no text layer") == true, "\(String(describing: pdf["error"]))")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        let image = try #require((summary["coverage"] as? [String: Any])?["image"] as? [String: Any])
        #expect(image["read_in_full"] as? Int == 0 && (image["items"] as? Int ?? 0) == 5, "\(image)")
        // Unchanged files left unread without OCR are read once it is on: no upgrade leaves scans unsearched.
        #expect(try runSweep(["scan", m.tree.path("made/scans"), "--index", db, "--quiet"]).status == 0)
        let after = try byName(db)
        #expect(after["letter-1-300dpi.png"]?["text_source"] as? String == "ocr")
        #expect(after["letter-3-scan.pdf"]?["error"] is NSNull && after["letter-3-scan.pdf"]?["text_source"] as? String == "ocr")
    }
}

extension OCRTests {
    @Test func aScanPastItsOCRTimeLeavesTheRestForTheNext() throws {
        let m = try Self.make()
        let work = TempTree()
        // A bound the first page already passes: one item is recognised, the others wait.
        work.file("sweep.yaml", "jobs: 1\nlimits:\n  ocr_seconds_per_scan: 0.01\n")
        let db = work.path("t.db")
        let scan = try runSweep(["scan", m.tree.path("made/scans"), "--index", db, "--config", work.path("sweep.yaml"), "--quiet"])
        #expect(scan.status == 1)
        let items = try byName(db).filter { $0.key != "expected.json" }
        let waiting = items.values.filter { ($0["error"] as? String)?.contains("ocr_seconds_per_scan") == true }
        let read = items.values.filter { $0["text_source"] as? String == "ocr" }
        #expect(read.count >= 1 && waiting.count >= 4, "read \(read.count), waiting \(waiting.count)")
        // The next scan, unbounded, reads what waited.
        #expect(try runSweep(["scan", m.tree.path("made/scans"), "--index", db, "--quiet"]).status == 0)
        #expect(try byName(db).values.allSatisfy { $0["text_source"] as? String == "ocr" })
    }
}

extension OCRTests {
    @Test func aCopyOfAScanIsRecognisedOnce() throws {
        let m = try Self.make()
        let t = TempTree("copies")
        for name in ["a.png", "b.png", "c.png"] {
            try FileManager.default.copyItem(atPath: m.tree.path("made/scans/letter-1-300dpi.png"), toPath: t.path(name))
        }
        let work = TempTree()
        let log = work.path("workers.log")
        let scan = try runSweep(["scan", t.root, "--index", work.path("c.db"), "--quiet", "--jobs", "1"],
                                prefix: ["/usr/bin/env", "SWEEP_WORKER_LOG=\(log)"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let reads = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasPrefix("read ") }
        #expect(reads.count == 1, "one recognition for three copies: \(reads)")
        let items = try byName(work.path("c.db"))
        for name in ["a.png", "b.png", "c.png"] {
            #expect(items[name]?["text_source"] as? String == "ocr" && (items[name]?["pii"] as? [String: Int])?["nino"] == 1, "\(name)")
        }
    }
}

extension OCRTests {
    @Test func aPhotoIsRecognisedAsNoTextNotNoise() throws {
        let t = TempTree("photo")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        // A camera-sized picture of noise and shapes, no words in it.
        p.arguments = ["-c", """
            import sys
            from PIL import Image, ImageDraw
            img = Image.effect_noise((4000, 3000), 60).convert("RGB")
            d = ImageDraw.Draw(img)
            for i in range(40):
                d.ellipse((i * 90, i * 60, i * 90 + 400, i * 60 + 300), outline=(i * 6, 120, 255 - i * 6), width=9)
            img.save(sys.argv[1], quality=80)
            """, t.path("IMG_0042.jpg")]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "Pillow (python3-pil) draws the photo")
        let work = TempTree()
        let db = work.path("p.db")
        let scan = try runSweep(["scan", t.root, "--index", db, "--quiet"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let photo = try #require(try byName(db)["IMG_0042.jpg"])
        #expect(photo["read_as"] as? String == "ocr" && photo["error"] is NSNull)
        #expect(photo["text_source"] is NSNull, "noise is not text: \(String(describing: photo["text_source"]))")
        #expect((photo["pii"] as? [String: Int] ?? [:]).isEmpty)
    }
}
