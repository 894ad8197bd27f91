import SweepModel
import Testing

@Suite struct ItemPathTests {
    @Test func validUTF8IsShownAsIs() {
        #expect(ItemPath("/s/HR/Café budget.xlsx").display == "/s/HR/Café budget.xlsx")
    }

    @Test func invalidBytesAreEscapedAndKept() {
        let bytes = Array("/s/".utf8) + [0xFF, 0x41, 0xC3] + Array(".txt".utf8)
        let p = ItemPath(bytes: bytes)
        #expect(p.display == "/s/\\xFFA\\xC3.txt")
        #expect(p.bytes == bytes)   // lossless
    }

    @Test func overlongAndSurrogateSequencesAreEscaped() {
        #expect(ItemPath.display([0xC0, 0xAF]) == "\\xC0\\xAF")
        #expect(ItemPath.display([0xED, 0xA0, 0x80]) == "\\xED\\xA0\\x80")
        #expect(ItemPath.display([0xE2, 0x82, 0xAC]) == "€")
    }

    @Test func partsAndRelations() {
        let p = ItemPath("/s/HR/a.zip")
        #expect(ItemPath.display(p.name) == "a.zip")
        #expect(p.parent == ItemPath("/s/HR"))
        #expect(ItemPath("/a").parent == ItemPath("/"))
        #expect(p.relative(to: ItemPath("/s")) == "HR/a.zip")
        #expect(p.relative(to: ItemPath("/s/")) == "HR/a.zip")
        #expect(p.relative(to: ItemPath("/s/H")) == nil)
        #expect(p.nesting(Array("2019/b.docx".utf8)).display == "/s/HR/a.zip!/2019/b.docx")
        #expect(ItemPath("/").appending(Array("x".utf8)).display == "/x")
    }
}
