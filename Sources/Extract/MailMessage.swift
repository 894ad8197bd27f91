import Foundation
import SweepModel

/// Internet mail (RFC 5322 with MIME, RFC 2045–2047): `.eml` files, messages split out of an mbox, and
/// `message/rfc822` parts inside other messages.
///
/// Headers are unfolded and their encoded words decoded; multipart bodies are walked (alternatives give
/// their plain-text part, else the HTML one stripped of tags); base64 and quoted-printable are undone and
/// text decoded from its declared charset. Every part that is not inline text is an attachment child with
/// its decoded bytes; an attached message is a message child, read the same way in its turn.
public enum MailMessage {
    /// Reads one message. The children are its attachments, in order.
    public static func extract(_ bytes: [UInt8], limits: ExtractionLimits) -> (Extraction, [Child]) {
        var state = State(limits: limits)
        let top = Part(bytes[...])
        var result = Extraction()
        result.headers = top.headers
        state.walk(top, depth: 0)
        var text = state.texts.joined(separator: "\n")
        if text.count > limits.textCap {
            text = String(text.prefix(limits.textCap))
            result.problem = Problem(.limit, "only the first \(limits.textCap) characters of text were read")
        }
        var meta = DocumentMetadata()
        meta.subject = top.headers["subject"]
        meta.title = meta.subject
        meta.sender = top.headers["from"]
        meta.author = meta.sender
        meta.recipients = ["to", "cc"].compactMap { top.headers[$0] }.flatMap { splitAddresses($0) }
        meta.date = top.headers["date"].flatMap(PlainText.mailDate)
        meta.application = top.headers["x-mailer"] ?? top.headers["user-agent"]
        result.metadata = meta
        let block = addressBlock(meta)
        result.body = block + text
        // Markings are read from the body's own first lines, not from the address lines set before it.
        if !block.isEmpty { result.headers[bodyOffsetHeader] = String(block.utf8.count) }
        if result.problem == nil, let p = state.problem { result.problem = p }
        return (result, state.children)
    }

    /// The header naming where a message's own body starts in its text (after ``addressBlock(_:)``), in UTF-8 bytes.
    public static let bodyOffsetHeader = "x-body-offset"

    /// The lines a reader sees first (who, to whom, about what), kept in the text detection reads: addresses
    /// there are personal data like any other. Message-IDs and references are not.
    public static func addressBlock(_ meta: DocumentMetadata) -> String {
        var lines: [String] = []
        if let s = meta.sender { lines.append("From: \(s)") }
        if !meta.recipients.isEmpty { lines.append("To: " + meta.recipients.joined(separator: ", ")) }
        if let s = meta.subject { lines.append("Subject: \(s)") }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n\n"
    }

    static func splitAddresses(_ s: String) -> [String] {
        var out: [String] = [], current = "", quoted = false, angle = false
        for ch in s {
            switch ch {
            case "\"": quoted.toggle(); current.append(ch)
            case "<": angle = true; current.append(ch)
            case ">": angle = false; current.append(ch)
            case ",", ";":
                if quoted || angle { current.append(ch); continue }
                let t = current.trimmingCharacters(in: .whitespaces)
                if !t.isEmpty { out.append(t) }
                current = ""
            default: current.append(ch)
            }
        }
        let t = current.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty { out.append(t) }
        return out
    }

    // MARK: - Parts

    struct Part {
        var headers: [String: String] = [:]
        var body: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) {
            let (headerBytes, bodyStart) = MailMessage.splitHeader(bytes)
            headers = MailMessage.parseHeaders(headerBytes)
            body = bytes[bodyStart...]
        }

        var contentType: (type: String, params: [String: String]) {
            guard let v = headers["content-type"] else { return ("text/plain", [:]) }
            let (value, params) = MailMessage.parameters(v)
            return (value.isEmpty ? "text/plain" : value.lowercased(), params)
        }

        var disposition: (type: String, params: [String: String]) {
            guard let v = headers["content-disposition"] else { return ("", [:]) }
            let (value, params) = MailMessage.parameters(v)
            return (value.lowercased(), params)
        }

