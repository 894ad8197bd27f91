import Detect
import Rules
import TestSupport
import Testing

/// Running the patterns that need a rare byte only over the segments holding one must find exactly what a
/// scan of the whole text finds.
@Suite struct PatternSetTests {
    static let rules = try! RuleSet.load(repositoryRoot + "/rules").detection

    static func expressions() -> (patterns: [String], caseless: [Bool]) {
        var patterns: [String] = [], caseless: [Bool] = []
        for r in rules.personalData { for p in r.patterns { patterns.append(p); caseless.append(r.caseless) } }
        for c in rules.specialCategories {
            for k in c.keywords { patterns.append("\\b" + k.split(separator: " ").joined(separator: "\\s+") + "\\b"); caseless.append(k == k.lowercased()) }
        }
        return (patterns, caseless)
    }

    /// One to `upTo` random pieces, each followed by a random separator.
    static func randomText(_ pieces: [String], _ separators: [String], upTo: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        var text = ""
        for _ in 0..<Int.random(in: 1...upTo, using: &rng) {
            text += pieces.randomElement(using: &rng)! + separators.randomElement(using: &rng)!
        }
        return text
    }

    func scanBoth(_ set: PatternSet, _ whole: PatternSet, _ text: [UInt8]) -> ([PatternSet.Match], [PatternSet.Match]) {
        let a = text.withUnsafeBytes { set.scan($0, scratch: set.makeScratch()) }
        let b = text.withUnsafeBytes { whole.scan($0, scratch: whole.makeScratch()) }
        return (a, b)
    }

    @Test func gatedScanFindsWhatAWholeScanFinds() throws {
        let (patterns, caseless) = Self.expressions()
        let gated = try PatternSet(patterns, caseless: caseless)
        let whole = try PatternSet(patterns, caseless: caseless, gate: false)
        // Every shipped personal-data pattern needs a digit, `@` or `:`: none is left to a whole-text scan.
        #expect(gated.gatedCount == Self.rules.personalData.reduce(0) { $0 + $1.patterns.count })
        #expect(whole.gatedCount == 0)
        // The shipped patterns need a digit, a `0` or `4` (a phone number starts 0, +44 or 0044), an `@` (email)
        // or a `:` (IPv6): one database for each.
        #expect(gated.gateCount == 4)
        // Values, decoys and the bytes around them, joined by every kind of separator.
        var pieces: [String] = []
        for r in Self.rules.personalData { pieces += r.examples.match + r.examples.noMatch }
        for c in Self.rules.specialCategories { pieces += c.examples.match + c.examples.noMatch }
        pieces += ["abcd:ef01:2345:6789:abcd:ef01:2345:6789", "fe80::1", "a.b.c.d@e-f.example.co.uk", "x@y", "12:30",
                   "GIR 0AA", "gir0aa", "+44 (0) 20 7946 0018", "0044 7700 900123", "2020-01-31", "3rd september 2001",
                   "MORGA657054SM9IJ", "GB82WEST12345698765432", "café 12", "naïve@x.org", "1.2.3.4", "::", "@@", "9", "a"]
        let separators = [" ", "\n", ",", ";", "\t", "\"", "<", ">", "", "-", ".", ":", "/", "(", ")", "_", "\r\n", "é", "|"]
        for _ in 0..<300 {
            let text = Self.randomText(pieces, separators, upTo: 40)
            let (a, b) = scanBoth(gated, whole, Array(text.utf8))
            #expect(a == b, "differs on a generated text of \(text.utf8.count) bytes")
            if a != b { break }
        }
    }

    @Test func laterPatternsAreScannedOnlyWhenAskedFor() throws {
        let (patterns, caseless) = Self.expressions()
        let personal = Self.rules.personalData.reduce(0) { $0 + $1.patterns.count }
        let later = patterns.indices.map { $0 >= personal }
        let split = try PatternSet(patterns, caseless: caseless, later: later)
        let whole = try PatternSet(patterns, caseless: caseless, gate: false)
        let text = Array("NI QQ 12 34 56 C; GP informed of medication; DNA sample, card 4111 1111 1111 1111\nmental  health".utf8)
        let all = text.withUnsafeBytes { whole.scan($0, scratch: whole.makeScratch()) }
        let first = text.withUnsafeBytes { split.scan($0, scratch: split.makeScratch()) }
        let second = text.withUnsafeBytes { split.scan($0, scratch: split.makeScratch(), later: true) }
        #expect(first == all.filter { !later[$0.pattern] })
        #expect(second == all.filter { later[$0.pattern] })
        #expect(!first.isEmpty && !second.isEmpty)
    }

    @Test func unreadablePatternsRunOverTheWholeText() throws {
        // Anchors, lookaround-like syntax, escapes the gate does not read, letters only: all scanned whole.
        let set = try PatternSet(["^\\d+", "\\x41\\d", "[[:digit:]]{3}", "abc", "\\d+$", "(?i)\\d{2}", "\\d{2}"],
                                 caseless: Array(repeating: false, count: 7))
        #expect(set.gatedCount == 1)
        let text = Array("12 abc A1 345\n99".utf8)
        let whole = try PatternSet(["^\\d+", "\\x41\\d", "[[:digit:]]{3}", "abc", "\\d+$", "(?i)\\d{2}", "\\d{2}"],
                                   caseless: Array(repeating: false, count: 7), gate: false)
        let (a, b) = scanBoth(set, whole, text)
        #expect(a == b)
        #expect(!a.isEmpty)
    }

