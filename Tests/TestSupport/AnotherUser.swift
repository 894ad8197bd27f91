import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The other user of a shared folder: someone with no privilege who can write where the folder lets them.
///
/// When the tests run as root, the script runs as `nobody` (uid and gid 65534, no groups, no capabilities) through
/// `setpriv`, and the folders it must write in are handed to that user first; otherwise it runs as the test's own
/// user, who already owns them.
public enum AnotherUser {
    public static var isSeparate: Bool { getuid() == 0 }

    /// Lets the other user write in `folders` (and pass through `through`): owner 65534 and mode 0755.
    public static func share(_ folders: [String], through: [String] = []) {
        guard isSeparate else { return }
        for f in through { _ = chmod(f, 0o755) }
        for f in folders { _ = chown(f, 65534, 65534); _ = chmod(f, 0o755) }
    }

    /// Runs `script` with `/bin/sh` as the other user; its exit status.
    @discardableResult
    public static func run(_ script: String) throws -> Int32 {
        let p = Process()
        if isSeparate {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "/bin/sh", "-c", script]
        } else {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script]
        }
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// A path quoted for the shell.
    public static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Every folder from `/` down to `path`, for `share(_:through:)`.
    public static func ancestors(of path: String) -> [String] {
        var out: [String] = []
        var p = (path as NSString).deletingLastPathComponent
        while p != "/" && !p.isEmpty { out.append(p); p = (p as NSString).deletingLastPathComponent }
        return out
    }
}
