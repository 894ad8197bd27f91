import Extract
import Foundation
import TestSupport
import Testing

/// How an item is read is decided by the structure its first bytes show, libmagic's guess the fallback.
@Suite struct IdentifyTests {
    func reading(_ text: String, mime: String, ext: String?) -> Reading? {
        Array(text.utf8).withUnsafeBytes { Identify.reading(mime: mime, extension: ext, head: $0) }
    }
    func reading(bytes: [UInt8], mime: String, ext: String?) -> Reading? {
        bytes.withUnsafeBytes { Identify.reading(mime: mime, extension: ext, head: $0) }
    }

    let htmlMessage = "From: A <a@example.org>\nTo: b@example.org\nSubject: hi\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n"
        + "Content-Type: text/html\n\n<html><body><p>hello</p></body></html>\n"

    @Test func aMailboxOfHTMLMessagesIsAMailbox() {
        let box = "From a@example.org Mon Jan  1 10:00:00 2024\n" + htmlMessage
        for mime in ["text/html", "text/plain", "application/octet-stream", "application/mbox"] {
            #expect(reading(box, mime: mime, ext: "mbox")?.readAs == "mbox", "\(mime)")
            #expect(reading(box, mime: mime, ext: nil)?.family == .mailbox, "\(mime)")
        }
        // Prose that starts "From " is no mailbox.
        #expect(reading("From the desk of the Chief Executive\nDear all,\n", mime: "text/plain", ext: "txt")?.readAs == "text")
    }

    @Test func aMessageLibmagicCallsHTMLIsAMessage() {
        #expect(reading(htmlMessage, mime: "text/html", ext: "eml")?.readAs == "eml")
        #expect(reading(htmlMessage, mime: "text/html", ext: nil)?.readAs == "eml")
        // An HTML page stays a page, and a text file with a few colons stays text.
        #expect(reading("<html><body>From: the team</body></html>", mime: "text/html", ext: "html")?.readAs == "html")
        #expect(reading("Name: A Smith\nRole: Officer\n\nNotes", mime: "text/plain", ext: "txt")?.readAs == "text")
    }

    @Test func aCSVWithHTMLInItsCellsIsACSV() {
        let csv = "id,notes\n1,\"<b>urgent</b> call back\"\n2,\"<p>seen</p>\"\n"
        #expect(reading(csv, mime: "text/html", ext: "csv")?.readAs == "csv")
        #expect(reading(csv, mime: "text/html", ext: "csv")?.family == .text)
    }

    @Test func signaturesWinOverGuesses() {
        #expect(reading("junk\n%PDF-1.4\n", mime: "application/octet-stream", ext: "bin")?.readAs == "pdf")
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 504)
        #expect(reading(bytes: ole, mime: "application/x-ole-storage", ext: "pps")?.readAs == "ppt")
        #expect(reading(bytes: ole, mime: "application/CDFV2", ext: "pot")?.readAs == "ppt")
        #expect(reading(bytes: ole, mime: "application/CDFV2", ext: "xlt")?.readAs == "xls")
        // An Office Open XML name on a compound file: an encrypted package, said so, never read as nothing.
        let encrypted = reading(bytes: ole, mime: "application/CDFV2", ext: "docx")
        #expect(encrypted?.family == .unreadable)
        #expect(Identify.unreadableProblem(encrypted!.mime).kind == .encrypted)
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 60)
        for (ext, readAs) in [("ppsx", "ppsx"), ("potx", "potx"), ("xltx", "xltx"), ("dotx", "dotx"), ("xlsb", "xlsb"), ("pptm", "pptm")] {
            #expect(reading(bytes: zip, mime: "application/zip", ext: ext)?.readAs == readAs, "\(ext)")
            #expect(reading(bytes: zip, mime: "application/zip", ext: ext)?.family == .office, "\(ext)")
        }
        #expect(reading(bytes: zip, mime: "application/zip", ext: "zip")?.readAs == "zip")
        // libmagic sees the package's content types: the name still tells the variant of the same application…
        let sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        #expect(reading(bytes: zip, mime: sheet, ext: "xlsb")?.readAs == "xlsb")
        #expect(reading(bytes: zip, mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation", ext: "ppsx")?.readAs == "ppsx")
        // …but a workbook renamed .docx stays a workbook.
        #expect(reading(bytes: zip, mime: sheet, ext: "docx")?.readAs == "xlsx")
    }

    @Test func knownFormatsWithoutAReaderSaySo() {
        let r = reading("WPC", mime: "application/vnd.wordperfect", ext: "wpd")
        #expect(r?.family == .unreadable)
        #expect(Identify.unreadableProblem(r!.mime).kind == .unsupported)
    }
}

/// Where structure settles a type without libmagic, it must give the type libmagic (sharpened by the name) gives:
/// checked over every file of the fixtures (and, with SWEEP_DECISIVE_ROOT, any other tree).
@Suite struct DecisiveTypeTests {
    @Test func structureAgreesWithLibmagicOnEveryFixture() throws {
        let sniffer = try TypeSniffer()
        // SWEEP_DECISIVE_ROOT=DIR checks another tree the same way (a benchmark tree, a real share).
        let root = ProcessInfo.processInfo.environment["SWEEP_DECISIVE_ROOT"] ?? repositoryRoot + "/fixtures"
        var decided = 0
        var disagreements: [String] = []
        let files = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }
        for rel in files {
            let path = root + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            let ext = TypeRefiner.fileExtension(of: (rel as NSString).lastPathComponent)
            data.prefix(8192).withUnsafeBytes { head in
                guard let quick = Identify.decisive(extension: ext, head: head) else { return }
                decided += 1
                let slow = TypeRefiner.refine(sniffer.mimeType(of: head), extension: ext, head: head)
                // Equal to libmagic's type, or to the type the reading by structure corrects it to (an mbox of HTML
                // messages is `text/html` to libmagic).
                let corrected = Identify.reading(mime: slow, extension: ext, head: head)?.mime ?? slow
                if quick != slow && quick != corrected { disagreements.append("\(rel): \(quick) vs libmagic \(slow)") }
                #expect(Identify.reading(mime: quick, extension: ext, head: head) == Identify.reading(mime: slow, extension: ext, head: head),
                        "\(rel) is read the same either way")
            }
        }
        #expect(decided >= 10, "structure decided \(decided) fixtures")
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    @Test func aRenamedOrDoubtfulFileIsLeftToLibmagic() {
        func decide(_ ext: String?, _ bytes: [UInt8]) -> String? { bytes.withUnsafeBytes { Identify.decisive(extension: ext, head: $0) } }
        #expect(decide("docx", Array("PK\u{03}\u{04}".utf8) + Array(repeating: 0, count: 26) + Array("xl/workbook.xml".utf8)) == nil,
                "a workbook under a Word name")
        #expect(decide("txt", [0x00, 0x01, 0x02, 0x03] + Array(repeating: 0x41, count: 10)) == nil, "binary under a text name")
        #expect(decide("txt", Array("<html><body>hi</body></html>".utf8)) == nil, "markup under a text name")
        #expect(decide(nil, Array("plain words".utf8)) == nil, "no name: libmagic")
        #expect(decide("pdf", Array("%PDF-1.4\n".utf8)) == "application/pdf")
        #expect(decide("csv", Array("a,b\n1,2\n".utf8)) == "text/csv")
    }
}