    /// A keyword written as one expression per gap shape (`\s` or `\s\s+`) finds exactly the starts and ends
    /// the `\s+` expression finds, once each.
    @Test func keywordVariantsMatchWhatTheWholeKeywordMatches() throws {
        var keywords: [String] = []
        for c in Self.rules.specialCategories { keywords += c.keywords }
        keywords += ["a b c d", "one two three four five"]
        var variants: [String] = [], owner: [Int] = [], caseless: [Bool] = [], words: [[Int]?] = []
        var wholes: [String] = []
        for (i, k) in keywords.enumerated() {
            wholes.append("\\b" + Detector.escape(k) + "\\b")
            for v in Detector.keywordVariants(k) {
                variants.append(v); owner.append(i); caseless.append(k == k.lowercased()); words.append(Detector.wordLengths(k))
            }
        }
        // As the detector compiles them: without start tracking, starts found from the words' lengths.
        #expect(words.allSatisfy { $0 != nil })
        let split = try PatternSet(variants, caseless: caseless, gate: false, words: words)
        let whole = try PatternSet(wholes, caseless: keywords.map { $0 == $0.lowercased() }, gate: false)
        let gaps = [" ", "  ", "\n", "\r\n", "\t", " \t\n ", "\u{0B}", "\u{0C}", "", "-", "_", "\u{A0}"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<Int.random(in: 1...30, using: &rng) {
                let k = keywords.randomElement(using: &rng)!
                let words = k.split(separator: " ").map { Bool.random(using: &rng) ? $0.uppercased() : String($0) }
                text += words.reduce("") { $0.isEmpty ? $1 : $0 + gaps.randomElement(using: &rng)! + $1 }
                text += gaps.randomElement(using: &rng)! + (Bool.random(using: &rng) ? "x" : "")
            }
            let bytes = Array(text.utf8)
            let a = bytes.withUnsafeBytes { split.scan($0, scratch: split.makeScratch()) }
                .map { "\(owner[$0.pattern]) \($0.start) \($0.ends)" }
            let b = bytes.withUnsafeBytes { whole.scan($0, scratch: whole.makeScratch()) }.map { "\($0.pattern) \($0.start) \($0.ends)" }
            #expect(a == b, "differs on a generated text of \(bytes.count) bytes")
            if a != b { break }
        }
    }

    @Test func keywordWordLengthsAreGivenOnlyForPlainWords() {
        #expect(Detector.wordLengths("mental health") == [6, 6])
        #expect(Detector.wordLengths("d.o.b") == [5])
        #expect(Detector.wordLengths("café owner") == [5, 5])
        #expect(Detector.wordLengths("two  spaces") == nil)
        #expect(Detector.wordLengths(" leading") == nil)
        #expect(Detector.wordLengths("tab\there") == nil)
    }

    /// Words found without start tracking report the start a tracked scan reports, wherever the gaps are
    /// runs of mixed whitespace, at the very start of the text, or after other whitespace.
    @Test func startsFoundFromWordsMatchTrackedStarts() throws {
        let keywords = ["trade union", "a b c d e", "GP", "x.y z"]
        let expressions = keywords.map { "\\b" + Detector.escape($0) + "\\b" }
        let tracked = try PatternSet(expressions, caseless: [true, true, false, true], gate: false)
        let found = try PatternSet(expressions, caseless: [true, true, false, true], gate: false,
                                   words: keywords.map(Detector.wordLengths))
        for text in ["trade union", "  Trade \t\n union GP\r\nx.y \u{0B}\u{0C}z", "a b  c\td\ne. GP a b c d e\n\n",
                     "tradeunion trade_union GPs \nGP\n"] {
            let bytes = Array(text.utf8)
            let a = bytes.withUnsafeBytes { found.scan($0, scratch: found.makeScratch()) }
            let b = bytes.withUnsafeBytes { tracked.scan($0, scratch: tracked.makeScratch()) }
            #expect(a == b)
            #expect(!a.isEmpty)
        }
    }

    /// The trigger search reads 32 bytes at a time when the triggers make at most three byte ranges (here a
    /// UTF-8 lead byte, from `£`), and byte by byte when they make more (`#`, `%&`, `^`, `~`).
    @Test func triggersOutsideAsciiAndInManyRangesAreFound() throws {
        let patterns = ["£\\d+", "[#%&~^]x\\d"]
        for p in patterns {
            let gated = try PatternSet([p], caseless: [false])
            let whole = try PatternSet([p], caseless: [false], gate: false)
            #expect(gated.gatedCount == 1)
            let pieces = ["£12", "£", "12", "#x1", "~x9", "^x0", "&x", "%x5", "é", "prose without any", "x1"]
            let separators = [" ", "\n", ",", "", "\"", "£", "é"]
            var found = 0
            for _ in 0..<200 {
                let text = Self.randomText(pieces, separators, upTo: 60)
                let (a, b) = scanBoth(gated, whole, Array(text.utf8))
                #expect(a == b, "differs on a generated text of \(text.utf8.count) bytes")
                if a != b { break }
                found += a.count
            }
            #expect(found > 0)
        }
    }

    /// Every end a pattern matched at from one start, longest first: a validator tries the longest first.
    @Test func everyEndFromOneStartIsReportedLongestFirst() throws {
        let set = try PatternSet(["\\d+", "ab"], caseless: [false, false])
        let text = Array("x 1234 ab".utf8)
        let found = text.withUnsafeBytes { set.scan($0, scratch: set.makeScratch()) }
        #expect(found.count == 2)
        #expect(found[0].pattern == 0 && found[0].start == 2 && found[0].end == 6)
        #expect(Array(found[0].ends) == [6, 5, 4, 3])
        #expect(Array(found[1].ends) == [9] && found[1].shorter.isEmpty)
    }
}
