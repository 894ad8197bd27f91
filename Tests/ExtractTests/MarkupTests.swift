@testable import Extract
import Foundation
import Testing

@Suite struct MarkupTests {
    @Test func htmlBlocksBecomeLinesScriptsGoEntitiesDecode() {
        let html = "<html><head><title>OFFICIAL</title><style>p{x:1}</style><script>var a='<p>';</script></head>"
            + "<body><p>Dear Ms Roe &amp; family,</p><div>cost &pound;5 &#x20AC;6 &#163;7</div></body></html>"
        let t = PlainText.stripMarkup(html)
        #expect(t.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                == ["OFFICIAL", "Dear Ms Roe & family,", "cost £5 €6 £7"])
        #expect(!t.contains("var a") && !t.contains("x:1"))
    }

    @Test func aSpreadsheetsSharedStringIndexIsNotText() {
        let sheet = #"<sheetData><row r="1"><c r="A1" t="s"><v>4111</v></c><c r="B1"><v>1250</v></c>"#
            + #"<c r="C1" t="inlineStr"><is><t>QQ123456C</t></is></c></row></sheetData>"#
        let t = OfficeDocument.xmlText(sheet)
        #expect(!t.contains("4111"))
        #expect(t.contains("1250") && t.contains("QQ123456C"))
    }

    @Test func wordRunsJoinAndParagraphsBreak() {
        let doc = "<w:body><w:p><w:r><w:t>QQ12</w:t></w:r><w:r><w:t>3456C</w:t></w:r></w:p><w:p><w:r><w:t>next</w:t></w:r></w:p></w:body>"
        #expect(OfficeDocument.xmlText(doc).split(separator: "\n") == ["QQ123456C", "next"])
    }

    @Test func hostileMarkupStaysLinear() {
        // A million `<` with no `>`, and a million unclosed entities: each pass must be linear, not quadratic.
        let opens = String(repeating: "<", count: 1_000_000) + "text"
        let amps = String(repeating: "&amp", count: 250_000)
        let start = Date()
        #expect(PlainText.stripMarkup(opens).hasSuffix("text"))
        #expect(OfficeDocument.xmlText(amps).count == amps.count)
        #expect(PlainText.stripMarkup("<script>never closed " + String(repeating: "x", count: 100_000)).trimmingCharacters(in: .whitespaces).isEmpty)
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