        var decodedBody: [UInt8] {
            switch headers["content-transfer-encoding"]?.lowercased().trimmingCharacters(in: .whitespaces) {
            case "base64": return MailMessage.base64(body)
            case "quoted-printable": return MailMessage.quotedPrintable(body)
            default: return Array(body)
            }
        }
    }

    struct State {
        let limits: ExtractionLimits
        var texts: [String] = []
        var children: [Child] = []
        var names: [String: Int] = [:]
        var problem: Problem?
        var textCount = 0

        init(limits: ExtractionLimits) { self.limits = limits }

        mutating func walk(_ part: Part, depth: Int) {
            guard depth < 50 else { problem = Problem(.limit, "MIME parts nested more than 50 deep"); return }
            let (type, params) = part.contentType
            let (disposition, dparams) = part.disposition
            let filename = dparams["filename"] ?? params["name"]
            if type.hasPrefix("multipart/") {
                guard let boundary = params["boundary"], !boundary.isEmpty else {
                    problem = Problem(.corrupt, "multipart message without a boundary")
                    text(part, "text/plain", params)
                    return
                }
                let parts = MailMessage.split(part.body, boundary: boundary).map(Part.init)
                if type == "multipart/alternative" {
                    let best = parts.first { $0.contentType.type == "text/plain" && $0.disposition.type != "attachment" }
                        ?? parts.first { $0.contentType.type == "text/html" } ?? parts.first
                    if let best { walk(best, depth: depth + 1) }
                    for p in parts where p.contentType.type.hasPrefix("multipart/") && p.body != best?.body { walk(p, depth: depth + 1) }
                } else {
                    for p in parts { walk(p, depth: depth + 1) }
                }
                return
            }
            if type == "message/rfc822" {
                add(Child(name: unique(filename ?? "message.eml"), kind: .message, content: bytesOrSkip(part.decodedBody),
                          declaredType: type))
                return
            }
            // A text part with a name of its own is a file someone attached, even shown inline: an item.
            let inlineText = (type == "text/plain" || type == "text/html" || type == "text/enriched")
                && disposition != "attachment" && filename == nil
            if inlineText {
                text(part, type, params)
                return
            }
            let name = filename.map(MailMessage.safeName) ?? "part-\(children.count + 1)" + (MailMessage.extensionFor(type).map { "." + $0 } ?? "")
            add(Child(name: unique(name), kind: .attachment, content: bytesOrSkip(part.decodedBody), declaredType: type))
        }

        mutating func text(_ part: Part, _ type: String, _ params: [String: String]) {
            guard textCount < limits.textCap else { return }
            var s = MailMessage.decode(part.decodedBody, charset: params["charset"])
            if type == "text/html" { s = PlainText.stripMarkup(s) }
            // Files uuencoded into the body (older mailers and gateways) are attachments, not text.
            if MailMessage.mayHoldUUEncoded(s) {
                let (rest, files) = MailMessage.uudecoded(s)
                s = rest
                for f in files {
                    add(Child(name: unique(MailMessage.safeName(f.name)), kind: .attachment, content: bytesOrSkip(f.bytes), declaredType: nil))
                }
            }
            textCount += s.utf8.count
            texts.append(s)
        }

        func bytesOrSkip(_ b: [UInt8]) -> Child.Content {
            b.count > limits.maxChildBytes
                ? .skipped(size: Int64(b.count), problem: Problem(.limit, "attachment larger than \(ByteCount(Int64(limits.maxChildBytes))): counted, not read"))
                : .bytes(b)
        }

        mutating func add(_ c: Child) { children.append(c) }

        mutating func unique(_ name: String) -> String {
            guard let n = names[name] else { names[name] = 1; return name }
            names[name] = n + 1
            if let dot = name.lastIndex(of: "."), dot != name.startIndex {
                return name[..<dot] + " (\(n + 1))" + name[dot...]
            }
            return name + " (\(n + 1))"
        }
    }

    /// Whether the text has a `begin ` anywhere (where a uuencoded file would start), by a byte search.
    static func mayHoldUUEncoded(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            let needle: [UInt8] = Array("begin ".utf8)
            var i = 0
            while i + needle.count <= b.count {
                guard let at = b[i...(b.count - needle.count)].firstIndex(of: needle[0]) else { return false }
                if (1..<needle.count).allSatisfy({ b[at + $0] == needle[$0] }) { return true }
                i = at + 1
            }
            return false
        }
    }

    /// The uuencoded files in `text` (`begin 644 name` … `end`), decoded, and the text without them. A block
    /// that does not decode cleanly is left as text.
    static func uudecoded(_ text: String) -> (String, [(name: String, bytes: [UInt8])]) {
        var kept: [Substring] = []
        var files: [(name: String, bytes: [UInt8])] = []
        var current: (name: String, bytes: [UInt8], lines: [Substring])?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let l = line.hasSuffix("\r") ? line.dropLast() : line
            if current == nil {
                let parts = l.split(separator: " ", maxSplits: 2)
                if parts.count == 3, parts[0] == "begin", parts[1].count >= 3, parts[1].count <= 4, parts[1].allSatisfy({ ("0"..."7").contains($0) }) {
                    current = (String(parts[2]), [], [line])
                } else {
                    kept.append(line)
                }
                continue
            }
            current!.lines.append(line)
            if l == "end" {
                files.append((current!.name, current!.bytes))
                current = nil
                continue
            }
            guard let decoded = uudecodeLine(l) else {
                kept += current!.lines   // not uuencode after all
                current = nil
                continue
            }
            current!.bytes += decoded
        }
        if let c = current { kept += c.lines }   // no `end`: left as text
        return (kept.joined(separator: "\n"), files)
    }

    /// One uuencoded line: a length character, then four characters for every three bytes.
    static func uudecodeLine(_ line: Substring) -> [UInt8]? {
        let u = Array(line.utf8)
        guard let first = u.first else { return [] }
        func value(_ c: UInt8) -> UInt8? { c == 96 ? 0 : (32...95).contains(c) ? c - 32 : nil }
        guard let n = value(first) else { return nil }
        if n == 0 { return [] }
        var out: [UInt8] = []
        var i = 1
        while out.count < Int(n) && i < u.count {
            // Trailing spaces are often stripped in transit: a short group reads as zeros.
            let cs = (0..<4).map { i + $0 < u.count ? u[i + $0] : 96 }
            guard let a = value(cs[0]), let b = value(cs[1]), let c = value(cs[2]), let d = value(cs[3]) else { return nil }
            out.append(a << 2 | b >> 4)
            out.append((b & 0x0F) << 4 | c >> 2)
            out.append((c & 0x03) << 6 | d)
            i += 4
        }
        guard out.count >= Int(n) else { return nil }
        return Array(out.prefix(Int(n)))
    }

    /// An attachment's name made safe as one segment of `OUTER!/INNER`.
    static func safeName(_ s: String) -> String {
        let t = s.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? "unnamed" : t
    }

    static func extensionFor(_ type: String) -> String? {
        ["application/pdf": "pdf", "text/plain": "txt", "text/html": "html", "text/csv": "csv", "image/png": "png",
         "image/jpeg": "jpg", "image/gif": "gif", "application/zip": "zip", "message/rfc822": "eml",
         "text/calendar": "ics", "application/msword": "doc"][type]
    }

    // MARK: - Syntax

    /// The header block's bytes and where the body starts (after the first empty line).
    static func splitHeader(_ b: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, Int) {
        var i = b.startIndex
        // A part that starts with an empty line has no headers.
        if i < b.endIndex && b[i] == 0x0A { return (b[i..<i], i + 1) }
        if i + 1 < b.endIndex && b[i] == 0x0D && b[i + 1] == 0x0A { return (b[i..<i], i + 2) }
        while i < b.endIndex {
            if b[i] == 0x0A {
                let next = i + 1
                if next < b.endIndex && b[next] == 0x0A { return (b[b.startIndex..<i], next + 1) }
                if next + 1 < b.endIndex && b[next] == 0x0D && b[next + 1] == 0x0A { return (b[b.startIndex..<i], next + 2) }
            }
            i += 1
        }
        return (b, b.endIndex)
    }

    /// Unfolded headers, names lower-cased, encoded words decoded. A repeated header keeps its first value
    /// (the top `Received:` is noise either way; `To:` and `Cc:` repeat rarely and are joined).
    static func parseHeaders(_ b: ArraySlice<UInt8>) -> [String: String] {
        let text = PlainText.decode(Array(b))
        var headers: [String: String] = [:]
        var last: String?
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let l = line.hasSuffix("\r") ? line.dropLast() : line
            if l.first == " " || l.first == "\t", let k = last {
                headers[k, default: ""] += " " + l.trimmingCharacters(in: .whitespaces)
            } else if let colon = l.firstIndex(of: ":") {
                let name = l[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                guard !name.isEmpty, !name.contains(" ") else { last = nil; continue }
                let value = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if let existing = headers[name] {
                    if name == "to" || name == "cc" { headers[name] = existing + ", " + value }
                    last = name == "to" || name == "cc" ? name : nil
                } else {
                    headers[name] = value
                    last = name
                }
            }
        }
        for (k, v) in headers where v.contains("=?") { headers[k] = decodeWords(v) }
        return headers
    }

    /// `text/plain; charset="utf-8"; name*=UTF-8''r%C3%A9sum%C3%A9.pdf` → the value and its parameters.
    static func parameters(_ header: String) -> (String, [String: String]) {
        var parts: [String] = []
        var current = "", quoted = false
        for ch in header {
            if ch == "\"" { quoted.toggle(); continue }
            if ch == ";" && !quoted { parts.append(current); current = ""; continue }
            current.append(ch)
        }
        parts.append(current)
        let value = parts.first?.trimmingCharacters(in: .whitespaces) ?? ""
        var params: [String: String] = [:]
        var continued: [String: [(Int, String, Bool)]] = [:]
        for p in parts.dropFirst() {
            guard let eq = p.firstIndex(of: "=") else { continue }
            var key = p[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let v = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            let extended = key.hasSuffix("*")
            if extended { key.removeLast() }
            // RFC 2231 continuations: name*0*=…; name*1*=…
            if let star = key.firstIndex(of: "*"), let n = Int(key[key.index(after: star)...]) {
                continued[String(key[..<star]), default: []].append((n, v, extended))
                continue
            }
            params[key] = extended ? rfc2231(v) : v
        }
        for (key, pieces) in continued {
            let sorted = pieces.sorted { $0.0 < $1.0 }
            if sorted.contains(where: \.2) {
                // The charset prefix is on the first piece only; percent-decode the whole joined value.
                params[key] = rfc2231(sorted.map(\.1).joined())
            } else {
                params[key] = sorted.map(\.1).joined()
            }
        }
        for (k, v) in params where v.contains("=?") { params[k] = decodeWords(v) }
        return (value, params)
    }

    /// `UTF-8'en'r%C3%A9sum%C3%A9.pdf` → `résumé.pdf`.
    static func rfc2231(_ v: String) -> String {
        let pieces = v.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        let (charset, encoded) = pieces.count == 3 ? (String(pieces[0]), pieces[2]) : ("utf-8", Substring(v))
        var bytes: [UInt8] = []
        var u = Array(encoded.utf8)[...]
        while let c = u.popFirst() {
            if c == UInt8(ascii: "%"), u.count >= 2, let h = UInt8(String(decoding: u.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(h); u = u.dropFirst(2)
            } else { bytes.append(c) }
        }
        return decode(bytes, charset: charset)
    }

    /// RFC 2047 encoded words: `=?utf-8?B?…?=` and `=?iso-8859-1?Q?…?=`; whitespace between two words goes.
    static func decodeWords(_ s: String) -> String {
        var out = ""
        var rest = Substring(s)
        var lastWasWord = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            let afterStart = rest[start.upperBound...]
            let fields = afterStart.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, fields[3].hasPrefix("="), fields[1].count == 1 else {
                out += rest[..<start.upperBound]; rest = afterStart; lastWasWord = false; continue
            }
            if !(lastWasWord && before.allSatisfy(\.isWhitespace)) { out += before }
            let charset = String(fields[0].split(separator: "*").first ?? "")
            let payload = Array(fields[2].utf8)[...]
            let bytes = fields[1].uppercased() == "B" ? base64(payload) : quotedPrintable(payload, underscoreIsSpace: true)
            out += decode(bytes, charset: charset)
            rest = fields[3].dropFirst()
            lastWasWord = true
        }
        out += rest
        return out
    }

    /// The parts of a multipart body, without their boundary lines; preamble and epilogue dropped.
    static func split(_ body: ArraySlice<UInt8>, boundary: String) -> [ArraySlice<UInt8>] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            var lineEnd = lineStart
            while lineEnd < body.endIndex && body[lineEnd] != 0x0A { lineEnd += 1 }
            let line = body[lineStart..<lineEnd]
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let closing = rest.starts(with: [0x2D, 0x2D])
                if rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) || closing {
                    if let s = partStart {
                        // The line break before the delimiter belongs to the delimiter.
                        var end = lineStart
                        if end > s && body[end - 1] == 0x0A { end -= 1 }
                        if end > s && body[end - 1] == 0x0D { end -= 1 }
                        parts.append(body[s..<end])
                    }
                    if closing { return parts }
                    partStart = min(lineEnd + 1, body.endIndex)
                }
            }
            lineStart = lineEnd + 1
        }
        if let s = partStart, s < body.endIndex { parts.append(body[s...]) }   // no closing delimiter: keep what came
        return parts
    }

    static func base64(_ b: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count * 3 / 4)
        var acc: UInt32 = 0, bits = 0
        for c in b {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="): return out
            default: continue   // line breaks and stray characters
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }

    static func quotedPrintable(_ b: ArraySlice<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = b.startIndex
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        while i < b.endIndex {
            let c = b[i]
            if c == UInt8(ascii: "=") {
                if i + 1 < b.endIndex && b[i + 1] == 0x0A { i += 2; continue }                       // soft break
                if i + 2 < b.endIndex && b[i + 1] == 0x0D && b[i + 2] == 0x0A { i += 3; continue }
                if i + 2 < b.endIndex, let h = hex(b[i + 1]), let l = hex(b[i + 2]) { out.append(h << 4 | l); i += 3; continue }
            }
            out.append(underscoreIsSpace && c == UInt8(ascii: "_") ? 0x20 : c)
            i += 1
        }
        return out
    }

    /// Bytes in a declared charset → text. Unknown or missing charsets fall back to UTF-8, else Windows-1252.
    public static func decode(_ bytes: [UInt8], charset: String?) -> String {
        switch charset?.lowercased().trimmingCharacters(in: .whitespaces) {
        case "iso-8859-1", "latin1", "iso8859-1", "l1":
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case "windows-1252", "cp1252", "iso-8859-15", "us-ascii", "ascii":
            if let s = String(validating: bytes, as: UTF8.self) { return s }
            return String(String.UnicodeScalarView(bytes.map { PlainText.windows1252($0) }))
        case "utf-16le":
            return utf16(bytes, little: true)
        case "utf-16be":
            return utf16(bytes, little: false)
        case "utf-16":
            if bytes.starts(with: [0xFF, 0xFE]) { return utf16(Array(bytes.dropFirst(2)), little: true) }
            if bytes.starts(with: [0xFE, 0xFF]) { return utf16(Array(bytes.dropFirst(2)), little: false) }
            return utf16(bytes, little: false)
        default:
            return PlainText.decode(bytes)
        }
    }

    static func utf16(_ b: [UInt8], little: Bool) -> String { PlainText.utf16(b, little: little) }
}
