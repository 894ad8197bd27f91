@testable import Extract
import Foundation
import SweepModel
import TestSupport
import Testing

/// MIME messages and mbox mailboxes made by fixtures/make-nested.py.
@Suite struct MailTests {
    /// Kept for the whole run (a TempTree removes its folder when it goes).
    static let tree: TempTree = {
        let t = TempTree("nested")
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["python3", repositoryRoot + "/fixtures/make-nested.py", t.root]
        try! make.run(); make.waitUntilExit()
        precondition(make.terminationStatus == 0, "fixtures/make-nested.py failed")
        return t
    }()
    static var fixtures: String { tree.root }

    func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: MailTests.fixtures + "/" + relative)))
    }

    @Test func aMultipartMessageGivesItsTextHeadersAndAttachments() throws {
        let (e, children) = MailMessage.extract(try bytes("mail/case.eml"), limits: ExtractionLimits())
        #expect(e.problem == nil)
        #expect(e.metadata.subject == "[OFFICIAL-SENSITIVE] Réclamation 14")     // RFC 2047, decoded
        #expect(e.headers["subject"] == "[OFFICIAL-SENSITIVE] Réclamation 14")
        #expect(e.metadata.sender == "Jane Roe <jane.roe@example.org>")
        #expect(e.metadata.recipients == ["Case Team <case.team@example.org>", "b.smith@example.org"])
        #expect(e.metadata.date == Timestamp.parse("2022-03-15T09:12:44Z"))
        // The plain alternative, quoted-printable undone ("—" was =E2=80=94); the HTML one not read twice.
        #expect(e.body.contains("the patient's NHS number is 943 476 5919 — please review."))
        #expect(!e.body.contains("<p>"))
        #expect(e.body.components(separatedBy: "943 476 5919").count == 2)
        #expect(!e.body.contains("20220315091244.ABC123"))                       // no Message-ID in the text
        #expect(children.map(\.name) == ["notes.txt", "message.eml", "résumé.csv"])  // RFC 2231 name decoded
        #expect(children.map(\.kind) == [.attachment, .message, .attachment])
        guard case .bytes(let notes) = children[0].content else { Issue.record("notes.txt has no bytes"); return }
        #expect(String(decoding: notes, as: UTF8.self) == "Interview notes\nCandidate NINO JK123456C\n")
        guard case .bytes(let forwarded) = children[1].content else { Issue.record("the forwarded message has no bytes"); return }
        let (inner, innerChildren) = MailMessage.extract(forwarded, limits: ExtractionLimits())
        #expect(inner.metadata.subject == "Earlier message")
        #expect(innerChildren.map(\.name) == ["minutes.txt"])
    }

    @Test func encodedWordsAndParameters() {
        #expect(MailMessage.decodeWords("=?utf-8?B?UsOpY2xhbWF0aW9u?= =?iso-8859-1?Q?_caf=E9?=") == "Réclamation café")
        #expect(MailMessage.decodeWords("plain =?bogus") == "plain =?bogus")
        let (v, p) = MailMessage.parameters("attachment; filename*0*=UTF-8''r%C3%A9; filename*1*=sum%C3%A9.pdf")
        #expect(v == "attachment")
        #expect(p["filename"] == "résumé.pdf")
        #expect(MailMessage.parameters("text/plain; charset=\"iso-8859-1\"; format=flowed").1["charset"] == "iso-8859-1")
        #expect(MailMessage.decode([0x63, 0x61, 0x66, 0xE9], charset: "ISO-8859-1") == "café")
        #expect(MailMessage.quotedPrintable(Array("a=3Db=\r\nc".utf8)[...]) == Array("a=bc".utf8))
    }

    @Test func brokenMessagesGiveWhatTheyHaveAndSaySo() {
        // A multipart with no boundary, and one whose closing delimiter never comes.
        let noBoundary = Array("Content-Type: multipart/mixed\n\nhello NINO JK123456C\n".utf8)
        let (a, _) = MailMessage.extract(noBoundary, limits: ExtractionLimits())
        #expect(a.problem?.kind == .corrupt)
        #expect(a.body.contains("JK123456C"))
        let unclosed = Array("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nfirst part\n--b\nContent-Type: text/plain\n\nsecond".utf8)
        let (b, _) = MailMessage.extract(unclosed, limits: ExtractionLimits())
        #expect(b.body.contains("first part") && b.body.contains("second"))
        // Random bytes: no crash, some text.
        var g = SystemRandomNumberGenerator()
        let junk = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &g) }
        _ = MailMessage.extract(junk, limits: ExtractionLimits())
    }

    @Test func anMboxIsSplitIntoItsMessagesAsItStreams() throws {
        let box = try bytes("mail/box.mbox")
        var got: [Child] = []
        let e = Mailbox.extract(.memory(box), budget: ExtractionBudget(limits: ExtractionLimits())) { got.append($0); return true }
        #expect(e.problem == nil)
        #expect(got.map(\.name) == ["1", "2", "3", "4"])
        #expect(got.allSatisfy { $0.kind == .message })
        guard case .bytes(let second) = got[1].content, case .bytes(let fourth) = got[3].content else {
            Issue.record("messages have no bytes"); return
        }
        // mboxrd quoting undone; the fourth message is the .eml, byte for byte.
        #expect(String(decoding: second, as: UTF8.self).contains("\nFrom the archive: this line was quoted"))
        #expect(fourth == (try bytes("mail/case.eml")))
        // Fed one byte at a time, the same messages.
        var splitter = Mailbox.Splitter(limit: 1 << 20)
        var sizes: [Int] = []
        for b in box { [b].withUnsafeBytes { splitter.feed($0) { sizes.append($0.bytes.count) } } }
        splitter.finish { sizes.append($0.bytes.count) }
        #expect(sizes == got.map { Int($0.size) })
    }

    @Test func everyFromLineStartsAMessageBlankLineOrNot() {
        // Written without the empty line between messages: still two messages (Python's mailbox reads it so).
        let box = Array("From a@example.org Mon Jan  7 09:00:00 2019\nSubject: one\n\nfirst\nFrom b@example.org Mon Jan  7 10:00:00 2019\nSubject: two\n\nsecond\n".utf8)
        var got: [String] = []
        _ = Mailbox.extract(.memory(box), budget: ExtractionBudget(limits: ExtractionLimits())) { c in
            if case .bytes(let b) = c.content { got.append(String(decoding: b, as: UTF8.self)) }
            return true
        }
        #expect(got == ["Subject: one\n\nfirst\n", "Subject: two\n\nsecond\n"])
    }

    @Test func aFileThatIsNotAnMboxSaysSo() {
        let e = Mailbox.extract(.memory(Array("just text\nno separator\n".utf8)), budget: ExtractionBudget(limits: ExtractionLimits())) { _ in true }
        #expect(e.problem?.kind == .corrupt)
    }
}

