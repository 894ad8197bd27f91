#if canImport(Glibc)
import Glibc
#endif
internal import COCR
import Foundation

/// Text recognised in images, through Tesseract's C API and Leptonica (Debian's libtesseract and
/// tesseract-ocr-eng): scanned pages of PDFs with no text layer, and TIFF (every page), PNG, JPEG, BMP and GIF
/// images. Each page is made grey, deskewed (Leptonica), and recognised with page segmentation that detects
/// orientation and script when Tesseract's `osd` data is installed.
///
/// One engine per process, made on first use (loading the English model takes a few hundred milliseconds; the
/// readers run in worker processes that serve many items, so it is paid once per worker).
public enum OCR {
    /// The image types recognised.
    public static let imageTypes: Set<String> = ["image/tiff", "image/png", "image/jpeg", "image/bmp", "image/x-ms-bmp", "image/gif"]

    /// One recognised page: its text and Tesseract's mean word confidence (0–100).
    public struct Page: Sendable {
        public var text: String
        public var confidence: Int
        /// Seconds the page took (grey, deskew, recognition), for the scan's OCR time.
        public var seconds: Double = 0
    }

    /// Pixels per inch PDF pages are rendered at for recognition.
    public static let dpi = 300.0
    /// The longest side an image is recognised at (an A4 page at 300 dpi); larger ones are scaled down first.
    static let largestSide = 3508
    /// A page whose mean word confidence is below this gave noise, not text (a photo, a diagram).
    static let noiseConfidence = 30

    final class Engine: @unchecked Sendable {
        let api: OpaquePointer
        init?() {
            guard let api = TessBaseAPICreate() else { return nil }
            // Tesseract's data folder: where Debian puts it, unless TESSDATA_PREFIX says otherwise.
            let data = ProcessInfo.processInfo.environment["TESSDATA_PREFIX"] ?? OCR.tessdata
            guard TessBaseAPIInit3(api, data, "eng") == 0 else { TessBaseAPIDelete(api); return nil }
            _ = TessBaseAPISetVariable(api, "debug_file", "/dev/null")
            let osd = FileManager.default.fileExists(atPath: (data as NSString).appendingPathComponent("osd.traineddata"))
            TessBaseAPISetPageSegMode(api, osd ? PSM_AUTO_OSD : PSM_AUTO)
            self.api = api
        }
        deinit { TessBaseAPIEnd(api); TessBaseAPIDelete(api) }
    }

    static let tessdata: String = {
        for v in ["5", "4.00"] {
            let p = "/usr/share/tesseract-ocr/\(v)/tessdata"
            if FileManager.default.fileExists(atPath: p + "/eng.traineddata") { return p }
        }
        return "/usr/share/tesseract-ocr/5/tessdata"
    }()

    nonisolated(unsafe) static var shared: Engine?
    static let lock = NSLock()
    /// One recognition at a time per engine: a Tesseract handle is not for two threads at once (the workers
    /// serve one item at a time; this matters when readers run in process).
    static let inUse = NSLock()

    /// The process's engine, or nil when Tesseract or its English data is missing.
    static func engine() -> Engine? {
        lock.lock(); defer { lock.unlock() }
        if shared == nil { shared = Engine() }
        return shared
    }

    /// Whether recognition is possible here (Tesseract and its English data load).
    public static var available: Bool { engine() != nil }

    /// Recognises an 8-bit grey image, `width` × `height`, one byte a pixel, rows `stride` bytes apart.
    static func recognise(grey: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int) -> Page? {
        guard width > 0, height > 0, let pix = pixCreate(Int32(width), Int32(height), 8) else { return nil }
        var p: UnsafeMutablePointer<PIX>? = pix
        defer { pixDestroy(&p) }
        // Leptonica keeps 8-bit pixels in 32-bit words, most significant byte first.
        let wpl = Int(pixGetWpl(pix))
        let data = UnsafeMutableRawPointer(pixGetData(pix)!)
        for y in 0..<height {
            let row = data + y * wpl * 4
            let src = grey.baseAddress! + y * stride
            for x in 0..<width { row.storeBytes(of: src.load(fromByteOffset: x, as: UInt8.self), toByteOffset: x ^ 3, as: UInt8.self) }
        }
        _ = pixSetResolution(pix, Int32(dpi), Int32(dpi))
        return recognise(pix)
    }

    /// Recognises a Leptonica image (any depth): made grey, deskewed, then read.
    static func recognise(_ image: UnsafeMutablePointer<PIX>) -> Page? {
        let started = ExtractionBudget.clock()
        guard var page = recogniseUntimed(image) else { return nil }
        page.seconds = ExtractionBudget.clock() - started
        return page
    }

