#if canImport(Glibc)
import Glibc
#endif
internal import CPoppler
import Foundation
import SweepModel

/// Text and metadata of PDF files, read through poppler-glib.
///
/// The body is every page's text, pages separated by `"\f\n"`. The first two and last two non-empty lines
/// of every page also go to the `x-header-footer` header, because protective markings are printed at the
/// top and bottom of pages and PDF keeps no separate header part. A password-protected file is reported as
/// encrypted (a finding, not a failure of the scan); any other file poppler cannot load is corrupt.
///
/// Each call opens its own `PopplerDocument`, so calls on different threads never share one document
/// (poppler is safe for separate documents, not for one document across threads).
public enum PDFDocument {
    /// Reads the PDF at `path`. The file is opened here and handed to poppler as a descriptor, so names with
    /// spaces, `#`, `%` or any other bytes need no URI escaping.
    public static func extract(path: String, budget: ExtractionBudget, onPage: ((String) -> Void)? = nil) -> Extraction {
        var fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            return .failed(.unreadable, "\(path): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return .failed(.unreadable, "\(path): not a regular file")
        }
        // poppler treats descriptor 0 as standard input; keep clear of the standard descriptors.
        if fd < 3 {
            let moved = fcntl(fd, F_DUPFD_CLOEXEC, 3)
            close(fd)
            if moved < 0 { return .failed(.unreadable, "\(path): \(String(cString: strerror(errno)))") }
            fd = moved
        }
        var error: UnsafeMutablePointer<GError>?
        // poppler owns the descriptor from here, and closes it on success and on failure alike.
        let document = poppler_document_new_from_fd(fd, nil, &error)
        return read(document, error: error, budget: budget, onPage: onPage)
    }

