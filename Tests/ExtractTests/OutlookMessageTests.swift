@testable import Extract
import Foundation
import SweepModel
import Testing

/// The real Outlook samples live outside the repository (their licence does not let the project commit
/// copies); CI has them. A missing sample fails the test with a message saying so.
func sharedMailSample(_ name: String) throws -> [UInt8] {
    let url = repoRoot().appendingPathComponent("../shared/samples/mail/\(name)").standardizedFileURL
    try #require(FileManager.default.fileExists(atPath: url.path),
                 "shared samples are missing: \(url.path) not found (CI has ../shared/samples/mail/; see its README)")
    return Array(try Data(contentsOf: url))
}

/// Builds the property stream and `__substg1.0_` streams of one MAPI object inside a `CFBBuilder`.
struct MAPIObject {
    var prefix: String
    var headerSize: Int
    var fixed: [(tag: UInt32, value: UInt64)] = []
    var streams: [(String, [UInt8])] = []

    mutating func unicode(_ id: UInt16, _ s: String) {
        streams.append((name(id, 0x001F), Array(s.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0, 0]))
    }
    mutating func ansi(_ id: UInt16, _ bytes: [UInt8]) { streams.append((name(id, 0x001E), bytes + [0])) }
    mutating func binary(_ id: UInt16, _ b: [UInt8]) { streams.append((name(id, 0x0102), b)) }
    mutating func time(_ id: UInt16, _ t: Timestamp) {
        fixed.append((UInt32(id) << 16 | 0x0040, UInt64(t.nanoseconds / 100 + 116_444_736_000_000_000)))
    }
    mutating func long(_ id: UInt16, _ v: UInt32) { fixed.append((UInt32(id) << 16 | 0x0003, UInt64(v))) }

    func name(_ id: UInt16, _ type: UInt16) -> String { "__substg1.0_" + OutlookMessage.hex4(id) + OutlookMessage.hex4(type) }

    func add(to b: inout CFBBuilder) {
        var props = [UInt8](repeating: 0, count: headerSize)
        for (tag, value) in fixed {
            props += withUnsafeBytes(of: tag.littleEndian, Array.init) + [6, 0, 0, 0] + withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        let p = prefix.isEmpty ? "" : prefix + "/"
        b.add(p + OutlookMessage.propertiesStream, props)
        for (n, d) in streams { b.add(p + n, d) }
    }
}

@Suite struct OutlookMessageTests {
    @Test func unicodeSampleGivesSubjectPeopleDateBodyAndAttachments() throws {
        let (e, children) = OutlookMessage.extract(try sharedMailSample("unicode.msg"), limits: ExtractionLimits())
        #expect(e.problem == nil)
        #expect(e.metadata.subject == "Test for TIF files")
        #expect(e.headers["subject"] == "Test for TIF files")
        #expect(e.metadata.sender?.contains("brizhou@gmail.com") == true)
        #expect(e.metadata.recipients.contains { $0.contains("brianzhou@me.com") })
        #expect(e.metadata.date == Timestamp.parse("2013-11-18T08:26:24Z"))
        // The transport headers' own Date (a +0200 zone) is kept as the message carried it.
        #expect(e.headers["date"]?.contains("18 Nov 2013 10:26:24 +0200") == true)
        #expect(e.headers["to"]?.contains("brianzhou@me.com") == true)
        #expect(e.headers["received"] != nil)
        #expect(e.body.hasPrefix("Test for TIF files\n"))
        #expect(e.body.contains("experiment with the MS Outlook MSG Extractor"))
        #expect(children.map(\.name) == ["import OleFileIO.tif", "raised value error.tif"])
        #expect(children.allSatisfy { $0.kind == .attachment && $0.declaredType == "image/tiff" })
        #expect(children.map(\.size) == [969_674, 1_033_142])
        if case .bytes(let b) = children.first?.content {
            #expect(b.starts(with: [0x49, 0x49, 0x2A, 0x00]) || b.starts(with: [0x4D, 0x4D, 0x00, 0x2A]))   // TIFF
        } else {
            Issue.record("the first attachment should come back as bytes")
        }
    }