    static func recogniseUntimed(_ image: UnsafeMutablePointer<PIX>) -> Page? {
        guard let engine = engine() else { return nil }
        guard var grey = pixConvertTo8(image, 0) else { return nil }
        // A camera's photo is far larger than a page at 300 dpi and its text, if any, large: recognised at the
        // size of an A4 page at 300 dpi on its long side, it takes a fraction of the time.
        let long = max(Int(pixGetWidth(grey)), Int(pixGetHeight(grey)))
        if long > OCR.largestSide, let smaller = pixScale(grey, Float(OCR.largestSide) / Float(long), Float(OCR.largestSide) / Float(long)) {
            var old: UnsafeMutablePointer<PIX>? = grey
            pixDestroy(&old)
            grey = smaller
        }
        if pixGetXRes(grey) == 0 { _ = pixSetResolution(grey, Int32(dpi), Int32(dpi)) }
        // Scans come a few degrees off straight; Leptonica finds the angle from the text lines.
        if let straight = pixDeskew(grey, 0) {
            var old: UnsafeMutablePointer<PIX>? = grey
            pixDestroy(&old)
            grey = straight
        }
        var g: UnsafeMutablePointer<PIX>? = grey
        defer { pixDestroy(&g) }
        inUse.lock()
        defer { inUse.unlock() }
        TessBaseAPISetImage2(engine.api, grey)
        guard let raw = TessBaseAPIGetUTF8Text(engine.api) else { TessBaseAPIClear(engine.api); return nil }
        let text = String(cString: raw)
        TessDeleteText(raw)
        let confidence = Int(TessBaseAPIMeanTextConf(engine.api))
        TessBaseAPIClear(engine.api)
        // Below this, what Tesseract read is noise (a photo, a drawing): kept as no text rather than searched.
        return Page(text: confidence < OCR.noiseConfidence ? "" : text, confidence: max(0, confidence))
    }

    /// Recognises an image file's pages (every page of a TIFF, up to `maxPages`), each handed to `onPage` as it
    /// is done (a worker sends it at once, so a long TIFF's deadline window restarts with every page); the pages
    /// recognised and the image's page count, or nil when Leptonica cannot read it.
    static func image(_ bytes: [UInt8], maxPages: Int, onPage: (Page) -> Void) -> (recognised: Int, total: Int)? {
        guard !bytes.isEmpty else { return nil }
        return bytes.withUnsafeBytes { raw -> (recognised: Int, total: Int)? in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var format: Int32 = 0
            _ = findFileFormatBuffer(base, &format)
            if format == IFF_TIFF || format == IFF_TIFF_G4 || format == IFF_TIFF_LZW || format == IFF_TIFF_ZIP
                || format == IFF_TIFF_G3 || format == IFF_TIFF_RLE || format == IFF_TIFF_PACKBITS || format == IFF_TIFF_JPEG {
                var pixa: UnsafeMutablePointer<PIXA>? = pixaReadMemMultipageTiff(base, raw.count)
                defer { pixaDestroy(&pixa) }
                guard pixa != nil else { return nil }
                let total = Int(pixaGetCount(pixa))
                var recognised = 0
                for i in 0..<min(total, maxPages) {
                    var pix: UnsafeMutablePointer<PIX>? = pixaGetPix(pixa, Int32(i), Int32(L_CLONE))
                    defer { pixDestroy(&pix) }
                    if let image = pix, let page = recognise(image) { onPage(page); recognised += 1 }
                }
                return (recognised, total)
            }
            var pix: UnsafeMutablePointer<PIX>? = pixReadMem(base, raw.count)
            defer { pixDestroy(&pix) }
            guard let image = pix else { return nil }
            guard let page = recognise(image) else { return (0, 1) }
            onPage(page)
            return (1, 1)
        }
    }

    /// An image file read as a scan: each page recognised and handed to `onPage`; the extraction says how many
    /// pages there were, and why any were not read.
    static func read(_ bytes: [UInt8], limits: ExtractionLimits, onPage: (Page) -> Void) -> Extraction {
        guard available else { return .failed(.unsupported, "no OCR here: Tesseract or its English data is not installed") }
        guard let (recognised, total) = image(bytes, maxPages: limits.ocrPagesPerItem, onPage: onPage) else {
            return .failed(.corrupt, "not an image Leptonica can read")
        }
        var e = Extraction()
        e.metadata.pages = total
        e.skippedPages = max(0, total - limits.ocrPagesPerItem)
        if e.skippedPages > 0 {
            e.problem = Problem(.limit, "\(recognised) of \(total) page(s) recognised (limits.ocr_pages_per_item)")
        }
        return e
    }
}