/// Files sent the old ways: uuencoded into a body, or a named text part shown inline.
@Suite struct MailAttachmentFormsTests {
    @Test func uuencodedFilesAreAttachmentsNotText() {
        let data = Array("Name: A Smith\nNI: AB 12 34 56 C\n".utf8)
        // uuencode by hand: a length character, then four characters per three bytes.
        func enc(_ x: UInt8) -> Character { x == 0 ? "`" : Character(Unicode.Scalar(x + 32)) }
        var line = String(enc(UInt8(data.count)))
        var i = 0
        while i < data.count {
            let a = data[i], b = i + 1 < data.count ? data[i + 1] : 0, c = i + 2 < data.count ? data[i + 2] : 0
            line += String([enc(a >> 2), enc((a & 3) << 4 | b >> 4), enc((b & 15) << 2 | c >> 6), enc(c & 63)])
            i += 3
        }
        let message = "From: a@example.org\nTo: b@example.org\nSubject: notes\n\nSee attached.\n\nbegin 644 notes.txt\n\(line)\n`\nend\n\nThanks\n"
        let (e, children) = MailMessage.extract(Array(message.utf8), limits: ExtractionLimits())
        #expect(children.map(\.name) == ["notes.txt"])
        if case .bytes(let b) = children.first?.content { #expect(b == data) } else { Issue.record("no bytes") }
        #expect(!e.body.contains("begin 644") && e.body.contains("See attached.") && e.body.contains("Thanks"))
        // A "begin" line that is not followed by uuencode stays text.
        let prose = "From: a@example.org\nSubject: x\n\nbegin 644 plans\nthen we talk\n"
        let (p, none) = MailMessage.extract(Array(prose.utf8), limits: ExtractionLimits())
        #expect(none.isEmpty && p.body.contains("then we talk"))
    }

    @Test func aNamedInlineTextPartIsAnItem() {
        let message = """
            From: a@example.org
            Subject: case
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="B"

            --B
            Content-Type: text/plain

            Hello
            --B
            Content-Type: text/plain; name="case.txt"
            Content-Disposition: inline; filename="case.txt"

            NHS 943 476 5919
            --B--

            """
        let (e, children) = MailMessage.extract(Array(message.utf8), limits: ExtractionLimits())
        #expect(children.map(\.name) == ["case.txt"])
        #expect(e.body.contains("Hello") && !e.body.contains("943"))
    }

    @Test func theBodyStartsAfterTheAddressLines() {
        let message = "From: a@example.org\nTo: b@example.org\nSubject: review\n\nOFFICIAL-SENSITIVE\nText of the message.\n"
        let (e, _) = MailMessage.extract(Array(message.utf8), limits: ExtractionLimits())
        let offset = Int(e.headers[MailMessage.bodyOffsetHeader] ?? "") ?? -1
        #expect(offset > 0)
        #expect(String(decoding: Array(e.body.utf8)[offset...], as: UTF8.self).hasPrefix("OFFICIAL-SENSITIVE"))
    }
}
