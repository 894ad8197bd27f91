import Foundation
import SweepModel

/// Text of Rich Text Format (`.rtf`) files, by a small tokenizer over groups, control words and text.
///
/// Body text is kept apart from page header and footer groups (`\header`, `\footerf`…), which go to the
/// `x-header-footer` header because protective markings live there. Font, colour and style tables,
/// pictures, objects and `\*` destinations are skipped; `\info` fills the title, author and dates.
/// `\'hh` bytes are read as Windows-1252 (the `\ansicpg1252` nearly every RTF writer declares; other code
/// pages fall back to it), `\uN` as Unicode with its `\ucN` fallback skipped. Hostile input is bounded:
/// groups nest at most ``maxDepth`` deep, `\binN` cannot skip past the end, and the text cap holds.
public enum RichText {
    /// Deeper nesting than any writer produces; beyond it the file is treated as corrupt.
    public static let maxDepth = 1000

    enum Destination: Equatable {
        case body, skip, headerFooter, info, field(String), time(String)
    }

    struct State {
        var destination = Destination.body
        /// Fallback characters after each `\uN`.
        var uc = 1
        /// The group began with `\*`: unless its first control word is one we read, it is skipped.
        var starred = false
        var first = true
    }

    /// Destinations whose contents are not text of the document.
    static let skipped: Set<String> = [
        "fonttbl", "colortbl", "stylesheet", "pict", "object", "objdata", "themedata", "colorschememapping",
        "latentstyles", "datastore", "xmlnstbl", "listtable", "listoverridetable", "rsidtbl", "filetbl", "revtbl",
        "fldinst", "nonshppict", "bkmkstart", "bkmkend", "mmathPr", "pgdsctbl", "protusertbl", "wgrffmtfilter",
        "xmlopen", "xmlclose", "userprops", "docvar", "passwordhash", "blipuid",
    ]
    static let headerFooter: Set<String> = ["header", "headerl", "headerr", "headerf", "footer", "footerl", "footerr", "footerf"]
    static let infoFields: Set<String> = ["title", "author", "subject", "operator", "company", "generator"]

    public static func extract(_ bytes: [UInt8], limits: ExtractionLimits) -> Extraction {
        var p = Parser(bytes: bytes, cap: limits.textCap)
        return p.run()
    }

    struct Parser {
        let bytes: [UInt8]
        let cap: Int
        var i = 0
        var stack: [State] = []
        var state = State()
        var body = String.UnicodeScalarView()
        var bodyCount = 0
        var edges = String.UnicodeScalarView()
        var edgeCount = 0
        var fields: [String: String.UnicodeScalarView] = [:]
        var fieldCounts: [String: Int] = [:]
        var times: [String: [String: Int]] = [:]
        /// Fallback characters still to drop after a `\uN`.
        var pendingSkip = 0
        var highSurrogate: UInt32?
        var problem: Problem?

        init(bytes: [UInt8], cap: Int) { self.bytes = bytes; self.cap = cap }

