import Foundation
import TestSupport
import Testing

/// `sweep --version` for a support ticket: Sweep's version and the libraries it runs on, each with its version.
@Suite struct VersionTests {
    @Test func theVersionNamesSweepAndEveryLinkedLibrary() throws {
        let run = try runSweep(["--version"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("sweep ") == true && lines.first?.contains("commit") == true, "\(run.stdout)")
        for library in ["SQLite", "Vectorscan", "libmagic", "libarchive", "poppler", "Tesseract", "Leptonica"] {
            let line = lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(library + " ") }
            #expect(line?.contains(where: \.isNumber) == true, "\(library) and its version: \(run.stdout)")
        }
    }
}
