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
        var d = Detection()
        var bytes = Array(text.utf8)
        var pii: [(type: String, start: Int, end: Int, value: String, confidence: String)] = []
        var keywords: [(category: String, start: Int, end: Int)] = []
        if let patterns, let scratch = session.scratch {
            let matches = bytes.withUnsafeBytes { patterns.scan($0, scratch: scratch) }
            for m in matches {
                switch targets[m.pattern] {
                case .keyword(let c):
                    keywords.append((c, m.start, m.end))
                case .personal(let r):
                    let rule = rules.personalData[r]
                    for end in m.ends {
                        if let (value, confidence) = check(rule, contextWords[r], m.start, end, bytes, asOf) {
                            pii.append((rule.type, m.start, end, value, confidence))
                            break
                        }
                    }
                }
            }
        }
        pii = Detector.resolveOverlaps(pii)

        var distinct: [String: Set<String>] = [:]
        var lines = LineCounter()
        func line(_ offset: Int) -> Int { lines.line(at: offset, in: bytes) }
        // Every distinct value is counted, but only its first few places are kept as findings, and only so many
        // findings per item: a register that repeats one reference on every line would otherwise hold
        // thousands of identical rows in memory and in the index.
        var places: [String: Int] = [:]
        var hashes: [String: String] = [:]   // one HMAC per distinct value, however often it repeats
        for p in pii {
            let key = p.type + ":" + p.value
            let hash = hashes[key] ?? keyedHash(p.type, p.value)
            hashes[key] = hash
            if p.confidence != "low" { distinct[p.type, default: []].insert(hash) }
            let seen = places[hash, default: 0]
            places[hash] = seen + 1
            guard seen < Detector.placesPerValue, d.findings.count < Detector.findingsPerItem else { continue }
            d.findings.append(Detection.Finding(kind: .personalData, type: p.type, valueHash: hash, confidence: p.confidence,
                                                location: "line \(line(p.start))",
                                                excerpt: Detector.excerpt(bytes, p.start, p.end, type: p.type)))
        }
        d.personalData = distinct.mapValues(\.count)

        // Special categories: only for an item that holds personal data (the keywords are looked for only
        // then); stronger near an identifier.
        if !d.personalData.isEmpty, let patterns, let scratch = session.scratch {
            for m in bytes.withUnsafeBytes({ patterns.scan($0, scratch: scratch, later: true) }) {
                if case .keyword(let c) = targets[m.pattern] { keywords.append((c, m.start, m.end)) }
            }
        }
        if !d.personalData.isEmpty {
            var best: [String: (confidence: String, offset: Int)] = [:]
            for k in keywords {
                let near = pii.contains { abs($0.start - k.start) <= 200 && $0.confidence != "low" }
                let c = near ? "high" : "medium"
                if best[k.category] == nil || (c == "high" && best[k.category]!.confidence != "high") { best[k.category] = (c, k.start) }
            }
            d.specialCategories = best.keys.sorted()
            for (cat, b) in best.sorted(by: { $0.key < $1.key }) {
                d.findings.append(Detection.Finding(kind: .specialCategory, type: cat, valueHash: "", confidence: b.confidence,
                                                    location: "line \(line(b.offset))",
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
        bytes.removeAll()
        return d
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

    static func resolveOverlaps(_ found: [(type: String, start: Int, end: Int, value: String, confidence: String)])
        -> [(type: String, start: Int, end: Int, value: String, confidence: String)] {
        // Stricter type first, then earlier start, then the order found: keys computed once, not per comparison.
        var ranks: [String: Int] = [:]
        var order: [(rank: Int, start: Int, index: Int)] = []
        order.reserveCapacity(found.count)
        for (i, f) in found.enumerated() {
            let rank: Int
            if let r = ranks[f.type] { rank = r } else { rank = precedence[f.type] ?? 0; ranks[f.type] = rank }
            order.append((rank, f.start, i))
        }
        order.sort { ($1.rank, $0.start, $0.index) < ($0.rank, $1.start, $1.index) }
        // Kept spans never overlap each other, so a newcomer need only be checked against its neighbours. Kept by
        // span alone (a few bytes to move on each insertion, not the whole candidate).
        var kept: [(start: Int, end: Int, index: Int)] = []
        for o in order {
            let (start, end) = (found[o.index].start, found[o.index].end)
            var lo = 0, hi = kept.count
            while lo < hi { let mid = (lo + hi) / 2; if kept[mid].start < start { lo = mid + 1 } else { hi = mid } }
            if lo < kept.count && kept[lo].start < end { continue }
            if lo > 0 && kept[lo - 1].end > start { continue }
            kept.insert((start, end, o.index), at: lo)
        }
        return kept.map { found[$0.index] }
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
            func newlines(_ from: Int, _ to: Int) -> Int {
                var n = 0
                for i in from..<to { n &+= b[i] == 10 ? 1 : 0 }
                return n
            }
            if target >= offset { line += newlines(offset, target) } else { line -= newlines(target, offset) }
        }
        offset = target
        return line
    }
}

