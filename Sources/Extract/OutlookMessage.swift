#if canImport(Glibc)
import Glibc
#endif
import SweepModel

/// Outlook `.msg` files (MS-OXMSG): a MAPI message stored as a compound file.
///
/// The body is the subject and the plain-text body, or, when the message has only a formatted body, the
/// compressed RTF body (LZFu, MS-OXRTFCP) or the HTML body with their markup taken out. Headers are the
/// transport headers the message arrived with, completed from the MAPI properties so `subject`, `from`,
/// `to` and `date` are there for any message that has them (drafts and saved messages have no transport
/// headers). Attachments come back as children with their bytes; an embedded message comes back already
/// read, with its own attachments below it, down to `maxDepth`.
public enum OutlookMessage {
    public static func extract(_ bytes: [UInt8], limits: ExtractionLimits) -> (Extraction, [Child]) {
        let file: CompoundFile
        do { file = try CompoundFile(bytes) } catch { return (Extraction(problem: error), []) }
        guard file.entry(propertiesStream)?.isStorage == false else {
            return (.failed(.corrupt, "compound file is not an Outlook message (no property stream)"), [])
        }
        var state = State(limits: limits)
        let (e, children) = message(file, storage: "", headerSize: 32, depth: 0, state: &state)
        return (e, children)
    }

    static let propertiesStream = "__properties_version1.0"

    /// Counts children across the whole message tree, so a crafted file cannot hand back more than the limit.
    struct State {
        let limits: ExtractionLimits
        var children = 0
    }

    // MARK: Messages

    static func message(_ file: CompoundFile, storage: String, headerSize: Int, depth: Int,
                        state: inout State) -> (Extraction, [Child]) {
        let props = Properties(file, storage: storage, headerSize: headerSize)
        var e = Extraction()
        let subject = props.string(0x0037)?.trimmingCharacters(in: .whitespacesAndNewlines)

        // Headers: what the message arrived with, then what MAPI knows and the transport headers lack.
        if let transport = props.string(0x007D) { e.headers = PlainText.mailHeaders(transport) }
        let senderEmail = props.string(0x0C1F) ?? props.string(0x0065) ?? props.string(0x5D01)
        let senderName = props.string(0x0C1A) ?? props.string(0x0042)
        let sender = address(name: senderName, email: senderEmail)
        let recipients = self.recipients(file, storage: storage)
        let date = props.time(0x0039) ?? props.time(0x0E06)
        if let subject, !subject.isEmpty, e.headers["subject"] == nil { e.headers["subject"] = subject }
        if let sender, e.headers["from"] == nil { e.headers["from"] = sender }
        if e.headers["to"] == nil {
            let to = recipients.filter { $0.type == 1 }.map(\.text)
            if !to.isEmpty { e.headers["to"] = to.joined(separator: ", ") }
            else if let display = props.string(0x0E04), !display.isEmpty { e.headers["to"] = display }
        }
        if e.headers["cc"] == nil {
            let cc = recipients.filter { $0.type == 2 }.map(\.text)
            if !cc.isEmpty { e.headers["cc"] = cc.joined(separator: ", ") }
        }
        if let date, e.headers["date"] == nil { e.headers["date"] = rfc5322(date) }

        e.metadata.subject = subject
        e.metadata.title = subject
        e.metadata.sender = sender ?? e.headers["from"]
        e.metadata.recipients = recipients.map(\.text)
        e.metadata.date = date ?? e.headers["date"].flatMap(PlainText.mailDate)
        e.metadata.created = props.time(0x3007)
        e.metadata.modified = props.time(0x3008)

        // Body: plain text if the message has it, else the RTF or HTML body with markup out.
        var text = props.string(0x1000)
        if text == nil || text!.isEmpty, let rtf = props.binary(0x1009), let raw = try? decompressRTF(rtf, cap: state.limits.textCap * 4) {
            text = RichText.extract(raw, limits: state.limits).body
        }
        if text == nil || text!.isEmpty {
            if let html = props.binary(0x1013) { text = PlainText.stripMarkup(PlainText.decode(html)) }
            else if let html = props.string(0x1013) { text = PlainText.stripMarkup(html) }
        }
        var body = subject ?? ""
        if let text, !text.isEmpty { body += "\n" + text.replacingOccurrences(of: "\r\n", with: "\n") }
        if body.count > state.limits.textCap {
            body = String(body.prefix(state.limits.textCap))
            e.problem = Problem(.limit, "message text longer than \(state.limits.textCap) characters; the rest is not read")
        }
        e.body = body

        let children = attachments(file, storage: storage, depth: depth, state: &state)
        return (e, children)
    }

    struct Recipient { let type: UInt32; let text: String }

