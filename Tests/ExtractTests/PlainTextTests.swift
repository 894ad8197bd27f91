@testable import Extract
import Foundation
import SweepModel
import TestSupport
import Testing

/// Text files held as the UTF-8 they were read as: the same text `decode` gives, with no copy made.
@Suite struct PlainTextTests {
    @Test func wellFormedUTF8IsHeldAsReadAndEverythingElseIsDecoded() {
        let utf8 = Array("Café — JK 12 34 56 C\n".utf8)
        let held = PlainText.text(of: utf8)
        #expect(held.utf8 == utf8 && held.string == PlainText.decode(utf8) && held.utf8Count == utf8.count)
        let others: [[UInt8]] = [
            [0xEF, 0xBB, 0xBF] + Array("café".utf8),   // UTF-8 with a byte-order mark: the mark is dropped
            [0xFF, 0xFE, 0x41, 0x00, 0x42, 0x00],        // UTF-16
            [0x93, 0x61, 0x94, 0x20, 0x80],              // Windows-1252
        ]
        for bytes in others {
            let t = PlainText.text(of: bytes)
            #expect(t.utf8 == nil && t.string == PlainText.decode(bytes) && t.utf8Count == t.string.utf8.count)
        }
        #expect(PlainText.text(of: []).utf8 == [] && PlainText.text(of: []).string == "")
    }

    @Test func wellFormedIsWhatStringValidationAccepts() {
        let edges: [[UInt8]] = [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xF0, 0x90, 0x80, 0x80],
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFF], [0x00],
        ]
        for e in edges {
            #expect(PlainText.isWellFormedUTF8(e) == (String(validating: e, as: UTF8.self) != nil), "\(e)")
            #expect(PlainText.isWellFormedUTF8(Array("ab".utf8) + e + Array("cd".utf8))
                    == (String(validating: Array("ab".utf8) + e + Array("cd".utf8), as: UTF8.self) != nil))
        }
        var state: UInt64 = 0x5EED
        var accepted = 0
        for _ in 0..<20000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let bytes: [UInt8] = (0..<Int((state >> 33) % 9)).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let r = UInt8(truncatingIfNeeded: state >> 56)
                return r < 0x60 ? r : (r < 0xA0 ? 0x80 | (r & 0x3F) : r)   // plenty of lead and continuation bytes
            }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            #expect(PlainText.isWellFormedUTF8(bytes) == valid)
            if valid && bytes.contains(where: { $0 >= 0x80 }) { accepted += 1 }
        }
        #expect(accepted > 100)   // multi-byte sequences were among them
    }

    /// The ASCII a text starts with is passed over 32 bytes at a time: a sequence on either side of a block's
    /// edge, at the end, or far in, is judged as String validation judges it.
    @Test func wellFormedAfterLongAsciiRuns() {
        let pieces: [[UInt8]] = [[0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xE2, 0x82], [0x80], [0xFF],
                                 [0xED, 0xA0, 0x80], [0xC3], []]
        var checked = 0
        for before in 0...70 {
            for piece in pieces {
                for after in [0, 1, 31, 40] {
                    let bytes = Array(repeating: UInt8(ascii: "a"), count: before) + piece + Array(repeating: UInt8(ascii: "z"), count: after)
                    #expect(PlainText.isWellFormedUTF8(bytes) == (String(validating: bytes, as: UTF8.self) != nil),
                            "\(before) + \(piece) + \(after)")
                    checked += 1
                }
            }
        }
        #expect(checked == 71 * 9 * 4)
        #expect(PlainText.asciiPrefix(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
        let long = Array(repeating: UInt8(ascii: "x"), count: 100) + [0xC3, 0xA9]
        #expect(long.withUnsafeBytes(PlainText.asciiPrefix) == 96)
    }

    @Test func changingTheBodyDropsTheBytes() {
        var e = Extraction()
        e.text = PlainText.text(of: Array("NHS 943 476 5919".utf8))
        #expect(e.text.utf8 != nil && e.body == "NHS 943 476 5919")
        e.body += " more"
        #expect(e.text.utf8 == nil && e.body == "NHS 943 476 5919 more")
        let child = Child(name: "a.txt", kind: .member, content: .extracted(Extraction(body: "café")))
        #expect(child.size == 5)
    }

    @Test func aTextFileIsReadAsItsBytes() throws {
        let t = TempTree()
        let path = t.file("letter.txt", "Dear Mr Bloggs, café at 10\n")
        var st = stat()
        #expect(lstat(path, &st) == 0)
        let read = try PlainText.read(ItemPath(path), expected: FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), cap: 100).get()
        #expect(read.text.utf8 == Array("Dear Mr Bloggs, café at 10\n".utf8) && !read.truncated)
        let capped = try PlainText.read(ItemPath(path), expected: FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), cap: 4).get()
        #expect(capped.text.string == "Dear" && capped.truncated)
    }
}
