import Foundation

/// The checks that turn a pattern's candidate into a value (DOMAIN.md §2). Each takes the matched text
/// and answers with the value in a canonical form (spaces and separators dropped, upper case), or nil.
///
/// Canonical forms matter: "QQ 12 34 56 C" and "QQ123456C" are one NINO, counted once and hashed alike.
public enum Validators {
    /// Digits and letters only, upper-cased.
    static func compact(_ s: Substring) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(b)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(b - 32)
            default: continue
            }
        }
        return out
    }

    static func digits(_ s: Substring) -> [Int] {
        s.utf8.compactMap { (48...57).contains($0) ? Int($0 - 48) : nil }
    }

    static func isLetter(_ b: UInt8) -> Bool { (65...90).contains(b) }
    static func isDigit(_ b: UInt8) -> Bool { (48...57).contains(b) }
    static func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    /// National Insurance number: two prefix letters (first not D F I Q U V, second not D F I O Q U V, and
    /// not BG GB KN NK NT TN ZZ), six digits, suffix A–D. `QQ`, HMRC's own example prefix, is counted too:
    /// documents quote it, and DOMAIN.md says a scan counts published examples like any other value.
    public static func nino(_ s: Substring) -> String? {
        let c = compact(s)
        guard c.count == 9, isLetter(c[0]), isLetter(c[1]), c[2..<8].allSatisfy(isDigit), (65...68).contains(c[8]) else { return nil }
        let first = Character(UnicodeScalar(c[0])), second = Character(UnicodeScalar(c[1]))
        let example = first == "Q" && second == "Q"
        guard example || (!"DFIQUV".contains(first) && !"DFIOQUV".contains(second)) else { return nil }
        guard !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(String([first, second])) else { return nil }
        return text(c)
    }

    /// NHS number: ten digits; weights 10..2 on the first nine, check = 11 − (sum mod 11), 11 → 0, 10 invalid;
    /// all-same digits refused.
    public static func nhsNumber(_ s: Substring) -> String? {
        let d = digits(s)
        guard d.count == 10, Set(d).count > 1 else { return nil }
        let sum = (0..<9).reduce(0) { $0 + d[$1] * (10 - $1) }
        var check = 11 - sum % 11
        if check == 11 { check = 0 }
        guard check != 10, check == d[9] else { return nil }
        return d.map(String.init).joined()
    }

    /// Luhn over the digits, rightmost as check digit.
    public static func luhn(_ d: [Int]) -> Bool {
        var sum = 0
        for (i, x) in d.reversed().enumerated() {
            if i % 2 == 1 { let y = x * 2; sum += y > 9 ? y - 9 : y } else { sum += x }
        }
        return sum % 10 == 0
    }

    /// Payment card: 13–19 digits, Luhn, and an issuer prefix with a length that issuer uses.
    public static func paymentCard(_ s: Substring) -> String? {
        let d = digits(s)
        guard (13...19).contains(d.count), luhn(d), Set(d).count > 1 else { return nil }
        let n = d.count
        func prefix(_ k: Int) -> Int { d.prefix(k).reduce(0) { $0 * 10 + $1 } }
        let known: Bool =
            (d[0] == 4 && [13, 16, 19].contains(n))                                        // Visa
            || ((51...55).contains(prefix(2)) && n == 16)                                  // Mastercard
            || ((2221...2720).contains(prefix(4)) && n == 16)                              // Mastercard 2-series
            || ([34, 37].contains(prefix(2)) && n == 15)                                   // American Express
            || ((prefix(2) == 50 || (56...69).contains(prefix(2))) && (12...19).contains(n) && prefix(4) != 6011
                && !(644...649).contains(prefix(3)) && prefix(2) != 65 && prefix(2) != 62) // Maestro
            || ((prefix(4) == 6011 || (644...649).contains(prefix(3)) || prefix(2) == 65) && (16...19).contains(n)) // Discover
            || ((3528...3589).contains(prefix(4)) && (16...19).contains(n))                // JCB
            || (((300...305).contains(prefix(3)) || [36, 38, 39].contains(prefix(2))) && (14...19).contains(n)) // Diners
            || (prefix(2) == 62 && (16...19).contains(n))                                  // UnionPay
        return known ? d.map(String.init).joined() : nil
    }

    /// IBAN lengths by country (the common ones; others are accepted on the checksum at 15–34 characters).
    static let ibanLengths: [String: Int] = [
        "GB": 22, "IE": 22, "DE": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "BE": 16, "PT": 25, "PL": 28,
        "CH": 21, "AT": 20, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "LU": 20, "GI": 23, "GG": 22, "JE": 22, "IM": 22,
    ]

    /// IBAN: country, two check digits, then the account; first four moved to the end, letters as 10–35, mod 97 = 1.
    public static func iban(_ s: Substring) -> String? {
        let c = compact(s)
        guard c.count >= 15, c.count <= 34, isLetter(c[0]), isLetter(c[1]), isDigit(c[2]), isDigit(c[3]) else { return nil }
        let country = text(Array(c[0..<2]))
        if let n = ibanLengths[country], n != c.count { return nil }
        var remainder = 0
        for b in c[4...] + c[0..<4] {
            if isDigit(b) { remainder = (remainder * 10 + Int(b - 48)) % 97 } else if isLetter(b) {
                remainder = (remainder * 100 + Int(b - 55)) % 97
            } else { return nil }
        }
        return remainder == 1 ? text(c) : nil
    }

    /// UK postcode: outward A9, A99, A9A, AA9, AA99, AA9A; inward 9AA with letters other than C I K M O V; or GIR 0AA.
    public static func postcode(_ s: Substring) -> String? {
        let c = compact(s)
        guard (5...7).contains(c.count) else { return nil }
        if text(c) == "GIR0AA" { return "GIR 0AA" }
        let inward = Array(c.suffix(3)), outward = Array(c.dropLast(3))
        let bad = Set("CIKMOV".utf8)
        guard isDigit(inward[0]), isLetter(inward[1]), isLetter(inward[2]), !bad.contains(inward[1]), !bad.contains(inward[2]) else { return nil }
        let shape = String(outward.map { isLetter($0) ? "A" : (isDigit($0) ? "9" : "?") })
        guard ["A9", "A99", "A9A", "AA9", "AA99", "AA9A"].contains(shape) else { return nil }
        return text(outward) + " " + text(inward)
    }

    /// UK phone: ten digits after the trunk 0 (or after +44 / 0044, with an optional "(0)"), mobiles 07 and
    /// landlines 01, 02, 03; canonical +44 form.
    public static func ukPhone(_ s: Substring) -> String? {
        var d = digits(s)
        var international = false
        if d.starts(with: [0, 0, 4, 4]) { d.removeFirst(4); international = true }
        else if d.starts(with: [4, 4]) && (s.contains("+") || d.count >= 12) { d.removeFirst(2); international = true }
        if international {
            if d.first == 0 { d.removeFirst() }   // +44 (0)20 …
        } else {
            guard d.first == 0 else { return nil }
            d.removeFirst()
        }
        guard d.count == 10, [1, 2, 3, 7].contains(d[0]) else { return nil }
        if d[0] == 7 && d[1] == 0 { return nil }   // 070 is a personal-numbering range, not a mobile
        return "+44" + d.map(String.init).joined()
    }

    /// Email address: local@domain.tld with a letter TLD; the caller has already dropped Message-IDs and cid:.
    public static func email(_ s: Substring) -> String? {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return nil }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }),
              let tld = labels.last, tld.count >= 2, tld.allSatisfy(\.isLetter) else { return nil }
        guard !parts[0].hasPrefix("."), !parts[0].hasSuffix("."), !parts[0].contains("..") else { return nil }
        return s.lowercased()
    }

    /// UK passport: nine digits, or two letters and seven digits (the caller requires the word "passport" near).
    public static func ukPassport(_ s: Substring) -> String? {
        let c = compact(s)
        guard c.count == 9, c.allSatisfy(isDigit) || (isLetter(c[0]) && isLetter(c[1]) && c[2...].allSatisfy(isDigit)) else { return nil }
        guard Set(c).count > 1 else { return nil }
        return text(c)
    }

    /// UK driving licence number: 16 characters — five of surname (9-padded), decade, month (+50 for women),
    /// day, year digit, two initials (9-padded), a digit, two check characters.
    public static func drivingLicence(_ s: Substring) -> String? {
        let c = compact(s)
        guard c.count == 16 else { return nil }
        guard c[0..<5].allSatisfy({ isLetter($0) || $0 == 57 }), isLetter(c[0]) else { return nil }
        guard c[5..<11].allSatisfy(isDigit), c[11..<13].allSatisfy({ isLetter($0) || $0 == 57 }), isDigit(c[13]),
              c[14..<16].allSatisfy({ isLetter($0) || isDigit($0) }) else { return nil }
        let month = Int(c[6] - 48) * 10 + Int(c[7] - 48)
        let day = Int(c[8] - 48) * 10 + Int(c[9] - 48)
        guard (1...12).contains(month) || (51...62).contains(month), (1...31).contains(day) else { return nil }
        // Padding 9s come only after the letters they pad.
        let surname = c[0..<5]
        if let nine = surname.firstIndex(of: 57), surname[nine...].contains(where: { $0 != 57 }) { return nil }
        return text(c)
    }

    /// IPv4 dotted quad, each octet 0–255 without leading zeros.
    public static func ipv4(_ s: Substring) -> String? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isNumber), let v = Int(p), v <= 255,
                  p.count == 1 || p.first != "0" else { return nil }
        }
        return String(s)
    }

    /// IPv6 in full or `::` form, parsed properly: eight groups of 1–4 hex digits, one `::` at most.
    public static func ipv6(_ s: Substring) -> String? {
        let text = s.lowercased()
        guard text.contains(":"), text.count >= 3 else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [Substring]? {
            if part.isEmpty { return [] }
            let g = part.split(separator: ":", omittingEmptySubsequences: false)
            return g.allSatisfy { (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) } ? g : nil
        }
        guard let a = groups(halves[0]) else { return nil }
        if halves.count == 2 {
            guard let b = groups(halves[1]), a.count + b.count <= 7 else { return nil }
            // "::" alone, or with at least one group beside it that has a letter or several digits: skips "a::b" prose
        } else {
            guard a.count == 8 else { return nil }
        }
        return text
    }
}