        mutating func run() -> Extraction {
            var start = 0
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
            while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
            guard bytes[start...].starts(with: Array("{\\rtf".utf8)) else {
                return .failed(.corrupt, "not RTF: no {\\rtf header")
            }
            i = start
            loop: while i < bytes.count, problem == nil {
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "{"):
                    i += 1
                    pendingSkip = 0
                    if stack.count >= RichText.maxDepth {
                        problem = Problem(.corrupt, "RTF groups nested more than \(RichText.maxDepth) deep")
                        break loop
                    }
                    stack.append(state)
                    state.starred = false
                    state.first = true
                case UInt8(ascii: "}"):
                    i += 1
                    pendingSkip = 0
                    guard let outer = stack.popLast() else { break loop }   // the document's closing brace
                    state = outer
                case UInt8(ascii: "\\"):
                    control()
                case 0x0D, 0x0A:
                    i += 1
                default:
                    i += 1
                    state.first = false
                    byte(b)
                }
            }
            if problem == nil && !stack.isEmpty {
                problem = Problem(.corrupt, "RTF ends inside \(stack.count) open group\(stack.count == 1 ? "" : "s") (truncated?)")
            }
            return result()
        }

        func result() -> Extraction {
            var e = Extraction(problem: problem)
            e.body = String(body)
            let edgeText = String(edges).trimmingCharacters(in: .whitespacesAndNewlines)
            if !edgeText.isEmpty { e.headers["x-header-footer"] = edgeText }
            func field(_ name: String) -> String? {
                guard let v = fields[name] else { return nil }
                let s = String(v).trimmingCharacters(in: .whitespacesAndNewlines)
                return s.isEmpty ? nil : s
            }
            e.metadata.title = field("title")
            e.metadata.author = field("author")
            e.metadata.application = field("generator")
            e.metadata.created = time("creatim")
            e.metadata.modified = time("revtim")
            return e
        }

        func time(_ name: String) -> Timestamp? {
            guard let t = times[name], let yr = t["yr"], let mo = t["mo"], let dy = t["dy"] else { return nil }
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let hr = t["hr"] ?? 0, mn = t["min"] ?? 0, sec = t["sec"] ?? 0
            guard (1000...9999).contains(yr), (0...23).contains(hr), (0...59).contains(mn), (0...59).contains(sec) else { return nil }
            // RTF times are the writer's local time with no zone: read as UTC, as the other formats' zone-less times are.
            return Timestamp.parse("\(yr)-\(two(mo))-\(two(dy))T\(two(hr)):\(two(mn)):\(two(sec))Z")
        }

        /// One control word or control symbol starting at the backslash at `i`.
        mutating func control() {
            i += 1
            guard i < bytes.count else { return }
            let c = bytes[i]
            if isLetter(c) {
                let wordStart = i
                while i < bytes.count, isLetter(bytes[i]), i - wordStart < 32 { i += 1 }
                let word = String(decoding: bytes[wordStart..<i], as: UTF8.self)
                var parameter: Int?
                let negative = i < bytes.count && bytes[i] == UInt8(ascii: "-")
                if negative { i += 1 }
                let digitStart = i
                var value = 0
                while i < bytes.count, (48...57).contains(bytes[i]), i - digitStart < 10 {
                    value = value * 10 + Int(bytes[i] - 48); i += 1
                }
                if i > digitStart { parameter = negative ? -value : value }
                if i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
                controlWord(word, parameter)
                return
            }
            i += 1
            switch c {
            case UInt8(ascii: "'"):
                guard i + 1 < bytes.count, let hi = hex(bytes[i]), let lo = hex(bytes[i + 1]) else { return }
                i += 2
                state.first = false
                byte(hi << 4 | lo)
            case UInt8(ascii: "*"):
                state.starred = true
            case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"):
                state.first = false
                byte(c)
            case UInt8(ascii: "~"):
                symbol("\u{00A0}")
            case UInt8(ascii: "_"):
                symbol("-")
            case UInt8(ascii: "-"):
                symbol(nil)   // optional hyphen: nothing to read
            case 0x0A, 0x0D:
                symbol("\n")  // a backslash before a line break is \par
            case UInt8(ascii: "\t"):
                symbol("\t")
            default:
                symbol(nil)
            }
        }

        mutating func controlWord(_ word: String, _ parameter: Int?) {
            let wasFirst = state.first
            state.first = false
            if wasFirst {
                // The first control word of a group names its destination.
                if RichText.skipped.contains(word) { state.destination = .skip; return }
                if RichText.headerFooter.contains(word) {
                    if state.destination != .skip { state.destination = .headerFooter }
                    return
                }
                if word == "info" { state.destination = state.destination == .skip ? .skip : .info; return }
                if RichText.infoFields.contains(word) && (state.destination == .info || word == "generator") {
                    state.destination = .field(word); return
                }
                if (word == "creatim" || word == "revtim") && state.destination == .info {
                    state.destination = .time(word); return
                }
                if state.starred { state.destination = .skip; return }
            }
            switch word {
            case "bin":
                let n = max(0, parameter ?? 0)
                if n > bytes.count - i {
                    problem = Problem(.corrupt, "\\bin\(n) runs past the end of the file")
                    i = bytes.count
                } else {
                    i += n
                }
                return
            case "uc":
                state.uc = max(0, min(parameter ?? 1, 8))
                return
            case "u":
                guard var v = parameter else { return }
                if v < 0 { v += 65536 }
                let fallback = state.uc
                unicode(UInt32(truncatingIfNeeded: max(0, v)))
                pendingSkip = fallback
                return
            case "yr", "mo", "dy", "hr", "min", "sec":
                if case .time(let name) = state.destination, let parameter { times[name, default: [:]][word] = parameter }
                return
            default:
                break
            }
            if pendingSkip > 0 { pendingSkip -= 1; return }
            switch word {
            case "par", "line", "row", "sect", "page": emit("\n")
            case "cell", "tab", "nestcell": emit("\t")
            case "emdash": emit("\u{2014}")
            case "endash": emit("\u{2013}")
            case "lquote": emit("\u{2018}")
            case "rquote": emit("\u{2019}")
            case "ldblquote": emit("\u{201C}")
            case "rdblquote": emit("\u{201D}")
            case "bullet": emit("\u{2022}")
            default: break
            }
        }

        mutating func symbol(_ s: Unicode.Scalar?) {
            state.first = false
            if pendingSkip > 0 { pendingSkip -= 1; return }
            if let s { emit(s) }
        }

        /// A text byte (literal or `\'hh`), in Windows-1252.
        mutating func byte(_ b: UInt8) {
            if pendingSkip > 0 { pendingSkip -= 1; return }
            if b == 0 { return }
            emit(PlainText.windows1252(b))
        }

        mutating func unicode(_ v: UInt32) {
            if (0xD800...0xDBFF).contains(v) { highSurrogate = v; return }
            var value = v
            if (0xDC00...0xDFFF).contains(v) {
                guard let high = highSurrogate else { return }
                value = 0x10000 + ((high - 0xD800) << 10) + (v - 0xDC00)
            }
            highSurrogate = nil
            if let s = Unicode.Scalar(value), value != 0 { emit(s) }
        }

        mutating func emit(_ s: Unicode.Scalar) {
            switch state.destination {
            case .body:
                guard problem == nil else { return }
                if bodyCount >= cap {
                    problem = Problem(.limit, "RTF text passed the cap of \(cap) characters; the rest is not read")
                    return
                }
                body.append(s); bodyCount += 1
            case .headerFooter:
                if edgeCount < cap { edges.append(s); edgeCount += 1 }
            case .field(let name):
                // Titles and authors are short; a hostile one is cut, not held whole.
                if fieldCounts[name, default: 0] < 4096 {
                    fields[name, default: String.UnicodeScalarView()].append(s)
                    fieldCounts[name, default: 0] += 1
                }
            case .skip, .info, .time:
                break
            }
        }

        func isLetter(_ c: UInt8) -> Bool { (65...90).contains(c) || (97...122).contains(c) }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 65...70: return c - 55
            case 97...102: return c - 87
            default: return nil
            }
        }
    }
}
