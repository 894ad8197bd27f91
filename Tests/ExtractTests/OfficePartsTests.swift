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

/// Member names: decoded by the zip's flag (UTF-8) or code page 437, and never naming a place outside the archive.
@Suite struct MemberNameTests {
    @Test func namesWithoutTheUTF8FlagAreCodePage437() {
        #expect(Archive.decodeName(Array("Café – notes.txt".utf8)) == "Café – notes.txt")
        #expect(Archive.decodeName([0x43, 0x61, 0x66, 0x82, 0x20, 0x9C, 0x35]) == "Café £5")
    }

    @Test func traversalAndAbsolutePathsAreNeutralised() {
        #expect(Archive.sanitized("../../etc/passwd") == "__/__/etc/passwd")
        #expect(Archive.sanitized("/abs/./x.txt") == "abs/x.txt")
        #expect(Archive.sanitized("dir\\..\\win.ini") == "dir/__/win.ini")
        #expect(Archive.sanitized("a!/b") == "a!_b")
    }

    @Test func aUTF8NameInAZipIsRead() throws {
        // Stored zip, one member whose name is flagged UTF-8 (bit 11): read under any locale.
        let name = Array("Notice – Secret Santa.txt".utf8), body = Array("hello".utf8)
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }
        var crc: UInt32 = 0xFFFF_FFFF
        for b in body { crc ^= UInt32(b); for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 } }
        crc ^= 0xFFFF_FFFF
        let local = [0x50, 0x4B, 0x03, 0x04] + le16(20) + le16(0x800) + le16(0) + le16(0) + le16(0) + le32(crc)
            + le32(UInt32(body.count)) + le32(UInt32(body.count)) + le16(name.count) + le16(0) + name + body
        let central = [0x50, 0x4B, 0x01, 0x02] + le16(20) + le16(20) + le16(0x800) + le16(0) + le16(0) + le16(0) + le32(crc)
            + le32(UInt32(body.count)) + le32(UInt32(body.count)) + le16(name.count) + le16(0) + le16(0) + le16(0) + le16(0)
            + le32(0) + le32(0) + name
        let end = [0x50, 0x4B, 0x05, 0x06] + le16(0) + le16(0) + le16(1) + le16(1) + le32(UInt32(central.count))
            + le32(UInt32(local.count)) + le16(0)
        var names: [String] = []
        _ = Archive.extract(.memory(local + central + end), name: "a.zip", containerSize: Int64(local.count + central.count + end.count),
                            mime: "application/zip", budget: ExtractionBudget(limits: ExtractionLimits())) { names.append($0.name); return true }
        #expect(names == ["Notice – Secret Santa.txt"])
    }
}
