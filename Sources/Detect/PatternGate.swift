/// Which patterns can be run on part of a text only, and which parts.
///
/// Most personal-data patterns need a digit, an `@` or a `:` in every match, and cannot match certain bytes
/// at all (a newline, a comma, a quote…). A text is cut at those bytes ("breakers") into segments; a match
/// never crosses a breaker, so it lies inside one segment, and only a segment holding one of the needed
/// bytes ("triggers") can hold a match. Scanning just those segments finds exactly the matches, starts and
/// ends a scan of the whole text finds: every breaker used is a non-word byte, so `\b` at a segment's edge
/// reads the same as in the whole text.
///
/// The analysis reads the pattern's syntax conservatively: anything it does not understand (anchors,
/// lookaround, `\x` escapes, inline flags, POSIX classes…) leaves the pattern "ungated", scanned over the
/// whole text as before.
struct PatternGate {
    /// A set of bytes.
    struct Bytes: Equatable {
        var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        static func == (a: Bytes, b: Bytes) -> Bool { a.bits == b.bits }
        func contains(_ b: UInt8) -> Bool {
            let w: UInt64
            switch b >> 6 { case 0: w = bits.0; case 1: w = bits.1; case 2: w = bits.2; default: w = bits.3 }
            return w & (1 << UInt64(b & 63)) != 0
        }
        mutating func insert(_ b: UInt8) {
            let m: UInt64 = 1 << UInt64(b & 63)
            switch b >> 6 { case 0: bits.0 |= m; case 1: bits.1 |= m; case 2: bits.2 |= m; default: bits.3 |= m }
        }
        mutating func insert(_ r: ClosedRange<UInt8>) { for b in r { insert(b) } }
        func union(_ o: Bytes) -> Bytes {
            var r = Bytes(); r.bits = (bits.0 | o.bits.0, bits.1 | o.bits.1, bits.2 | o.bits.2, bits.3 | o.bits.3); return r
        }
        var inverted: Bytes { var r = Bytes(); r.bits = (~bits.0, ~bits.1, ~bits.2, ~bits.3); return r }
        var count: Int { bits.0.nonzeroBitCount + bits.1.nonzeroBitCount + bits.2.nonzeroBitCount + bits.3.nonzeroBitCount }
        var isEmpty: Bool { count == 0 }
        func intersects(_ o: Bytes) -> Bool {
            (bits.0 & o.bits.0) | (bits.1 & o.bits.1) | (bits.2 & o.bits.2) | (bits.3 & o.bits.3) != 0
        }
        static let all = Bytes().inverted
        static func of(_ r: ClosedRange<UInt8>...) -> Bytes { var s = Bytes(); for x in r { s.insert(x) }; return s }
        static let digits = of(48...57)
        static let word = of(48...57, 65...90, 97...122, 95...95)
        static let space = of(9...13, 32...32)
        static let letters = of(65...90, 97...122)
        /// With the other case of every ASCII letter.
        var caseless: Bytes {
            var r = self
            for b in UInt8(65)...90 where contains(b) || contains(b + 32) { r.insert(b); r.insert(b + 32) }
            return r
        }
    }

    /// What a (sub)expression's matches are made of: every byte they can hold, bytes at least one of which
    /// every match holds (nil: no such promise), and the most bytes a match can hold (nil: no limit).
    ///
    /// Measured against a set of target bytes (the parser's `target`): `lead`, the most bytes a match holding a
    /// target byte can hold before its first one (nil: no match holds one); `bare`, the most bytes a match
    /// holding no target byte can hold (nil: every match holds one). Both saturate at ``unbounded``.
    struct Shape {
        var alphabet: Bytes
        var needs: Bytes? = nil
        var width: Int? = nil
        var lead: Int? = nil
        var bare: Int? = nil
    }

    /// No limit, for ``Shape/lead`` and ``Shape/bare``; sums saturate here.
    static let unbounded = Int.max / 4

