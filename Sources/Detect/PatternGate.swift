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

    /// What a (sub)expression's matches are made of: every byte they can hold, and bytes at least one of which
    /// every match holds (nil: no such promise).
    struct Shape {
        var alphabet: Bytes
        var needs: Bytes?
    }

    struct Unsupported: Error {}

    /// The shape of `pattern`, or nil when the analysis cannot vouch for it.
    static func shape(of pattern: String, caseless: Bool) -> Shape? {
        var p = Parser(bytes: Array(pattern.utf8), caseless: caseless)
        guard let s = try? p.alternation(), p.i == p.bytes.count else { return nil }
        return s
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
        var i = 0

        init(bytes: [UInt8], caseless: Bool) { self.bytes = bytes; self.caseless = caseless }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func alternation() throws -> Shape {
            var branches = [try concatenation()]
            while peek == UInt8(ascii: "|") { i += 1; branches.append(try concatenation()) }
            var alphabet = Bytes()
            var needs: Bytes? = Bytes()
            for b in branches {
                alphabet = alphabet.union(b.alphabet)
                if let n = b.needs, let all = needs { needs = all.union(n) } else { needs = nil }
            }
            return Shape(alphabet: alphabet, needs: needs)
        }

        mutating func concatenation() throws -> Shape {
            var alphabet = Bytes()
            var needs: Bytes?
            while let c = peek, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                var s = try atom()
                s = try quantified(s)
                alphabet = alphabet.union(s.alphabet)
                // Every match needs each part's bytes; keep the promise prose keeps least often.
                if let n = s.needs, needs == nil || PatternGate.commonness(n) < PatternGate.commonness(needs!) { needs = n }
            }
            return Shape(alphabet: alphabet, needs: needs)
        }

        mutating func quantified(_ s: Shape) throws -> Shape {
            guard let c = peek else { return s }
            var atLeastOne: Bool
            switch c {
            case UInt8(ascii: "?"), UInt8(ascii: "*"): atLeastOne = false; i += 1
            case UInt8(ascii: "+"): atLeastOne = true; i += 1
            case UInt8(ascii: "{"):
                // {m}, {m,}, {m,n}; anything else is refused rather than read as text.
                var j = i + 1, m = 0, digits = 0
                while j < bytes.count, (48...57).contains(bytes[j]) { m = m * 10 + Int(bytes[j] - 48); j += 1; digits += 1 }
                guard digits > 0, j < bytes.count else { throw Unsupported() }
                if bytes[j] == UInt8(ascii: ",") {
                    j += 1
                    while j < bytes.count, (48...57).contains(bytes[j]) { j += 1 }
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
            return Shape(alphabet: s.alphabet, needs: atLeastOne ? s.needs : nil)
        }

        func single(_ set: Bytes) -> Shape {
            let s = caseless ? set.caseless : set
            return Shape(alphabet: s, needs: s)
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
                if e == UInt8(ascii: "b") || e == UInt8(ascii: "B") { return Shape(alphabet: Bytes(), needs: nil) }
                return single(try escape(e))
            case UInt8(ascii: "."):
                i += 1
                return Shape(alphabet: .all, needs: .all)
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
