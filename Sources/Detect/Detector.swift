import Crypto
import Dispatch
import Foundation
import Rules
import SweepModel

/// Runs the detection rules over one item's text: personal data (Vectorscan for every pattern and
/// special-category keyword, see ``PatternSet``, then the validators), special-category indicators,
/// protective markings.
///
/// A detector is built once per scan from the rules and the index's key and shared by every thread; each
/// thread brings its own ``Session`` (Vectorscan scratch space).
public final class Detector: Sendable {
    enum Target: Sendable {
        case personal(Int)        // index into rules.personalData
        case keyword(String)      // special category
    }

    let rules: DetectionRules
    let patterns: PatternSet?
    let targets: [Target]
    let key: KeyedHasher
    let markings: MarkingReader?
    /// Per personal-data rule, its context words lower-cased as bytes (once, not per candidate).
    let contextWords: [[[UInt8]]]
    /// Per personal-data rule: its precedence where candidates overlap, and the first rule of its type (values
    /// are counted per type, whichever rule found them).
    let ruleRank: [Int]
    let ruleType: [Int]
    let typeNames: [String]
    /// Per personal-data rule, the rule and its context words held by reference, so each check borrows them
    /// (a rule is a struct of arrays and strings: copying one per match retains every field).
    let checked: [CheckedRule]

    final class CheckedRule: Sendable {
        let rule: DetectionRules.PersonalData
        let contextWords: [[UInt8]]
        init(_ rule: DetectionRules.PersonalData, _ contextWords: [[UInt8]]) { self.rule = rule; self.contextWords = contextWords }
    }
    /// Per pattern: its personal-data rule, or -1 for a keyword; its special category (an index into
    /// `categoryNames`), or -1 for a personal-data pattern.
    let patternRule: [Int]
    let patternCategory: [Int]
    let categoryNames: [String]
    /// Per category (as `categoryNames`): its excluded phrases, lower case.
    let excluded: [[[UInt8]]]
    /// The rules' person words, lower case (see ``DetectionRules/personWords``).
    let personWords: [[UInt8]]

    public struct Problem: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Compiles every pattern (or loads it from `cache`, see ``PatternCache``); a pattern Vectorscan refuses
    /// is named with its type.
    public init(rules: DetectionRules, key: [UInt8], cache: PatternCache? = nil) throws {
        self.rules = rules
        self.key = KeyedHasher(key: key)
        var expressions: [String] = [], caseless: [Bool] = [], targets: [Target] = [], later: [Bool] = []
        var words: [[Int]?] = []
        for (i, r) in rules.personalData.enumerated() {
            for p in r.patterns {
                expressions.append(p); caseless.append(r.caseless); targets.append(.personal(i)); later.append(false); words.append(nil)
            }
        }
        var shown = expressions   // per expression, the pattern an error names
        for c in rules.specialCategories {
            for k in c.keywords {
                let whole = "\\b" + Detector.escape(k) + "\\b"
                for v in Detector.keywordVariants(k) {
                    expressions.append(v)
                    shown.append(whole)
                    caseless.append(k == k.lowercased())
                    targets.append(.keyword(c.category))
                    later.append(true)   // keywords count only in an item that holds personal data
                    words.append(Detector.wordLengths(k))
                }
            }
        }
        do {
            patterns = expressions.isEmpty ? nil : try PatternSet(expressions, caseless: caseless, later: later, words: words, cache: cache)
        } catch let e as PatternSet.CompileError {
            let which = e.index.map { i -> String in
                switch targets[i] {
                case .personal(let r): return "personal-data type \(rules.personalData[r].type), pattern \(expressions[i])"
                case .keyword(let c): return "special category \(c), keyword \(shown[i])"
                }
            } ?? "the pattern set"
            throw Problem(message: "Vectorscan cannot compile \(which): \(e.message)")
        }
        self.targets = targets
        markings = rules.markings.map(MarkingReader.init)
        contextWords = rules.personalData.map { $0.context.map { Array($0.lowercased().utf8) } }
        ruleRank = rules.personalData.map { Detector.precedence[$0.type] ?? 0 }
        ruleType = rules.personalData.map { r in rules.personalData.firstIndex { $0.type == r.type }! }
        typeNames = rules.personalData.map(\.type)
        checked = zip(rules.personalData, contextWords).map { CheckedRule($0, $1) }
        var names: [String] = [], categoryIndex: [String: Int] = [:]
        var patternRule: [Int] = [], patternCategory: [Int] = []
        for t in targets {
            switch t {
            case .personal(let r):
                patternRule.append(r); patternCategory.append(-1)
            case .keyword(let c):
                if categoryIndex[c] == nil { categoryIndex[c] = names.count; names.append(c) }
                patternRule.append(-1); patternCategory.append(categoryIndex[c]!)
            }
        }
        self.patternRule = patternRule
        self.patternCategory = patternCategory
        categoryNames = names
        personWords = rules.personWords.map { Array($0.lowercased().utf8) }
        excluded = names.map { name in
            (rules.specialCategories.first { $0.category == name }?.exclude ?? []).map { Array($0.lowercased().utf8) }
        }
    }