    struct Unsupported: Error {}

    /// The shape of `pattern`, or nil when the analysis cannot vouch for it; `lead` and `bare` are measured
    /// against `target`.
    static func shape(of pattern: String, caseless: Bool, target: Bytes = Bytes()) -> Shape? {
        var p = Parser(bytes: Array(pattern.utf8), caseless: caseless, target: target)
        guard let s = try? p.alternation(), p.i == p.bytes.count else { return nil }
        return s
    }

    /// The most bytes a match of `pattern` can hold before its first byte of `target`, when every match holds
    /// one and this is known.
    static func lead(of pattern: String, caseless: Bool, target: Bytes) -> Int? {
        guard let s = shape(of: pattern, caseless: caseless, target: target), s.bare == nil, let lead = s.lead,
              lead < unbounded else { return nil }
        return lead
    }

    /// Sums and maxima of lengths where nil is "no such match" and ``unbounded`` saturates.
    static func plus(_ a: Int?, _ b: Int?) -> Int? {
        guard let a, let b else { return nil }
        return min(unbounded, a + b)
    }
    static func most(_ a: Int?, _ b: Int?) -> Int? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }

    /// `s` then `t`: a match's first target byte is in `s`'s part, or `s`'s part holds none and it is in `t`'s.
    static func sequence(_ s: Shape, _ t: Shape) -> (lead: Int?, bare: Int?) {
        (most(s.lead, plus(s.bare, t.lead)), plus(s.bare, t.bare))
    }

    /// `count` copies of `s` in a row (`optional`: each may be left out; ``unbounded`` copies for no limit).
    static func repeated(_ s: Shape, _ count: Int, optional: Bool) -> (lead: Int?, bare: Int?) {
        guard count > 0 else { return (nil, 0) }
        let bare = optional ? (s.bare ?? 0) : s.bare
        // Every copy holds a target byte: the first lies in the first copy.
        guard let bare else { return (s.lead, nil) }
        // Else it may lie in the last, after bare copies.
        return (plus(s.lead, times(bare, count - 1)), times(bare, count))
    }

    /// `a × k`, saturating at ``unbounded`` (a hostile rule can nest repeats of a million).
    static func times(_ a: Int, _ k: Int) -> Int {
        a == 0 || k == 0 ? 0 : (k > unbounded / a ? unbounded : min(unbounded, a * k))
    }

    /// How often prose holds one of `set`'s bytes, roughly: letters and spaces everywhere, punctuation often,
    /// digits seldom.
    static func commonness(_ set: Bytes) -> Int {
        var total = 0
        for b in 0..<256 where set.contains(UInt8(b)) {
            let byte = UInt8(b)
            if Bytes.letters.contains(byte) || Bytes.space.contains(byte) { total += 1000 }
            else if Bytes.digits.contains(byte) { total += 5 }
            else if Array(".,-/()'\";!?".utf8).contains(byte) { total += 50 }
            else { total += 10 }
        }
        return total
    }

    /// Patterns whose every match needs one of these bytes and holds no letter or space to satisfy that need
    /// are gated: "needs" must be rarer than prose.
    static func isGateable(_ s: Shape) -> Bool {
        guard let needs = s.needs, !needs.isEmpty else { return false }
        return !needs.intersects(Bytes.letters.union(Bytes.space)) && !needs.contains(95)
    }

    struct Parser {
        let bytes: [UInt8]
        let caseless: Bool
        let target: Bytes
        var i = 0

        init(bytes: [UInt8], caseless: Bool, target: Bytes) { self.bytes = bytes; self.caseless = caseless; self.target = target }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func alternation() throws -> Shape {
            var branches = [try concatenation()]
            while peek == UInt8(ascii: "|") { i += 1; branches.append(try concatenation()) }
            var alphabet = Bytes()
            var needs: Bytes? = Bytes()
            var width: Int? = 0
            var lead: Int?, bare: Int?
            for b in branches {
                alphabet = alphabet.union(b.alphabet)
                if let n = b.needs, let all = needs { needs = all.union(n) } else { needs = nil }
                if let w = b.width, let most = width { width = max(most, w) } else { width = nil }
                lead = PatternGate.most(lead, b.lead)
                bare = PatternGate.most(bare, b.bare)
            }
            return Shape(alphabet: alphabet, needs: needs, width: width, lead: lead, bare: bare)
        }

        mutating func concatenation() throws -> Shape {
            var whole = Shape(alphabet: Bytes(), needs: nil, width: 0, lead: nil, bare: 0)
            while let c = peek, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                var s = try atom()
                s = try quantified(s)
                whole.alphabet = whole.alphabet.union(s.alphabet)
                // Every match needs each part's bytes; keep the promise prose keeps least often.
                if let n = s.needs, whole.needs == nil || PatternGate.commonness(n) < PatternGate.commonness(whole.needs!) { whole.needs = n }
                if let w = s.width, let sum = whole.width { whole.width = min(PatternGate.unbounded, sum + w) } else { whole.width = nil }
                (whole.lead, whole.bare) = PatternGate.sequence(whole, s)
            }
            return whole
        }

        mutating func quantified(_ s: Shape) throws -> Shape {
            guard let c = peek else { return s }
            var atLeastOne: Bool
            var fewest = 0   // the fewest repeats
            var most: Int?   // the most repeats, nil for no limit
            switch c {
            case UInt8(ascii: "?"): atLeastOne = false; most = 1; i += 1
            case UInt8(ascii: "*"): atLeastOne = false; most = nil; i += 1
            case UInt8(ascii: "+"): atLeastOne = true; most = nil; i += 1
            case UInt8(ascii: "{"):
                // {m}, {m,}, {m,n}; anything else is refused rather than read as text.
                var j = i + 1, m = 0, digits = 0
                while j < bytes.count, (48...57).contains(bytes[j]) { m = m * 10 + Int(bytes[j] - 48); j += 1; digits += 1 }
                guard digits > 0, digits <= 6, j < bytes.count else { throw Unsupported() }
                most = m
                fewest = m
                if bytes[j] == UInt8(ascii: ",") {
                    j += 1
                    var n = 0, nDigits = 0
                    while j < bytes.count, (48...57).contains(bytes[j]) { n = n * 10 + Int(bytes[j] - 48); j += 1; nDigits += 1 }
                    guard nDigits <= 6 else { throw Unsupported() }
                    most = nDigits == 0 ? nil : n
                }
                guard j < bytes.count, bytes[j] == UInt8(ascii: "}") else { throw Unsupported() }
                i = j + 1
                atLeastOne = m >= 1
            default: return s
            }
            if peek == UInt8(ascii: "?") || peek == UInt8(ascii: "+") { i += 1 }   // lazy, possessive
            if let n = peek, n == UInt8(ascii: "?") || n == UInt8(ascii: "*") || n == UInt8(ascii: "+") || n == UInt8(ascii: "{") {
                throw Unsupported()
            }
            var width: Int?
            if let w = s.width, let most { width = PatternGate.times(w, most) } else if s.width == 0 { width = 0 }
            var repeats = Shape(alphabet: s.alphabet, needs: atLeastOne ? s.needs : nil, width: width)
            let least = atLeastOne ? max(1, fewest) : 0
            let required = PatternGate.repeated(s, least, optional: false)
            let extra = PatternGate.repeated(s, most.map { $0 - least } ?? PatternGate.unbounded, optional: true)
            (repeats.lead, repeats.bare) = PatternGate.sequence(Shape(alphabet: s.alphabet, lead: required.lead, bare: required.bare),
                                                                Shape(alphabet: s.alphabet, lead: extra.lead, bare: extra.bare))
            return repeats
        }

        func single(_ set: Bytes) -> Shape {
            let s = caseless ? set.caseless : set
            return Shape(alphabet: s, needs: s, width: 1, lead: s.intersects(target) ? 0 : nil,
                         bare: s.union(target) == target ? nil : 1)
        }

        mutating func atom() throws -> Shape {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "("):
                i += 1
                if peek == UInt8(ascii: "?") {
                    guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ":") else { throw Unsupported() }
                    i += 2
                }
                let s = try alternation()
                guard peek == UInt8(ascii: ")") else { throw Unsupported() }
                i += 1
                return s
            case UInt8(ascii: "["):
                i += 1
                return single(try bracket())
            case UInt8(ascii: "\\"):
                i += 1
                guard let e = peek else { throw Unsupported() }
                i += 1
                if e == UInt8(ascii: "b") || e == UInt8(ascii: "B") { return Shape(alphabet: Bytes(), needs: nil, width: 0, lead: nil, bare: 0) }
                return single(try escape(e))
            case UInt8(ascii: "."):
                i += 1
                return single(.all)
            case UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "]"):
                throw Unsupported()
            default:
                i += 1
                var s = Bytes(); s.insert(c)
                return single(s)
            }
        }

        /// An escape outside or inside a class: a class escape, a control character, or escaped punctuation.
        func escape(_ e: UInt8) throws -> Bytes {
            switch e {
            case UInt8(ascii: "d"): return .digits
            case UInt8(ascii: "w"): return .word
            case UInt8(ascii: "s"): return .space
            case UInt8(ascii: "D"): return Bytes.digits.inverted
            case UInt8(ascii: "W"): return Bytes.word.inverted
            case UInt8(ascii: "S"): return Bytes.space.inverted
            case UInt8(ascii: "t"): return .of(9...9)
            case UInt8(ascii: "n"): return .of(10...10)
            case UInt8(ascii: "r"): return .of(13...13)
            case UInt8(ascii: "f"): return .of(12...12)
            case UInt8(ascii: "v"): return .of(11...11)
            default:
                // Escaped punctuation stands for itself; any other escape (\x, \p, \A, \1…) is not read here.
                guard e < 128, !Bytes.word.contains(e), e > 32 else { throw Unsupported() }
                return .of(e...e)
            }
        }

        /// A bracket expression after its `[`, through its `]`.
        mutating func bracket() throws -> Bytes {
            var set = Bytes()
            var negated = false
            if peek == UInt8(ascii: "^") { negated = true; i += 1 }
            if peek == UInt8(ascii: "]") { throw Unsupported() }
            while true {
                guard let c = peek else { throw Unsupported() }
                if c == UInt8(ascii: "]") { i += 1; break }
                if c == UInt8(ascii: "[") { throw Unsupported() }   // POSIX classes
                // One member: a byte, or a class escape.
                var low: UInt8
                i += 1
                if c == UInt8(ascii: "\\") {
                    guard let e = peek else { throw Unsupported() }
                    i += 1
                    let s = try escape(e)
                    if s.count != 1 { set = set.union(s); continue }
                    low = (0...255).first { s.contains(UInt8($0)) }.map(UInt8.init)!
                } else {
                    low = c
                }
                // A range low-high, unless the `-` is last.
                if peek == UInt8(ascii: "-"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: "]") {
                    i += 1
                    var high = bytes[i]
                    i += 1
                    if high == UInt8(ascii: "\\") {
                        guard let e = peek else { throw Unsupported() }
                        i += 1
                        let s = try escape(e)
                        guard s.count == 1 else { throw Unsupported() }
                        high = (0...255).first { s.contains(UInt8($0)) }.map(UInt8.init)!
                    }
                    guard low <= high else { throw Unsupported() }
                    set.insert(low...high)
                } else {
                    set.insert(low)
                }
            }
            return negated ? set.inverted : set
        }
    }
}
