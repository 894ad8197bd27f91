import Foundation
import Rules

/// Finds protective markings where they live: the first and last lines of the text, an email's subject
/// prefix, `X-Protective-Marking` and `msip_labels` headers. A line is a marking only when it is a label
/// and nothing but descriptors, caveats and separators (markings.yaml); prose is never one.
struct MarkingReader: Sendable {
    struct Found: Sendable {
        let label: String
        let strength: String
        let location: String
        let text: String
    }

    /// The descriptors, handling instructions and caveats a marking line carries after its label
    /// (`OFFICIAL-SENSITIVE: PERSONAL` → `PERSONAL`), in the rules' spelling, in the order written.
    func descriptors(of raw: String) -> [String] {
        var line = Substring(raw.trimmingCharacters(in: .whitespacesAndNewlines).uppercased())
        if line.hasPrefix("[") { line = line.dropFirst() }
        if let sec = line.range(of: "SEC=") { line = line[sec.upperBound...] }
        while let f = line.unicodeScalars.first, MarkingReader.separators.contains(f) { line = line.dropFirst() }
        if line.hasPrefix("UK ") { line = line.dropFirst(3) }
        guard let spelling = spellings.first(where: { line.hasPrefix($0.0.uppercased()) }) else { return [] }
        var rest = line.dropFirst(spelling.0.count)
        var out: [String] = []
        func skipSeparators() { while let f = rest.unicodeScalars.first, MarkingReader.separators.contains(f) { rest = rest.dropFirst() } }
        skipSeparators()
        while !rest.isEmpty {
            guard let d = descriptors.first(where: { rest.hasPrefix($0) && (rest.count == $0.count || !rest.dropFirst($0.count).first!.isLetter) })
            else {
                // "<ORGANISATION> USE ONLY" as a whole.
                let text = String(rest).trimmingCharacters(in: CharacterSet(charactersIn: " ]);,"))
                if text.hasSuffix("USE ONLY") && text.count <= 60 { out.append(text) }
                break
            }
            out.append(d)
            rest = rest.dropFirst(d.count)
            skipSeparators()
        }
        return out
    }

    /// (spelling, label, case-sensitive), longest spelling first so OFFICIAL-SENSITIVE wins over OFFICIAL.
    let spellings: [(String, String, Bool)]
    let descriptors: [String]
    /// Lead-in words in capitals, longest first.
    let leadIns: [String]
    let labelIDs: [String: String]

