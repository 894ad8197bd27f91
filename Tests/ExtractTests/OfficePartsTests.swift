@testable import Extract
import Testing

/// The parts of Office files where markings live: spreadsheet header and footer sections, slide edges.
@Suite struct OfficePartsTests {
    @Test func eachHeaderSectionIsALineOfItsOwn() {
        let lines = OfficeDocument.sheetHeaderText("&amp;LOFFICIAL-SENSITIVE&amp;RPage &amp;P of &amp;N").split(separator: "\n")
        #expect(lines.count == 2 && lines.first == "OFFICIAL-SENSITIVE")
        #expect(OfficeDocument.sheetHeaderText("&amp;C&amp;\"Arial,Bold\"&amp;12PROTECT - STAFF") == "PROTECT - STAFF")
        #expect(OfficeDocument.sheetHeaderText("&amp;L&amp;KFF0000RESTRICTED&amp;C&amp;D") == "RESTRICTED")
    }

    @Test func aSlidesTopAndBottomShapesAreItsEdges() {
        let slide = """
            <p:sld><p:cSld><p:spTree>
            <p:sp><p:nvSpPr><p:nvPr><p:ph type="body"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Agenda item one</a:t></a:r></a:p>
            <a:p><a:r><a:t>Agenda item two</a:t></a:r></a:p><a:p><a:r><a:t>Agenda item three</a:t></a:r></a:p></p:txBody></p:sp>
            <p:sp><p:spPr><a:xfrm><a:off x="100" y="6400000"/></a:xfrm></p:spPr><p:txBody><a:p><a:r><a:t>OFFICIAL</a:t></a:r></a:p></p:txBody></p:sp>
            <p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Budget briefing</a:t></a:r></a:p></p:txBody></p:sp>
            <p:sp><p:spPr><a:xfrm><a:off x="100" y="0"/></a:xfrm></p:spPr><p:txBody><a:p><a:r><a:t>OFFICIAL-SENSITIVE</a:t></a:r></a:p></p:txBody></p:sp>
            </p:spTree></p:cSld></p:sld>
            """
        let edges = OfficeDocument.slideEdgeLines(slide)
        #expect(edges.first == "OFFICIAL-SENSITIVE")   // placed at the top, though last in the file
        #expect(edges.last == "OFFICIAL")               // placed at the bottom, though second in the file
        #expect(edges.count == 4)
    }
}
