import Foundation
import SweepModel
import Testing

@Suite struct GlobTests {
    func g(_ p: String) -> Glob { try! Glob(p) }

    @Test func starStaysWithinOneFolder() {
        #expect(g("*.tmp").matches("report.tmp"))
        #expect(!g("*.tmp").matches("old/report.tmp"))
        #expect(g("HR/*").matches("HR/a.docx"))
        #expect(!g("HR/*").matches("HR/2019/a.docx"))
    }

    @Test func doubleStarSlashMatchesZeroOrMoreFolders() {
        let glob = g("**/HR/Recruitment/**")
        #expect(glob.matches("HR/Recruitment/a.docx"))
        #expect(glob.matches("Dept/HR/Recruitment/2019/b.pdf"))
        #expect(!glob.matches("Dept/HR/Personnel/b.pdf"))
        #expect(!glob.matches("XHR/Recruitment/a.docx"))
        #expect(g("**/*.pdf").matches("a.pdf"))
        #expect(g("**/*.pdf").matches("x/y/a.pdf"))
    }

    @Test func matchingIgnoresCase() {
        #expect(g("**/social care/**/smith*").matches("Children/Social Care/2019/SMITH family"))
        #expect(!g("**/social care/**/smith*").matches("Social Care/2019/Smith family/note.txt"))   // * stays in its folder
        #expect(g("*APPLIC*").matches("application-form.docx"))
    }

    @Test func holdsCoverEverythingBelowAMatchingFolder() {
        let hold = g("**/Social Care/**/Smith*")
        #expect(hold.matchesPathOrAncestor("Social Care/2019/Smith family/note.txt"))
        #expect(hold.matchesPathOrAncestor("Social Care/Smith"))
        #expect(!hold.matchesPathOrAncestor("Social Care/Jones/letter to Smith.txt"))   // nothing named Smith* on the way
        #expect(!hold.matchesPathOrAncestor("Housing/Smith/note.txt"))
    }

    /// Globs as records managers write them: a trailing slash, Windows backslashes, a leading slash for the scan
    /// root.
    @Test func foldersWrittenWithSlashesOrBackslashesMatch() {
        #expect(g("HR/Recruitment/").matchesPathOrAncestor("HR/Recruitment/2019/form.txt"))
        #expect(g(#"**\HR\Recruitment\**"#).matches("Dept/HR/Recruitment/2019/form.txt"))
        #expect(g("HR/Recruitment/").pattern == "HR/Recruitment")
        #expect(g("/Lead/**").matches("Lead/a.log") && !g("/Lead/**").matches("X/Lead/a.log"))
        #expect(throws: Glob.Problem.empty) { try Glob("/") }
    }

    @Test func questionMarkAndSets() {
        #expect(g("file?.txt").matches("file1.txt"))
        #expect(!g("file?.txt").matches("file10.txt"))
        #expect(g("[a-c]*.doc").matches("budget.doc"))
        #expect(!g("[!a-c]*.doc").matches("budget.doc"))
        #expect(!g("a?b").matches("a/b"))
    }

    @Test func badPatternsSayWhatToFix() {
        #expect(throws: Glob.Problem.self) { try Glob("") }
        do {
            _ = try Glob("[abc")
            Issue.record("an unclosed [ should be refused")
        } catch {
            #expect("\(error)".contains("never closes"))
        }
    }

    @Test func pathlessGlobsAreNameGlobs() {
        #expect(!g("*.tmp").matchesPaths)
        #expect(g("**/Archive/**").matchesPaths)
    }

    @Test func manyStarsStayFast() {
        // Memoised matching: this would take minutes with naive backtracking.
        let glob = g("*a*a*a*a*a*a*a*a*a*a*b")
        #expect(!glob.matches(String(repeating: "a", count: 200) + "bc"))
    }

