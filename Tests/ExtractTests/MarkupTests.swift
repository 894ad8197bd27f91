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

    @Test func mailAndPhoneLinksKeepTheirAddresses() {
        let html = #"<p>Write to <a href="mailto:Revenues.Team@example.gov.uk?subject=Ref%2012">the team</a> or "#
            + #"<A HREF='tel:+441614960321'>call us</A>; <a href="https://example.gov.uk/contact">web</a></p>"#
        let t = PlainText.stripMarkup(html)
        #expect(t.contains("Revenues.Team@example.gov.uk ") && !t.contains("subject"))
        #expect(t.contains("+441614960321"))
        #expect(!t.contains("https"))
    }

    @Test func aSpreadsheetsSharedStringIndexIsNotText() {
        let sheet = #"<sheetData><row r="1"><c r="A1" t="s"><v>4111</v></c><c r="B1"><v>1250</v></c>"#
            + #"<c r="C1" t="inlineStr"><is><t>JK123456C</t></is></c></row></sheetData>"#
        let t = OfficeDocument.xmlText(sheet)
        #expect(!t.contains("4111"))
        #expect(t.contains("1250") && t.contains("JK123456C"))
    }

    @Test func worksheetsAreRowsOfCellsAtTheirColumnsWithSharedStrings() {
        let shared = Worksheet.sharedStrings(#"<sst><si><t>Name</t></si><si><r><t>Date of </t></r><r><t>Birth</t></r></si>"#
                                             + #"<si><t>Jo &amp; Sam</t></si></sst>"#)
        #expect(shared == ["Name", "Date of Birth", "Jo & Sam"])
        let sheet = #"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>"#
            + #"<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><f>SUM(X1:X9)</f><v>12</v></c>"#
            + #"<c r="C2" t="inlineStr"><is><t>15/08/1947</t></is></c></row>"#
            + #"<row r="3"><c r="C3" t="s"><v>99</v></c><c r="XFD3"><v>1</v></c></row></sheetData></worksheet>"#
        let lines = Worksheet.text(sheet, shared: shared).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "Name\t\tDate of Birth")
        #expect(lines[1] == "Jo & Sam\t12\t15/08/1947")   // the formula is not text; its value is
        #expect(lines[2].hasPrefix("\t\t\t") && lines[2].filter { $0 == "\t" }.count <= Worksheet.maxColumn)   // index 99: no such string
        #expect(Worksheet.reference(in: Array(#" r="AB12""#.utf8).withUnsafeBufferPointer { $0 }, from: 0, to: 9) == 27)
    }

    @Test func numbersInADateStyleAreWrittenAsDates() {
        let styles = #"<styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/>"#
            + #"<numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="&quot;day &quot;0"/></numFmts>"#
            + #"<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>"#
            + #"<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="14"/>"#
            + #"<xf numFmtId="165"/><xf numFmtId="166"/></cellXfs></styleSheet>"#
        let dateStyles = Worksheet.Dates.styles(styles)
        #expect(dateStyles == [1, 2])
        var dates = Worksheet.Dates(styles: dateStyles)
        #expect(dates.text(serial: 31121) == "15/03/1985")
        #expect(dates.text(serial: 61) == "01/03/1900")
        #expect(dates.text(serial: 45658.75) == "01/01/2025")   // the time of day is dropped
        #expect(dates.text(serial: -3) == nil)
        let sheet = #"<sheetData><row r="1"><c r="A1" s="1"><v>31121</v></c><c r="B1" s="2"><v>1</v></c>"#
            + #"<c r="C1" s="3"><v>0.5</v></c><c r="D1"><v>31121</v></c><c r="E1" s="1" t="s"><v>0</v></c>"#
            + #"<c r="F1" t="inlineStr"><is><t>Smith &amp; Co</t></is></c></row></sheetData>"#
        #expect(Worksheet.text(sheet, shared: ["x"], dates: dates) == "15/03/1985\t1\t0.5\t31121\tx\tSmith & Co\n")
        dates.from1904 = true
        #expect(dates.text(serial: 29659) == "15/03/1985")
        #expect(Worksheet.Dates.from1904(#"<workbook><workbookPr date1904="1" defaultThemeVersion="1"/></workbook>"#))
        #expect(!Worksheet.Dates.from1904(#"<workbook><workbookPr defaultThemeVersion="1"/></workbook>"#))
    }

    @Test func documentTablesAreTabSeparatedRows() {
        let doc = "<w:body><w:p><w:pPr><w:tabs><w:tab w:val=\"center\"/></w:tabs></w:pPr><w:r><w:t>Council</w:t></w:r><w:r><w:tab/></w:r>"
            + "<w:r><w:t>OFFICIAL</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Child</w:t></w:r></w:p></w:tc>"
            + "<w:tc><w:p><w:r><w:t>Date of</w:t></w:r></w:p><w:p><w:r><w:t>birth</w:t></w:r></w:p></w:tc></w:tr>"
            + "<w:tr><w:tc><w:p><w:r><w:t>A</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>01/02/2015</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body>"
        let lines = OfficeDocument.xmlText(doc).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines == ["Council\tOFFICIAL", "Child\tDate of birth", "A\t01/02/2015"])
        // OpenDocument: a repeated empty cell keeps the columns, up to a cap.
        let ods = #"<table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell><text:p>x</text:p>"#
            + #"</table:table-cell><table:table-cell table:number-columns-repeated="16000"/></table:table-row>"#
        let row = OfficeDocument.xmlText(ods)
        #expect(row.hasPrefix("\t\tx\t"))
        #expect(row.filter { $0 == "\t" }.count == 3 + Markup.maxRepeatedCells)
    }

    @Test func wordRunsJoinAndParagraphsBreak() {
        let doc = "<w:body><w:p><w:r><w:t>JK12</w:t></w:r><w:r><w:t>3456C</w:t></w:r></w:p><w:p><w:r><w:t>next</w:t></w:r></w:p></w:body>"
        #expect(OfficeDocument.xmlText(doc).split(separator: "\n") == ["JK123456C", "next"])
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
