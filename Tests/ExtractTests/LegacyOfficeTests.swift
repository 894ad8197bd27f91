@testable import Extract
import Foundation
import SweepModel
import Testing

@Suite struct LegacyOfficeTests {
    func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: repoRoot().appendingPathComponent("fixtures/formats/legacy/\(name)")))
    }

    func extract(_ name: String, _ mime: String, limits: ExtractionLimits = ExtractionLimits()) throws -> Extraction {
        LegacyOffice.extract(try fixture(name), mime: mime, limits: limits)
    }

    @Test func wordBodyHeaderFooterAndSummary() throws {
        let e = try extract("letter.doc", "application/msword")
        #expect(e.problem == nil)
        #expect(e.body.contains("National Insurance number JK123456C is complete."))
        #expect(e.body.contains("Dear Resident,\n"))
        #expect(!e.body.contains("OFFICIAL-SENSITIVE"))   // the marking is in the header story, not the body
        let hf = try #require(e.headers["x-header-footer"])
        #expect(hf.contains("OFFICIAL-SENSITIVE"))
        #expect(hf.contains("Classification: OFFICIAL-SENSITIVE (personal)"))
        #expect(!hf.contains("JK123456C"))
        #expect(e.metadata.title == "Housing Benefit Review")
        #expect(e.metadata.author == "Pat Example")
        #expect(e.metadata.created?.iso8601.hasPrefix("2021-06-01") == true)
    }

    @Test func passwordProtectedWordIsEncrypted() throws {
        let locked = try extract("letter-locked.doc", "application/msword")
        #expect(locked.problem?.kind == .encrypted)
        #expect(!locked.body.contains("JK123456C"))
        // The same flag set by hand in a copy of the plain document (fEncrypted, bit 8 of the FIB flags).
        let plain = try fixture("letter.doc")
        let file = try CompoundFile(plain)
        let stream = try #require(file.entry("WordDocument"))
        let head = try #require(file.stream("WordDocument")).prefix(64)
        let offset = try #require(locate(head, in: plain))
        var flipped = plain
        flipped[offset + 0x0B] |= 0x01
        #expect(stream.size > 0)
        #expect(LegacyOffice.extract(flipped, mime: "application/msword", limits: ExtractionLimits()).problem?.kind == .encrypted)
    }

    @Test func excelCellsSheetsAndPageHeader() throws {
        let e = try extract("budget.xls", "application/vnd.ms-excel")
        #expect(e.problem == nil)
        let lines = e.body.split(separator: "\n").map(String.init)
        #expect(lines.first == "Budget")
        #expect(lines.contains("Ward\tAmount\tReference"))
        #expect(lines.contains("Northfield\t1250\tJK123456C"))   // an integer without ".0"
        #expect(lines.contains("Southgate\t987.25\t2237.25"))    // a formula's cached number
        #expect(lines.contains("Total wards\t-3"))
        #expect(lines.contains("Notes"))
        #expect(lines.contains("Reviewed by the finance committee"))
        let hf = try #require(e.headers["x-header-footer"])
        #expect(hf.contains("OFFICIAL-SENSITIVE"))
        #expect(hf.contains("Finance team"))
        #expect(!hf.contains("&"))
        #expect(e.metadata.title == "Ward Budget 2022")
        #expect(e.metadata.author == "Sam Finance")
        #expect(e.metadata.pages == 2)
    }

    @Test func passwordProtectedExcelIsEncrypted() throws {
        let e = try extract("budget-locked.xls", "application/vnd.ms-excel")
        #expect(e.problem?.kind == .encrypted)
        #expect(!e.body.contains("JK123456C"))
    }

    @Test func powerPointSlidesAndNotes() throws {
        let e = try extract("briefing.ppt", "application/vnd.ms-powerpoint")
        #expect(e.problem == nil)
        #expect(e.body.contains("OFFICIAL-SENSITIVE Cabinet briefing"))
        #expect(e.body.contains("Library opening hours will change in April."))
        #expect(e.body.contains("Case reference JK123456C is anonymised test data."))
        #expect(e.body.contains("Speaker note: mention the consultation."))
        #expect(!e.body.contains("Click to edit"))   // master placeholder prompts are not content
        #expect(e.metadata.title == "Cabinet Briefing")
        #expect(e.metadata.author == "Alex Officer")
        #expect(e.metadata.pages == 2)
    }

    @Test func textCapStopsWithALimitProblem() throws {
        var limits = ExtractionLimits()
        limits.textCap = 20
        for (name, mime) in [("letter.doc", "application/msword"), ("budget.xls", "application/vnd.ms-excel"),
                             ("briefing.ppt", "application/vnd.ms-powerpoint")] {
            let e = try extract(name, mime, limits: limits)
            #expect(e.problem?.kind == .limit, "\(name)")
            #expect(e.body.count + (e.headers["x-header-footer"]?.count ?? 0) <= 20, "\(name)")
        }
    }

    @Test func damagedFilesAreCorruptAndQuick() throws {
        let start = ExtractionBudget.clock()
        for (name, mime) in [("letter.doc", "application/msword"), ("budget.xls", "application/vnd.ms-excel"),
                             ("briefing.ppt", "application/vnd.ms-powerpoint")] {
            let bytes = try fixture(name)
            #expect(LegacyOffice.extract(Array(bytes.prefix(1000)), mime: mime, limits: ExtractionLimits()).problem?.kind == .corrupt)
            // Random damage anywhere past the header: any outcome but a crash or a hang.
            var rng = SplitMix(state: UInt64(bytes.count))
            for _ in 0..<40 {
                var copy = bytes
                for _ in 0..<20 { copy[512 + Int(rng.next() % UInt64(copy.count - 512))] = UInt8(truncatingIfNeeded: rng.next()) }
                _ = LegacyOffice.extract(copy, mime: mime, limits: ExtractionLimits())
            }
        }
        #expect(LegacyOffice.extract(Array("plain text".utf8), mime: "application/msword", limits: ExtractionLimits()).problem?.kind == .corrupt)
        #expect(ExtractionBudget.clock() - start < 20)
    }

    @Test func excelHeaderCodesAndNumbers() {
        #expect(LegacyOffice.stripHeaderCodes("&L&\"Arial,Bold\"&12OFFICIAL&CPage &P of &N&R&D") == "OFFICIAL Page of")
        #expect(LegacyOffice.stripHeaderCodes("Smith && Sons") == "Smith & Sons")
        #expect(LegacyOffice.number(42) == "42")
        #expect(LegacyOffice.number(-3) == "-3")
        #expect(LegacyOffice.number(987.25) == "987.25")
        #expect(LegacyOffice.rk(0x0000_00CA) == 50)        // a 30-bit integer
        #expect(LegacyOffice.rk(0x0000_00CB) == 0.5)       // the same, divided by 100
        #expect(LegacyOffice.rk(0x3FF0_0000) == 1)         // the top of a double
    }

    /// A BIFF8 workbook built record by record: a shared string split across a CONTINUE record with the
    /// second half in UTF-16, a MULRK row, and a formula whose cached text is in the STRING record after it.
    func handMadeWorkbook(filePass: Bool = false) -> [UInt8] {
        func record(_ type: UInt16, _ data: [UInt8]) -> [UInt8] {
            [UInt8(type & 0xFF), UInt8(type >> 8), UInt8(data.count & 0xFF), UInt8(data.count >> 8)] + data
        }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * UInt32($0)) & 0xFF) } }
        let bof = { (dt: Int) in record(0x0809, le16(0x0600) + le16(dt) + [UInt8](repeating: 0, count: 12)) }
        let sst = record(0x00FC, le32(2) + le32(2) + le16(5) + [0] + Array("Alpha".utf8) + le16(15) + [0] + Array("JK1234".utf8))
        let cont = record(0x003C, [1] + Array("56C split".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let name = Array("Sheet One".utf8)
        // A custom date format (164) and two cell styles: 0 general, 1 that date format.
        let dateFormat = record(0x041E, le16(164) + le16(10) + [0] + Array("dd/mm/yyyy".utf8))
        let styles = record(0x00E0, le16(0) + le16(0) + [UInt8](repeating: 0, count: 16))
            + record(0x00E0, le16(0) + le16(164) + [UInt8](repeating: 0, count: 16))
        var globals = bof(0x0005) + (filePass ? record(0x002F, [0, 0] + [UInt8](repeating: 0, count: 48)) : []) + sst + cont
            + dateFormat + styles
        let boundSheetLength = 4 + 4 + 2 + 2 + name.count
        let sheetStart = UInt32(globals.count + boundSheetLength + 4)
        globals += record(0x0085, le32(sheetStart) + [0, 0, UInt8(name.count), 0] + name) + record(0x000A, [])
        var sheet = bof(0x0010)
        sheet += record(0x00FD, le16(0) + le16(0) + le16(15) + le32(0))
        sheet += record(0x00FD, le16(0) + le16(1) + le16(15) + le32(1))
        sheet += record(0x00BD, le16(1) + le16(0) + le16(15) + le32(7 << 2 | 2) + le16(15) + le32(0xCB) + le16(1))
        sheet += record(0x0006, le16(2) + le16(0) + le16(15) + [0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + [0, 0, 0, 0, 0, 0, 0, 0])
        sheet += record(0x0207, le16(12) + [0] + Array("Formula text".utf8))
        sheet += record(0x00FD, le16(3) + le16(1) + le16(15) + le32(0))   // a row whose first cell is empty
        sheet += record(0x0203, le16(4) + le16(0) + le16(1) + Array(withUnsafeBytes(of: Double(31121).bitPattern.littleEndian, Array.init)))
        sheet += record(0x0203, le16(4) + le16(1) + le16(0) + Array(withUnsafeBytes(of: Double(31121).bitPattern.littleEndian, Array.init)))
        sheet += record(0x000A, [])
        var b = CFBBuilder()
        b.add("Workbook", globals + sheet)
        return b.build()
    }

    @Test func excelSharedStringsAcrossContinueRecordsRowsAndFormulaText() {
        let e = LegacyOffice.extract(handMadeWorkbook(), mime: "application/vnd.ms-excel", limits: ExtractionLimits())
        #expect(e.problem == nil)
        #expect(e.body == "Sheet One\nAlpha\tJK123456C split\n7\t0.5\nFormula text\n\tAlpha\n15/03/1985\t31121")   // a date-styled number as its date
        let locked = LegacyOffice.extract(handMadeWorkbook(filePass: true), mime: "application/vnd.ms-excel", limits: ExtractionLimits())
        #expect(locked.problem?.kind == .encrypted)
        #expect(!locked.body.contains("JK123456C"))
    }

    func locate(_ needle: ArraySlice<UInt8>, in hay: [UInt8]) -> Int? {
        let n = Array(needle)
        guard n.count <= hay.count else { return nil }
        for i in stride(from: 0, through: hay.count - n.count, by: 64) where Array(hay[i..<(i + n.count)]) == n { return i }
        return nil
    }
}
