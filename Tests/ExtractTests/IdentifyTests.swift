import Extract
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