    /// `__recip_version1.0_#XXXXXXXX` storages: SMTP address where there is one (an Exchange address is an
    /// X.500 path, no use to a reader), with the display name.
    static func recipients(_ file: CompoundFile, storage: String) -> [Recipient] {
        var out: [Recipient] = []
        for entry in file.children(of: storage) where entry.isStorage && entry.name.lowercased().hasPrefix("__recip_version1.0_#") {
            let p = Properties(file, storage: entry.path, headerSize: 8)
            let smtp = p.string(0x39FE) ?? p.string(0x3003).flatMap { $0.contains("@") ? $0 : nil }
            guard let text = address(name: p.string(0x3001), email: smtp) ?? p.string(0x3003) else { continue }
            out.append(Recipient(type: p.long(0x0C15) ?? 1, text: text))
        }
        return out
    }

    /// `Name <email>`, or whichever of the two there is.
    static func address(name: String?, email: String?) -> String? {
        let n = name?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        let m = email?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        switch (n, m) {
        case let (n?, m?): return n == m ? m : "\(n) <\(m)>"
        case let (n?, nil): return n
        case let (nil, m?): return m
        default: return nil
        }
    }

    // MARK: Attachments

    static func attachments(_ file: CompoundFile, storage: String, depth: Int, state: inout State) -> [Child] {
        var out: [Child] = []
        var used: [String: Int] = [:]
        var position = 0
        for entry in file.children(of: storage) where entry.isStorage && entry.name.lowercased().hasPrefix("__attach_version1.0_#") {
            position += 1
            state.children += 1
            guard state.children <= state.limits.maxChildren else { break }
            let p = Properties(file, storage: entry.path, headerSize: 8)
            let declared = p.string(0x370E)?.trimmingCharacters(in: .whitespaces).lowercased().nonEmpty
            let modified = p.time(0x3008)
            let dataPath = entry.path + "/__substg1.0_37010102"
            let embedded = entry.path + "/__substg1.0_3701000D"
            var name = p.string(0x3707) ?? p.string(0x3704) ?? p.string(0x3001) ?? ""

            if let data = file.entry(dataPath), !data.isStorage {
                name = unique(name.isEmpty ? "attachment \(position)" : name, &used)
                if data.size > state.limits.maxChildBytes {
                    out.append(Child(name: name, kind: .attachment,
                                     content: .skipped(size: Int64(data.size), problem: Problem(.limit,
                                        "attachment larger than \(ByteCount(Int64(state.limits.maxChildBytes))); not read")),
                                     modified: modified, declaredType: declared))
                } else if let bytes = file.stream(dataPath) {
                    out.append(Child(name: name, kind: .attachment, content: .bytes(bytes), modified: modified, declaredType: declared))
                } else {
                    out.append(Child(name: name, kind: .attachment, content: .skipped(size: Int64(data.size),
                                     problem: Problem(.corrupt, "attachment data is damaged in the compound file")),
                                     modified: modified, declaredType: declared))
                }
            } else if let inner = file.entry(embedded), inner.isStorage, file.entry(embedded + "/" + propertiesStream) != nil {
                if depth + 1 > state.limits.maxDepth {
                    name = unique(name.isEmpty ? "message \(position)" : name, &used)
                    out.append(Child(name: name, kind: .message, content: .skipped(size: 0, problem: Problem(.limit,
                                     "messages nested more than \(state.limits.maxDepth) deep")), modified: modified))
                    continue
                }
                let (e, children) = message(file, storage: inner.path, headerSize: 24, depth: depth + 1, state: &state)
                if name.isEmpty { name = e.metadata.subject?.nonEmpty.map { $0 + ".msg" } ?? "message \(position)" }
                out.append(Child(name: unique(name, &used), kind: .message, content: .extracted(e),
                                 modified: e.metadata.date ?? modified, declaredType: "application/vnd.ms-outlook", children: children))
            } else if let inner = file.entry(embedded), inner.isStorage {
                // ATTACH_OLE: an OLE object's own storage, not a file; there are no bytes to hand on.
                out.append(Child(name: unique(name.isEmpty ? "object \(position)" : name, &used), kind: .attachment,
                                 content: .skipped(size: 0, problem: Problem(.unsupported, "embedded OLE object")), modified: modified))
            }
            // No data at all: a link to a file elsewhere (ATTACH_BY_REFERENCE); nothing to read.
        }
        return out
    }

    /// A name for the attachment that is safe as a path component and unique within its message:
    /// `report.pdf`, `report (2).pdf`.
    static func unique(_ raw: String, _ used: inout [String: Int]) -> String {
        var name = raw.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\0", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name == "." || name == ".." { name = "attachment" }
        let key = name.lowercased()
        guard let n = used[key] else { used[key] = 1; return name }
        var k = n + 1
        var candidate: String
        repeat {
            if let dot = name.lastIndex(of: "."), dot != name.startIndex {
                candidate = "\(name[..<dot]) (\(k))\(name[dot...])"
            } else {
                candidate = "\(name) (\(k))"
            }
            k += 1
        } while used[candidate.lowercased()] != nil
        used[key] = k - 1
        used[candidate.lowercased()] = 1
        return candidate
    }

