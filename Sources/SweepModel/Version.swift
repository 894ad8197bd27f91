import Foundation

/// Sweep's own version, and what a build recorded about itself (`sweep --version`).
public enum SweepVersion {
    /// The release: raised with each package (`make deb` names the package after it).
    public static let number = "0.9.0"

    /// Lines a build wrote beside the binary (`commit …`, `swift …`, `libpst …`): `make release` and `make deb`
    /// write them; a binary built otherwise says it does not know its commit.
    public static func buildInfo(executable: String) -> [String: String] {
        let dir = (executable as NSString).deletingLastPathComponent
        for candidate in [dir + "/sweep.build-info", dir + "/../share/sweep/build-info", "/usr/share/sweep/build-info"] {
            guard let text = try? String(contentsOfFile: candidate, encoding: .utf8) else { continue }
            var out: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
            }
            return out
        }
        return [:]
    }
}
