#if canImport(Glibc)
import Glibc
#endif
import SweepModel

/// Why an entry or a folder could not be read; stored on the item as its `error`.
public struct CrawlError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case permission, vanished, loop, io, limit, other
    }
    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) { self.kind = kind; self.message = message }

    public init(errno code: Int32, doing action: String) {
        let text = String(cString: strerror(code))
        switch code {
        case EACCES, EPERM: self.init(kind: .permission, message: "permission denied (\(action))")
        case ENOENT, ESTALE: self.init(kind: .vanished, message: "vanished during scan (\(action): \(text))")
        case ELOOP: self.init(kind: .loop, message: "symlink loop (\(action))")
        case EIO: self.init(kind: .io, message: "I/O error (\(action)): \(text)")
        default: self.init(kind: .other, message: "\(action) failed: \(text)")
        }
    }

    public var description: String { message }
}

extension CrawlError.Kind {
    /// The item's stored error kind.
    public var itemErrorKind: ItemErrorKind {
        switch self {
        case .permission: return .permission
        case .vanished: return .vanished
        case .loop: return .loop
        case .io: return .io
        case .limit: return .limit
        case .other: return .other
        }
    }
}