    // MARK: Properties

    /// One object's MAPI properties: fixed-size values from its `__properties_version1.0` stream, the rest
    /// from `__substg1.0_IIIITTTT` streams beside it.
    struct Properties {
        let file: CompoundFile
        let storage: String
        /// Property id → (type, the 8 value bytes as a little-endian integer).
        var fixed: [UInt16: (type: UInt16, value: UInt64)] = [:]

        init(_ file: CompoundFile, storage: String, headerSize: Int) {
            self.file = file
            self.storage = storage
            guard let s = file.stream(path(OutlookMessage.propertiesStream)), s.count > headerSize else { return }
            var o = headerSize
            while o + 16 <= s.count {
                let tag = CompoundFile.u32(s, o)
                fixed[UInt16(tag >> 16)] = (UInt16(tag & 0xFFFF), CompoundFile.u64(s, o + 8))
                o += 16
            }
        }

        func path(_ name: String) -> String { storage.isEmpty ? name : storage + "/" + name }

        func stream(_ id: UInt16, _ type: UInt16) -> [UInt8]? {
            file.stream(path("__substg1.0_" + hex4(id) + hex4(type)))
        }

        func string(_ id: UInt16) -> String? {
            if let u = stream(id, 0x001F) { return CompoundFile.utf16(u) }
            if let a = stream(id, 0x001E) {
                let trimmed = a.prefix { $0 != 0 }
                switch long(0x3FFD) ?? long(0x3FDE) ?? 1252 {
                case 65001: return String(decoding: trimmed, as: UTF8.self)
                case 1200: return CompoundFile.utf16(a)
                default: return CompoundFile.ansi(trimmed)
                }
            }
            return nil
        }

        func binary(_ id: UInt16) -> [UInt8]? { stream(id, 0x0102) }

        func time(_ id: UInt16) -> Timestamp? {
            guard let v = fixed[id], v.type == 0x0040 else { return nil }
            return CompoundFile.timestamp(filetime: v.value)
        }

        func long(_ id: UInt16) -> UInt32? {
            guard let v = fixed[id], v.type == 0x0003 else { return nil }
            return UInt32(truncatingIfNeeded: v.value)
        }
    }

    static func hex4(_ v: UInt16) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(v >> 12) & 15], digits[Int(v >> 8) & 15], digits[Int(v >> 4) & 15], digits[Int(v) & 15]])
    }

    /// "Tue, 15 Mar 2022 09:12:44 +0000", in UTC: the form a Date header takes.
    public static func rfc5322(_ t: Timestamp) -> String {
        var secs = time_t(t.seconds)
        var parts = tm()
        gmtime_r(&secs, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(parts.tm_wday) % 7]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon) % 12]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    // MARK: Compressed RTF (MS-OXRTFCP)

    static let rtfDictionaryStart = Array(("{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern "
        + "\\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
        + "\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx").utf8)

    /// The RTF inside a `PR_RTF_COMPRESSED` value: LZFu-compressed, or stored as is ("MELA"). At most `cap`
    /// bytes come out, and never more than the header's raw size.
    public static func decompressRTF(_ data: [UInt8], cap: Int) throws(Problem) -> [UInt8] {
        guard data.count >= 16 else { throw Problem(.corrupt, "compressed RTF shorter than its header") }
        let rawSize = Int(CompoundFile.u32(data, 4))
        let kind = CompoundFile.u32(data, 8)
        let limit = min(rawSize, cap)
        if kind == 0x414C_454D { return Array(data[16..<min(data.count, 16 + limit)]) }   // "MELA": not compressed
        guard kind == 0x7546_5A4C else { throw Problem(.corrupt, "compressed RTF of an unknown kind") }   // "LZFu"
        var dict = [UInt8](repeating: 0, count: 4096)
        for (i, b) in rtfDictionaryStart.enumerated() { dict[i] = b }
        var write = rtfDictionaryStart.count
        var out: [UInt8] = []
        out.reserveCapacity(min(limit, data.count * 4))
        var i = 16
        while i < data.count, out.count < limit {
            let control = data[i]
            i += 1
            for bit in 0..<8 where out.count < limit {
                guard i < data.count else { return out }
                if control & (1 << bit) == 0 {
                    let b = data[i]
                    i += 1
                    out.append(b)
                    dict[write] = b
                    write = (write + 1) & 0xFFF
                } else {
                    guard i + 1 < data.count else { return out }
                    let ref = Int(data[i]) << 8 | Int(data[i + 1])
                    i += 2
                    let offset = ref >> 4
                    let length = (ref & 0xF) + 2
                    if offset == write { return out }   // the end marker
                    for k in 0..<length where out.count < limit {
                        let b = dict[(offset + k) & 0xFFF]
                        out.append(b)
                        dict[write] = b
                        write = (write + 1) & 0xFFF
                    }
                }
            }
        }
        return out
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
