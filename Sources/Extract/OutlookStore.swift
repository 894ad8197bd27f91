#if canImport(Glibc)
import Glibc
#endif
internal import CPST
import Foundation
import SweepModel

/// Messages of Outlook personal stores (`.pst`) and offline stores (`.ost`), read through libpst.
///
/// Every message-class item — mail, meeting, contact, task, journal entry, note — is handed to the visitor
/// as an already-read ``Child`` named `<folder path>/<position in the folder>` (`Inbox/3`), with its
/// attachments (bytes, or embedded messages already read) as its children. Contacts and calendar items
/// are included because they hold as much personal data as mail does.
///
/// A store with a password is reported as encrypted and its items are not read: Outlook's PST password is
/// only a checksum libpst could step past, but the scan honours it as the other formats' passwords are
/// honoured. libpst keeps process-global state, so every call into it runs under one lock; the visitor
/// runs outside the lock, so a slow visitor does not hold up other threads' stores.
public enum OutlookStore {
    /// Serialises all use of libpst. Recursive, so a visitor that opens another store on the same thread
    /// (a `.pst` attached to a message) does not deadlock.
    static let lock = NSRecursiveLock()

    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Embedded messages inside embedded messages, at most this deep.
    static let maxEmbedding = 8
    /// Folders inside folders, at most this deep (a hostile descriptor tree cannot exhaust the stack).
    static let maxFolderDepth = 256

    /// Reads the store at `path`, calling `visit` for each item until it returns false. The returned
    /// extraction describes the store file itself: its display name as title, and the problem that stopped
    /// the walk, if any.
    public static func extract(path: String, budget: ExtractionBudget, visit: (Child) -> Bool) -> Extraction {
        // libpst's open says only "failed": tell a missing or refused file from one that is not a store.
        if access(path, R_OK) != 0 {
            return .failed(.unreadable, "\(path): \(String(cString: strerror(errno)))")
        }
        let file = UnsafeMutablePointer<pst_file>.allocate(capacity: 1)
        file.initialize(to: pst_file())
        defer { file.deallocate() }

        let opened: Extraction? = locked {
            if pst_open(file, path, nil) != 0 {
                return .failed(.corrupt, "not an Outlook PST/OST file libpst can open")
            }
            if pst_load_index(file) != 0 {
                pst_close(file)
                return .failed(.corrupt, "the PST index could not be read")
            }
            pst_load_extended_attributes(file)
            return nil
        }
        if let opened { return opened }
        defer { locked { _ = pst_close(file) } }

        return withoutActuallyEscaping(visit) { visit in
            var walker = Walker(file: file, budget: budget, visit: visit)
            return walker.run()
        }
    }

    struct Walker {
        let file: UnsafeMutablePointer<pst_file>
        let budget: ExtractionBudget
        let visit: (Child) -> Bool
        var stopped = false
        var problem: Problem?

        init(file: UnsafeMutablePointer<pst_file>, budget: ExtractionBudget, visit: @escaping (Child) -> Bool) {
            self.file = file; self.budget = budget; self.visit = visit
        }

        mutating func run() -> Extraction {
            var result = Extraction()
            let top: UnsafeMutablePointer<pst_desc_tree>? = OutlookStore.locked {
                guard let root = pst_parse_item(file, file.pointee.d_head, nil) else { return nil }
                defer { pst_freeItem(root) }
                result.metadata.title = string(root, &root.pointee.file_as)
                guard let store = root.pointee.message_store else {
                    result.problem = Problem(.corrupt, "the PST has no message store record")
                    return nil
                }
                if store.pointee.pwd_chksum != 0 {
                    result.problem = Problem(.encrypted, "password-protected PST")
                    return nil
                }
                return pst_getTopOfFolders(file, root)
            }
            if result.problem != nil { return result }
            guard let top else {
                result.problem = Problem(.corrupt, "the PST's root record could not be read")
                return result
            }
            walk(top.pointee.child, folder: [], depth: 0)
            result.problem = problem
            return result
        }

        /// The items and folders below one folder's descriptor, in the store's order.
        mutating func walk(_ first: UnsafeMutablePointer<pst_desc_tree>?, folder: [String], depth: Int) {
            guard depth < OutlookStore.maxFolderDepth else {
                problem = Problem(.limit, "PST folders nested more than \(OutlookStore.maxFolderDepth) deep")
                stopped = true
                return
            }
            var node = first
            var position = 0
            var siblings = Set<String>()
            while let d = node, !stopped {
                node = d.pointee.next
                if let p = budget.check() { problem = p; stopped = true; return }
                guard d.pointee.desc != nil else { continue }
                enum Found { case folder(String, UnsafeMutablePointer<pst_desc_tree>?), item(Child) }
                var number = position + 1
                let found: Found? = OutlookStore.locked {
                    guard let item = pst_parse_item(file, d, nil) else { return nil }
                    defer { pst_freeItem(item) }
                    if item.pointee.folder != nil {
                        let name = string(item, &item.pointee.file_as) ?? "Folder"
                        return .folder(name, d.pointee.child)
                    }
                    let child = message(item, name: (folder + [String(number)]).joined(separator: "/"), embedding: 0)
                    return child.map { .item($0) }
                }
                switch found {
                case .folder(let name, let children)?:
                    var unique = OutlookStore.safeName(name)
                    number = 2
                    while siblings.contains(unique) { unique = OutlookStore.safeName(name) + " (\(number))"; number += 1 }
                    siblings.insert(unique)
                    if let children { walk(children, folder: folder + [unique], depth: depth + 1) }
                case .item(let child)?:
                    position += 1
                    if let p = budget.addChild() { problem = p; stopped = true; return }
                    if !visit(child) { stopped = true; return }
                case nil:
                    continue
                }
            }
        }

