import Index
import SweepModel

/// A scope or folder as a person gives it — a glob below the scan root (`**/Social Care/**/Smith*`), a path
/// below the root (`Social Care/Smith`), or a whole path (`/srv/shares/Social Care/Smith/`) — made the one glob
/// below the scan roots that holds, disposal filters and keep rules match. The command line and the web app both
/// come here, so a hold typed either way covers the same items.
public enum Scope {
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The glob text below the roots: a whole path below a root this index has scanned becomes the path below it
    /// (the root itself becomes `**`); a whole path below no scanned root is refused, never kept to match nothing.
    public static func belowRoots(_ text: String, roots: [String]) throws -> String {
        let path = Glob.normalized(text)
        guard path.hasPrefix("/") else { return text }
        for root in roots.map({ $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 }).sorted(by: { $0.count > $1.count }) {
            if path == root { return "**" }
            let prefix = root == "/" ? "/" : root + "/"
            if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
        }
        throw Problem(description: "\(text) is not below a folder this index has scanned (\(roots.sorted().joined(separator: ", "))): "
                      + "give the path below the scan root, or a glob such as '**/Social Care/**/Smith*'")
    }

    /// The compiled glob for `text` (see ``belowRoots(_:roots:)``), its problem in words when it is none.
    public static func glob(_ text: String, roots: [String]) throws -> Glob {
        let relative = try belowRoots(text, roots: roots)
        do { return try Glob(relative) } catch { throw Problem(description: "\(text): \(error)") }
    }

    /// The glob for `text` below the roots of `store`'s scans.
    public static func glob(_ text: String, in store: SweepIndex) throws -> Glob {
        try glob(text, roots: try roots(of: store))
    }

    /// Every root the index has scanned.
    public static func roots(of store: SweepIndex) throws -> [String] {
        Array(Set(try store.recentScans(limit: 1000).flatMap(\.roots)))
    }
}
