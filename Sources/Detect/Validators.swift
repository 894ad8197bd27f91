import Foundation

/// The checks that turn a pattern's candidate into a value (DOMAIN.md §2). Each takes the matched text
/// and answers with the value in a canonical form (spaces and separators dropped, upper case), or nil.
///
/// Canonical forms matter: "JK 12 34 56 C" and "JK123456C" are one NINO, counted once and hashed alike.
///
/// Every check reads the candidate's UTF-8 bytes and makes a String only for a value it accepts (a scan meets
/// about 800,000 candidates per gigabyte of text, most of them refused). The public functions that take a
/// Substring are thin wrappers over the byte forms. Checks that read text as Characters (email, IP addresses,
/// dates) read plain ASCII byte by byte, where each byte is one Character; other text, which no shipped
/// pattern matches, is first turned into one stand-in byte per Character (``units(_:)``), so both answer as
/// Swift's String would.
public enum Validators {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
    /// Upper-case ASCII letter (what ``compact(_:)`` leaves).
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { b &- 65 < 26 }

    /// Runs `body` over the UTF-8 bytes of `s`.
    static func withBytes<R>(_ s: Substring, _ body: (Bytes) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        return Array(s.utf8).withUnsafeBufferPointer(body)
    }

    /// Up to 40 bytes kept in place (no heap): a candidate's digits or letters, which no check needs more of.
    /// `count` goes on counting past 40.
    struct Short {
        static let capacity = 40
        private(set) var count = 0
        private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)

