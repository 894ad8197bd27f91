internal import CMagic

/// libmagic on a buffer. A magic cookie is not thread-safe: make one per worker thread.
public final class TypeSniffer {
    private let cookie: magic_t

    public struct LoadError: Error, CustomStringConvertible {
        public let message: String
        public var description: String {
            "libmagic could not load its database (\(message)): install libmagic-mgc, or run scripts/setup"
        }
    }

    public init() throws {
        guard let c = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF | MAGIC_ERROR) else {
            throw LoadError(message: "magic_open failed")
        }
        guard magic_load(c, nil) == 0 else {
            let message = magic_error(c).map { String(cString: $0) } ?? "unknown error"
            magic_close(c)
            throw LoadError(message: message)
        }
        cookie = c
    }

    deinit { magic_close(cookie) }

    /// The MIME type libmagic gives for these bytes; `application/octet-stream` when it cannot say.
    public func mimeType(of bytes: UnsafeRawBufferPointer) -> String {
        if bytes.isEmpty { return "application/x-empty" }
        guard let result = magic_buffer(cookie, bytes.baseAddress, bytes.count) else { return "application/octet-stream" }
        return String(cString: result)
    }
}