    /// True when the keyword of category `c` at `start` lies inside one of the category's excluded phrases
    /// (compared in any case, a run of whitespace standing for each space).
    func isExcluded(_ c: Int, at start: Int, in b: UnsafeRawBufferPointer) -> Bool {
        func isSpace(_ x: UInt8) -> Bool { x == 32 || x == 9 || x == 10 || x == 13 || x == 11 || x == 12 }
        /// The end of the phrase when it occurs at `from`.
        func match(_ phrase: [UInt8], _ from: Int) -> Int? {
            var i = from
            for p in phrase {
                if p == 32 {
                    guard i < b.count, isSpace(b[i]) else { return nil }
                    while i < b.count && isSpace(b[i]) { i += 1 }
                } else {
                    guard i < b.count else { return nil }
                    var x = b[i]
                    if x &- 65 < 26 { x |= 32 }
                    guard x == p else { return nil }
                    i += 1
                }
            }
            return i
        }
        guard !excluded[c].isEmpty else { return false }
        // A phrase starts at the keyword or at one of the few words before it.
        var from = start
        for _ in 0..<Detector.excludedPhraseWords {
            for phrase in excluded[c] {
                if let end = match(phrase, from), end > start { return true }
            }
            var k = from
            while k > 0 && isSpace(b[k - 1]) { k -= 1 }
            guard k < from, k > 0 else { break }
            while k > 0 && !isSpace(b[k - 1]) { k -= 1 }
            from = k
        }
        return false
    }

    /// At most how many words before a keyword an excluded phrase may start.
    static let excludedPhraseWords = 4

    /// The special-category keywords in `bytes`, by start: (category, start), those in excluded phrases left out.
    func keywordMatches(_ bytes: [UInt8], scratch: PatternSet.Scratch, deadline: UInt64 = .max, stop: StopFlag? = nil) -> [(category: Int, start: Int)] {
        guard let patterns else { return [] }
        return bytes.withUnsafeBytes { b in
            patterns.scan(b, scratch: scratch, later: true, maxMatches: Detector.maxMatchesPerItem, deadline: deadline, stop: stop).compactMap { m -> (category: Int, start: Int)? in
                let c = patternCategory[m.pattern]
                guard c >= 0, !isExcluded(c, at: m.start, in: b) else { return nil }
                return (c, m.start)
            }
        }
    }

    /// The expressions that together match exactly what `\b` + escape(keyword) + `\b` matches. Each gap
    /// between words, `\s+`, is written either `\s` or `\s\s+`, one expression per choice: Vectorscan reads a
    /// keyword with single-byte gaps as a few literals (several times faster than `\s+`), and every match is
    /// still found exactly once, by the expression whose gaps fit it (the words hold no space, so each gap's
    /// whitespace run is fixed by the text). A keyword with more than three gaps is left as one expression.
    public static func keywordVariants(_ keyword: String) -> [String] {
        let words = keyword.split(separator: " ", omittingEmptySubsequences: false)
        let gaps = words.count - 1
        guard gaps > 0, gaps <= 3, words.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else { return ["\\b" + escape(keyword) + "\\b"] }
        let escaped = words.map { escape(String($0)) }
        return (0..<(1 << gaps)).map { choice in
            var out = "\\b" + escaped[0]
            for g in 0..<gaps { out += (choice >> g) & 1 == 0 ? "\\s" : "\\s\\s+"; out += escaped[g + 1] }
            return out + "\\b"
        }
    }

    /// The UTF-8 lengths of a keyword's words when its expressions match exactly those words joined by
    /// whitespace runs (see ``PatternSet``): words split at single spaces, none empty or holding whitespace.
    public static func wordLengths(_ keyword: String) -> [Int]? {
        let words = keyword.split(separator: " ", omittingEmptySubsequences: false)
        guard words.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else { return nil }
        return words.map(\.utf8.count)
    }

    public static func escape(_ word: String) -> String {
        var out = ""
        for ch in word.unicodeScalars {
            if CharacterSet.alphanumerics.contains(ch) { out.unicodeScalars.append(ch) }
            else if ch == " " { out += "\\s+" }
            else { out += "\\" + String(ch) }
        }
        return out
    }

    /// Per-thread state: Vectorscan scratch space.
    public final class Session {
        let scratch: PatternSet.Scratch?
        init(_ s: PatternSet.Scratch?) { scratch = s }
    }

