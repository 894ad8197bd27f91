import Extract
import Foundation
import SweepModel
import TestSupport
import Testing

/// The fixtures come from fixtures/make-pdf.py; report.pdf is two pages with OFFICIAL-SENSITIVE at the top
/// and bottom of each.
@Suite struct PDFDocumentTests {
    let folder = repositoryRoot + "/fixtures/formats/pdf/"
    func budget(_ change: (inout ExtractionLimits) -> Void = { _ in }) -> ExtractionBudget {
        var limits = ExtractionLimits()
        change(&limits)
        return ExtractionBudget(limits: limits)
    }

    @Test func readsTextPagesMarkingsAndMetadata() {
        let e = PDFDocument.extract(path: folder + "report.pdf", budget: budget())
        #expect(e.problem == nil)
        #expect(e.body.contains("The tenancy review found three overdue gas safety inspections."))
        #expect(e.body.contains("JK123456C"))
        #expect(e.body.contains("Inspections to be booked before the end of the month."))
        #expect(e.body.components(separatedBy: "\u{0C}\n").count == 2)
        #expect(e.metadata.pages == 2)
        #expect(e.metadata.title == "Housing Services quarterly review")
        #expect(e.metadata.author == "Jane Example")
        #expect(e.metadata.application == "make-pdf.py")
        #expect(e.metadata.created == Timestamp.parse("2022-03-15T09:12:44Z"))
        #expect(e.metadata.modified == Timestamp.parse("2022-03-16T09:15:00Z"))
        let edges = e.headers["x-header-footer"] ?? ""
        // Two pages, each with the marking as its first and last line.
        #expect(edges.components(separatedBy: "OFFICIAL-SENSITIVE").count - 1 == 4)
        #expect(!edges.contains("JK123456C"), "the middle of a page is not header or footer")
    }

    @Test func bytesAndPathGiveTheSameText() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "report.pdf")))
        let fromBytes = PDFDocument.extract(bytes: bytes, budget: budget())
        let fromPath = PDFDocument.extract(path: folder + "report.pdf", budget: budget())
        #expect(fromBytes.problem == nil)
        #expect(fromBytes.body == fromPath.body)
        #expect(fromBytes.headers == fromPath.headers)
        #expect(fromBytes.metadata == fromPath.metadata)
    }

    @Test func namesThatWouldBreakAURIAreRead() throws {
        let t = TempTree()
        let name = "Report #3 100% done ünïcode.pdf"
        try FileManager.default.copyItem(atPath: folder + "report.pdf", toPath: t.path(name))
        let e = PDFDocument.extract(path: t.path(name), budget: budget())
        #expect(e.problem == nil)
        #expect(e.body.contains("JK123456C"))
    }

    @Test func passwordProtectedIsEncrypted() throws {
        let e = PDFDocument.extract(path: folder + "encrypted.pdf", budget: budget())
        #expect(e.problem?.kind == .encrypted)
        #expect(e.problem?.message == "encrypted: password-protected PDF")
        #expect(!e.body.contains("JK123456C"))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "encrypted.pdf")))
        #expect(PDFDocument.extract(bytes: bytes, budget: budget()).problem?.kind == .encrypted)
    }

    @Test func garbageIsCorruptNotACrash() {
        let e = PDFDocument.extract(path: folder + "garbage.pdf", budget: budget())
        #expect(e.problem?.kind == .corrupt)
        #expect(e.body.isEmpty)
        #expect(PDFDocument.extract(bytes: [], budget: budget()).problem?.kind == .corrupt)
        #expect(PDFDocument.extract(bytes: Array("%PDF-1.7\n".utf8), budget: budget()).problem?.kind == .corrupt)
    }

    @Test func truncatedFileDoesNotCrash() {
        // Poppler may rebuild a cross-reference table from what is left, or give up: either is fine, so long
        // as nothing beyond the cut is invented and a failure is reported as corrupt.
        let e = PDFDocument.extract(path: folder + "truncated.pdf", budget: budget())
        if let problem = e.problem { #expect(problem.kind == .corrupt) }
        #expect(!e.body.contains("Inspections to be booked"))
    }

    @Test func missingFileIsUnreadable() {
        let e = PDFDocument.extract(path: folder + "no-such-file.pdf", budget: budget())
        #expect(e.problem?.kind == .unreadable)
    }

    @Test func textCapCutsAndSays() {
        let e = PDFDocument.extract(path: folder + "report.pdf", budget: budget { $0.textCap = 40 })
        #expect(e.problem?.kind == .limit)
        #expect(e.body.count == 40)
    }

    @Test func spentBudgetStopsBeforeTheFirstPage() {
        let spent = ExtractionBudget(limits: ExtractionLimits(), now: ExtractionBudget.clock() - 3600)
        let e = PDFDocument.extract(path: folder + "report.pdf", budget: spent)
        #expect(e.problem?.kind == .timeout)
        #expect(e.metadata.pages == 2)
        #expect(e.body.isEmpty)
    }

    @Test func separateDocumentsOnSeparateThreads() async throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "report.pdf")))
        let path = folder + "report.pdf"
        let bodies = await withTaskGroup(of: String.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let b = ExtractionBudget(limits: ExtractionLimits())
                    return i % 2 == 0 ? PDFDocument.extract(bytes: bytes, budget: b).body : PDFDocument.extract(path: path, budget: b).body
                }
            }
            var all: [String] = []
            for await body in group { all.append(body) }
            return all
        }
        #expect(Set(bodies).count == 1)
        #expect(bodies.first?.contains("JK123456C") == true)
    }
}
