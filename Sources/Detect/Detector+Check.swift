import Foundation
import Rules
import SweepModel

extension Detector {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Validates one candidate and judges its confidence; nil when it is not a value of the rule's type.
    func check(_ rule: DetectionRules.PersonalData, _ context: [[UInt8]], _ start: Int, _ end: Int, _ bytes: [UInt8], _ asOf: Timestamp,
               tables: TableHeaders? = nil) -> (value: String, confidence: String)? {
        bytes.withUnsafeBufferPointer { check(rule, context, start, end, $0, asOf, tables: tables) }
    }

    /// ``check(_:_:_:_:_:_:)`` over the item's bytes: reads the candidate where it lies and makes a String only
    /// for a value it accepts.
    /// A context word counts near the value; for a value in a table's row (``TableHeaders``), in its row or in
    /// its column's header, not in the other rows around it.
    func check(_ rule: DetectionRules.PersonalData, _ context: [[UInt8]], _ start: Int, _ end: Int, _ bytes: Bytes, _ asOf: Timestamp,
               tables: TableHeaders? = nil) -> (value: String, confidence: String)? {
        let text = Bytes(rebasing: bytes[start..<end])
        var place: TableHeaders.Place??   // looked up once, when context is first asked for
        func named(_ words: [[UInt8]], window: Int) -> Bool {
            if place == nil { place = .some(tables?.place(start, end)) }
            if let p = place!, let tables {
                return Detector.contextNear(words, start, end, bytes, window: min(window, start - p.row))
                    || p.header.map { tables.header($0, has: words) } == true
            }
            return Detector.contextNear(words, start, end, bytes, window: window)
                // A sort code under a table's headings: dates in other columns must not become birth dates.
                || rule.validator == "sort_code_account" && Detector.blockHeaderHas(words, start, bytes)
        }
        func near() -> Bool { !rule.context.isEmpty && named(context, window: rule.window) }
        if rule.contextRequired && !near() { return nil }
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
            value = Detector.isVersionNumber(start, bytes) ? nil : (Validators.ipv4(text) ?? Validators.ipv6(text, strict: true))
        case "sort_code_account":
            value = Detector.sortCodeAccount(start, end, bytes) { named(Detector.sortCodeWords, window: 60) }
        default: value = nil
        }
        guard let value else { return nil }
        if rule.validator != "email" && Detector.insideEncodedText(start, end, bytes) { return nil }
        switch rule.validator {
        case "nhs_number":
            if Detector.looksLikePhoneNumber(start, end, bytes) && !near() { return nil }
        case "payment_card":
            if !Detector.cardGrouping(text) || Detector.partOfNumber(start, end, bytes) { return nil }
        case "ip", "ipv4":
            if Detector.isNumberedHeading(start, end, bytes) { return nil }
        default: break
        }
        // Context is looked for only now when the rule does not require it (most candidates are refused first).
        let hasContext = rule.contextRequired || near()
        if rule.bareNeedsContext && !hasContext && !Validators.hasCharacter(text, UInt8(ascii: " "), UInt8(ascii: "-")) {
            return (value, "low")
        }
        return (value, hasContext ? "high" : "medium")
    }

    /// A context word in the header line of the block the candidate sits in: a line above it, with no blank line
    /// between, that holds no digit (a table's column headings, as a PDF or a mail body writes a table: "Payee
    /// Postcode Sort Code Account No" over its rows).
    static func blockHeaderHas(_ words: [[UInt8]], _ start: Int, _ b: Bytes) -> Bool {
        var lineStart = start
        while lineStart > 0 && b[lineStart - 1] != 10 { lineStart -= 1 }
        var lines = 0
        while lineStart > 0 && lines < 40 && start - lineStart < 4000 {
            let end = lineStart - 1
            var ls = end
            while ls > 0 && b[ls - 1] != 10 { ls -= 1 }
            let line = Bytes(rebasing: b[ls..<end])
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return false }   // a blank line ends the block
            if !line.contains(where: { $0 &- 48 < 10 }) && contextNear(words, ls, ls, b, window: 0, after: end - ls) { return true }
            lineStart = ls
            lines += 1
        }
        return false
    }

    /// A context word within `window` bytes before the candidate or 30 after it, as a whole word: the bytes
    /// before and after are read as one lower-cased region with a space where the candidate was. `words` are
    /// lower case already. A word after the candidate counts only in its line and sentence: in "dated
    /// 02/04/2024. Date of birth: …" and "seen 02/04/2024\nDOB: …" the words introduce the next value.
    static func contextNear(_ words: [[UInt8]], _ start: Int, _ end: Int, _ b: Bytes, window: Int, after: Int = 30) -> Bool {
        let lo = max(0, start - window)
        var hi = min(b.count, end + after)
        for k in end..<hi where b[k] == 10 || b[k] == 13 || ((b[k] == UInt8(ascii: ".") || b[k] == UInt8(ascii: ";"))
                                                             && (k + 1 == b.count || b[k + 1] == 32 || b[k + 1] == 10 || b[k + 1] == 13)) {
            hi = k
            break
        }
        let before = start - lo
        let count = before + 1 + (hi - end)
        guard count > 0 else { return false }
        // The region lowered once, between two spaces that stand for what lies beyond it.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 2) { r in
            r[0] = 32
            r[count + 1] = 32
            func copyLowered(_ from: Int, _ n: Int, to: Int) {
                guard n > 0 else { return }
                let source = b.baseAddress! + from, target = r.baseAddress! + to
                for k in 0..<n {
                    let c = source[k]
                    target[k] = c &- 65 < 26 ? c | 32 : c
                }
            }
            if before >= 0 {
                copyLowered(lo, before, to: 1)
                r[before + 1] = 32
                copyLowered(end, hi - end, to: before + 2)
            } else {
                copyLowered(end - before - 1, count, to: 1)   // a negative window: the region starts past the candidate
            }
            let region = UnsafeMutableRawPointer(r.baseAddress! + 1)
            for w in words where !w.isEmpty && w.count <= count {
                let found = w.withUnsafeBufferPointer { needle -> Bool in
                    var i = 0
                    let last = count - needle.count
                    while i <= last, let hit = memchr(region + i, Int32(needle[0]), last - i + 1) {
                        i = region.distance(to: hit)
                        if memcmp(hit, needle.baseAddress!, needle.count) == 0
                            && !isWordByte(r[i]) && !isWordByte(r[i + needle.count + 1]) { return true }
                        i += 1
                    }
                    return false
                }
                if found { return true }
            }
            return false
        }
    }

    /// A candidate inside base64 or uuencoded text (an attachment's encoding left in a body, a data URI):
    /// its whitespace-free run is 40 or more base64 characters, or its line is a uuencode line.
    static func insideEncodedText(_ start: Int, _ end: Int, _ b: Bytes) -> Bool {
        func isSpace(_ x: UInt8) -> Bool { x == 32 || x == 9 || x == 10 || x == 13 }
        func isBase64(_ x: UInt8) -> Bool { isWordByte(x) || x == 43 || x == 47 || x == 61 }
        var lo = start, hi = end
        while lo > 0 && !isSpace(b[lo - 1]) && start - lo < 4096 { lo -= 1 }
        while hi < b.count && !isSpace(b[hi]) && hi - end < 4096 { hi += 1 }
        if hi - lo >= 40 && (lo..<hi).allSatisfy({ isBase64(b[$0]) }) {
            // A long run of letters and digits alone can be a reference or a hash; base64 mixes cases and digits.
            var upper = false, lower = false, digit = false
            for k in lo..<hi { let x = b[k]; if x &- 65 < 26 { upper = true } else if x &- 97 < 26 { lower = true } else if x &- 48 < 10 { digit = true } }
            if upper && lower && digit { return true }
        }
        // uuencode: a line of 61 characters starting with M (45 bytes), every one between space and backquote.
        var ls = start, le = end
        while ls > 0 && b[ls - 1] != 10 { ls -= 1 }
        while le < b.count && b[le] != 10 && b[le] != 13 { le += 1 }
        if le - ls == 61 && b[ls] == UInt8(ascii: "M") && (ls..<le).allSatisfy({ (32...96).contains(b[$0]) }) { return true }
        return false
    }

    static let phoneWords = ["tel", "tel.", "telephone", "phone", "fax", "call", "mobile", "cell", "toll-free", "toll free", "ext", "freephone"]
        .map { Array($0.utf8) }

    /// A ten-digit candidate written as a North American phone number: after `1-`, `+1` or `(`, or after a
    /// phone word.
    static func looksLikePhoneNumber(_ start: Int, _ end: Int, _ b: Bytes) -> Bool {
        if start >= 2 && (b[start - 2] == UInt8(ascii: "1") || b[start - 2] == UInt8(ascii: "+")) && (b[start - 1] == UInt8(ascii: "-") || b[start - 1] == 32) {
            return true
        }
        if start >= 1 && (b[start - 1] == UInt8(ascii: "(") || b[start - 1] == UInt8(ascii: "+")) { return true }
        // The rest of a UK number written internationally: "+44 113 …", "0044 113 …", "+44 (0) 300 …".
        let before = String(decoding: b[max(0, start - 10)..<start], as: UTF8.self).replacingOccurrences(of: " ", with: "")
        if before.hasSuffix("+44") || before.hasSuffix("0044") || before.hasSuffix("(0)") || before.hasSuffix("+44(0)") { return true }
        return contextNear(phoneWords, start, end, b, window: 40, after: 0)
    }

    /// Card digits written in groups the way cards print them: fours (the last may be shorter), or 4-6-5 and 4-6-4.
    static func cardGrouping(_ text: Bytes) -> Bool {
        var groups: [Int] = [], n = 0
        for x in text {
            if x &- 48 < 10 { n += 1 } else { if n > 0 { groups.append(n) }; n = 0 }
        }
        if n > 0 { groups.append(n) }
        if groups.count == 1 { return true }
        if groups == [4, 6, 5] || groups == [4, 6, 4] { return true }
        return groups.dropLast().allSatisfy { $0 == 4 } && (1...4).contains(groups.last!)
    }

    /// A candidate that is part of a longer number: after a decimal point or a digit and a comma, or before a decimal part.
    static func partOfNumber(_ start: Int, _ end: Int, _ b: Bytes) -> Bool {
        if start >= 2 && (b[start - 1] == UInt8(ascii: ".") || b[start - 1] == UInt8(ascii: ",")) && b[start - 2] &- 48 < 10 { return true }
        if end + 1 < b.count && (b[end] == UInt8(ascii: ".") || b[end] == UInt8(ascii: ",")) && b[end + 1] &- 48 < 10 { return true }
        return false
    }

    /// A dotted number that heads a line and is followed by words: a numbered heading (`1.3.2.1 Scope`).
    static func isNumberedHeading(_ start: Int, _ end: Int, _ b: Bytes) -> Bool {
        var i = start
        while i > 0 && (b[i - 1] == 32 || b[i - 1] == 9) { i -= 1 }
        guard i == 0 || b[i - 1] == 10 || b[i - 1] == 13 || b[i - 1] == 12 else { return false }
        var j = end
        if j < b.count && (b[j] == UInt8(ascii: ".") || b[j] == UInt8(ascii: ")")) { j += 1 }
        guard j < b.count, b[j] == 32 || b[j] == 9 else { return false }
        while j < b.count && (b[j] == 32 || b[j] == 9) { j += 1 }
        return j < b.count && (b[j] &- 65 < 26 || b[j] &- 97 < 26 || b[j] >= 0x80)
    }

    static func isWordByte(_ b: UInt8) -> Bool { (48...57).contains(b) || (97...122).contains(b) || (65...90).contains(b) }

    static let referenceHeaders = ["message-id:", "references:", "in-reply-to:", "content-id:", "thread-index:"]
    static let referenceHeaderBytes = referenceHeaders.map { Array($0.utf8) }

    /// An address inside a Message-ID, References, In-Reply-To or Content-ID header, or a `cid:` image reference.
    static func isMessageReference(_ start: Int, _ b: Bytes) -> Bool {
        if start >= 4 && lowered(b, start - 4, "cid:".utf8) { return true }
        var lineStart = start
        while lineStart > 0 && b[lineStart - 1] != 10 { lineStart -= 1 }
        let head = Bytes(rebasing: b[lineStart..<min(b.count, lineStart + 16)])
        let afterAngle = start > 0 && b[start - 1] == UInt8(ascii: "<")
        if head.allSatisfy({ $0 < 0x80 }) {
            return referenceHeaderBytes.contains { h in h.count <= head.count && lowered(head, 0, h) }
                || (afterAngle && head.first == 32)
        }
        // Text outside ASCII: the line's start read as Characters (a mark after the colon is part of it).
        let text = String(decoding: head.map { $0 &- 65 < 26 ? $0 + 32 : $0 }, as: UTF8.self)
        return referenceHeaders.contains { text.hasPrefix($0) } || (afterAngle && text.hasPrefix(" "))
    }

    /// Whether the bytes at `at` are `word` (lower case ASCII) when ASCII letters are lowered.
    static func lowered(_ b: Bytes, _ at: Int, _ word: some Collection<UInt8>) -> Bool {
        var i = at
        for w in word {
            let c = b[i]
            if (c &- 65 < 26 ? c + 32 : c) != w { return false }
            i += 1
        }
        return true
    }

    static let versionWords = ["v", "version ", "ver ", "version: ", "build ", "release ",
                               "section ", "paragraph ", "para ", "para. ", "clause ", "figure ", "fig. ", "table ", "appendix ",
                               "annex ", "schedule ", "chapter ", "item ", "step ", "part ", "regulation ", "reg. ", "rule ",
                               "article ", "page ", "point ", "note ", "§", "§ "]
    static let versionWordBytes = versionWords.map { Array($0.utf8) }

    /// "version 1.2.3.4", "build 10.0.0.1": a software version, not an address; "section 3.2.1.4",
    /// "paragraph 1.2.3.4": a numbered part of a document. The word must start a word: "Server 192.0.2.1" and
    /// "over 10.0.0.1" are addresses.
    static func isVersionNumber(_ start: Int, _ b: Bytes) -> Bool {
        versionWordBytes.contains { w in
            let at = start - w.count
            guard at >= 0, lowered(b, at, w) else { return false }
            return at == 0 || !isWordByte(b[at - 1])
        }
    }

    static let monthNames: [UInt32] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .map { $0.utf8.reduce(0) { $0 << 8 | UInt32($1) } }

    /// A real date (UK day-first order), no later than `asOf` and no more than 120 years before it.
    static func birthDate(_ s: Substring, asOf: Timestamp) -> String? {
        Validators.withBytes(s) { birthDate($0, asOf: asOf) }
    }

    static func birthDate(_ b: Bytes, asOf: Timestamp) -> String? {
        if Validators.isPlain(b) { return birthDate(units: b, asOf: asOf) }
        return Validators.units(String(decoding: b, as: UTF8.self).lowercased()).withUnsafeBufferPointer {
            birthDate(units: $0, asOf: asOf)
        }
    }

    /// ``birthDate(_:asOf:)`` over units (``Validators/units(_:)``) of the lower-cased text, or plain ASCII in
    /// either case: three parts split by / . - or space; year-month-day when the first part is four
    /// characters and all three are numbers; month (a name) day year when the first part is a month's name;
    /// else day (leading digits) month (a number or a name's first three letters) year, a two-digit year in the
    /// century that puts it no later than `asOf`'s year. Commas separate too, and an "of" between parts is
    /// passed over ("14th of March, 1985").
    static func birthDate(units u: Bytes, asOf: Timestamp) -> String? {
        var parts: (Bytes, Bytes, Bytes) = (Bytes(start: nil, count: 0), Bytes(start: nil, count: 0), Bytes(start: nil, count: 0))
        var n = 0, i = 0
        func isSeparator(_ x: UInt8) -> Bool {
            x == UInt8(ascii: "/") || x == UInt8(ascii: ".") || x == UInt8(ascii: "-") || x == UInt8(ascii: " ") || x == UInt8(ascii: ",")
        }
        while i < u.count {
            if isSeparator(u[i]) { i += 1; continue }
            let from = i
            while i < u.count && !isSeparator(u[i]) { i += 1 }
            let part = Bytes(rebasing: u[from..<i])
            if i - from == 2 && (u[from] | 32) == UInt8(ascii: "o") && (u[from + 1] | 32) == UInt8(ascii: "f") { continue }   // "14th of March"
            switch n {
            case 0: parts.0 = part
            case 1: parts.1 = part
            case 2: parts.2 = part
            default: return nil
            }
            n += 1
        }
        guard n == 3 else { return nil }
        let int = Validators.int
        let y: Int, m: Int, d: Int
        if parts.0.count == 4, let yy = int(parts.0), let mm = int(parts.1), let dd = int(parts.2) {
            (y, m, d) = (yy, mm, dd)
        } else if let mm = month(parts.0), let dd = int(Bytes(rebasing: parts.1.prefix(while: Validators.unitIsNumber))),
                  parts.2.count == 4, let yy = int(parts.2) {
            (y, m, d) = (yy, mm, dd)   // "March 14, 1985"
        } else if let dd = int(Bytes(rebasing: parts.0.prefix(while: Validators.unitIsNumber))), let yy = int(parts.2) {
            if let mm = int(parts.1) { m = mm } else if let mm = month(parts.1) { m = mm } else { return nil }
            d = dd
            if parts.2.count == 2 {
                let year = Detector.year(of: asOf)
                let century = year / 100 * 100
                y = century + yy > year ? century - 100 + yy : century + yy
            } else { y = yy }
        } else { return nil }
        return birthDate(y, m, d, asOf: asOf)
    }

    /// The month whose name's first three letters begin `u` (either case).
    static func month(_ u: Bytes) -> Int? {
        guard u.count >= 3 else { return nil }
        let key = u.prefix(3).reduce(UInt32(0)) { $0 << 8 | UInt32($1 &- 65 < 26 ? $1 + 32 : $1) }
        return monthNames.firstIndex(of: key).map { $0 + 1 }
    }

    /// `YYYY-MM-DD` when year, month and day (none negative) make a real date from 120 years before `asOf` up
    /// to it; what `Timestamp.parse` of that text accepts. Years from 1700 to 2200 are reckoned here; any
    /// other is handed to `Timestamp.parse` itself.
    static func birthDate(_ y: Int, _ m: Int, _ d: Int, asOf: Timestamp) -> String? {
        guard (1...12).contains(m), (1...31).contains(d) else { return nil }   // Timestamp.parse refuses these
        let date: Timestamp
        if (1700...2200).contains(y) {
            guard d <= daysIn(m, y) else { return nil }
            date = Timestamp(seconds: Int64(daysFromCivil(y, m, d)) * 86400)
        } else {
            guard let parsed = Timestamp.parse(dateText(y, m, d)) else { return nil }
            date = parsed
        }
        guard date <= asOf else { return nil }
        let years = Double(asOf.seconds - date.seconds) / (365.25 * 86400)
        return years <= 120 ? dateText(y, m, d) : nil
    }

    /// "%04d-%02d-%02d" (every part at least 0).
    static func dateText(_ y: Int, _ m: Int, _ d: Int) -> String {
        func padded(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.utf8.count >= width ? s : String(repeating: "0", count: width - s.utf8.count) + s
        }
        if (0...9999).contains(y) && (0...99).contains(m) && (0...99).contains(d) {
            return String(unsafeUninitializedCapacity: 10) { out in
                func put(_ v: Int, at: Int, width: Int) {
                    var v = v
                    for k in stride(from: at + width - 1, through: at, by: -1) { out[k] = UInt8(48 + v % 10); v /= 10 }
                }
                put(y, at: 0, width: 4)
                out[4] = UInt8(ascii: "-")
                put(m, at: 5, width: 2)
                out[7] = UInt8(ascii: "-")
                put(d, at: 8, width: 2)
                return 10
            }
        }
        return padded(y, 4) + "-" + padded(m, 2) + "-" + padded(d, 2)
    }

    static func isLeapYear(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysIn(_ m: Int, _ y: Int) -> Int {
        switch m {
        case 2: return isLeapYear(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (as timegm counts them).
    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The UTC calendar year of a moment, as gmtime gives it (what `Int(asOf.iso8601.prefix(4))` reads; a
    /// Timestamp's range, 1677 to 2262, always has four digits).
    static func year(of t: Timestamp) -> Int {
        let s = Int(t.seconds)
        let z = (s >= 0 ? s / 86400 : (s - 86399) / 86400) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        return yoe + era * 400 + (mp >= 10 ? 1 : 0)
    }

    static let sortCodeWords = ["sort", "sortcode", "bank"].map { Array($0.utf8) }

    /// A sort code with an eight-digit account number within 40 characters after it, or else before it
    /// ("Account number 12345678, sort code 20-00-00"): the pair is the value. A sort code that reads as a
    /// date needs "sort" or "bank" near (`named`).
    static func sortCodeAccount(_ start: Int, _ end: Int, _ b: Bytes, named: () -> Bool) -> String? {
        var sort = Validators.Short()
        for x in b[start..<end] where Validators.isDigit(x) { sort.append(x) }
        guard sort.count == 6 else { return nil }
        /// The eight-digit numbers standing alone that start in `from..<to`, in order.
        func accounts(_ from: Int, _ to: Int) -> [Range<Int>] {
            var found: [Range<Int>] = []
            var i = from
            while i < to {
                if Validators.isDigit(b[i]) && (i == 0 || !isWordByte(b[i - 1])) {
                    var j = i
                    while j < b.count && Validators.isDigit(b[j]) { j += 1 }
                    if j - i == 8 && (j == b.count || !isWordByte(b[j])) { found.append(i..<j) }
                    i = j
                } else { i += 1 }
            }
            return found
        }
        let account = accounts(end, min(b.count, end + 40)).first
            ?? accounts(max(0, start - 40), start).last { $0.upperBound <= start }
        guard let account else { return nil }
        // dd-mm-yy: a date unless the words near name a sort code or a bank ("account" alone is not enough:
        // "Council tax account 44097603, bill issued 12-04-23").
        let day = Int(sort[0] - 48) * 10 + Int(sort[1] - 48), month = Int(sort[2] - 48) * 10 + Int(sort[3] - 48)
        if (1...31).contains(day) && (1...12).contains(month) && !named() { return nil }
        return sort.string() + String(decoding: Bytes(rebasing: b[account]), as: UTF8.self)
    }
}
