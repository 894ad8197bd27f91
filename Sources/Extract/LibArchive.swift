#if canImport(Glibc)
import Glibc
#endif
internal import CArchive
import SweepModel

/// Where a container's bytes come from: an open file on disk, or a nested item held in memory.
public enum ContainerInput {
    case descriptor(Int32)
    case memory([UInt8])
}

/// libarchive's reader, opened on either input and always freed.
enum LibArchive {
    /// Opens a reader with the formats `configure` enables and runs `body` over it. The memory input stays
    /// alive (and unmoved) for the whole read, as libarchive requires.
    static func read<T>(_ input: ContainerInput, configure: (OpaquePointer) -> Void,
                        _ body: (OpaquePointer) -> T) -> Result<T, Problem> {
        guard let a = archive_read_new() else { return .failure(Problem(.corrupt, "libarchive could not start")) }
        defer { archive_read_free(a) }
        configure(a)
        switch input {
        case .descriptor(let fd):
            guard archive_read_open_fd(a, fd, 1 << 16) == ARCHIVE_OK else { return .failure(openProblem(a)) }
            return .success(body(a))
        case .memory(let bytes):
            return bytes.withUnsafeBytes { raw in
                guard archive_read_open_memory(a, raw.baseAddress, raw.count) == ARCHIVE_OK else { return .failure(openProblem(a)) }
                return .success(body(a))
            }
        }
    }

    static func message(_ a: OpaquePointer, _ fallback: String) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? fallback
    }

    static func openProblem(_ a: OpaquePointer) -> Problem {
        let m = message(a, "not a readable archive")
        if m.lowercased().contains("passphrase") || m.lowercased().contains("encrypt") { return Problem(.encrypted, m) }
        return Problem(.corrupt, m)
    }
}