    /// Reads a PDF held in memory (an attachment, an archive member). poppler keeps its own copy.
    public static func extract(bytes: [UInt8], budget: ExtractionBudget, onPage: ((String) -> Void)? = nil) -> Extraction {
        let data = bytes.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(data) }
        var error: UnsafeMutablePointer<GError>?
        let document = poppler_document_new_from_bytes(data, nil, &error)
        return read(document, error: error, budget: budget, onPage: onPage)
    }

    static func read(_ document: OpaquePointer?, error: UnsafeMutablePointer<GError>?, budget: ExtractionBudget,
                     onPage: ((String) -> Void)? = nil) -> Extraction {
        guard let document else {
            defer { if let error { g_error_free(error) } }
            guard let error else { return .failed(.corrupt, "poppler could not load the PDF") }
            if error.pointee.domain == poppler_error_quark() && error.pointee.code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue) {
                return .failed(.encrypted, "password-protected PDF")
            }
            let message = error.pointee.message.map { String(cString: $0) } ?? "poppler could not load the PDF"
            return .failed(.corrupt, message)
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        if let error { g_error_free(error) }

        var result = Extraction()
        result.metadata = metadata(document)
        let pages = Int(poppler_document_get_n_pages(document))
        result.metadata.pages = pages

        let cap = budget.limits.textCap
        var body = ""
        var kept = 0
        var edges: [String] = []
        for index in 0..<pages {
            if let problem = budget.check() { result.problem = problem; break }
            guard let page = poppler_document_get_page(document, Int32(index)) else { continue }
            var text = ""
            if let raw = poppler_page_get_text(page) {
                text = String(cString: raw)
                g_free(raw)
            }
            // Filled-in form fields and annotations (comments, a signature field's details) are what people typed.
            let typed = formText(page)
            if !typed.isEmpty { text += (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + typed.joined(separator: "\n") + "\n" }
            g_object_unref(UnsafeMutableRawPointer(page))
            onPage?(text)

            edges += edgeLines(text)

            let piece = index == 0 ? text : "\u{0C}\n" + text
            let count = piece.utf8.count
            if kept + count > cap {
                body += String(decoding: piece.utf8.prefix(cap - kept), as: UTF8.self)
                result.problem = Problem(.limit, "PDF text passed the cap of \(cap) characters; the rest is not read")
                break
            }
            body += piece
            kept += count
        }
        result.body = body
        if !edges.isEmpty { result.headers["x-header-footer"] = edges.joined(separator: "\n") }
        if pages == 0 && result.problem == nil {
            result.problem = Problem(.corrupt, "a PDF with no pages")
        } else if result.problem == nil && body.allSatisfy({ $0.isWhitespace }) {
            result.problem = Problem(.noTextLayer, "\(pages) page(s) and no text layer (scanned images?): not searched for personal data")
        }
        return result
    }

    /// A page's form field values (`Name: value`) and annotation contents, in the page's order.
    static func formText(_ page: OpaquePointer) -> [String] {
        var out: [String] = []
        func take(_ s: UnsafeMutablePointer<gchar>?) -> String? {
            guard let s else { return nil }
            defer { g_free(s) }
            let v = String(cString: s).trimmingCharacters(in: .whitespacesAndNewlines)
            return v.isEmpty ? nil : v
        }
        if let fields = poppler_page_get_form_field_mapping(page) {
            var node: UnsafeMutablePointer<GList>? = fields
            while let n = node {
                if let m = n.pointee.data?.assumingMemoryBound(to: PopplerFormFieldMapping.self), let field = m.pointee.field {
                    let value: String?
                    switch poppler_form_field_get_field_type(field) {
                    case POPPLER_FORM_FIELD_TEXT: value = take(poppler_form_field_text_get_text(field))
                    case POPPLER_FORM_FIELD_CHOICE: value = take(poppler_form_field_choice_get_text(field))
                    default: value = nil
                    }
                    if let value {
                        let name = take(poppler_form_field_get_partial_name(field))
                        out.append(name.map { "\($0): \(value)" } ?? value)
                    }
                }
                node = n.pointee.next
            }
            poppler_page_free_form_field_mapping(fields)
        }
        if let annots = poppler_page_get_annot_mapping(page) {
            var node: UnsafeMutablePointer<GList>? = annots
            while let n = node {
                if let m = n.pointee.data?.assumingMemoryBound(to: PopplerAnnotMapping.self), let annot = m.pointee.annot,
                   let contents = take(poppler_annot_get_contents(annot)) {
                    out.append(contents)
                }
                node = n.pointee.next
            }
            poppler_page_free_annot_mapping(annots)
        }
        return out
    }

    /// A page's first two and last two lines that are not blank (all of them when it has four or fewer),
    /// found from each end of its UTF-8 without walking the page in between.
    static func edgeLines(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        func isBlank(_ line: ArraySlice<UInt8>) -> Bool { line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0C } }
        var head: [Range<Int>] = [], tail: [Range<Int>] = []
        var start = 0
        while head.count < 2 && start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            if !isBlank(bytes[start..<end]) { head.append(start..<end) }
            start = end + 1
        }
        var end = bytes.count
        while tail.count < 2 && end > 0 {
            let lineStart = (bytes[..<end].lastIndex(of: 0x0A)).map { $0 + 1 } ?? 0
            let r = lineStart..<end
            if !isBlank(bytes[r]) && !head.contains(r) { tail.insert(r, at: 0) }
            if head.contains(where: { $0.lowerBound >= lineStart }) { break }   // met the head: a short page
            end = lineStart == 0 ? 0 : lineStart - 1
        }
        return (head + tail).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    static func metadata(_ document: OpaquePointer) -> DocumentMetadata {
        func take(_ s: UnsafeMutablePointer<gchar>?) -> String? {
            guard let s else { return nil }
            defer { g_free(s) }
            let value = String(cString: s).trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        func time(_ d: OpaquePointer?) -> Timestamp? {
            guard let d else { return nil }
            defer { g_date_time_unref(d) }
            return Timestamp(seconds: Int64(g_date_time_to_unix(d)))
        }
        var m = DocumentMetadata()
        m.title = take(poppler_document_get_title(document))
        m.author = take(poppler_document_get_author(document))
        // Creator names the authoring program (Word, …); Producer the PDF writer. The first says more.
        m.application = take(poppler_document_get_creator(document)) ?? take(poppler_document_get_producer(document))
        m.created = time(poppler_document_get_creation_date_time(document))
        m.modified = time(poppler_document_get_modification_date_time(document))
        return m
    }
}
