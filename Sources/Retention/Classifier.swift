import Foundation
import Rules
import SweepModel

/// Applies a retention schedule to items.
public struct Classifier: Sendable {
    public let schedule: RetentionSchedule
    /// Some class or hold looks inside the text (`contains`): only then does classification read it.
    public let readsText: Bool

    public init(schedule: RetentionSchedule) {
        self.schedule = schedule
        readsText = schedule.classes.contains { !$0.when.contains.isEmpty } || schedule.holds.contains { !$0.when.contains.isEmpty }
    }

    /// An item's path, name and type as the conditions compare them, made once for every class and hold.
    struct Prepared {
        let path: [Unicode.Scalar]
        let name: [Unicode.Scalar]
        let ext: String?
        let mime: String?
        init(_ f: ItemFacts) {
            path = Glob.prepare(f.relativePath)
            name = Glob.prepare(f.name)
            ext = f.fileExtension?.lowercased()
            mime = f.mime?.lowercased()
        }
    }

    /// A `type` value as compared: lower case, without leading or trailing dots.
    static func typeKey(_ t: String) -> Substring {
        var v = Substring(t.lowercased())
        while v.first == "." { v = v.dropFirst() }
        while v.last == "." { v = v.dropLast() }
        return v
    }

    /// The keys of `c` that match, or nil when any given key does not (or none is given).
    /// `lowered` is the item's text lower-cased (UTF-8), read by `contains`.
    static func matchedKeys(_ c: RetentionSchedule.Condition, _ f: ItemFacts, _ p: Prepared, lowered: [UInt8]?) -> [String]? {
        var keys: [String] = []
        if !c.path.isEmpty {
            guard c.path.contains(where: { $0.matchesPathOrAncestor(prepared: p.path) }) else { return nil }
            keys.append("path")
        }
        if !c.name.isEmpty {
            guard c.name.contains(where: { $0.matches(prepared: p.name) }) else { return nil }
            keys.append("name")
        }
        if !c.contains.isEmpty {
            guard let lowered, c.contains.contains(where: { Classifier.containsPhrase(lowered, $0) }) else { return nil }
            keys.append("contains")
        }
        if !c.type.isEmpty {
            let ext = p.ext, mime = p.mime
            guard c.type.contains(where: { t in
                let v = String(typeKey(t))
                return v == ext || v == mime || (mime?.hasSuffix("/" + v) ?? false)
            }) else { return nil }
            keys.append("type")
        }
        if !c.marking.isEmpty {
            guard c.marking.contains(where: { f.markings.contains($0) }) else { return nil }
            keys.append("marking")
        }
        if !c.pii.isEmpty {
            guard c.pii.contains(where: { f.personalData.contains($0) }) else { return nil }
            keys.append("pii")
        }
        return keys.isEmpty ? nil : keys
    }

    public func classify(_ f: ItemFacts) -> Classification {
        var candidates: [(index: Int, cls: RetentionSchedule.Class, keys: [String])] = []
        let lowered = readsText ? f.text.map { Classifier.plainPunctuation(Array($0.lowercased().utf8)) } : nil   // once, for every `contains`
        let prepared = Prepared(f)
        for (i, c) in schedule.classes.enumerated() {
            if let keys = Classifier.matchedKeys(c.when, f, prepared, lowered: lowered) { candidates.append((i, c, keys)) }
        }
        let ranked = candidates.sorted { ($0.cls.priority, $0.keys.count, -$0.index) > ($1.cls.priority, $1.keys.count, -$1.index) }
        let winner = ranked.first
        let cls = winner?.cls ?? schedule.defaultClass

        let others = ranked.dropFirst().map { l in
            RetentionReason.Other(class: l.cls.id, matched: l.keys, lost:
                l.cls.priority < cls.priority ? "lower priority (\(l.cls.priority) < \(cls.priority))"
                : l.keys.count < winner!.keys.count ? "fewer matching keys (\(l.keys.count) < \(winner!.keys.count))"
                : "later in the schedule")
        }

        // Dates: the trigger, then the period.
        let start: Timestamp?
        switch cls.trigger {
        case .lastModified, .endOfFinancialYear: start = f.modified
        case .created: start = f.created ?? f.modified
        case .messageDate: start = f.messageDate ?? f.modified
        }
        var trigger: RetentionDates.Day? = start.map(RetentionDates.day)
        if cls.trigger == .endOfFinancialYear, let t = trigger { trigger = RetentionDates.endOfFinancialYear(t) }
        let disposal = cls.retain.flatMap { period in trigger.map { RetentionDates.add(period, to: $0).text } }
        let holds = schedule.holds.filter { Classifier.matchedKeys($0.when, f, prepared, lowered: lowered) != nil }.map(\.id)
        let reason = RetentionReason(class: cls.id, matched: winner?.keys ?? [],
                                     why: winner == nil ? "no class matched: the default class applies" : nil, others: others,
                                     trigger: cls.trigger.rawValue, retain: cls.retain.map(\.text) ?? "permanent", holds: holds.isEmpty ? nil : holds)
        return Classification(classID: cls.id, action: cls.action, triggerDate: trigger?.text, disposalDate: disposal,
                              holds: holds, reason: reason)
    }

