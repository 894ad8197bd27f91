import Foundation
import CByteScan
import CVectorscan
@testable import Detect
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
            for k in c.keywords { patterns.append("\\b" + Detector.escape(k) + "\\b"); caseless.append(k == k.lowercased()) }
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
        // Every shipped personal-data pattern needs a digit, `@` or `:`, and so does every keyword written with a
        // character other than letters and spaces (an apostrophe, a hyphen): none is left to a whole-text scan.
        let punctuated = Self.rules.specialCategories.flatMap(\.keywords).filter { k in
            k.unicodeScalars.contains { !CharacterSet.alphanumerics.contains($0) && $0 != " " }
        }
        #expect(gated.gatedCount == Self.rules.personalData.reduce(0) { $0 + $1.patterns.count } + punctuated.count)
        #expect(whole.gatedCount == 0)
        // The shipped patterns need a digit (two databases: matches of at most 32 bytes, and longer ones), a `0`
        // or `4` (a phone number starts 0, +44 or 0044), a bracket (an area code in brackets), an `@` (email) or
        // a `:` (IPv6); punctuated keywords add their own.
        #expect(gated.gateCount >= 6)
        // The email pattern has no longest match: it reads whole segments, as a keyword of several words may.
        #expect(gated.reach.contains { $0 == nil })
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

    /// Values and decoys among lines of prose (sometimes a long run of word bytes with digits in it), so each
    /// database reads windows around its triggers rather than the whole text.
    static func proseText(_ pieces: [String], _ separators: [String], upTo: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        let words = ["the", "council", "Resident", "housing", "ref", "x", "QQ", "SW1A", "GB82", "born", "on"]
        let gaps = [" ", " ", " ", "\n", ", ", "\t", ". "]
        var text = ""
        for _ in 0..<Int.random(in: 1...upTo, using: &rng) {
            var filler = ""
            let length = Int.random(in: 0...500, using: &rng)
            while filler.utf8.count < length { filler += words.randomElement(using: &rng)! + gaps.randomElement(using: &rng)! }
            if Int.random(in: 0..<8, using: &rng) == 0 {
                filler += String(repeating: ["ab1", "Z9", "_7x"].randomElement(using: &rng)!, count: Int.random(in: 1...40, using: &rng))
                filler += gaps.randomElement(using: &rng)!
            }
            text += filler + pieces.randomElement(using: &rng)! + separators.randomElement(using: &rng)!
        }
        return text
    }

    /// Windows around triggers (and whole segments for the email pattern) find exactly what the whole text
    /// holds: every start, every end.
    @Test func windowedScanFindsWhatAWholeScanFinds() throws {
        let (patterns, caseless) = Self.expressions()
        let gated = try PatternSet(patterns, caseless: caseless)
        let whole = try PatternSet(patterns, caseless: caseless, gate: false)
        var pieces: [String] = []
        for r in Self.rules.personalData { pieces += r.examples.match + r.examples.noMatch }
        pieces += ["GB82 WEST 1234 5698 7654 32", "4111 1111 1111 1111", "4111-1111-1111-1111111", "MORGA657054SM9IJ",
                   "+44 (0) 20 7946 0018", "0044 7700 900123", "fe80::1:2", "1:2:3:4:5:6:7:8", "a.b@c.example.org",
                   "JK 12 34 56 C", "JK123456C1", "12 34", "999999999", "3rd sept 2001", "12-34-56-78", "0", "4", "@", ":"]
        let separators = [" ", "\n", ",", "", "-", ".", ":", "/", "_", "é", "\r\n"]
        var windowed = 0, found = 0
        for _ in 0..<300 {
            let bytes = Array(Self.proseText(pieces, separators, upTo: 30).utf8)
            let (a, b) = scanBoth(gated, whole, bytes)
            #expect(a == b, "differs on a generated text of \(bytes.count) bytes")
            if a != b { break }
            found += a.count
            let ranges = bytes.withUnsafeBytes { gated.gatedRanges($0) }
            if ranges.contains(where: { r in (1...bytes.count / 2).contains(r.reduce(0) { $0 + $1.count }) }) { windowed += 1 }
        }
        #expect(found > 1000)
        #expect(windowed > 150)   // most texts were read in part, not whole
    }

    /// Every shipped example finds the same matches wherever it stands: after 0 to 200 bytes of prose. Debian's
    /// Vectorscan misses such matches in its AVX-512 code (a lone IPv4 pattern finds no address past byte 60),
    /// so Sweep scans with its AVX2 code where it can (``VectorscanRuntime``).
    @Test func examplesMatchAlikeAtEveryOffset() throws {
        let (patterns, caseless) = Self.expressions()
        let ipv4 = "\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b"
        let sets = [try PatternSet(patterns, caseless: caseless), try PatternSet(patterns, caseless: caseless, gate: false),
                    try PatternSet([ipv4], caseless: [false], gate: false)]
        var examples: [String] = ["host 192.0.2.41"]
        for r in Self.rules.personalData { examples += r.examples.match }
        let prose = String(repeating: "the council resident ", count: 12)
        var checked = 0
        for set in sets {
            for example in examples {
                func found(after k: Int) -> [String] {
                    let filler = k == 0 ? "" : String(prose.prefix(k - 1)) + " "
                    let bytes = Array((filler + example + " ").utf8)
                    return bytes.withUnsafeBytes { set.scan($0, scratch: set.makeScratch()) }
                        .map { "\($0.pattern) \($0.start - k) \(Array($0.ends.map { $0 - k }))" }
                }
                let alone = found(after: 0)
                for k in 1...200 {
                    let here = found(after: k)
                    #expect(here == alone, "\(example.count)-byte example after \(k) bytes")
                    if here != alone { break }
                }
                checked += alone.count
            }
        }
        #expect(checked > 50)
    }

    /// Without newline as a breaker (a pattern may hold whitespace), windows stop at the other breakers.
    @Test func windowsWithoutNewlineBreakersFindWhatAWholeScanFinds() throws {
        let patterns = ["\\b\\d{3}\\s\\d{3}\\b", "\\b[A-Z]{2}\\d{2}[A-Z0-9]{4,8}\\b", "\\d+#"]
        let gated = try PatternSet(patterns, caseless: [false, false, false])
        let whole = try PatternSet(patterns, caseless: [false, false, false], gate: false)
        #expect(gated.gatedCount == 3)
        let pieces = ["123 456", "123\n456", "AB12CDEF", "AB12CDEFGHIJ", "77#", "1", "ab"]
        var found = 0
        for _ in 0..<200 {
            let bytes = Array(Self.proseText(pieces, [" ", ",", "\n", "", ";"], upTo: 30).utf8)
            let (a, b) = scanBoth(gated, whole, bytes)
            #expect(a == b, "differs on a generated text of \(bytes.count) bytes")
            if a != b { break }
            found += a.count
        }
        #expect(found > 100)
    }

    /// The longest match the gate reads from a pattern is never shorter than the one Vectorscan reports: the
    /// same for every shipped pattern; for some others Vectorscan knows better (`\b` between two word bytes
    /// never holds).
    @Test func matchWidthsAgreeWithVectorscan() throws {
        var cases: [(String, Bool)] = []
        for r in Self.rules.personalData { for p in r.patterns { cases.append((p, r.caseless)) } }
        let shipped = cases.count
        cases += [("a{2,5}b?", false), ("(?:ab|c)+\\d", false), ("\\d{3}(?:-\\d{4})?", false), ("x*\\d", false),
                  ("(?:a|bc){0,3}\\b\\d", true), ("é\\d{2}", false), (".\\d?", false), ("[^a]{1,}", false)]
        for (p, caseless) in cases {
            var info: UnsafeMutablePointer<hs_expr_info_t>?
            var error: UnsafeMutablePointer<hs_compile_error_t>?
            #expect(hs_expression_info(p, caseless ? UInt32(HS_FLAG_CASELESS) : 0, &info, &error) == HS_SUCCESS, "\(p)")
            guard let info else { continue }
            let vectorscan = info.pointee.max_width == UInt32.max ? nil : Int(info.pointee.max_width)
            free(info)
            let width = PatternGate.shape(of: p, caseless: caseless)?.width
            if cases.firstIndex(where: { $0.0 == p })! < shipped {
                #expect(width == vectorscan, "\(p)")
            } else {
                #expect(width == nil || (vectorscan != nil && width! >= vectorscan!), "\(p)")
            }
        }
    }

    /// How many bytes a match can hold before its first needed byte.
    @Test func leadsBeforeTheFirstNeededByte() {
        let digits = PatternGate.Bytes.digits
        func lead(_ p: String, _ target: PatternGate.Bytes = digits) -> Int? { PatternGate.lead(of: p, caseless: false, target: target) }
        #expect(lead("\\b[A-Za-z]{2}\\d{2}(?: ?[A-Za-z0-9]){11,30}\\b") == 2)        // IBAN
        #expect(lead("\\b[A-Za-z]{2} ?\\d{2} ?\\d{2} ?\\d{2} ?[A-Da-d]\\b") == 3)    // NINO
        #expect(lead("\\b[A-Za-z9]{5}\\d{6}[A-Za-z9]{2}\\d[A-Za-z0-9]{2}\\b") == 5) // driving licence
        #expect(lead("\\b(?:[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}|GIR ?0AA)\\b") == 4)  // postcode: "GIR 0AA"
        #expect(lead("(?:\\+44 ?(?:\\(0\\) ?)?|\\b0044 ?|\\b0)\\d(?:[ -]?\\d){8,9}\\b", .of(48...48, 52...52)) == 1)
        #expect(lead("\\b\\d(?:[ -]?\\d){12,18}\\b") == 0)
        #expect(lead("a?b?\\d") == 2)
        #expect(lead("x{2,3}\\d") == 3)
        #expect(lead("(?:ab?){2}\\d") == 4)
        #expect(lead("(?:\\d|a)b\\d") == 2)
        #expect(lead("(?:ab)*\\d") == nil)   // no limit
        #expect(lead("\\d?a") == nil)        // a match may hold no digit
        #expect(lead("(?:1|2)x") == 0)
        // Repeats nested a million deep saturate rather than overflow.
        let huge = "(?:(?:(?:(?:\\d{999999}){999999}){999999}){999999})"
        #expect(PatternGate.shape(of: huge, caseless: false)?.width == PatternGate.unbounded)
        #expect(lead("(?:(?:(?:(?:a{999999}){999999}){999999}){999999})?\\d") == nil)
    }

    @Test func laterPatternsAreScannedOnlyWhenAskedFor() throws {
        let (patterns, caseless) = Self.expressions()
        let personal = Self.rules.personalData.reduce(0) { $0 + $1.patterns.count }
        let later = patterns.indices.map { $0 >= personal }
        let split = try PatternSet(patterns, caseless: caseless, later: later)
        let whole = try PatternSet(patterns, caseless: caseless, gate: false)
        let text = Array("NI JK 12 34 56 C; GP informed of medication; DNA sample, card 4111 1111 1111 1111\nmental  health".utf8)
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

    /// The search for trigger bytes finds what a byte-by-byte search finds: one to three ranges (one wrapping
    /// past 255), any start, any length around the 16- and 32-byte blocks.
    @Test func triggerSearchFindsTheFirstByteInRange() {
        var state: UInt64 = 0xB17E
        func random(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let sets: [([UInt8], [UInt8])] = [([48], [9]), ([48, 64], [10, 0]), ([0xC2, 35, 250], [0, 2, 10]), ([250], [10])]
        var found = 0
        for (first, width) in sets {
            for _ in 0..<3000 {
                let n = random(140)
                // Mostly letters, now and then a byte from anywhere.
                let bytes: [UInt8] = (0..<n).map { _ in random(12) == 0 ? UInt8(random(256)) : UInt8(97 + random(26)) }
                let from = random(n + 2)
                var expected = n
                if from < n {
                    for i in from..<n where zip(first, width).contains(where: { bytes[i] &- $0 <= $1 }) { expected = i; break }
                }
                let got = bytes.withUnsafeBufferPointer { b in
                    sweep_find_in_ranges(b.baseAddress, from, n, first, width, Int32(first.count))
                }
                #expect(got == expected, "ranges \(first) \(width), \(n) bytes from \(from)")
                if got != expected { return }
                if expected < n { found += 1 }
            }
        }
        #expect(found > 1000)
    }

    /// A scan Vectorscan refuses (here: scratch space made for a smaller database) is recorded on the scratch
    /// space, so detection reports the item as incomplete rather than as holding nothing.
    @Test func aFailedScanIsRecorded() throws {
        let many = (0..<40).map { "[a-z]{\($0 % 7 + 2)}\\d{\($0 % 5 + 1),\($0 % 5 + 9)}[a-z]{\($0 % 3 + 1)}" }
        let big = try PatternSet(many, caseless: many.map { _ in false })
        let small = try PatternSet(["[a-z]{2}\\d"], caseless: [false])
        #expect(big.gateCount == small.gateCount)
        let text = Array(String(repeating: "12 abc 345 x ", count: 40).utf8)
        let own = big.makeScratch()
        _ = text.withUnsafeBytes { big.scan($0, scratch: own) }
        #expect(own.failure == nil)
        let foreign = small.makeScratch()
        _ = text.withUnsafeBytes { big.scan($0, scratch: foreign) }
        #expect(foreign.failure != nil)
    }

    /// Every end a pattern matched at from one start: a validator tries the longest first.
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