    @Test func attachmentsOverTheChildLimitAreSkippedWithTheirSize() throws {
        var limits = ExtractionLimits()
        limits.maxChildBytes = 1_000_000
        let (_, children) = OutlookMessage.extract(try sharedMailSample("unicode.msg"), limits: limits)
        #expect(children.count == 2)
        guard children.count == 2 else { return }
        if case .bytes = children[0].content {} else { Issue.record("969 674 bytes is under the limit") }
        if case .skipped(let size, let problem) = children[1].content {
            #expect(size == 1_033_142)
            #expect(problem.kind == .limit)
        } else {
            Issue.record("1 033 142 bytes is over the limit")
        }
    }

    @Test func strangeDateSampleHasNoSentDateButItsOtherFields() throws {
        let (e, children) = OutlookMessage.extract(try sharedMailSample("strangeDate.msg"), limits: ExtractionLimits())
        #expect(e.problem == nil)
        #expect(e.metadata.subject == "MSG Test File")
        #expect(e.metadata.recipients == ["time2talk@online-convert.com"])
        #expect(e.headers["to"] == "time2talk@online-convert.com")
        // Never sent: no submit or delivery time, so no date; creation and modification times remain.
        #expect(e.metadata.date == nil)
        #expect(e.headers["date"] == nil)
        #expect(e.metadata.created?.seconds == Timestamp.parse("2016-02-23T14:57:50Z")?.seconds)
        #expect(e.body.contains("Purpose: Provide example of this file type"))
        #expect(e.body.contains("Jane Roe"))
        #expect(children.isEmpty)
    }

    @Test func compressedRTFFollowsTheSpecificationExample() throws {
        // MS-OXRTFCP section 3.1.1's example: LZFu with a dictionary reference.
        let compressed: [UInt8] = [0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7,
                                   0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20,
                                   0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f, 0xa0]
        let rtf = try OutlookMessage.decompressRTF(compressed, cap: 1 << 20)
        #expect(String(decoding: rtf, as: UTF8.self) == "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n")
        #expect(RichText.extract(rtf, limits: ExtractionLimits()).body.trimmingCharacters(in: .whitespacesAndNewlines) == "hello world")
        // A cap stops the output; garbage after a valid header does not crash.
        #expect(try OutlookMessage.decompressRTF(compressed, cap: 10).count == 10)
        #expect(throws: Problem.self) { try OutlookMessage.decompressRTF([1, 2, 3], cap: 100) }
    }