        /// One message-class item as a child, attachments included. Called with the lock held.
        func message(_ item: UnsafeMutablePointer<pst_item>, name: String, embedding: Int) -> Child? {
            var e = Extraction()
            let subject = string(item, &item.pointee.subject).map(OutlookStore.cleanSubject)
            var text = ""
            if let body = string(item, &item.pointee.body), !body.isEmpty {
                text = body
            } else if let email = item.pointee.email, let html = string(item, &email.pointee.htmlbody) {
                text = PlainText.stripMarkup(html)
            }
            var date: Timestamp?
            if let email = item.pointee.email {
                if let header = string(item, &email.pointee.header) { e.headers = PlainText.mailHeaders(header) }
                let senderName = string(item, &email.pointee.outlook_sender_name)
                let senderAddress = string(item, &email.pointee.sender_address)
                let from = [senderName, senderAddress.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ")
                if !from.isEmpty { e.headers["from"] = from; e.metadata.sender = from }
                let to = string(item, &email.pointee.sentto_address)
                let cc = string(item, &email.pointee.cc_address)
                if let to { e.headers["to"] = to }
                if let cc { e.headers["cc"] = cc }
                e.metadata.recipients = [to, cc].compactMap { $0 }
                    .flatMap { $0.split(separator: ";") }
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                date = OutlookStore.time(email.pointee.sent_date) ?? OutlookStore.time(email.pointee.arrival_date)
            }
            if let appointment = item.pointee.appointment {
                var lines: [String] = []
                if let location = string(item, &appointment.pointee.location) { lines.append("Location: " + location) }
                if let start = OutlookStore.time(appointment.pointee.start) { lines.append("Start: " + start.iso8601) }
                if let end = OutlookStore.time(appointment.pointee.end) { lines.append("End: " + end.iso8601) }
                if !lines.isEmpty { text = lines.joined(separator: "\n") + (text.isEmpty ? "" : "\n" + text) }
            }
            if let contact = item.pointee.contact {
                var lines: [String] = []
                for (label, field) in OutlookStore.contactFields {
                    if let value = string(item, &contact.pointee[keyPath: field]), !value.isEmpty { lines.append("\(label): \(value)") }
                }
                if let birthday = OutlookStore.time(contact.pointee.birthday) { lines.append("Birthday: " + String(birthday.iso8601.prefix(10))) }
                if !lines.isEmpty { text = lines.joined(separator: "\n") + (text.isEmpty ? "" : "\n" + text) }
            }
            if let journal = item.pointee.journal {
                let lines = [string(item, &journal.pointee.type), string(item, &journal.pointee.description)].compactMap { $0 }
                if !lines.isEmpty { text = lines.joined(separator: "\n") + (text.isEmpty ? "" : "\n" + text) }
            }
            let cap = budget.limits.textCap
            var body = (subject ?? "") + "\n" + text
            if body.count > cap {
                body = String(body.prefix(cap))
                e.problem = Problem(.limit, "message text passed the cap of \(cap) characters")
            }
            e.body = body
            if let subject { e.headers["subject"] = subject; e.metadata.subject = subject; e.metadata.title = subject }
            date = date ?? OutlookStore.time(item.pointee.create_date)
            if let date { e.headers["date"] = OutlookStore.rfc5322(date); e.metadata.date = date }
            e.metadata.created = OutlookStore.time(item.pointee.create_date)
            e.metadata.modified = OutlookStore.time(item.pointee.modify_date)
            if let cls = item.pointee.ascii_type { e.metadata.application = String(cString: cls) }   // IPM.Note, IPM.Contact…

            return Child(name: name, kind: .message, content: .extracted(e), modified: date ?? e.metadata.modified,
                         children: attachments(item, embedding: embedding))
        }

        /// The item's attachments: bytes for files, already-read children for embedded messages.
        func attachments(_ item: UnsafeMutablePointer<pst_item>, embedding: Int) -> [Child] {
            var children: [Child] = []
            var used = Set<String>()
            var next = item.pointee.attach
            var index = 0
            while let a = next {
                next = a.pointee.next
                index += 1
                if budget.check() != nil { break }
                let declared = string(item, &a.pointee.mimetype)
                let given = string(item, &a.pointee.filename2) ?? string(item, &a.pointee.filename1)
                let name = OutlookStore.unique(OutlookStore.safeName(given ?? "attachment-\(index)"), in: &used)
                if a.pointee.method == PST_ATTACH_EMBEDDED {
                    if let child = embedded(a, name: name, embedding: embedding) { children.append(child) }
                    continue
                }
                let data = pst_attach_to_mem(file, a)
                defer { free(data.data) }
                guard let bytes = data.data, data.size > 0 else { continue }
                if data.size > budget.limits.maxChildBytes {
                    children.append(Child(name: name, kind: .attachment,
                                          content: .skipped(size: Int64(data.size), problem: Problem(
                                              .limit, "attachment larger than \(ByteCount(Int64(budget.limits.maxChildBytes)))")),
                                          declaredType: declared))
                    continue
                }
                if budget.expand(data.size) != nil { break }
                let copy = [UInt8](UnsafeRawBufferPointer(start: bytes, count: data.size))
                children.append(Child(name: name, kind: .attachment, content: .bytes(copy), declaredType: declared))
            }
            return children
        }

        /// An attached Outlook message, parsed from the attachment's own descriptor as readpst does.
        func embedded(_ a: UnsafeMutablePointer<pst_item_attach>, name: String, embedding: Int) -> Child? {
            guard embedding < OutlookStore.maxEmbedding, let index = pst_getID(file, a.pointee.i_id) else { return nil }
            var d = pst_desc_tree()
            d.desc = index
            guard let inner = pst_parse_item(file, &d, a.pointee.id2_head) else { return nil }
            defer { pst_freeItem(inner) }
            return message(inner, name: name, embedding: embedding + 1)
        }
    }

