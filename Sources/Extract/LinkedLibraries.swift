internal import CArchive
internal import CMagic
internal import COCR
internal import CPoppler
#if canImport(Glibc)
import Glibc
#endif

/// The versions of the C libraries the readers are linked against, as they report themselves at run time.
public enum ReaderLibraries {
    public static var versions: [(name: String, version: String)] {
        let magic = Int(magic_version())
        var out: [(String, String)] = [
            ("libmagic", "\(magic / 100).\(magic % 100)"),
            ("libarchive", String(cString: archive_version_string()).replacingOccurrences(of: "libarchive ", with: "")),
            ("poppler", String(cString: poppler_get_version())),
            ("Tesseract", String(cString: TessVersion())),
        ]
        if let lept = getLeptonicaVersion() {
            out.append(("Leptonica", String(cString: lept).replacingOccurrences(of: "leptonica-", with: "")))
            free(lept)
        }
        return out
    }
}
