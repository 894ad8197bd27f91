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
        #expect(!glob.matches(String(repeating: "a", count: 200)))
    }
}