    /// The matcher (with its literal prefilter and ancestors read as prefixes) agrees with a regular
    /// expression written from the same glob, on random globs and paths.
    @Test func agreesWithARegularExpressionOnRandomGlobsAndPaths() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["a", "b", "A", "/", "*", "?", "**/", "**", "[ab]", "[!a]", "ab", "é"]
        let chars = ["a", "b", "B", "/", "é", "c"]
        var checked = 0
        while checked < 10_000 {
            let parts = (0..<Int.random(in: 1...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
            // As matched: a trailing "/" dropped; a leading one is the scan root (tested above).
            let text = Glob.normalized(parts.joined())
            if text.hasPrefix("/") { continue }
            let glob = try Glob(text)
            // The dialect as documented, read from the joined text: "**/", "**", "*", "?", "[set]", literals.
            var regex = "^"
            var rest = Substring(text)
            while let c = rest.first {
                if rest.hasPrefix("**/") { regex += "(?:.*/)?"; rest = rest.dropFirst(3) }
                else if rest.hasPrefix("**") { regex += ".*"; rest = rest.dropFirst(2) }
                else if c == "*" { regex += "[^/]*"; rest = rest.dropFirst() }
                else if c == "?" { regex += "[^/]"; rest = rest.dropFirst() }
                else if rest.hasPrefix("[!") { let close = rest.firstIndex(of: "]")!; regex += "[^/" + rest[rest.index(rest.startIndex, offsetBy: 2)..<close].lowercased() + "]"; rest = rest[rest.index(after: close)...] }
                else if c == "[" { let close = rest.firstIndex(of: "]")!; regex += "(?!/)" + rest[...close].lowercased(); rest = rest[rest.index(after: close)...] }
                else { regex += NSRegularExpression.escapedPattern(for: String(c).lowercased()); rest = rest.dropFirst() }
            }
            let re = try NSRegularExpression(pattern: regex + "$", options: [.dotMatchesLineSeparators])
            func reference(_ text: String) -> Bool {
                let t = text.lowercased()
                return re.firstMatch(in: t, range: NSRange(t.startIndex..., in: t)) != nil
            }
            for _ in 0..<25 {
                let path = (0..<Int.random(in: 0...8, using: &rng)).map { _ in chars.randomElement(using: &rng)! }.joined()
                #expect(glob.matches(path) == reference(path), "\(glob) on \(path)")
                var ancestors = [path]
                var rest = Substring(path)
                while let slash = rest.lastIndex(of: "/") { rest = rest[..<slash]; ancestors.append(String(rest)) }
                #expect(glob.matchesPathOrAncestor(path) == ancestors.contains(where: reference), "\(glob) above \(path)")
                checked += 1
            }
        }
        #expect(checked == 10_000)
    }
}

/// How names are shown: every byte sequence has one display, and the display reads back to the bytes.
@Suite struct ItemPathDisplayTests {
    @Test func displaysAreUnambiguousAndReadBack() {
        let raw: [UInt8] = Array("/s/a".utf8) + [0xFF] + Array(".txt".utf8)
        let literal = Array("/s/a\\xFF.txt".utf8)
        #expect(ItemPath.display(raw) == "/s/a\\xFF.txt")
        #expect(ItemPath.display(literal) == "/s/a\\x5CxFF.txt")
        #expect(ItemPath.display(raw) != ItemPath.display(literal))
        for bytes in [raw, literal, Array("/s/line\nbreak\u{7}.txt".utf8), Array("/s/\u{202E}txt.exe".utf8), Array("C:\\dir\\file".utf8),
                      Array("/s/Café – notes.txt".utf8)] {
            #expect(ItemPath.parse(display: ItemPath.display(bytes)) == bytes)
        }
    }

    @Test func controlAndReorderingCharactersAreEscaped() {
        #expect(ItemPath.display(Array("a\nb".utf8)) == "a\\x0Ab")
        #expect(ItemPath.display(Array("a\u{202E}b".utf8)) == "a\\xE2\\x80\\xAEb")
        #expect(ItemPath.display(Array("Café – notes".utf8)) == "Café – notes")
        #expect(ItemPath.display(Array("C:\\dir\\file".utf8)) == "C:\\dir\\file")   // a backslash alone shows as itself
    }
}