    /// A libpst string as UTF-8, converted from the item's code page when it is not UTF-8 already.
    static func string(_ item: UnsafeMutablePointer<pst_item>, _ s: UnsafeMutablePointer<pst_string>) -> String? {
        guard s.pointee.str != nil else { return nil }
        if s.pointee.is_utf8 == 0 { pst_convert_utf8_null(item, s) }
        guard let raw = s.pointee.str else { return nil }
        let bytes = UnsafeRawBufferPointer(start: raw, count: strlen(raw))
        let text = PlainText.decode([UInt8](bytes)).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Subjects can carry a two-character prefix marker from MAPI (`\u{01}\u{01}`); drop control characters.
    static func cleanSubject(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" }))
    }

    /// A name that is one path segment and cannot form the `!/` container separator.
    static func safeName(_ s: String) -> String {
        var n = s.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\0", with: "")
        while n.hasSuffix("!") { n = String(n.dropLast()) + "_" }
        if n.isEmpty || n == "." || n == ".." { n = "_" + n }
        return n
    }

    /// `name`, or `name (2).ext`, `name (3).ext`… when an earlier attachment took it.
    static func unique(_ name: String, in used: inout Set<String>) -> String {
        var candidate = name
        var n = 2
        while used.contains(candidate) {
            if let dot = name.lastIndex(of: "."), dot != name.startIndex {
                candidate = "\(name[..<dot]) (\(n))\(name[dot...])"
            } else {
                candidate = "\(name) (\(n))"
            }
            n += 1
        }
        used.insert(candidate)
        return candidate
    }

    /// A Windows FILETIME (100 ns ticks since 1601) as a timestamp; nil when absent or zero.
    static func time(_ ft: UnsafeMutablePointer<FILETIME>?) -> Timestamp? {
        guard let ft else { return nil }
        let ticks = UInt64(ft.pointee.dwHighDateTime) << 32 | UInt64(ft.pointee.dwLowDateTime)
        guard ticks > 0, ticks < UInt64(Int64.max) else { return nil }
        let unixTicks = Int64(ticks) - 116_444_736_000_000_000
        return Timestamp(nanoseconds: unixTicks.multipliedReportingOverflow(by: 100).overflow ? Int64.max : unixTicks * 100)
    }

    /// `Tue, 15 Mar 2022 09:12:44 +0000`: the form a Date header takes (one writer for .msg and PST).
    static func rfc5322(_ t: Timestamp) -> String { OutlookMessage.rfc5322(t) }

    /// The contact fields that say who someone is and how to reach them.
    static var contactFields: [(String, WritableKeyPath<pst_item_contact, pst_string>)] { [
        ("Name", \.fullname), ("First name", \.first_name), ("Surname", \.surname), ("Email", \.address1),
        ("Email 2", \.address2), ("Email 3", \.address3), ("Company", \.company_name), ("Job title", \.job_title),
        ("Department", \.department), ("Business phone", \.business_phone), ("Home phone", \.home_phone),
        ("Mobile", \.mobile_phone), ("Business address", \.business_address), ("Home address", \.home_address),
        ("Other address", \.other_address), ("Government id", \.gov_id), ("Spouse", \.spouse_name),
    ] }
}
