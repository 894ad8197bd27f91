internal import CVectorscan
import Glibc

/// The scan routine Sweep calls and the processor it compiles databases for.
///
/// Debian's Vectorscan (5.4.9) holds code for several processor generations and picks one when it runs. Its
/// AVX-512 code misses matches: on a processor with AVX-512, `\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b` compiled
/// alone finds no address more than about 60 bytes into a text, and `[#%&~^]x\d` none past byte 62; its AVX2
/// code finds them all (fixed upstream since, e.g. vectorscan#375 and #378). Where the library exports its
/// AVX2 routine (`avx2_hs_scan`) and the processor has AVX2, Sweep compiles for AVX2 and scans with that
/// routine; anywhere else it compiles for the processor at hand and calls `hs_scan`.
enum VectorscanRuntime {
    typealias Scan = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UInt32, UInt32, OpaquePointer?,
                                     match_event_handler?, UnsafeMutableRawPointer?) -> hs_error_t

    /// The AVX2 routine, when the library has one and this processor can run it.
    private static let avx2: Scan? = {
        var host = hs_platform_info_t()
        guard hs_populate_platform(&host) == HS_SUCCESS, host.cpu_features & UInt64(HS_CPU_FEATURES_AVX2) != 0,
              let symbol = dlsym(nil, "avx2_hs_scan") else { return nil }
        return unsafeBitCast(symbol, to: Scan.self)
    }()

    /// Names the code databases are compiled and scanned for (part of a cached database's key).
    static var name: String { avx2 == nil ? "native" : "avx2" }

    /// The platform to compile for: this processor, without AVX-512 when scans use the AVX2 routine.
    static func platform() -> hs_platform_info_t? {
        guard avx2 != nil else { return nil }
        var p = hs_platform_info_t()
        guard hs_populate_platform(&p) == HS_SUCCESS else { return nil }
        p.cpu_features &= UInt64(HS_CPU_FEATURES_AVX2)
        return p
    }

    static func scan(_ database: OpaquePointer, _ bytes: UnsafePointer<CChar>, _ count: UInt32, _ scratch: OpaquePointer,
                     _ onMatch: match_event_handler, _ context: UnsafeMutableRawPointer) -> hs_error_t {
        if let avx2 { return avx2(database, bytes, count, 0, scratch, onMatch, context) }
        return hs_scan(database, bytes, count, 0, scratch, onMatch, context)
    }
}

/// The pattern engine's version, as it reports itself (`sweep --version`).
public enum PatternEngine {
    public static var version: String { String(cString: hs_version()) }
}