    public func makeSession() -> Session { Session(patterns?.makeScratch()) }

    /// Everything found in `text`; `headers` are an email's header lines (subject prefix, marking headers).
    public func detect(_ text: String, headers: [String: String] = [:], asOf: Timestamp, session: Session) -> Detection {
        detect(utf8: Array(text.utf8), headers: headers, asOf: asOf, session: session)
    }

    /// `bytes` with each U+00A0, U+2007 and U+202F (no-break spaces) made one ASCII space; the same array when
    /// there are none. Detection reads only this text (offsets, lines, excerpts), so it may be shorter.
    static func plainSpaces(_ bytes: [UInt8]) -> [UInt8] {
        /// The width of the no-break space starting at `i`, or 0.
        func width(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
            if b[i] == 0xC2 && i + 1 < b.count && b[i + 1] == 0xA0 { return 2 }
            if b[i] == 0xE2 && i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0x87 || b[i + 2] == 0xAF) { return 3 }
            return 0
        }
        return bytes.withUnsafeBufferPointer { b in
            // Found without a copy: most texts, accented ones included, hold none. Each lead byte is looked for
            // with memchr (a byte-at-a-time scan of a big text cost a tenth of its detection).
            func firstSpace(lead: UInt8) -> Int? {
                guard let base = b.baseAddress else { return nil }
                var from = 0
                while from < b.count, let p = memchr(base + from, Int32(lead), b.count - from) {
                    let i = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    if width(b, i) > 0 { return i }
                    from = i + 1
                }
                return nil
            }
            let candidates = [firstSpace(lead: 0xC2), firstSpace(lead: 0xE2)].compactMap { $0 }
            guard let first = candidates.min() else { return bytes }
            var out = Array(b[..<first])
            out.reserveCapacity(b.count)
            var i = first
            while i < b.count {
                let w = (b[i] == 0xC2 || b[i] == 0xE2) ? width(b, i) : 0
                if w > 0 { out.append(0x20); i += w } else { out.append(b[i]); i += 1 }
            }
            return out
        }
    }

    /// A validated candidate: its rule (an index into rules.personalData), span and canonical value.
    struct Candidate {
        let rule: Int
        let start: Int
        let end: Int
        let value: String
        let confidence: String
    }

    /// One distinct value of one type in an item: its keyed hash, how often it occurs, whether any occurrence
    /// counts (medium or high confidence).
    struct Value {
        let hash: String
        var places = 0
        var counted = false
    }

    /// A value of one type: the pair its keyed hash is made from.
    struct ValueKey: Hashable {
        let type: Int   // the first rule of the value's type
        let value: String
    }

    /// Everything found in the text whose UTF-8 is `bytes` (a text file read as it stands, with no copy made).
    /// At most this many pattern matches are looked at in one item (a pattern that matches nearly every byte of a
    /// large file would otherwise hold the scan for minutes); past it, or past `seconds`, detection stops, keeps
    /// what it found and says so (`timeout: …`).
    public static let maxMatchesPerItem = 1_000_000

    public func detect(utf8 original: [UInt8], headers: [String: String] = [:], asOf: Timestamp, session: Session,
                       seconds: Double? = nil, stop: StopFlag? = nil) -> Detection {
        let deadline = seconds.map { DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, $0) * 1e9) } ?? .max
        var stopped = false
        // No-break spaces as plain spaces, so "mental\u{A0}health" and "07700\u{A0}900123" read as the words and
        // numbers they are; a message's body offset moves with them.
        let bytes = Detector.plainSpaces(original)
        var headers = headers
        if bytes.count != original.count, let offset = headers["x-body-offset"].flatMap(Int.init), offset <= original.count {
            headers["x-body-offset"] = String(Detector.plainSpaces(Array(original[..<offset])).count)
        }
        var d = Detection()
        var candidates: [Candidate] = []
        var keywords: [(category: Int, start: Int)] = []
        session.scratch?.failure = nil
        if let patterns, let scratch = session.scratch {
            let matches = bytes.withUnsafeBytes { patterns.scan($0, scratch: scratch, maxMatches: Detector.maxMatchesPerItem, deadline: deadline, stop: stop) }
            stopped = scratch.stopped
            let tables = TableHeaders(bytes)
            for (k, m) in matches.enumerated() {
                if k & 1023 == 1023 && (DispatchTime.now().uptimeNanoseconds > deadline || stop?.isRequested == true) { stopped = true; break }
                let r = patternRule[m.pattern]
                guard r >= 0 else { keywords.append((patternCategory[m.pattern], m.start)); continue }
                let c = checked[r]
                for end in m.ends {
                    if let (value, confidence) = check(c.rule, c.contextWords, m.start, end, bytes, asOf, tables: tables) {
                        candidates.append(Candidate(rule: r, start: m.start, end: end, value: value, confidence: confidence))
                        break
                    }
                }
            }
        }
        let kept = Detector.resolveOverlaps(candidates.map { (ruleRank[$0.rule], $0.start, $0.end) })

        var lines = LineCounter()
        // Every distinct value is counted, but only its first few places are kept as findings, and only so many
        // findings per item: a register that repeats one reference on every line would otherwise hold
        // thousands of identical rows in memory and in the index. One HMAC per distinct value, however often
        // it repeats.
        var valueIndex: [ValueKey: Int] = [:]
        var values: [Value] = []
        var distinct = [Int](repeating: 0, count: rules.personalData.count)   // per type: values that count
        var nearStarts: [Int] = []   // starts of the candidates that count, ascending
        for k in kept {
            let p = candidates[k]
            let type = ruleType[p.rule]
            let key = ValueKey(type: type, value: p.value)
            let i: Int
            if let known = valueIndex[key] { i = known } else {
                i = values.count
                values.append(Value(hash: keyedHash(typeNames[type], p.value)))
                valueIndex[key] = i
            }
            if p.confidence != "low" {
                nearStarts.append(p.start)
                if !values[i].counted { values[i].counted = true; distinct[type] += 1 }
            }
            let seen = values[i].places
            values[i].places = seen + 1
            guard seen < Detector.placesPerValue, d.findings.count < Detector.findingsPerItem else { continue }
            let typeName = typeNames[p.rule]
            d.findings.append(Detection.Finding(kind: .personalData, type: typeName, valueHash: values[i].hash, confidence: p.confidence,
                                                location: "line \(lines.line(at: p.start, in: bytes))",
                                                excerpt: Detector.excerpt(bytes, p.start, p.end, type: typeName)))
        }
        for (type, n) in distinct.enumerated() where n > 0 { d.personalData[typeNames[type]] = n }

        // Special categories: only for an item that holds personal data (the keywords are looked for only
        // then); stronger near an identifier.
        if !d.personalData.isEmpty, !stopped, let scratch = session.scratch {
            keywords += keywordMatches(bytes, scratch: scratch, deadline: deadline, stop: stop)
            stopped = stopped || scratch.stopped
        }
        if !d.personalData.isEmpty {
            // Per category: the first keyword near a counted value (high), else its first keyword (medium).
            var best = [(high: Bool, offset: Int)?](repeating: nil, count: categoryNames.count)
            var names: [[UInt8]]?   // the item's named people, found once when a keyword needs them
            for k in keywords {
                if let b = best[k.category], b.high { continue }
                // A value in the keyword's own sentence (or the one before it on its line) is about the same person.
                let (lo, hi) = bytes.withUnsafeBufferPointer { Detector.sentence(around: k.start, $0, window: 200, before: 1) }
                let near = Detector.anyWithin(nearStarts, of: (lo + hi) / 2, distance: (hi - lo) / 2)
                // Only a passage about a person: a value, a person word or a filled-in form field near the keyword.
                if names == nil { names = Detector.personNames(bytes, valueStarts: nearStarts) }
                // A field answered "none" or left blank says nothing about anyone, whoever the form is about.
                if bytes.withUnsafeBufferPointer({ Detector.formAnswer(k.start, $0) }) == .empty { continue }
                guard near || describesPerson(k.start, bytes, names: names!)
                        || Detector.besideARecord(k.start, bytes, valueStarts: nearStarts) else { continue }
                if best[k.category] == nil || near { best[k.category] = (near, k.start) }
            }
            let chosen = best.indices.filter { best[$0] != nil }.sorted { categoryNames[$0] < categoryNames[$1] }
            d.specialCategories = chosen.map { categoryNames[$0] }
            for c in chosen {
                let b = best[c]!
                d.findings.append(Detection.Finding(kind: .specialCategory, type: categoryNames[c], valueHash: "",
                                                    confidence: b.high ? "high" : "medium",
                                                    location: "line \(lines.line(at: b.offset, in: bytes))",
                                                    excerpt: Detector.excerpt(bytes, b.offset, b.offset, type: "")))
            }
        }

        if let markings {
            let found = markings.read(bytes: bytes, headers: headers)
            d.markings = Array(Set(found.map(\.label))).sorted { (Detection.markingRank[$0] ?? 0) > (Detection.markingRank[$1] ?? 0) }
            var seen = Set<String>()
            d.markingDescriptors = found.flatMap { markings.descriptors(of: $0.text) }.filter { seen.insert($0).inserted }
            for f in found {
                d.findings.append(Detection.Finding(kind: .marking, type: f.label, valueHash: "", confidence: f.strength,
                                                    location: f.location, excerpt: String(f.text.prefix(80))))
            }
        }
        if let f = session.scratch?.failure {
            d.problem = "detection incomplete: the pattern engine (Vectorscan) stopped with error \(f)"
        } else if stopped && stop?.isRequested == true {
            d.problem = "interrupted: the scan was stopped while this item was searched; the next scan reads it again"
        } else if stopped {
            d.problem = "timeout: personal-data detection stopped at the item's time or its match limit "
                + "(\(Detector.maxMatchesPerItem) matches); what was found before is kept"
        }
        return d
    }

    /// Whether the keyword at `start` sits in a passage about a person: a person word in its sentence or the
    /// sentence before it on the same line (at most the window either side), or it labels a filled-in form field
    /// ("Religion: Sikh", not "Religion: ____"). A newsletter line about "her top secret recipe" says nothing
    /// of the union named on the next line.
    func describesPerson(_ start: Int, _ bytes: [UInt8], names: [[UInt8]] = []) -> Bool {
        guard !personWords.isEmpty else { return true }
        return bytes.withUnsafeBufferPointer { b -> Bool in
            let (lo, hi) = Detector.sentence(around: start, b, window: rules.personWindow, before: 1)
            if start > lo && Detector.contextNear(personWords, start, start, b, window: start - lo, after: 0) { return true }
            if Detector.wordAfter(personWords, from: start, to: hi, b) { return true }
            if !names.isEmpty && Detector.hasName(names, lo, hi, b) { return true }
            return Detector.formAnswer(start, b) == .filled
        }
    }

    /// The names an item gives its people: the capitalised words after a title or salutation ("Ms Patricia
    /// Ng", "Dear Patricia", "Name: Patricia Ng"), so "Patricia was arrested" reads as about a person.
    static func personNames(_ b: [UInt8], valueStarts: [Int] = []) -> [[UInt8]] {
        let titles = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Dear", "Name:", "Client:", "Patient:", "Tenant:", "Resident:",
                      "Applicant:", "Employee:", "Pupil:", "Child:", "Service user:", "Re:"].map { Array($0.utf8) }
        var out = Set<[UInt8]>()
        func isUpper(_ x: UInt8) -> Bool { x &- 65 < 26 }
        func isLetter(_ x: UInt8) -> Bool { x &- 65 < 26 || x &- 97 < 26 || x >= 0xC0 || x == 0x27 || x == 0x2D }
        var i = 0
        let n = b.count
        while i < n {
            // Titles start a word.
            guard isUpper(b[i]), i == 0 || !isLetter(b[i - 1]) else { i += 1; continue }
            var matched: [UInt8]?
            for t in titles where i + t.count <= n && b[i..<i + t.count].elementsEqual(t) { matched = t; break }
            guard let t = matched else { i += 1; continue }
            var j = i + t.count
            if j < n && b[j] == UInt8(ascii: ".") { j += 1 }
            guard j < n, b[j] == 32 || b[j] == 9 || t.last == UInt8(ascii: ":") else { i += 1; continue }
            var words = 0
            while words < 3 {
                while j < n && (b[j] == 32 || b[j] == 9) { j += 1 }
                guard j < n, isUpper(b[j]) else { break }
                var e = j
                while e < n && isLetter(b[e]) { e += 1 }
                let word = Array(b[j..<e])
                if word.count >= 2 && !["Sir", "Madam", "Colleague", "Colleagues", "All", "Team", "Customer", "Resident"].contains(String(decoding: word, as: UTF8.self)) {
                    out.insert(word)
                }
                j = e
                words += 1
                if j < n && b[j] == UInt8(ascii: ",") { break }
            }
            i = max(i + 1, j)
        }
        // A name written beside a person's details: two or three capitalised words on the line of a
        // personal-data value ("Patricia Kaur, DOB 22/04/2018, NHS 682 505 1423").
        var lines = Set<Int>()
        for v in valueStarts.prefix(200) {
            var ls = v
            while ls > 0 && b[ls - 1] != 10 { ls -= 1 }
            guard lines.insert(ls).inserted else { continue }
            var le = v
            while le < n && b[le] != 10 { le += 1 }
            var run: [[UInt8]] = []
            var k = ls
            func flush() { if run.count >= 2 && run.count <= 3 { run.forEach { out.insert($0) } }; run = [] }
            while k < le {
                guard isUpper(b[k]), k == ls || !isLetter(b[k - 1]) else {
                    if b[k] != 32 && !(isLetter(b[k])) { flush() } else if isLetter(b[k]) && !(k > ls && isLetter(b[k - 1])) { flush() }
                    k += 1; continue
                }
                var e = k + 1
                while e < le && (b[e] &- 97 < 26 || b[e] == 0x27 || b[e] == 0x2D || b[e] >= 0x80) { e += 1 }
                if e - k >= 2 && (e == le || !(b[e] &- 65 < 26)) { run.append(Array(b[k..<e])) } else { flush() }
                k = e
            }
            flush()
        }
        return Array(out)
    }

    /// A keyword on a line next to a person's record: its own line, the one before or the one after holds two
    /// or more personal-data values between them ("Subject: J Bloggs, NI …, NHS …" then "GP informed of
    /// medication change"). A lone contact address at the foot of a policy is no record.
    static func besideARecord(_ start: Int, _ b: [UInt8], valueStarts: [Int]) -> Bool {
        guard valueStarts.count >= 2 else { return false }
        var lo = start, hi = start
        for _ in 0..<2 { if lo > 0 { lo -= 1 }; while lo > 0 && b[lo - 1] != 10 { lo -= 1 } }
        for _ in 0..<2 { while hi < b.count && b[hi] != 10 { hi += 1 }; if hi < b.count { hi += 1 } }
        var n = 0
        for v in valueStarts where v >= lo && v < hi { n += 1; if n >= 2 { return true } }
        return false
    }

    /// Whether one of `names` occurs as a whole word between `lo` and `hi`.
    static func hasName(_ names: [[UInt8]], _ lo: Int, _ hi: Int, _ b: Bytes) -> Bool {
        guard hi > lo else { return false }
        for name in names where name.count <= hi - lo {
            var k = lo
            while k + name.count <= hi {
                if b[k] == name[0] && (k == 0 || !isWordByte(b[k - 1])) && (k + name.count == b.count || !isWordByte(b[k + name.count])) {
                    var same = true
                    for x in 1..<name.count where b[k + x] != name[x] { same = false; break }
                    if same { return true }
                }
                k += 1
            }
        }
        return false
    }

    /// The sentence holding `at` (and `before` sentences ahead of it on the same line), within `window` bytes
    /// each side: bounded by a line break or a full stop, question or exclamation mark followed by a space.
    static func sentence(around at: Int, _ b: Bytes, window: Int, before: Int = 0) -> (Int, Int) {
        func ends(_ k: Int) -> Bool {   // a sentence ends at k (the byte before the next sentence)
            (b[k] == UInt8(ascii: ".") || b[k] == UInt8(ascii: "!") || b[k] == UInt8(ascii: "?")) && k + 1 < b.count
                && (b[k + 1] == 32 || b[k + 1] == 9)
        }
        var lo = at, skipped = 0
        while lo > 0 && at - lo < window && b[lo - 1] != 10 && b[lo - 1] != 13 {
            if ends(lo - 1) { if skipped == before { break }; skipped += 1 }
            lo -= 1
        }
        var hi = at
        while hi < b.count && hi - at < window && b[hi] != 10 && b[hi] != 13 && !ends(hi) { hi += 1 }
        return (lo, hi)
    }

    /// A person word between `from` and `to` (whole words, any case), past the keyword.
    static func wordAfter(_ words: [[UInt8]], from: Int, to: Int, _ b: Bytes) -> Bool {
        guard to > from else { return false }
        var i = from
        while i < to && isWordByte(b[i]) { i += 1 }   // past the keyword's first word
        let region = Array(b[i..<to]).map { $0 &- 65 < 26 ? $0 | 32 : $0 }
        for w in words where !w.isEmpty && w.count <= region.count {
            var k = 0
            while k + w.count <= region.count {
                if region[k] == w[0] && Array(region[k..<k + w.count]) == w
                    && (k == 0 || !isWordByte(region[k - 1])) && (k + w.count == region.count || !isWordByte(region[k + w.count])) {
                    return true
                }
                k += 1
            }
        }
        return false
    }

    enum FormAnswer { case filled, empty, notAField }

    /// A keyword that labels a form field: at the start of its line or cell, then `:` (or a tab, as a table row
    /// is written) and the answer. `filled` when the answer has letters and says something; `empty` for a blank,
    /// a box, a prompt or an answer that there is nothing to say ("none", "prefer not to say", "n/a").
    static func formAnswer(_ start: Int, _ b: Bytes) -> FormAnswer {
        var ls = start
        while ls > 0 && b[ls - 1] != 10 && b[ls - 1] != 9 { ls -= 1 }
        guard (ls..<start).allSatisfy({ b[$0] == 32 }) else { return .notAField }
        var i = start
        while i < b.count && b[i] != 10 && b[i] != 58 && b[i] != 9 && i - start < 40 { i += 1 }
        guard i < b.count, b[i] == 58 || b[i] == 9 else { return .notAField }
        var end = i + 1
        while end < b.count && b[end] != 10 && b[end] != 13 && b[end] != 9 { end += 1 }
        if b[i] == 9 {
            // A row of cells is a label and its answer only when it has two cells: more is a table's header row.
            var k = end
            while k < b.count && b[k] != 10 && b[k] != 13 { if b[k] != 9 && b[k] != 32 { return .notAField }; k += 1 }
            var c = ls
            while c > 0 && b[c - 1] != 10 { c -= 1; if b[c] == 9 { return .notAField } }
        }
        let value = String(decoding: b[(i + 1)..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        guard value.contains(where: \.isLetter), !value.hasPrefix("["), !value.hasPrefix("_"), !value.hasPrefix("☐"),
              !value.hasPrefix("prefer not"), !value.hasPrefix("please "), !value.hasPrefix("(please"),
              !value.hasPrefix("tick"), !value.hasPrefix("select") else { return .empty }
        let word = value.prefix { $0.isLetter || $0 == "/" || $0 == " " }.trimmingCharacters(in: .whitespaces)
        return ["none", "no", "nil", "n/a", "na", "not applicable", "not known", "unknown", "none declared", "no declaration"]
            .contains(word) ? .empty : .filled
    }

    /// True when some value of `sorted` (ascending) lies within `distance` of `x`.
    static func anyWithin(_ sorted: [Int], of x: Int, distance: Int) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < x - distance { lo = mid + 1 } else { hi = mid } }
        return lo < sorted.count && sorted[lo] <= x + distance
    }

    /// Findings kept for one value in one item (its first places), and for one item in all.
    public static let placesPerValue = 3
    public static let findingsPerItem = 1000

    /// HMAC-SHA256 of "type:value" under the index's key, hex.
    func keyedHash(_ type: String, _ value: String) -> String {
        let mac = key.code(for: Array((type + ":" + value).utf8))
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in mac { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Where two validated candidates overlap, the stricter type wins (a card number is not also a phone).
    static let precedence: [String: Int] = [
        "email": 12, "iban": 11, "payment_card": 10, "uk_driving_licence": 9, "nino": 8, "nhs_number": 7,
        "uk_bank_account": 6, "uk_passport": 5, "date_of_birth": 4, "ip_address": 3, "uk_phone": 2, "uk_postcode": 1,
    ]

    /// The candidates kept where spans overlap, as indices into `found`, by start: the stricter type (higher
    /// rank) wins, then the earlier start, then the one found first.
    static func resolveOverlaps(_ found: [(rank: Int, start: Int, end: Int)]) -> [Int] {
        var order = Array(found.indices)
        order.sort { a, b in
            let (x, y) = (found[a], found[b])
            return (y.rank, x.start, a) < (x.rank, y.start, b)
        }
        // Kept spans never overlap each other, so a newcomer need only be checked against its neighbours.
        if found.contains(where: { $0.end <= $0.start }) {
            // An empty span can sit at the same start as another: the kept list is grown one insertion at a time.
            var kept: [(start: Int, end: Int, index: Int)] = []
            for i in order {
                let (start, end) = (found[i].start, found[i].end)
                let lo = firstKept(kept, from: start)
                if lo < kept.count && kept[lo].start < end { continue }
                if lo > 0 && kept[lo - 1].end > start { continue }
                kept.insert((start, end, i), at: lo)
            }
            return kept.map(\.index)
        }
        // Every span is non-empty, so kept spans have distinct starts and overlap is plain interval overlap:
        // one rank's newcomers (by start) are checked against the higher ranks' kept spans and against the
        // last one kept of their own rank, then merged in, never inserted one by one.
        var kept: [(start: Int, end: Int, index: Int)] = []
        var group: [(start: Int, end: Int, index: Int)] = []
        var g = 0
        while g < order.count {
            let rank = found[order[g]].rank
            group.removeAll(keepingCapacity: true)
            var next = g
            var lo = 0   // the first kept span starting at or after the newcomer: it only moves on, as starts do
            while next < order.count && found[order[next]].rank == rank {
                let i = order[next]
                next += 1
                let (start, end) = (found[i].start, found[i].end)
                if let last = group.last, last.end > start { continue }
                while lo < kept.count && kept[lo].start < start { lo += 1 }
                if lo < kept.count && kept[lo].start < end { continue }
                if lo > 0 && kept[lo - 1].end > start { continue }
                group.append((start, end, i))
            }
            g = next
            if kept.isEmpty { swap(&kept, &group); continue }
            var merged: [(start: Int, end: Int, index: Int)] = []
            merged.reserveCapacity(kept.count + group.count)
            var a = 0, b = 0
            while a < kept.count || b < group.count {
                if b == group.count || (a < kept.count && kept[a].start < group[b].start) { merged.append(kept[a]); a += 1 }
                else { merged.append(group[b]); b += 1 }
            }
            kept = merged
        }
        return kept.map(\.index)
    }

    /// The first kept span starting at or after `start`.
    private static func firstKept(_ kept: [(start: Int, end: Int, index: Int)], from start: Int) -> Int {
        var lo = 0, hi = kept.count
        while lo < hi { let mid = (lo + hi) / 2; if kept[mid].start < start { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    /// A masked excerpt: the value with only its first two and last character shown, and 24 characters either
    /// side with digits as `#` and anything holding `@` hidden.
    static func excerpt(_ bytes: [UInt8], _ start: Int, _ end: Int, type: String) -> String {
        // On bytes: a finding is made for every value, and the String version was a sixth of a scan's time.
        // Words around the value stay readable (they say what the value is: "NI number", "DOB"); any word holding a
        // digit or an `@` (another value, or part of one) is masked whole; a word the 24-byte window cuts is left
        // out, so no neighbouring value is ever cut into view.
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }
        func clean(_ s: ArraySlice<UInt8>, into out: inout [UInt8]) {
            var word = s.startIndex
            while word < s.endIndex {
                let stop = s[word...].firstIndex(where: isSpace) ?? s.endIndex
                let w = s[word..<stop]
                if w.contains(where: { $0 &- 48 < 10 || $0 == UInt8(ascii: "@") }) {
                    out.append(contentsOf: repeatElement(UInt8(ascii: "*"), count: w.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }))
                } else {
                    out.append(contentsOf: w)
                }
                if stop < s.endIndex { out.append(0x20) }
                word = stop + 1
            }
        }
        var lo = max(0, start - 24), hi = min(bytes.count, end + 24)
        // Whole words only: a window edge inside a word moves to the word's far side.
        if lo > 0 && !isSpace(bytes[lo - 1]) { while lo < start && !isSpace(bytes[lo]) { lo += 1 } }
        if hi < bytes.count && !isSpace(bytes[hi]) { while hi > end && !isSpace(bytes[hi - 1]) { hi -= 1 } }
        var out: [UInt8] = []
        out.reserveCapacity(64 + end - start)
        if lo > 0 { out.append(contentsOf: "…".utf8) }
        clean(bytes[lo..<start], into: &out)
        // The value itself: every character masked; spaces and dashes kept, so its shape shows.
        for b in bytes[start..<end] where b & 0xC0 != 0x80 {
            out.append(b == 0x20 || b == 0x2D ? b : isSpace(b) ? 0x20 : UInt8(ascii: "*"))
        }
        clean(bytes[end..<hi], into: &out)
        if hi < bytes.count { out.append(contentsOf: "…".utf8) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// 1-based line numbers of byte offsets, counting newlines from the last offset asked about (findings come in
/// text order), never building a table of every line.
struct LineCounter {
    var offset = 0
    var line = 1

    mutating func line(at target: Int, in bytes: [UInt8]) -> Int {
        let target = min(max(0, target), bytes.count)
        bytes.withUnsafeBufferPointer { b in
            if target >= offset { line += LineCounter.newlines(b, offset, target) } else { line -= LineCounter.newlines(b, target, offset) }
        }
        offset = target
        return line
    }

    /// Newlines in `b[from..<to]`, eight bytes at a time.
    static func newlines(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        precondition(0 <= from && from <= to && to <= b.count)
        guard from < to, let base = b.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let tens: UInt64 = 0x0A0A_0A0A_0A0A_0A0A, low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var n = 0, i = from
        while to &- i >= 8 {
            // Per byte lane, 1 where the text has a newline: a lane of x is zero exactly there. A lane counts at
            // most 255 words before the lanes are summed.
            let words = min((to &- i) / 8, 255)
            var lanes: UInt64 = 0
            for w in 0..<words {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i &+ w &* 8, as: UInt64.self)) ^ tens
                lanes &+= ~(((x & low7) &+ low7) | x | low7) >> 7
            }
            i &+= words &* 8
            let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
            n &+= Int((pairs &* 0x0001_0001_0001_0001) >> 48)
        }
        while i < to { if base[i] == 10 { n &+= 1 }; i &+= 1 }
        return n
    }
}

/// HMAC-SHA256 (RFC 2104) under one key, with the key's inner and outer blocks hashed once: each code then costs
/// the message's blocks and two more, not four more for the key. Equal to `HMAC<SHA256>` (a test compares them).
struct KeyedHasher: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    init(key: [UInt8]) {
        var block = key.count > 64 ? Array(SHA256.hash(data: key)) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var i = SHA256(), o = SHA256()
        i.update(data: block.map { $0 ^ 0x36 })
        o.update(data: block.map { $0 ^ 0x5c })
        inner = i
        outer = o
    }

    func code(for message: [UInt8]) -> SHA256.Digest {
        var i = inner
        i.update(data: message)
        var o = outer
        o.update(data: Array(i.finalize()))
        return o.finalize()
    }
}
