import Crypto
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
    let key: SymmetricKey
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

    public struct Problem: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Compiles every pattern (or loads it from `cache`, see ``PatternCache``); a pattern Vectorscan refuses
    /// is named with its type.
    public init(rules: DetectionRules, key: [UInt8], cache: PatternCache? = nil) throws {
        self.rules = rules
        self.key = SymmetricKey(data: key)
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
    func keywordMatches(_ bytes: [UInt8], scratch: PatternSet.Scratch) -> [(category: Int, start: Int)] {
        guard let patterns else { return [] }
        return bytes.withUnsafeBytes { b in
            patterns.scan(b, scratch: scratch, later: true).compactMap { m -> (category: Int, start: Int)? in
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

    /// `bytes` with U+00A0, U+2007 and U+202F (no-break spaces) replaced by as many ASCII spaces as their UTF-8
    /// bytes; the same array when there are none.
    static func plainSpaces(_ bytes: [UInt8]) -> [UInt8] {
        guard let found = bytes.withUnsafeBytes({ b -> Bool? in
            guard let base = b.baseAddress else { return nil }
            return memchr(base, 0xA0, b.count) != nil || memchr(base, 0xAF, b.count) != nil || memchr(base, 0x87, b.count) != nil
        }), found else { return bytes }
        var out = bytes
        var i = 0
        let n = out.count
        while i < n {
            let b = out[i]
            if b == 0xC2 && i + 1 < n && out[i + 1] == 0xA0 { out[i] = 32; out[i + 1] = 32; i += 2; continue }
            if b == 0xE2 && i + 2 < n && out[i + 1] == 0x80 && (out[i + 2] == 0x87 || out[i + 2] == 0xAF) {
                out[i] = 32; out[i + 1] = 32; out[i + 2] = 32; i += 3; continue
            }
            i += 1
        }
        return out
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
    public func detect(utf8 original: [UInt8], headers: [String: String] = [:], asOf: Timestamp, session: Session) -> Detection {
        // No-break spaces as plain spaces, byte for byte (offsets stay), so "mental\u{A0}health" and "07700\u{A0}900123"
        // read as the words and numbers they are.
        let bytes = Detector.plainSpaces(original)
        var d = Detection()
        var candidates: [Candidate] = []
        var keywords: [(category: Int, start: Int)] = []
        session.scratch?.failure = nil
        if let patterns, let scratch = session.scratch {
            let matches = bytes.withUnsafeBytes { patterns.scan($0, scratch: scratch) }
            let tables = TableHeaders(bytes)
            for m in matches {
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
        if !d.personalData.isEmpty, let scratch = session.scratch {
            keywords += keywordMatches(bytes, scratch: scratch)
        }
        if !d.personalData.isEmpty {
            // Per category: the first keyword near a counted value (high), else its first keyword (medium).
            var best = [(high: Bool, offset: Int)?](repeating: nil, count: categoryNames.count)
            for k in keywords {
                if let b = best[k.category], b.high { continue }
                let near = Detector.anyWithin(nearStarts, of: k.start, distance: 200)
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
        }
        return d
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
        let mac = HMAC<SHA256>.authenticationCode(for: Array((type + ":" + value).utf8), using: key)
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
        func clean(_ s: ArraySlice<UInt8>, into out: inout [UInt8]) {
            var word = s.startIndex
            while word < s.endIndex {
                let stop = s[word...].firstIndex(of: 0x20) ?? s.endIndex
                let w = s[word..<stop]
                if w.contains(UInt8(ascii: "@")) {
                    // Hidden whole, one `*` per character (UTF-8 continuation bytes are not characters).
                    out.append(contentsOf: repeatElement(UInt8(ascii: "*"), count: w.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }))
                } else {
                    for b in w {
                        switch b {
                        case 0x30...0x39: out.append(UInt8(ascii: "#"))
                        case 0x0A, 0x0D, 0x09, 0x0B, 0x0C: out.append(0x20)
                        default: out.append(b)
                        }
                    }
                }
                if stop < s.endIndex { out.append(0x20) }
                word = stop + 1
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(64 + end - start)
        clean(bytes[max(0, start - 24)..<start], into: &out)
        let value = Array(String(decoding: bytes[start..<end], as: UTF8.self))
        let masked: String
        if value.count <= 3 { masked = String(repeating: "*", count: value.count) } else {
            masked = String(value.prefix(2)) + String(repeating: "*", count: value.count - 3) + String(value.last!)
        }
        out.append(contentsOf: masked.utf8.map { $0 == 0x09 ? 0x20 : $0 })
        clean(bytes[end..<min(bytes.count, end + 24)], into: &out)
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
