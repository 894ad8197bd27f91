/// A file's identity on disk: same device and inode means the same bytes (a hardlink, or a moved file).
public struct FileID: Hashable, Sendable, CustomStringConvertible {
    public let device: UInt64
    public let inode: UInt64
    public init(device: UInt64, inode: UInt64) { self.device = device; self.inode = inode }
    public var description: String { "\(device):\(inode)" }
}

/// A number of bytes, printed the way people read them.
public struct ByteCount: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }
    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.value < b.value }
    public static func + (a: ByteCount, b: ByteCount) -> ByteCount { ByteCount(a.value + b.value) }

    /// `512 B`, `4.2 KB`, `1.3 GB` (decimal units, as file managers on shares show them).
    public var description: String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var v = Double(value), u = 0
        while abs(v) >= 1000, u < units.count - 1 { v /= 1000; u += 1 }
        if u == 0 { return "\(value) B" }
        let tenths = (v * 10).rounded() / 10
        return "\(tenths) \(units[u])"
    }
}

/// What kind of thing an item is. Only files and nested items are ever opened.
public enum ItemKind: String, Sendable, CaseIterable, Codable {
    case file
    case directory      // recorded only when it could not be listed
    case symlink
    case fifo
    case socket
    case charDevice = "char_device"
    case blockDevice = "block_device"
    case unknown
    case member         // archive member (extraction work)
    case message        // mail message
    case attachment     // mail attachment

    /// The MIME-style type recorded for items that are never opened.
    public var inodeType: String? {
        switch self {
        case .directory: return "inode/directory"
        case .symlink: return "inode/symlink"
        case .fifo: return "inode/fifo"
        case .socket: return "inode/socket"
        case .charDevice: return "inode/chardevice"
        case .blockDevice: return "inode/blockdevice"
        case .unknown: return "inode/x-unknown"
        default: return nil
        }
    }
}
