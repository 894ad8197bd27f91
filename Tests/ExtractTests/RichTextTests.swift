import Extract
import Foundation
import SweepModel
import TestSupport
import Testing

/// fixtures/formats/rtf/letter.rtf is hand-written: font/colour/style tables, an info group, a header and
/// a first-page footer, `\'a3`, `\u8364?`, a surrogate pair, a table, a picture and an embedded object.
@Suite struct RichTextTests {
    func letter() throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/fixtures/formats/rtf/letter.rtf")))
    }
    func rtf(_ s: String, _ change: (inout ExtractionLimits) -> Void = { _ in }) -> Extraction {
        var limits = ExtractionLimits()
        change(&limits)
        return RichText.extract(Array(s.utf8), limits: limits)
    }

    @Test func decodesTextAndEscapes() throws {
        let e = RichText.extract(try letter(), limits: ExtractionLimits())
        #expect(e.problem == nil)
        #expect(e.body.contains("Dear Tenant,\nYour rent account shows arrears of £250.00 and a court fee of €75.\n"))
        #expect(e.body.contains("National Insurance number JK123456C."))
        #expect(e.body.contains("Please contact us\u{00A0}within 14 days \u{2013} or we will write again."))
        #expect(e.body.contains("Week\tAmount\t\n"))
        #expect(e.body.contains("Café déjà vu 😀 done."))
        #expect(e.body.contains("Yours sincerely,\nHousing Services"))
    }

    @Test func tablesPicturesAndObjectsStayOutOfTheBody() throws {
        let e = RichText.extract(try letter(), limits: ExtractionLimits())
        for hidden in ["Calibri", "Normal", "heading", "Riched20", "Rent arrears letter", "Jane Example", "not body text",
                       "89504e47", "0105000002", "hidden result", "_Hidden", "?", "red255"] {
            #expect(!e.body.contains(hidden), "\(hidden) leaked into the body")
        }
    }

    @Test func headerAndFooterAreSeparate() throws {
        let e = RichText.extract(try letter(), limits: ExtractionLimits())
        #expect(e.headers["x-header-footer"] == "OFFICIAL\nOFFICIAL - page footer")
        #expect(!e.body.contains("OFFICIAL"))
    }

    @Test func infoGroupFillsMetadata() throws {
        let e = RichText.extract(try letter(), limits: ExtractionLimits())
        #expect(e.metadata.title == "Rent arrears letter")
        #expect(e.metadata.author == "Jane Example")
        #expect(e.metadata.application == "Riched20 10.0.19041")
        #expect(e.metadata.created == Timestamp.parse("2021-11-03T14:05:00Z"))
        #expect(e.metadata.modified == Timestamp.parse("2022-01-20T09:30:00Z"))
    }

    @Test func unicodeFallbackCountFollowsUc() {
        #expect(rtf(#"{\rtf1\uc2 A\u8364 XYB\uc0\u163 C}"#).body == "A€B£C")
        // A fallback given as \'hh counts as one character.
        #expect(rtf(#"{\rtf1 \u8220\'93quoted\u8221\'94}"#).body == "\u{201C}quoted\u{201D}")
        // The fallback skip ends with the group.
        #expect(rtf(#"{\rtf1\uc3{\u8364}X}"#).body == "€X")
    }

    @Test func binaryDataIsSkippedByCount() {
        let e = rtf("{\\rtf1 before {\\pict\\bin6 }{}\\{x} after}")
        #expect(e.problem == nil)
        #expect(e.body == "before  after")
    }

    @Test func escapedBracesAndBackslashesAreText() {
        #expect(rtf(#"{\rtf1 a\{b\}c\\d}"#).body == #"a{b}c\d"#)
    }

    @Test func notRTFIsCorrupt() {
        #expect(rtf("Hello, plain text").problem?.kind == .corrupt)
        #expect(RichText.extract([], limits: ExtractionLimits()).problem?.kind == .corrupt)
    }

    @Test func truncatedKeepsWhatWasReadAndSaysSo() throws {
        let bytes = try letter()
        let cut = Array(bytes.prefix(bytes.count * 2 / 3))
        let e = RichText.extract(cut, limits: ExtractionLimits())
        #expect(e.problem?.kind == .corrupt)
        #expect(e.body.contains("Dear Tenant,"))
    }

    @Test func deepNestingStopsAsCorrupt() {
        let clock = ExtractionBudget.clock()
        let e = rtf("{\\rtf1 start " + String(repeating: "{", count: 10_000) + "x" + String(repeating: "}", count: 10_000) + "}")
        #expect(e.problem?.kind == .corrupt)
        #expect(e.body.hasPrefix("start"))
        #expect(ExtractionBudget.clock() - clock < 5)
    }

    @Test func hugeBinRunsOutQuickly() {
        let clock = ExtractionBudget.clock()
        let e = rtf("{\\rtf1 visible text {\\pict\\bin999999999 \u{01}\u{02}}")
        #expect(e.problem?.kind == .corrupt)
        #expect(e.body.hasPrefix("visible text"))
        #expect(ExtractionBudget.clock() - clock < 5)
    }

    @Test func textCapCutsAndSays() {
        let e = rtf("{\\rtf1 " + String(repeating: "abcdefghij", count: 100) + "}") { $0.textCap = 25 }
        #expect(e.problem?.kind == .limit)
        #expect(e.body.count == 25)
    }

    @Test func garbageNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("{}\\'*uUbin0123456789-? abc\r\n".utf8) + [0x00, 0xFF, 0x93]
        for _ in 0..<300 {
            var bytes = Array("{\\rtf1".utf8)
            for _ in 0..<Int.random(in: 0..<400, using: &rng) { bytes.append(alphabet.randomElement(using: &rng)!) }
            _ = RichText.extract(bytes, limits: ExtractionLimits())
        }
        // Hand-picked edges: a lone backslash at the end, \' without digits, a huge \u, a huge \uc.
        for s in ["{\\rtf1 \\", "{\\rtf1 \\'", "{\\rtf1 \\'4", "{\\rtf1 \\u99999999999 x}", "{\\rtf1 \\uc999999 \\u65 abc}",
                  "{\\rtf1 \\u-99999 x}", "{\\rtf1 }}}}} trailing", "{\\rtf1 \\bin-5 x}"] {
            _ = rtf(s)
        }
    }
}