    init(_ rules: DetectionRules.Markings) {
        var s: [(String, String, Bool)] = []
        for l in rules.labels {
            for sp in l.spellings { s.append((sp, l.label, true)) }
            for sp in l.mixedCase { s.append((sp, l.label, true)) }
        }
        spellings = s.sorted { $0.0.count > $1.0.count }
        descriptors = rules.descriptors.sorted { $0.count > $1.count }
        leadIns = rules.leadIns.map { $0.uppercased() }.sorted { $0.count > $1.count }
        labelIDs = Dictionary(rules.labelIDs.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// The first and last `count` non-empty lines (trimmed), with their byte offsets, reading only the edges.
    static func edgeLines(_ u: [UInt8], count: Int) -> (top: [(offset: Int, line: String)], bottom: [(offset: Int, line: String)]) {
        func trimmed(_ a: Int, _ b: Int) -> String? {
            var lo = a, hi = b
            while lo < hi && (u[lo] == 32 || u[lo] == 9 || u[lo] == 13) { lo += 1 }
            while hi > lo && (u[hi - 1] == 32 || u[hi - 1] == 9 || u[hi - 1] == 13) { hi -= 1 }
            return lo < hi ? String(decoding: u[lo..<hi], as: UTF8.self) : nil
        }
        var top: [(Int, String)] = []
        var start = 0
        while top.count < count && start < u.count {
            var end = start
            while end < u.count && u[end] != 10 { end += 1 }
            if let l = trimmed(start, end) { top.append((start, l)) }
            start = end + 1
        }
        var bottom: [(Int, String)] = []
        var end = u.count
        while bottom.count < count && end > 0 {
            var begin = end
            while begin > 0 && u[begin - 1] != 10 { begin -= 1 }
            if let l = trimmed(begin, end) { bottom.insert((begin, l), at: 0) }
            end = begin - 1
        }
        return (top, bottom)
    }

    /// The parts of a header or footer line set apart by tabs, two or more spaces, or " | ": none when there is
    /// only one.
    static func cells(_ line: Substring) -> [Substring] {
        var out: [Substring] = []
        var start = line.startIndex, i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            let next = line.index(after: i)
            var gap: String.Index?
            if c == "\t" { gap = next }
            else if c == " ", next < line.endIndex, line[next] == " " || line[next] == "|" { gap = next }
            else if c == "|" { gap = next }
            if let g = gap {
                var end = g
                while end < line.endIndex, line[end] == " " || line[end] == "\t" || line[end] == "|" { end = line.index(after: end) }
                out.append(line[start..<i])
                start = end
                i = end
            } else {
                i = next
            }
        }
        out.append(line[start...])
        out = out.filter { !$0.allSatisfy(\.isWhitespace) }
        return out.count > 1 ? out : []
    }

    static let separators = Set(" \t-–—:/[]()|,.*_=".unicodeScalars)

    /// The label when `line` is a marking and nothing else.
    func label(of raw: String, caseInsensitive: Bool = false) -> String? {
        // Trimmed of the scalars of CharacterSet.whitespacesAndNewlines (White_Space and the zero-width space)
        // without a trip through NSString, which copied every candidate line.
        func space(_ u: Unicode.Scalar) -> Bool { u.properties.isWhitespace || u == "\u{200B}" }
        var scalars = Substring(raw).unicodeScalars
        while let f = scalars.first, space(f) { scalars = scalars.dropFirst() }
        while let l = scalars.last, space(l) { scalars = scalars.dropLast() }
        var line = Substring(scalars)
        while let f = line.unicodeScalars.first, MarkingReader.separators.contains(f) { line = line.dropFirst() }
        guard !line.isEmpty, line.prefix(101).count <= 100 else { return nil }   // walks 101 characters at most
        line = withoutLeadIn(line)
        if line.hasPrefix("UK ") { line = line.dropFirst(3) }
        for (spelling, label, _) in spellings {
            let matched = caseInsensitive ? line.uppercased().hasPrefix(spelling.uppercased()) : line.hasPrefix(spelling)
            guard matched else { continue }
            var rest = line.dropFirst(spelling.count)
            // The spelling must end at a word boundary: "OFFICIALLY" is not OFFICIAL.
            if let c = rest.first, c.isLetter || c.isNumber { continue }
            if onlyDescriptors(&rest, caseInsensitive: caseInsensitive) { return label }
            return nil
        }
        return nil
    }

    /// `line` after a lead-in and its colon or dash ("Classification: OFFICIAL" → "OFFICIAL"); `line` when it has
    /// none.
    func withoutLeadIn(_ line: Substring) -> Substring {
        guard !leadIns.isEmpty, let f = line.first, f.isLetter else { return line }
        let upper = line.prefix(40).uppercased()
        for lead in leadIns where upper.hasPrefix(lead) {
            var rest = line.dropFirst(lead.count)
            while rest.first == " " { rest = rest.dropFirst() }
            guard let c = rest.first, c == ":" || c == "-" || c == "–" else { continue }
            rest = rest.dropFirst()
            while rest.first == " " { rest = rest.dropFirst() }
            return rest
        }
        return line
    }

    /// Reply and forward prefixes of a subject line, in the languages Outlook writes them.
    static let replyPrefixes = ["RE", "FW", "FWD", "AW", "WG", "TR", "SV", "VS", "RV", "ANTW"]

    /// `subject` without its leading "RE:", "FW:", "Fwd:", "RE[2]:" prefixes.
    static func withoutReplyPrefixes(_ subject: String) -> Substring {
        var s = Substring(subject)
        while true {
            while s.first == " " { s = s.dropFirst() }
            let word = s.prefix { $0.isLetter }
            guard replyPrefixes.contains(word.uppercased()) else { return s }
            var rest = s.dropFirst(word.count)
            if rest.first == "[", let close = rest.firstIndex(of: "]"), rest[rest.index(after: rest.startIndex)..<close].allSatisfy(\.isNumber) {
                rest = rest[rest.index(after: close)...]
            }
            while rest.first == " " { rest = rest.dropFirst() }
            guard rest.first == ":" else { return s }
            s = rest.dropFirst()
        }
    }

    /// The marking a subject carries: a prefix ("OFFICIAL: …", after any "RE:" and "FW:"), or a bracketed
    /// marking anywhere in it ("[OFFICIAL-SENSITIVE] …", "… [SEC=OFFICIAL:Sensitive]").
    func subjectLabel(_ subject: String) -> String? {
        let s = MarkingReader.withoutReplyPrefixes(subject)
        var rest = s[...]
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            var inside = String(rest[rest.index(after: open)..<close])
            if let sec = inside.range(of: "SEC=") { inside = String(inside[sec.upperBound...]) }
            if let l = label(of: inside) { return l }
            rest = rest[rest.index(after: close)...]
        }
        if let colon = s.firstIndex(of: ":"), let l = label(of: String(s[..<colon])) { return l }
        return nil
    }

