import Detect
import Rules
import SweepModel
import TestSupport
import Testing

/// Measured quality: a labelled set of documents, each planting one valid value of a type (in the ways
/// people write it) or one decoy, scored per type. Validated types must reach 0.99 precision and recall.
@Suite struct QualityTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
        mutating func pick<T>(_ a: [T]) -> T { a[int(0...(a.count - 1))] }
        mutating func digits(_ n: Int) -> [Int] { (0..<n).map { _ in int(0...9) } }
    }

    static let letters = Array("ABCEGHJKLMNPRSTWXYZ")
    static func s(_ d: [Int]) -> String { d.map(String.init).joined() }

    static func nino(_ r: inout Rng) -> String {
        var p = ""
        repeat { p = String([r.pick(letters), r.pick(letters.filter { $0 != "O" })]) } while ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(p)
        let d = s(r.digits(6)), suffix = r.pick(["A", "B", "C", "D"])
        return r.int(0...1) == 0 ? p + d + suffix : "\(p) \(d.prefix(2)) \(d.dropFirst(2).prefix(2)) \(d.suffix(2)) \(suffix)"
    }

    static func nhs(_ r: inout Rng) -> String {
        while true {
            let d = r.digits(9)
            var c = 11 - (0..<9).reduce(0) { $0 + d[$1] * (10 - $1) } % 11
            if c == 11 { c = 0 }
            if c == 10 || Set(d).count == 1 { continue }
            let all = s(d + [c])
            return "\(all.prefix(3)) \(all.dropFirst(3).prefix(3)) \(all.suffix(4))"
        }
    }

    static func luhnComplete(_ body: [Int]) -> [Int] {
        for c in 0...9 where Validators.luhn(body + [c]) { return body + [c] }
        return body
    }

    static func card(_ r: inout Rng) -> String {
        let d = luhnComplete([4] + r.digits(14))
        let t = s(d)
        return stride(from: 0, to: 16, by: 4).map { String(Array(t)[$0..<$0 + 4]) }.joined(separator: r.pick([" ", "-", ""]))
    }

    static func iban(_ r: inout Rng) -> String {
        let bank = String((0..<4).map { _ in r.pick(letters) }), acct = s(r.digits(14))
        // check digits: 98 − (BBAN + "GB00" as numbers) mod 97
        var rem = 0
        for ch in bank + acct + "GB00" {
            if let v = ch.wholeNumberValue { rem = (rem * 10 + v) % 97 } else { rem = (rem * 100 + Int(ch.asciiValue! - 55)) % 97 }
        }
        let check = 98 - rem
        let raw = "GB" + (check < 10 ? "0" : "") + String(check) + bank + acct
        return stride(from: 0, to: raw.count, by: 4).map { String(Array(raw)[$0..<min($0 + 4, raw.count)]) }.joined(separator: " ")
    }

    /// Invalid on purpose: a checksum or a rule broken, in the shape the pattern looks for.
    static func decoy(_ type: String, _ r: inout Rng) -> String {
        switch type {
        case "nino": return r.pick(["DA", "FQ", "BG", "GB", "TN"]) + s(r.digits(6)) + r.pick(["A", "E"])
        case "nhs_number":
            let v = nhs(&r).filter(\.isNumber)
            let last = (Int(String(v.last!))! + 1) % 10
            return "NHS number \(v.dropLast())\(last)"
        case "payment_card":
            var d = luhnComplete([4] + r.digits(14)); d[15] = (d[15] + 1) % 10
            return s(d)
        case "iban": let v = iban(&r); return String(v.dropLast()) + (v.last == "1" ? "2" : "1")
        default: return ""
        }
    }

    @Test func validatedTypesReachNinetyNinePercent() throws {
        let detector = try Detector(rules: try RuleSet.load(repositoryRoot + "/rules").detection, key: Array(repeating: 3, count: 32))
        let session = detector.makeSession()
        let asOf = Timestamp.parse("2026-11-22")!
        var r = Rng(state: 20261122)
        let fillers = ["Please find attached the report.", "Reference: ", "Our ref:", "Tenant record;", "Customer:", "Regards,"]
        for type in ["nino", "nhs_number", "payment_card", "iban"] {
            var tp = 0, fp = 0, fn = 0
            for i in 0..<400 {
                let planted = i % 2 == 0
                let value: String
                switch (type, planted) {
                case ("nino", true): value = Self.nino(&r)
                case ("nhs_number", true): value = "NHS no: " + Self.nhs(&r)
                case ("payment_card", true): value = Self.card(&r)
                case ("iban", true): value = Self.iban(&r)
                default: value = Self.decoy(type, &r)
                }
                let doc = "\(r.pick(fillers)) \(value) \(r.pick(fillers)) order \(Self.s(r.digits(6))) on \(r.int(1...28))/\(r.int(1...12))/20\(r.int(10...25))"
                let found = detector.detect(doc, asOf: asOf, session: session).personalData[type] ?? 0
                if planted { if found == 1 { tp += 1 } else { fn += 1 } } else if found > 0 { fp += 1 }
            }
            let precision = Double(tp) / Double(max(1, tp + fp)), recall = Double(tp) / Double(max(1, tp + fn))
            #expect(precision >= 0.99, "\(type) precision \(precision) (tp \(tp), fp \(fp))")
            #expect(recall >= 0.99, "\(type) recall \(recall) (tp \(tp), fn \(fn))")
        }
    }

    @Test func contextTypesAreFoundWithTheirWordsAndNotWithout() throws {
        let detector = try Detector(rules: try RuleSet.load(repositoryRoot + "/rules").detection, key: Array(repeating: 3, count: 32))
        let session = detector.makeSession()
        let asOf = Timestamp.parse("2026-11-22")!
        let cases: [(String, String, Bool)] = [
            ("uk_passport", "Passport number 925076473", true), ("uk_passport", "Order number 925076473", false),
            ("date_of_birth", "D.O.B. 12/04/1971", true), ("date_of_birth", "Invoice date 12/04/1971", false),
            ("uk_bank_account", "Sort code: 40-47-84 Account: 70872490", true), ("uk_bank_account", "Meeting 12-04-19, room 70872490", false),
            ("ip_address", "Server at 10.12.0.5", true), ("ip_address", "Firmware version 10.12.0.5", false),
            ("uk_phone", "Call 020 7946 0018", true), ("uk_phone", "Card 4111 1111 1111 1111", false),
        ]
        for (type, text, expected) in cases {
            let found = detector.detect(text, asOf: asOf, session: session).personalData[type] != nil
            #expect(found == expected, "\(type): \"\(text)\"")
        }
    }
}
