import Foundation
import Rules
import SweepModel

extension Detector {
    /// Validates one candidate and judges its confidence; nil when it is not a value of the rule's type.
    func check(_ rule: DetectionRules.PersonalData, _ context: [[UInt8]], _ start: Int, _ end: Int, _ bytes: [UInt8], _ asOf: Timestamp) -> (value: String, confidence: String)? {
        let text = Substring(String(decoding: bytes[start..<end], as: UTF8.self))
        let hasContext = rule.context.isEmpty ? false : Detector.contextNear(context, start, end, bytes, window: rule.window)
        if rule.contextRequired && !hasContext { return nil }
        let value: String?
        switch rule.validator {
        case "nino": value = Validators.nino(text)
        case "nhs_number": value = Validators.nhsNumber(text)
        case "payment_card": value = Validators.paymentCard(text)
        case "iban": value = Validators.iban(text)
        case "uk_postcode": value = Validators.postcode(text)
        case "uk_phone": value = Validators.ukPhone(text)
        case "email":
            value = Detector.isMessageReference(start, bytes) ? nil : Validators.email(text)
        case "uk_passport": value = Validators.ukPassport(text)
        case "uk_driving_licence": value = Validators.drivingLicence(text)
        case "date_of_birth": value = Detector.birthDate(text, asOf: asOf)
        case "ip", "ipv4", "ipv6":
            value = Detector.isVersionNumber(start, bytes) ? nil : (Validators.ipv4(text) ?? Detector.strictIPv6(text))
        case "sort_code_account": value = Detector.sortCodeAccount(start, end, bytes)
        default: value = nil
        }
        guard let value else { return nil }
        if rule.bareNeedsContext && !hasContext && !text.contains(where: { $0 == " " || $0 == "-" }) {
            return (value, "low")
        }
        return (value, hasContext ? "high" : "medium")
    }

