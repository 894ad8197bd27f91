#if canImport(Glibc)
import Glibc
#endif
internal import CArchive
import SweepModel

/// Archives and compressed files through libarchive: zip, 7z, tar (and tar.gz, tar.bz2, tar.xz…), cpio,
/// ISO 9660, ar, cab, lha, RAR, and a single compressed file (`.gz`, `.bz2`, `.xz`, `.zst`, `.lz4`, `.Z`).
///
/// Every regular member is handed to `visit` as a ``Child`` named by its path inside the archive, its
/// bytes whole up to ``ExtractionLimits/maxChildBytes`` (larger ones are counted and skipped with the
/// reason). Encrypted members are flagged, not guessed at. The expansion ratio and the bytes expanded
/// from one file on disk are checked as the data streams, so a zip bomb stops after the limit, not after
/// it has filled the disk or the memory.
public enum Archive {
    static let types: Set<String> = [
        "application/zip", "application/x-zip-compressed", "application/x-tar", "application/x-gtar", "application/gzip",
        "application/x-gzip", "application/x-bzip2", "application/x-xz", "application/x-7z-compressed",
        "application/vnd.rar", "application/x-rar", "application/x-rar-compressed", "application/x-cpio",
        "application/x-iso9660-image", "application/zstd", "application/x-zstd", "application/x-lzma", "application/x-lzip",
        "application/x-compress", "application/x-archive", "application/vnd.ms-cab-compressed", "application/x-lha",
        "application/x-lzh-compressed", "application/x-lz4", "application/java-archive", "application/x-xar",
    ]
    static let compressionOnly: Set<String> = [
        "application/gzip", "application/x-gzip", "application/x-bzip2", "application/x-xz", "application/zstd",
        "application/x-zstd", "application/x-lzma", "application/x-lzip", "application/x-compress", "application/x-lz4",
    ]

    public static func handles(_ mime: String?) -> Bool { mime.map(types.contains) ?? false }

    /// The name a single compressed file's content takes: `notes.txt.gz` → `notes.txt`, `x.tgz` → `x.tar`.
    static func innerName(of containerName: String) -> String {
        let lower = containerName.lowercased()
        for (ext, replacement) in [(".tgz", ".tar"), (".tbz2", ".tar"), (".tbz", ".tar"), (".txz", ".tar")] where lower.hasSuffix(ext) {
            return String(containerName.dropLast(ext.count)) + replacement
        }
        for ext in [".gz", ".bz2", ".xz", ".zst", ".lzma", ".lz", ".z", ".lz4"] where lower.hasSuffix(ext) && lower.count > ext.count {
            return String(containerName.dropLast(ext.count))
        }
        return "data"
    }

