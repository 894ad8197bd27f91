import Extract
import Foundation
import SweepModel
import TestSupport
import Testing

@Suite struct TypeTests {
    func sniff(_ bytes: [UInt8]) throws -> String {
        let s = try TypeSniffer()
        return bytes.withUnsafeBytes { s.mimeType(of: $0) }
    }

    @Test func libmagicNamesCommonContent() throws {
        #expect(try sniff(Array("%PDF-1.7\n%\u{e2}\u{e3}\n1 0 obj\n".utf8)) == "application/pdf")
        #expect(try sniff(Array("Hello, this is plain text.\n".utf8)) == "text/plain")
        #expect(try sniff([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)) != "text/plain")
        #expect(try sniff([]) == "application/x-empty")
    }

    @Test func containerKnowledgeSharpensGenericAnswers() {
        #expect(TypeRefiner.refine("application/zip", extension: "docx")
                == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        #expect(TypeRefiner.refine("application/CDFV2", extension: "msg") == "application/vnd.ms-outlook")
        #expect(TypeRefiner.refine("text/plain", extension: "csv") == "text/csv")
        // A specific answer from libmagic is kept: a PDF named .docx is a PDF.
        #expect(TypeRefiner.refine("application/pdf", extension: "docx") == "application/pdf")
    }

    @Test func aTextFileLibmagicCannotPlaceIsReadAsText() throws {
        let head = Array("PAYROLL EXPORT\nname,ni\n".utf8)
        let sniffed = try sniff(head)
        #expect(sniffed == "application/vnd.hp-HPGL")
        head.withUnsafeBytes { h in
            #expect(TypeRefiner.refine(sniffed, extension: "csv", head: h) == "text/csv")
            #expect(TypeRefiner.refine(sniffed, extension: "txt", head: h) == "text/plain")
            #expect(TypeRefiner.refine(sniffed, extension: "plt", head: h) == sniffed)
        }
        [UInt8]([0x50, 0x41, 0, 1, 2]).withUnsafeBytes { h in
            #expect(TypeRefiner.refine(sniffed, extension: "txt", head: h) == sniffed)   // binary bytes: not text
        }
    }

    @Test func extensions() {
        #expect(TypeRefiner.fileExtension(of: "Budget 2021.XLSX") == "xlsx")
        #expect(TypeRefiner.fileExtension(of: ".profile") == nil)
        #expect(TypeRefiner.fileExtension(of: "archive.tar.gz") == "gz")
        #expect(TypeRefiner.fileExtension(of: "Résumé.PDF") == "pdf")
        #expect(TypeRefiner.fileExtension(of: "Notes.Ärger") == "ärger")
        #expect(TypeRefiner.fileExtension(of: "no ending") == nil)
        #expect(TypeRefiner.fileExtension(of: "name.") == nil)
        #expect(TypeRefiner.fileExtension(of: "long.abcdefghijklmnopq") == nil)
        #expect(TypeRefiner.fileExtension(of: "README") == nil)
    }

    @Test func headReadsRefuseAReplacedFile() throws {
        let t = TempTree()
        let a = t.file("a.txt", "first")
        let b = t.file("b.txt", "second")
        var sa = stat(), sb = stat()
        stat(a, &sa); stat(b, &sb)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { buffer.deallocate() }
        let idA = FileID(device: UInt64(sa.st_dev), inode: UInt64(sa.st_ino))
        let ok = FileHead.read(ItemPath(a), limit: 3, expected: idA, into: buffer) { String(decoding: $0, as: UTF8.self) }
        #expect(try ok.get() == "fir")
        // b's path read with a's identity: the file at the path is not the one that was listed.
        let swapped = FileHead.read(ItemPath(b), limit: 3, expected: idA, into: buffer) { $0.count }
        #expect(throws: FileHead.Failure.notSameFile) { try swapped.get() }
    }

    @Test func headReadsNeverOpenAFIFO() {
        let t = TempTree()
        t.fifo("pipe")
        var st = stat()
        stat(t.path("pipe"), &st)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { buffer.deallocate() }
        let r = FileHead.read(ItemPath(t.path("pipe")), limit: 8, expected: FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)),
                              into: buffer) { $0.count }
        #expect(throws: FileHead.Failure.notSameFile) { try r.get() }   // returns at once, not blocked
    }
}

#if canImport(Glibc)
import Glibc
#endif