    /// True when what follows the label is separators and known descriptors only (or "<ORG> USE ONLY").
    func onlyDescriptors(_ rest: inout Substring, caseInsensitive: Bool) -> Bool {
        func skipSeparators() { while let f = rest.unicodeScalars.first, MarkingReader.separators.contains(f) { rest = rest.dropFirst() } }
        skipSeparators()
        while !rest.isEmpty {
            let upper = caseInsensitive ? rest.uppercased() : String(rest)
            if let d = descriptors.first(where: { upper.hasPrefix($0) && (upper.count == $0.count || !upper.dropFirst($0.count).first!.isLetter) }) {
                rest = rest.dropFirst(d.count)
                skipSeparators()
                continue
            }
            // "<ORGANISATION> USE ONLY", written in capitals.
            let text = String(rest)
            if text == text.uppercased(), text.hasSuffix("USE ONLY"), text.count <= 60 { return true }
            return false
        }
        return true
    }

    /// The markings in `bytes` (a text's UTF-8) and its `headers`.
    func read(bytes: [UInt8], headers: [String: String]) -> [Found] {
        var found: [Found] = []
        // Email headers: the strongest evidence after label metadata.
        if let subject = headers["subject"], let l = subjectLabel(subject) {
            found.append(Found(label: l, strength: "strong", location: "subject", text: subject))
        }
        for name in ["x-protective-marking", "x-classification", "x-security-classification", "x-sensitivity-label"] {
            guard let header = headers[name] else { continue }
            // `VER=2018.4, NS=gov.au, SEC=OFFICIAL:Sensitive, …` (any case, spaces around `=`), or the marking alone.
            let flat = header.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            var value = Substring(flat)
            if let sec = flat.range(of: #"(?i)\bsec\s*=\s*"#, options: .regularExpression) {
                value = flat[sec.upperBound...].prefix { $0 != "," && $0 != ";" }
            }
            let text = value.trimmingCharacters(in: .whitespaces)
            if let l = label(of: text) ?? label(of: text, caseInsensitive: true) {
                found.append(Found(label: l, strength: "strong", location: "header", text: header))
            }
        }
        if let header = headers["msip_labels"] {
            for pair in header.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, kv[0].hasPrefix("MSIP_Label_") else { continue }
                if kv[0].hasSuffix("_Name"), let l = label(of: kv[1], caseInsensitive: true) {
                    found.append(Found(label: l, strength: "strong", location: "label", text: kv[1]))
                } else if kv[0].hasSuffix("_Enabled"), kv[1].lowercased() == "true" {
                    let guid = kv[0].dropFirst("MSIP_Label_".count).dropLast("_Enabled".count).lowercased()
                    if let name = labelIDs[String(guid)], let l = label(of: name, caseInsensitive: true) {
                        found.append(Found(label: l, strength: "strong", location: "label", text: name))
                    }
                }
            }
        }
        // Document header and footer parts: where templates put the marking.
        if let parts = headers["x-header-footer"] {
            var seen = Set<String>()
            for line in parts.split(whereSeparator: \.isNewline) {
                // A template's line often holds the marking beside the organisation or the page number, set
                // apart by tabs, runs of spaces or bars: each part is read on its own.
                for part in [line[...]] + MarkingReader.cells(line) {
                    guard let l = label(of: String(part)), seen.insert(l).inserted else { continue }
                    found.append(Found(label: l, strength: "strong", location: "header/footer", text: String(line)))
                    break
                }
            }
        }
        // The first and last lines of the text: markings are written at top and bottom of each page; the same
        // label at both ends is stronger than either. Only the edges are read, whatever the text's length.
        // A message's text starts with its address lines: its own first lines come after them.
        let offset = headers["x-body-offset"].flatMap(Int.init).map { min(max(0, $0), bytes.count) } ?? 0
        let (top, bottom) = MarkingReader.edgeLines(offset > 0 ? Array(bytes[offset...]) : bytes, count: 3)
        var at: [String: (first: Int, last: Int, text: String)] = [:]
        for (offset, line) in (top + bottom.filter { b in !top.contains { $0.offset == b.offset } }).sorted(by: { $0.offset < $1.offset }) {
            guard let l = label(of: line) else { continue }
            if let seen = at[l] { at[l] = (seen.first, offset, seen.text) } else { at[l] = (offset, offset, line) }
        }
        let topOffsets = Set(top.map(\.offset)), bottomOffsets = Set(bottom.map(\.offset))
        for (l, w) in at.sorted(by: { $0.value.first < $1.value.first }) {
            let both = topOffsets.contains(w.first) && bottomOffsets.contains(w.last) && w.first != w.last
            let place = both ? "top and bottom" : (topOffsets.contains(w.first) ? "top" : "bottom")
            found.append(Found(label: l, strength: both ? "strong" : "medium", location: place, text: w.text))
        }
        return found
    }
}