    /// Reads the members of the archive in `input` (whose own size is `containerSize`, for the ratio check).
    /// Stops early when `visit` returns false or a limit is hit; the returned extraction says why.
    public static func extract(_ input: ContainerInput, name containerName: String, containerSize: Int64, mime: String,
                               budget: ExtractionBudget, visit: (Child) -> Bool) -> Extraction {
        _ = utf8Locale   // before libarchive opens the archive and picks its name conversion
        let singleFile = compressionOnly.contains(mime)
        let outcome = LibArchive.read(input, configure: { a in
            archive_read_support_filter_all(a)
            archive_read_support_format_all(a)
            // Bids last: only a compressed stream that holds no archive format is read as one raw file.
            if singleFile { archive_read_support_format_raw(a) }
        }) { a -> Extraction in
            var result = Extraction()
            var names: [String: Int] = [:]
            var members = 0
            var expandedHere: Int64 = 0
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { buffer.deallocate() }
            var entry: OpaquePointer?
            loop: while true {
                if let p = budget.check() { result.problem = p; break }
                let rc = archive_read_next_header(a, &entry)
                if rc == ARCHIVE_EOF { break }
                guard rc == ARCHIVE_OK || rc == ARCHIVE_WARN, let entry else {
                    result.problem = LibArchive.openProblem(a)
                    if members > 0, result.problem?.kind == .corrupt {
                        result.problem = Problem(.corrupt, "after \(members) members: \(LibArchive.message(a, "unreadable entry"))")
                    }
                    break
                }
                guard archive_entry_filetype(entry) & 0o170000 == 0o100000 else { archive_read_data_skip(a); continue }
                members += 1
                var memberName = memberPath(entry, singleFile: singleFile, containerName: containerName)
                if let seen = names[memberName] {   // the same path twice in one archive: both are items
                    names[memberName] = seen + 1
                    memberName += " (\(seen + 1))"
                } else { names[memberName] = 1 }
                let modified = archive_entry_mtime_is_set(entry) != 0
                    ? Timestamp(seconds: Int64(archive_entry_mtime(entry)), nanos: Int64(archive_entry_mtime_nsec(entry))) : nil
                if let p = budget.addChild() { result.problem = p; break }
                if archive_entry_is_encrypted(entry) != 0 {
                    let size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0
                    archive_read_data_skip(a)
                    let child = Child(name: memberName, kind: .member,
                                      content: .skipped(size: size, problem: Problem(.encrypted, "password-protected archive member")),
                                      modified: modified)
                    if !visit(child) { break }
                    continue
                }
                var bytes: [UInt8] = []
                var size: Int64 = 0
                var tooLarge = false
                while true {
                    let n = archive_read_data(a, buffer.baseAddress, buffer.count)
                    if n == 0 { break }
                    if n < 0 {
                        let m = LibArchive.message(a, "bad data")
                        let kind: Problem.Kind = m.lowercased().contains("encrypt") || m.lowercased().contains("passphrase") ? .encrypted : .corrupt
                        let child = Child(name: memberName, kind: .member, content: .skipped(size: size, problem: Problem(kind, m)),
                                          modified: modified)
                        _ = visit(child)
                        if kind == .encrypted { continue loop }
                        result.problem = Problem(.corrupt, "\(memberName): \(m)")
                        break loop
                    }
                    size += Int64(n)
                    expandedHere += Int64(n)
                    if let p = budget.expand(n) { result.problem = p; break loop }
                    if expandedHere > 1 << 20, containerSize > 0, expandedHere / containerSize > budget.limits.maxRatio {
                        result.problem = Problem(.limit, "expands more than \(budget.limits.maxRatio) times its size (a zip bomb?)")
                        break loop
                    }
                    if size > Int64(budget.limits.maxChildBytes) {
                        tooLarge = true
                        bytes = []
                    } else {
                        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                    }
                }
                let child = tooLarge
                    ? Child(name: memberName, kind: .member, content: .skipped(size: size, problem: Problem(
                        .limit, "member larger than \(ByteCount(Int64(budget.limits.maxChildBytes))): counted, not read")), modified: modified)
                    : Child(name: memberName, kind: .member, content: .bytes(bytes), modified: modified)
                if !visit(child) { break }
            }
            return result
        }
        switch outcome {
        case .success(let e): return e
        case .failure(let p): return Extraction(problem: p)
        }
    }

    /// A member's path inside the archive, made safe for `OUTER!/INNER`: no leading `/` or `./`, no `!/`.
    static func memberPath(_ entry: OpaquePointer, singleFile: Bool, containerName: String) -> String {
        if singleFile {
            let raw = archive_entry_pathname(entry).map { String(cString: $0) } ?? "data"
            return raw == "data" ? innerName(of: containerName) : sanitized(raw)
        }
        // A name flagged UTF-8 (zip bit 11, or the Info-ZIP Unicode path field) comes back as UTF-8; one without
        // the flag as its raw bytes: UTF-8 when they are (zips made on Linux), else the DOS code page 437 that
        // Windows' own zip writes.
        let raw = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
            ?? archive_entry_pathname(entry).map { decodeName(Array(UnsafeRawBufferPointer(start: $0, count: strlen($0)))) }
            ?? "unnamed"
        return sanitized(raw)
    }

    /// libarchive converts names through the C library's locale: under the default "C" locale a UTF-8 name is
    /// not convertible and comes back as nothing. Set once, for the process.
    public static let utf8Locale: Bool = {
        for name in ["C.UTF-8", "C.utf8", "en_GB.UTF-8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil { return true }
        return false
    }()

    /// A member name's bytes as text: UTF-8 when they are, else code page 437.
    static func decodeName(_ bytes: [UInt8]) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return String(String.UnicodeScalarView(bytes.map { b in b < 0x80 ? Unicode.Scalar(b) : cp437High[Int(b) - 0x80] }))
    }

    /// Code page 437, bytes 0x80–0xFF.
    static let cp437High: [Unicode.Scalar] = Array(("ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐"
        + "└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}").unicodeScalars)

    /// A member path made safe: no leading `/`, no `.` or empty segments, `..` neutralised (a member cannot name
    /// a place outside its archive), no `!/`.
    static func sanitized(_ raw: String) -> String {
        var parts = raw.replacingOccurrences(of: "\\", with: "/").split(separator: "/")
            .filter { $0 != "." && !$0.isEmpty }.map { $0 == ".." ? "__" : String($0) }
        if parts.isEmpty { parts = ["unnamed"] }
        return parts.joined(separator: "/").replacingOccurrences(of: "!/", with: "!_")
    }
}