    /// True when `text` (lower-cased UTF-8) holds `phrase` as whole words, in any case, its words separated by
    /// any run of whitespace ("purchase order" in "purchase\norder"), not inside longer words ("SAR" is not in
    /// "necessary", "form" not in "information"). Letters, digits and bytes of non-ASCII characters are word
    /// bytes.
    static func containsPhrase(_ text: [UInt8], _ phrase: String) -> Bool {
        let words = plainPunctuation(Array(phrase.lowercased().utf8)).split(whereSeparator: { $0 == 32 || (9...13).contains($0) })
            .map(Array.init)
        guard let first = words.first else { return false }
        /// Whether the character ending just before `i` / starting at `i` is a letter or digit (UTF-8 decoded:
        /// a curly quote, dash or bullet is no part of a word).
        func wordBefore(_ i: Int) -> Bool {
            guard i > 0 else { return false }
            var k = i - 1
            while k > 0 && text[k] & 0xC0 == 0x80 && i - k < 4 { k -= 1 }
            return isWordScalar(at: k)
        }
        func isWordScalar(at k: Int) -> Bool {
            guard k < text.count else { return false }
            let b = text[k]
            if b < 0x80 { return (b >= 48 && b <= 57) || (b >= 97 && b <= 122) || (b >= 65 && b <= 90) }
            let len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            guard k + len <= text.count, let s = String(validating: text[k..<k + len], as: UTF8.self)?.unicodeScalars.first else { return true }
            return s.properties.isAlphabetic || s.properties.numericType != nil
        }
        func isSpace(_ b: UInt8) -> Bool { b == 32 || (b >= 9 && b <= 13) }
        /// The end of `word` at `i` when it is there, else nil.
        func word(_ w: [UInt8], at i: Int) -> Int? {
            guard i + w.count <= text.count else { return nil }
            for k in 0..<w.count where text[i + k] != w[k] { return nil }
            return i + w.count
        }
        let firstIsWord = first[0] >= 0x80 || isWordByte(first[0])
        let last = words.last!
        let lastIsWord = last.last! >= 0x80 || isWordByte(last.last!)
        var i = 0
        while i + first.count <= text.count {
            defer { i += 1 }
            guard text[i] == first[0], !firstIsWord || !wordBefore(i), var end = word(first, at: i) else { continue }
            var matched = true
            for w in words.dropFirst() {
                var j = end
                while j < text.count && isSpace(text[j]) { j += 1 }
                guard j > end, let e = word(w, at: j) else { matched = false; break }
                end = e
            }
            if matched && (!lastIsWord || !isWordScalar(at: end)) { return true }
        }
        return false
    }

    static func isWordByte(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 97 && b <= 122) || (b >= 65 && b <= 90) }

    /// Lower-cased UTF-8 with typographic punctuation made plain: curly quotes and apostrophes as ASCII ones,
    /// no-break and narrow spaces as spaces (so "applicant’s" holds "applicant's" and "applicant").
    static func plainPunctuation(_ t: [UInt8]) -> [UInt8] {
        guard t.contains(where: { $0 >= 0xC2 }) else { return t }
        var out: [UInt8] = []
        out.reserveCapacity(t.count)
        var i = 0
        while i < t.count {
            let b = t[i]
            if b == 0xC2 && i + 1 < t.count && t[i + 1] == 0xA0 { out.append(32); i += 2; continue }
            if b == 0xE2 && i + 2 < t.count && t[i + 1] == 0x80 {
                switch t[i + 2] {
                case 0x98, 0x99, 0x9B: out.append(0x27); i += 3; continue          // ‘ ’ ‛
                case 0x9C, 0x9D, 0x9F: out.append(0x22); i += 3; continue          // “ ” ‟
                case 0x87, 0xAF, 0x80...0x8A: out.append(32); i += 3; continue     // figure, narrow and other spaces
                default: break
                }
            }
            out.append(b)
            i += 1
        }
        return out
    }
}
