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
    public static func extract(path: String, budget: ExtractionBudget, onPage: ((String, OCR.Page?) -> Void)? = nil) -> Extraction {
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
    public static func extract(bytes: [UInt8], budget: ExtractionBudget, onPage: ((String, OCR.Page?) -> Void)? = nil) -> Extraction {
        let data = bytes.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(data) }
        var error: UnsafeMutablePointer<GError>?
        let document = poppler_document_new_from_bytes(data, nil, &error)
        return read(document, error: error, budget: budget, onPage: onPage)
    }

    static func read(_ document: OpaquePointer?, error: UnsafeMutablePointer<GError>?, budget: ExtractionBudget,
                     onPage: ((String, OCR.Page?) -> Void)? = nil) -> Extraction {
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
        var confidences = 0
        var skippedForLimit = 0
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
            var recognisedPage: OCR.Page?
            if !PDFDocument.hasVisibleText(text, atLeast: minimumLayerText) && budget.limits.ocr
                && budget.limits.ocrClock?.spent != true {
                // No usable text layer (a scan): the page is rendered and recognised, within the item's page limit.
                if result.recognisedPages < budget.limits.ocrPagesPerItem {
                    if let recognised = recognise(page) {
                        text = recognised.text
                        recognisedPage = recognised
                        budget.limits.ocrClock?.add(recognised.seconds)
                        result.recognisedPages += 1
                        confidences += recognised.confidence
                    }
                } else {
                    skippedForLimit += 1
                }
            } else if !text.isEmpty {
                result.textLayerPages += 1
            }
            if !typed.isEmpty { text += (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + typed.joined(separator: "\n") + "\n" }
            g_object_unref(UnsafeMutableRawPointer(page))
            onPage?(text, recognisedPage)

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
        if result.recognisedPages > 0 { result.recognitionConfidence = confidences / result.recognisedPages }
        if !edges.isEmpty { result.headers["x-header-footer"] = edges.joined(separator: "\n") }
        result.skippedPages = skippedForLimit
        if skippedForLimit > 0 && result.problem == nil {
            result.problem = Problem(.limit, "\(result.recognisedPages) scanned page(s) recognised, \(skippedForLimit) more not (limits.ocr_pages_per_item)")
        }
        if pages == 0 && result.problem == nil {
            result.problem = Problem(.corrupt, "a PDF with no pages")
        } else if result.problem == nil && result.recognisedPages == 0 && body.allSatisfy({ $0.isWhitespace }) {
            result.problem = Problem(.noTextLayer, "\(pages) page(s) and no text layer (scanned images?): not searched for personal data")
        }
        return result
    }

    /// Fewer visible characters than this on a page is no usable text layer: a scan, perhaps with a stamp or a
    /// page number over it.
    static let minimumLayerText = 16

    /// Whether the text holds at least `count` characters that are not white space (counted as Unicode scalars),
    /// looking no further than it must: most pages answer within their first line.
    static func hasVisibleText(_ text: String, atLeast count: Int) -> Bool {
        var seen = 0
        for s in text.unicodeScalars {
            let blank = s.isASCII ? (s == " " || (s.value >= 9 && s.value <= 13)) : s.properties.isWhitespace
            if !blank { seen += 1; if seen >= count { return true } }
        }
        return false
    }

    /// Renders a page at ``OCR/dpi`` (white behind it, as paper) and recognises it.
    static func recognise(_ page: OpaquePointer) -> OCR.Page? {
        var w = 0.0, h = 0.0
        poppler_page_get_size(page, &w, &h)
        let scale = OCR.dpi / 72
        // A page larger than A0 at this resolution is rendered smaller: its text is large too.
        let fit = min(1, sqrt(140_000_000 / max(1, w * scale * h * scale)))
        let width = Int(w * scale * fit), height = Int(h * scale * fit)
        guard width > 0, height > 0, let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else { return nil }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cr = cairo_create(surface) else { return nil }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, scale * fit, scale * fit)
        poppler_page_render(page, cr)
        cairo_destroy(cr)
        cairo_surface_flush(surface)
        guard let pixels = cairo_image_surface_get_data(surface) else { return nil }
        let stride = Int(cairo_image_surface_get_stride(surface))
        // RGB24 is one 32-bit word a pixel (x, r, g, b from the high byte down): made grey for recognition.
        var grey = [UInt8](repeating: 255, count: width * height)
        for y in 0..<height {
            let row = UnsafeRawPointer(pixels + y * stride)
            for x in 0..<width {
                let v = row.load(fromByteOffset: x * 4, as: UInt32.self)
                let r = (v >> 16) & 0xFF, g = (v >> 8) & 0xFF, b = v & 0xFF
                grey[y * width + x] = UInt8((r * 299 + g * 587 + b * 114) / 1000)
            }
        }
        return grey.withUnsafeBytes { OCR.recognise(grey: $0, width: width, height: height, stride: width) }
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