    /// ASCII lower case of a few bytes (only the bytes a check looks at are lowered, never the whole text).
    static func lowered(_ s: ArraySlice<UInt8>) -> [UInt8] { s.map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 } }

    /// A context word within `window` bytes before the candidate or 30 after it, as a whole word: the bytes
    /// before and after are read as one lower-cased region with a space where the candidate was. `words` are
    /// lower case already.
    static func contextNear(_ words: [[UInt8]], _ start: Int, _ end: Int, _ bytes: [UInt8], window: Int) -> Bool {
        let lo = max(0, start - window), hi = min(bytes.count, end + 30)
        let before = start - lo
        let count = before + 1 + (hi - end)
        return bytes.withUnsafeBufferPointer { b in
            @inline(__always) func at(_ i: Int) -> UInt8 {
                if i == before { return 32 }
                let c = i < before ? b[lo + i] : b[end + i - before - 1]
                return (c >= 65 && c <= 90) ? c + 32 : c
            }
            func occurs(_ needle: UnsafeBufferPointer<UInt8>) -> Bool {
                guard !needle.isEmpty, needle.count <= count else { return false }
                var i = 0
                while i + needle.count <= count {
                    if at(i) == needle[0] {
                        var k = 1
                        while k < needle.count && at(i + k) == needle[k] { k += 1 }
                        if k == needle.count {
                            let prev = i == 0 ? 32 : at(i - 1)
                            let next = i + needle.count < count ? at(i + needle.count) : 32
                            if !isWordByte(prev) && !isWordByte(next) { return true }
                        }
                    }
                    i += 1
                }
                return false
            }
            for w in words where w.withUnsafeBufferPointer(occurs) { return true }
            return false
        }
    }

    static func isWordByte(_ b: UInt8) -> Bool { (48...57).contains(b) || (97...122).contains(b) || (65...90).contains(b) }

    /// An address inside a Message-ID, References, In-Reply-To or Content-ID header, or a `cid:` image reference.
    static func isMessageReference(_ start: Int, _ bytes: [UInt8]) -> Bool {
        let from = max(0, start - 4)
        if lowered(bytes[from..<start]) == Array("cid:".utf8) { return true }
        var lineStart = start
        while lineStart > 0 && bytes[lineStart - 1] != 10 { lineStart -= 1 }
        let head = String(decoding: lowered(bytes[lineStart..<min(bytes.count, lineStart + 16)]), as: UTF8.self)
        return ["message-id:", "references:", "in-reply-to:", "content-id:", "thread-index:"].contains { head.hasPrefix($0) }
            || (start > 0 && bytes[start - 1] == UInt8(ascii: "<") && head.hasPrefix(" "))
    }

    /// "version 1.2.3.4", "v10.0.0.1": a software version, not an address.
    static func isVersionNumber(_ start: Int, _ bytes: [UInt8]) -> Bool {
        let before = String(decoding: lowered(bytes[max(0, start - 10)..<start]), as: UTF8.self)
        return before.hasSuffix("v") || before.hasSuffix("version ") || before.hasSuffix("ver ") || before.hasSuffix("version: ")
            || before.hasSuffix("build ") || before.hasSuffix("release ")
    }

    /// IPv6 that is not a clock time or a ratio: eight groups, or a `::` with a hex letter or a long group.
    static func strictIPv6(_ s: Substring) -> String? {
        guard let v = Validators.ipv6(s) else { return nil }
        let groups = v.split(separator: ":")
        guard v.contains("::") || groups.count == 8 else { return nil }
        guard groups.contains(where: { $0.count >= 3 || $0.contains(where: { $0.isLetter }) }) else { return nil }
        return v
    }

    static let months = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
                         "nov": 11, "dec": 12]

    /// A real date (UK day-first order), no later than `asOf` and no more than 120 years before it.
    static func birthDate(_ s: Substring, asOf: Timestamp) -> String? {
        let lower = s.lowercased()
        var y = 0, m = 0, d = 0
        let parts = lower.split(whereSeparator: { "/.- ".contains($0) })
        if parts.count == 3, parts[0].count == 4, let yy = Int(parts[0]), let mm = Int(parts[1]), let dd = Int(parts[2]) {
            (y, m, d) = (yy, mm, dd)
        } else if parts.count == 3, let dd = Int(parts[0].prefix(while: \.isNumber)), let yy = Int(parts[2]) {
            if let mm = Int(parts[1]) { m = mm } else if let mm = months[String(parts[1].prefix(3))] { m = mm } else { return nil }
            d = dd
            y = yy
            if parts[2].count == 2 {
                let century = Int(asOf.iso8601.prefix(4))! / 100 * 100
                y = century + yy > Int(asOf.iso8601.prefix(4))! ? century - 100 + yy : century + yy
            }
        } else { return nil }
        // "%04d-%02d-%02d" without Foundation's formatter (every part is at least 0 here).
        func padded(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.utf8.count >= width ? s : String(repeating: "0", count: width - s.utf8.count) + s
        }
        let text = padded(y, 4) + "-" + padded(m, 2) + "-" + padded(d, 2)
        guard let date = Timestamp.parse(text), date <= asOf else { return nil }
        let years = Double(asOf.seconds - date.seconds) / (365.25 * 86400)
        return years <= 120 ? text : nil
    }

    /// A sort code followed within 40 characters by an eight-digit account number: the pair is the value.
    static func sortCodeAccount(_ start: Int, _ end: Int, _ bytes: [UInt8]) -> String? {
        let sort = bytes[start..<end].filter { (48...57).contains($0) }
        guard sort.count == 6 else { return nil }
        let hi = min(bytes.count, end + 40)
        var i = end
        while i < hi {
            if (48...57).contains(bytes[i]) && (i == 0 || !isWordByte(bytes[i - 1])) {
                var j = i
                while j < bytes.count && (48...57).contains(bytes[j]) { j += 1 }
                if j - i == 8 && (j == bytes.count || !isWordByte(bytes[j])) {
                    return String(decoding: sort, as: UTF8.self) + String(decoding: bytes[i..<j], as: UTF8.self)
                }
                i = j
            } else { i += 1 }
        }
        return nil
    }
}