        @inline(__always) mutating func append(_ b: UInt8) {
            if count < Short.capacity { withUnsafeMutableBytes(of: &storage) { $0[count] = b } }
            count += 1
        }
        /// Byte `i` (below `capacity`).
        @inline(__always) subscript(_ i: Int) -> UInt8 { withUnsafeBytes(of: storage) { $0[i] } }
        /// Bytes `from..<to` (within `capacity`) as a String.
        func string(_ from: Int = 0, _ to: Int? = nil) -> String {
            withUnsafeBytes(of: storage) {
                String(decoding: UnsafeRawBufferPointer(rebasing: $0[from..<(to ?? min(count, Short.capacity))]), as: UTF8.self)
            }
        }
        /// Every byte the same (true when empty): `Set(d).count <= 1`.
        var allSame: Bool {
            let n = min(count, Short.capacity)
            for i in stride(from: 1, to: n, by: 1) where self[i] != self[0] { return false }
            return true
        }
    }

    /// Digits and letters only, upper-cased.
    static func compact(_ b: Bytes) -> Short {
        var out = Short()
        for x in b {
            if isDigit(x) || isLetter(x) { out.append(x) } else if x &- 97 < 26 { out.append(x - 32) }
        }
        return out
    }

    /// The ASCII digits, as bytes "0"–"9".
    static func digits(_ b: Bytes) -> Short {
        var out = Short()
        for x in b where isDigit(x) { out.append(x) }
        return out
    }

    /// Every byte ASCII, and no CR LF (the one pair of ASCII bytes Swift reads as one Character): each byte
    /// is then one Character.
    static func isPlain(_ b: Bytes) -> Bool {
        var previous: UInt8 = 0
        for x in b {
            if x >= 0x80 || (x == 10 && previous == 13) { return false }
            previous = x
        }
        return true
    }

    /// Stand-in bytes for text as Swift's Characters, one per Character: a Character that is one ASCII byte
    /// stays that byte; any other becomes 0x80 plus ``unitLetter``, ``unitNumber`` and ``unitHex`` for what
    /// Character.isLetter, isNumber and isHexDigit say of it. No stand-in equals an ASCII byte, as no other
    /// Character equals an ASCII one that the checks compare with (space / . - : @ + and digits).
    static func units(_ s: some StringProtocol) -> [UInt8] {
        s.map { c in
            if c.utf8.count == 1 { return c.utf8.first! }
            return 0x80 | (c.isLetter ? unitLetter : 0) | (c.isNumber ? unitNumber : 0) | (c.isHexDigit ? unitHex : 0)
        }
    }
    static let unitLetter: UInt8 = 1, unitNumber: UInt8 = 2, unitHex: UInt8 = 4

    /// Character.isLetter of a unit.
    @inline(__always) static func unitIsLetter(_ u: UInt8) -> Bool { u < 0x80 ? (u | 32) &- 97 < 26 : u & unitLetter != 0 }
    /// Character.isNumber of a unit.
    @inline(__always) static func unitIsNumber(_ u: UInt8) -> Bool { u < 0x80 ? isDigit(u) : u & unitNumber != 0 }
    /// Character.isHexDigit of a unit.
    @inline(__always) static func unitIsHex(_ u: UInt8) -> Bool {
        u < 0x80 ? isDigit(u) || (u | 32) &- 97 < 6 : u & unitHex != 0
    }

    /// The text with ASCII letters lower-cased (String.lowercased() of ASCII text).
    static func lowerString(_ b: Bytes) -> String {
        String(unsafeUninitializedCapacity: b.count) { out in
            for (i, x) in b.enumerated() { out[i] = x &- 65 < 26 ? x + 32 : x }
            return b.count
        }
    }

    /// Whether the text holds `a` or `b` (ASCII, neither CR nor LF) as a Character of its own, as Swift's
    /// String reads it (a combining mark after it would make another Character).
    static func hasCharacter(_ bytes: Bytes, _ a: UInt8, _ b: UInt8? = nil) -> Bool {
        var found = false, plain = true
        for x in bytes {
            if x == a || x == b { found = true } else if x >= 0x80 { plain = false }
        }
        guard found, !plain else { return found }
        let ca = Character(Unicode.Scalar(a)), cb = b.map { Character(Unicode.Scalar($0)) }
        return String(decoding: bytes, as: UTF8.self).contains { $0 == ca || $0 == cb }
    }

    /// `Int(text)` of units: an optional sign, then ASCII digits only; nil when empty or out of range.
    static func int(_ u: Bytes) -> Int? {
        guard let first = u.first else { return nil }
        let negative = first == UInt8(ascii: "-")
        let from = (negative || first == UInt8(ascii: "+")) ? 1 : 0
        guard from < u.count else { return nil }
        var n = 0
        for x in u[from...] {
            guard isDigit(x) else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int(x - 48)) : m.addingReportingOverflow(Int(x - 48))
            guard !o1, !o2 else { return nil }
            n = s
        }
        return n
    }

    /// National Insurance number: two prefix letters (first not D F I Q U V, second not D F I O Q U V, and
    /// not BG GB KN NK NT TN ZZ), six digits, suffix A–D. `QQ123456C`, HMRC's specimen, is no NINO (Q is never
    /// a first letter).
    public static func nino(_ s: Substring) -> String? { withBytes(s) { nino($0) } }

    static func nino(_ b: Bytes) -> String? {
        let c = compact(b)
        guard c.count == 9, isLetter(c[0]), isLetter(c[1]), (2..<8).allSatisfy({ isDigit(c[$0]) }), (65...68).contains(c[8])
        else { return nil }
        let first = c[0], second = c[1]
        guard !oneOf(first, "DFIQUV"), !oneOf(second, "DFIOQUV") else { return nil }
        let refused: StaticString = "BG GB KN NK NT TN ZZ"
        for i in stride(from: 0, to: refused.utf8CodeUnitCount, by: 3)
        where refused.utf8Start[i] == first && refused.utf8Start[i + 1] == second { return nil }
        return c.string()
    }

    /// Whether `x` is one of the bytes of `set`.
    @inline(__always) static func oneOf(_ x: UInt8, _ set: StaticString) -> Bool {
        UnsafeBufferPointer(start: set.utf8Start, count: set.utf8CodeUnitCount).contains(x)
    }

    /// NHS number: ten digits; weights 10..2 on the first nine, check = 11 − (sum mod 11), 11 → 0, 10 invalid;
    /// all-same digits refused.
    public static func nhsNumber(_ s: Substring) -> String? { withBytes(s) { nhsNumber($0) } }

    static func nhsNumber(_ b: Bytes) -> String? {
        let d = digits(b)
        guard d.count == 10, !d.allSame else { return nil }
        var sum = 0
        for i in 0..<9 { sum += Int(d[i] - 48) * (10 - i) }
        var check = 11 - sum % 11
        if check == 11 { check = 0 }
        guard check != 10, check == Int(d[9] - 48) else { return nil }
        return d.string()
    }

    /// Luhn over the digits, rightmost as check digit.
    public static func luhn(_ d: [Int]) -> Bool {
        var sum = 0
        for (i, x) in d.reversed().enumerated() {
            if i % 2 == 1 { let y = x * 2; sum += y > 9 ? y - 9 : y } else { sum += x }
        }
        return sum % 10 == 0
    }

    /// Luhn over digit bytes (at most ``Short/capacity``).
    static func luhn(_ d: Short) -> Bool {
        var sum = 0
        for i in 0..<d.count {
            let x = Int(d[d.count - 1 - i] - 48)
            if i % 2 == 1 { let y = x * 2; sum += y > 9 ? y - 9 : y } else { sum += x }
        }
        return sum % 10 == 0
    }

    /// Payment card: 13–19 digits, Luhn, and an issuer prefix with a length that issuer uses.
    public static func paymentCard(_ s: Substring) -> String? { withBytes(s) { paymentCard($0) } }

    static func paymentCard(_ b: Bytes) -> String? {
        let d = digits(b)
        let n = d.count
        guard (13...19).contains(n), luhn(d), !d.allSame else { return nil }
        func prefix(_ k: Int) -> Int { (0..<k).reduce(0) { $0 * 10 + Int(d[$1] - 48) } }
        let p2 = prefix(2), p3 = prefix(3), p4 = prefix(4)
        let known: Bool =
            (d[0] == UInt8(ascii: "4") && [13, 16, 19].contains(n))                   // Visa
            || ((51...55).contains(p2) && n == 16)                                    // Mastercard
            || ((2221...2720).contains(p4) && n == 16)                                // Mastercard 2-series
            || ([34, 37].contains(p2) && n == 15)                                     // American Express
            || ((p2 == 50 || (56...69).contains(p2)) && (12...19).contains(n) && p4 != 6011
                && !(644...649).contains(p3) && p2 != 65 && p2 != 62)                 // Maestro
            || ((p4 == 6011 || (644...649).contains(p3) || p2 == 65) && (16...19).contains(n)) // Discover
            || ((3528...3589).contains(p4) && (16...19).contains(n))                  // JCB
            || (((300...305).contains(p3) || [36, 38, 39].contains(p2)) && (14...19).contains(n)) // Diners
            || (p2 == 62 && (16...19).contains(n))                                    // UnionPay
        return known ? d.string() : nil
    }

    /// IBAN lengths by country: the IBAN registry's countries (and the Crown Dependencies, which write GB-form
    /// IBANs). A country outside it is no IBAN.
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29,
        "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
        "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
        "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
        "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
        "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
        "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
        "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
        "GG": 22, "JE": 22, "IM": 22,
    ]
    /// ``ibanLengths`` keyed by the country's two bytes.
    static let ibanLengthByCode: [UInt16: Int] = Dictionary(uniqueKeysWithValues: ibanLengths.map { country, n in
        let u = Array(country.utf8)
        return (UInt16(u[0]) << 8 | UInt16(u[1]), n)
    })

    /// IBAN: country, two check digits, then the account; first four moved to the end, letters as 10–35, mod 97 = 1.
    public static func iban(_ s: Substring) -> String? { withBytes(s) { iban($0) } }

    static func iban(_ b: Bytes) -> String? {
        let c = compact(b)
        let n = c.count
        guard n >= 15, n <= 34, isLetter(c[0]), isLetter(c[1]), isDigit(c[2]), isDigit(c[3]) else { return nil }
        guard let length = ibanLengthByCode[UInt16(c[0]) << 8 | UInt16(c[1])], length == n else { return nil }
        var remainder = 0
        for i in 0..<n {
            let x = c[(i + 4) % n]   // from the fifth on, then the first four
            remainder = isDigit(x) ? (remainder * 10 + Int(x - 48)) % 97 : (remainder * 100 + Int(x - 55)) % 97
        }
        return remainder == 1 ? c.string() : nil
    }

    /// UK postcode: outward A9, A99, A9A, AA9, AA99, AA9A with the letters each place allows; inward 9AA with
    /// letters other than C I K M O V; or GIR 0AA.
    public static func postcode(_ s: Substring) -> String? { withBytes(s) { postcode($0) } }

    static func postcode(_ b: Bytes) -> String? {
        let c = compact(b)
        guard (5...7).contains(c.count) else { return nil }
        if c.count == 6 && c.string() == "GIR0AA" { return "GIR 0AA" }   // a small string: no heap
        let o = c.count - 3   // the outward code's length
        func inwardLetter(_ x: UInt8) -> Bool {
            guard isLetter(x) else { return false }
            return !oneOf(x, "CIKMOV")
        }
        guard isDigit(c[o]), inwardLetter(c[o + 1]), inwardLetter(c[o + 2]) else { return nil }
        // Outward shapes: A9 | A99 A9A AA9 | AA99 AA9A (compact leaves only letters and digits), with the letters
        // each place allows: never Q V X first, never I J Z second, A9A's letter from ABCDEFGHJKPSTUW, AA9A's
        // from ABEHMNPRVWXY.
        guard isLetter(c[0]), !oneOf(c[0], "QVX") else { return nil }
        let shaped: Bool
        switch o {
        case 2: shaped = isDigit(c[1])
        case 3:
            if isDigit(c[1]) { shaped = isDigit(c[2]) || oneOf(c[2], "ABCDEFGHJKPSTUW") }   // A99, A9A
            else { shaped = !oneOf(c[1], "IJZ") && isDigit(c[2]) }                          // AA9
        default:
            shaped = isLetter(c[1]) && !oneOf(c[1], "IJZ") && isDigit(c[2]) && (isDigit(c[3]) || oneOf(c[3], "ABEHMNPRVWXY"))
        }
        guard shaped else { return nil }
        return c.string(0, o) + " " + c.string(o, o + 3)
    }

    /// UK phone: ten digits after the trunk 0 (or after +44 / 0044, with an optional "(0)") in a range Ofcom
    /// allocates (01, 02, 03, 055, 056, 07, 08, 09; nine for 0800 and 016977); canonical +44 form.
    public static func ukPhone(_ s: Substring) -> String? { withBytes(s) { ukPhone($0) } }

    static func ukPhone(_ b: Bytes) -> String? {
        let d = digits(b)
        let zero = UInt8(ascii: "0"), four = UInt8(ascii: "4")
        var from = 0   // digits dropped from the front
        var international = false
        if d.count >= 4 && d[0] == zero && d[1] == zero && d[2] == four && d[3] == four { from = 4; international = true }
        else if d.count >= 2 && d[0] == four && d[1] == four && (d.count >= 12 || hasPlus(b)) {
            from = 2; international = true
        }
        if international {
            if from < d.count && d[from] == zero { from += 1 }   // +44 (0)20 …
        } else {
            guard d.count > 0, d[0] == zero else { return nil }
            from = 1
        }
        let n = d.count - from
        // Ofcom's national numbering plan: geographic 01 and 02, 03, corporate 05, mobile, pager and personal 07,
        // freephone and special services 08, premium 09 — ten digits after the trunk 0; freephone 0800 and a few
        // 01 areas (016977) also nine.
        switch d[from] {
        case UInt8(ascii: "1"), UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "7"), UInt8(ascii: "8"),
             UInt8(ascii: "9"):
            break
        default: return nil
        }
        if n == 9 {
            let head = d.string(from, from + 3)
            guard head == "800" || d.string(from, from + 5) == "16977" else { return nil }
            return "+44" + d.string(from, from + 9)
        }
        guard n == 10 else { return nil }
        if d[from] == UInt8(ascii: "5") && d[from + 1] != UInt8(ascii: "5") && d[from + 1] != UInt8(ascii: "6") { return nil }   // 055, 056 only
        return "+44" + d.string(from, from + 10)
    }

    /// `s.contains("+")` of the candidate's text: StringProtocol's search, which a mark after the plus can defeat
    /// (unlike Character comparison, a Character boundary does not matter to it); byte by byte for ASCII.
    static func hasPlus(_ b: Bytes) -> Bool {
        guard b.contains(UInt8(ascii: "+")) else { return false }
        return b.allSatisfy({ $0 < 0x80 }) || Substring(String(decoding: b, as: UTF8.self)).contains("+")
    }

    /// Email address: local@domain.tld with a letter TLD; the caller has already dropped Message-IDs and cid:.
    public static func email(_ s: Substring) -> String? { withBytes(s) { email($0) } }

    static func email(_ b: Bytes) -> String? {
        if isPlain(b) {
            guard let local = emailShape(b) else { return nil }
            for i in stride(from: 1, to: local, by: 1) where b[i] == UInt8(ascii: ".") && b[i - 1] == UInt8(ascii: ".") { return nil }
            return lowerString(b)
        }
        // Two dots together are looked for as StringProtocol.contains looks (a mark after the second dot can hide
        // them; a Character boundary between them does not).
        let s = Substring(String(decoding: b, as: UTF8.self))
        guard let local = units(s).withUnsafeBufferPointer(emailShape), !s.prefix(local).contains("..") else { return nil }
        return s.lowercased()
    }

    /// Units of an email address but for two dots together in the local part: one @; a local part of 1–64
    /// Characters, not starting or ending with a dot; a domain of two or more labels, none empty or starting or
    /// ending with a hyphen, the last two or more letters. The local part's length, or nil.
    static func emailShape(_ u: Bytes) -> Int? {
        let at = UInt8(ascii: "@"), dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        guard let a = u.firstIndex(of: at), !u[(a + 1)...].contains(at), a >= 1, a <= 64 else { return nil }
        guard u[0] != dot, u[a - 1] != dot else { return nil }
        var labels = 0, label = a + 1
        for i in (a + 1)...u.count where i == u.count || u[i] == dot {
            guard i > label, u[label] != hyphen, u[i - 1] != hyphen else { return nil }
            labels += 1
            if i < u.count { label = i + 1 }
        }
        guard labels >= 2, u.count - label >= 2, u[label...].allSatisfy(unitIsLetter) else { return nil }
        guard !fileExtensions.contains(u[label...].map { $0 &- 65 < 26 ? $0 | 32 : $0 }) else { return nil }   // logo@2x.png
        return a
    }

    /// File extensions that are no top-level domain: "logo@2x.png" and "icon@3x.jpg" name images, not mailboxes.
    /// (Extensions that are also domains, such as .zip and .mov, are not here.)
    static let fileExtensions: Set<[UInt8]> = Set(["png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "ico", "tif", "tiff", "heic",
                                                  "css", "js", "json", "xml", "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
                                                  "txt", "htm", "html", "php", "asp", "aspx", "jsp"].map { Array($0.utf8) })

    /// UK passport: nine digits, or two letters and seven digits (the caller requires the word "passport" near).
    public static func ukPassport(_ s: Substring) -> String? { withBytes(s) { ukPassport($0) } }

    static func ukPassport(_ b: Bytes) -> String? {
        let c = compact(b)
        guard c.count == 9, (0..<9).allSatisfy({ isDigit(c[$0]) })
                || (isLetter(c[0]) && isLetter(c[1]) && (2..<9).allSatisfy({ isDigit(c[$0]) })) else { return nil }
        guard !c.allSame else { return nil }
        return c.string()
    }

    /// UK driving licence number: 16 characters — five of surname (9-padded), decade, month (+50 for women),
    /// day, year digit, two initials (9-padded), a digit, two check characters.
    public static func drivingLicence(_ s: Substring) -> String? { withBytes(s) { drivingLicence($0) } }

    static func drivingLicence(_ b: Bytes) -> String? {
        let c = compact(b)
        guard c.count == 16 else { return nil }
        let nine = UInt8(ascii: "9")
        guard (0..<5).allSatisfy({ isLetter(c[$0]) || c[$0] == nine }), isLetter(c[0]) else { return nil }
        guard (5..<11).allSatisfy({ isDigit(c[$0]) }), isLetter(c[11]) || c[11] == nine, isLetter(c[12]) || c[12] == nine,
              isDigit(c[13]) else { return nil }   // the last two are a letter or digit, as compact leaves them
        let month = Int(c[6] - 48) * 10 + Int(c[7] - 48)
        let day = Int(c[8] - 48) * 10 + Int(c[9] - 48)
        guard (1...12).contains(month) || (51...62).contains(month), (1...31).contains(day) else { return nil }
        // Padding 9s come only after the letters they pad.
        if let pad = (0..<5).first(where: { c[$0] == nine }), (pad..<5).contains(where: { c[$0] != nine }) { return nil }
        return c.string()
    }

    /// IPv4 dotted quad, each octet 0–255 without leading zeros.
    public static func ipv4(_ s: Substring) -> String? { withBytes(s) { ipv4($0) } }

    /// Any byte but a digit or a dot refuses it (a Character that is not an ASCII digit is either not a number
    /// or not one `Int` reads), so bytes answer as Characters would.
    static func ipv4(_ b: Bytes) -> String? {
        var parts = 0, length = 0, value = 0, first: UInt8 = 0
        for i in 0...b.count {
            if i == b.count || b[i] == UInt8(ascii: ".") {
                guard length >= 1, value <= 255, length == 1 || first != UInt8(ascii: "0") else { return nil }
                parts += 1
                length = 0
                value = 0
            } else {
                guard isDigit(b[i]), length < 3 else { return nil }
                if length == 0 { first = b[i] }
                length += 1
                value = value * 10 + Int(b[i] - 48)
            }
        }
        return parts == 4 ? String(decoding: b, as: UTF8.self) : nil
    }

    /// IPv6 in full or `::` form, parsed properly: eight groups of 1–4 hex digits, one `::` at most.
    public static func ipv6(_ s: Substring) -> String? { withBytes(s) { ipv6($0) } }

    static func ipv6(_ b: Bytes) -> String? { ipv6(b, strict: false) }

    /// The lower-cased address when it has the IPv6 shape and, when `strict` (the IP rule), is not a clock time
    /// or a ratio (``ipv6StrictShape(_:)``).
    static func ipv6(_ b: Bytes, strict: Bool) -> String? {
        if isPlain(b) { return ipv6Shape(b) && (!strict || ipv6StrictShape(b)) ? lowerString(b) : nil }
        let lower = String(decoding: b, as: UTF8.self).lowercased()
        return units(lower).withUnsafeBufferPointer { ipv6Shape($0) && (!strict || ipv6StrictShape($0)) } ? lower : nil
    }

    /// Units of lower-cased text: a colon, three or more Characters, at most one `::` (the first, read from the
    /// left, splits the text in halves), each half groups of 1–4 hex digits split by `:`; eight groups without
    /// `::`, seven at most with it.
    static func ipv6Shape(_ u: Bytes) -> Bool {
        let colon = UInt8(ascii: ":")
        guard u.contains(colon), u.count >= 3 else { return false }
        func pair(from: Int) -> Int? {
            var i = from
            while i + 1 < u.count { if u[i] == colon && u[i + 1] == colon { return i }; i += 1 }
            return nil
        }
        /// The groups in `lo..<hi`, or nil when one is empty, longer than four or not hex.
        func groups(_ lo: Int, _ hi: Int) -> Int? {
            if lo == hi { return 0 }
            var count = 0, start = lo
            for i in lo...hi where i == hi || u[i] == colon {
                guard (1...4).contains(i - start), u[start..<i].allSatisfy(unitIsHex) else { return nil }
                count += 1
                start = i + 1
            }
            return count
        }
        if let p = pair(from: 0) {
            guard pair(from: p + 2) == nil, let a = groups(0, p), let b = groups(p + 2, u.count) else { return false }
            return a + b <= 7
        }
        return groups(0, u.count) == 8
    }

    /// Not a clock time or a ratio: a `::` or eight groups, and some group of three or more Characters or
    /// with a letter.
    static func ipv6StrictShape(_ u: Bytes) -> Bool {
        let colon = UInt8(ascii: ":")
        var groups = 0, double = false, telling = false
        var i = 0
        while i < u.count {
            if u[i] == colon {
                if i + 1 < u.count && u[i + 1] == colon { double = true }
                i += 1
                continue
            }
            let start = i
            var letter = false
            while i < u.count && u[i] != colon { letter = letter || unitIsLetter(u[i]); i += 1 }
            groups += 1
            if i - start >= 3 || letter { telling = true }
        }
        return (double || groups == 8) && telling
    }
}