    @Test func rtfBodyOfARealMessageReadsAsText() throws {
        let f = try CompoundFile(try sharedMailSample("strangeDate.msg"))
        let rtf = try OutlookMessage.decompressRTF(try #require(f.stream("__substg1.0_10090102")), cap: 1 << 20)
        #expect(rtf.starts(with: Array("{\\rtf1".utf8)))
        let text = RichText.extract(rtf, limits: ExtractionLimits()).body
        #expect(text.contains("Provide example of this file type"))
        #expect(!text.contains("fonttbl") && !text.contains("htmltag"))
    }

    /// A message built by hand: HTML body only, recipients, a date, duplicate and slash-bearing attachment
    /// names, and an embedded message with its own attachment.
    func handMadeMessage() -> [UInt8] {
        var b = CFBBuilder()
        var top = MAPIObject(prefix: "", headerSize: 32)
        top.unicode(0x0037, "Quarterly figures")
        top.unicode(0x0C1A, "Pat Example")
        top.unicode(0x0C1F, "pat@example.org")
        top.binary(0x1013, Array("<html><body><p>Figures attached for JK123456C.</p><script>x()</script></body></html>".utf8))
        top.time(0x0039, Timestamp.parse("2022-03-15T09:12:44Z")!)
        top.add(to: &b)
        var r = MAPIObject(prefix: "__recip_version1.0_#00000000", headerSize: 8)
        r.unicode(0x3001, "Sam Finance"); r.unicode(0x39FE, "sam@example.org"); r.long(0x0C15, 1)
        r.add(to: &b)
        var r2 = MAPIObject(prefix: "__recip_version1.0_#00000001", headerSize: 8)
        r2.ansi(0x3001, Array("Jo Cc".utf8)); r2.ansi(0x3003, Array("jo@example.org".utf8)); r2.long(0x0C15, 2)
        r2.add(to: &b)
        for (i, name) in ["report.pdf", "report.pdf", "a/b!/c.txt"].enumerated() {
            var a = MAPIObject(prefix: "__attach_version1.0_#0000000\(i)", headerSize: 8)
            a.unicode(0x3707, name)
            a.unicode(0x370E, "application/pdf")
            a.binary(0x3701, Array("attachment \(i)".utf8))
            a.add(to: &b)
        }
        var m = MAPIObject(prefix: "__attach_version1.0_#00000003", headerSize: 8)
        m.unicode(0x3001, "Forwarded note")
        m.long(0x3705, 5)
        m.add(to: &b)
        var inner = MAPIObject(prefix: "__attach_version1.0_#00000003/__substg1.0_3701000D", headerSize: 24)
        inner.unicode(0x0037, "Inner subject")
        inner.unicode(0x1000, "Inner body text")
        inner.add(to: &b)
        var innerAttach = MAPIObject(prefix: "__attach_version1.0_#00000003/__substg1.0_3701000D/__attach_version1.0_#00000000",
                                     headerSize: 8)
        innerAttach.unicode(0x3704, "deep.txt")
        innerAttach.binary(0x3701, Array("deep data".utf8))
        innerAttach.add(to: &b)
        return b.build()
    }

    @Test func handMadeMessageFillsHeadersMetadataAndChildren() {
        let (e, children) = OutlookMessage.extract(handMadeMessage(), limits: ExtractionLimits())
        #expect(e.problem == nil)
        #expect(e.body.hasPrefix("Quarterly figures\n"))
        #expect(e.body.contains("Figures attached for JK123456C."))
        #expect(!e.body.contains("x()") && !e.body.contains("<p>"))
        #expect(e.headers["subject"] == "Quarterly figures")
        #expect(e.headers["from"] == "Pat Example <pat@example.org>")
        #expect(e.headers["to"] == "Sam Finance <sam@example.org>")
        #expect(e.headers["cc"] == "Jo Cc <jo@example.org>")
        #expect(e.headers["date"] == "Tue, 15 Mar 2022 09:12:44 +0000")
        #expect(e.metadata.date == Timestamp.parse("2022-03-15T09:12:44Z"))
        #expect(e.metadata.recipients == ["Sam Finance <sam@example.org>", "Jo Cc <jo@example.org>"])
        #expect(children.map(\.name) == ["report.pdf", "report (2).pdf", "a_b!_c.txt", "Forwarded note"])
        #expect(children.allSatisfy { !$0.name.contains("/") })
        #expect(children.first?.declaredType == "application/pdf")
        if case .bytes(let b) = children[1].content { #expect(b == Array("attachment 1".utf8)) } else { Issue.record("bytes expected") }
        let forwarded = children[3]
        #expect(forwarded.kind == .message)
        if case .extracted(let inner) = forwarded.content {
            #expect(inner.metadata.subject == "Inner subject")
            #expect(inner.body == "Inner subject\nInner body text")
        } else {
            Issue.record("the embedded message should come back read")
        }
        #expect(forwarded.children.map(\.name) == ["deep.txt"])
    }

    @Test func embeddedMessagesStopAtTheDepthLimit() {
        var limits = ExtractionLimits()
        limits.maxDepth = 0
        let (_, children) = OutlookMessage.extract(handMadeMessage(), limits: limits)
        guard let last = children.last else { Issue.record("children expected"); return }
        #expect(last.kind == .message)
        if case .skipped(_, let problem) = last.content { #expect(problem.kind == .limit) } else { Issue.record("skipped expected") }
    }

    @Test func damagedMessagesAreCorruptNotCrashes() throws {
        let real = try sharedMailSample("strangeDate.msg")
        #expect(OutlookMessage.extract(Array(real.prefix(1000)), limits: ExtractionLimits()).0.problem?.kind == .corrupt)
        #expect(OutlookMessage.extract(CompoundFile.signature + [UInt8](repeating: 0xFF, count: 600),
                                       limits: ExtractionLimits()).0.problem?.kind == .corrupt)
        // A compound file that is not a message.
        var b = CFBBuilder()
        b.add("WordDocument", "not mail")
        #expect(OutlookMessage.extract(b.build(), limits: ExtractionLimits()).0.problem?.kind == .corrupt)
        // Every prefix of a small message: whatever comes back, it comes back.
        let made = handMadeMessage()
        for cut in stride(from: 0, to: made.count, by: 97) { _ = OutlookMessage.extract(Array(made.prefix(cut)), limits: ExtractionLimits()) }
    }
}
