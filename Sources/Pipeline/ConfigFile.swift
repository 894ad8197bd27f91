import Foundation
import Yams

/// `--config FILE`: a scan's settings in YAML, so a cron or systemd job is one line.
///
/// ```yaml
/// roots: [/srv/shares/HR, /srv/shares/Finance]
/// exclude: ["**/~$*", "*.tmp"]
/// index: /var/lib/sweep/sweep.db
/// rules: /etc/sweep/rules
/// jobs: 16
/// one_file_system: true
/// follow_symlinks: false
/// ```
/// Flags given on the command line win over the file.
public struct ConfigFile: Decodable, Sendable {
    public var roots: [String]?
    public var exclude: [String]?
    public var index: String?
    public var rules: String?
    public var jobs: Int?
    public var oneFileSystem: Bool?
    public var followSymlinks: Bool?

    enum CodingKeys: String, CodingKey {
        case roots, exclude, excludes, index, rules, jobs
        case oneFileSystem = "one_file_system", followSymlinks = "follow_symlinks"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        roots = try c.decodeIfPresent([String].self, forKey: .roots)
        exclude = try c.decodeIfPresent([String].self, forKey: .exclude) ?? c.decodeIfPresent([String].self, forKey: .excludes)
        index = try c.decodeIfPresent(String.self, forKey: .index)
        rules = try c.decodeIfPresent(String.self, forKey: .rules)
        jobs = try c.decodeIfPresent(Int.self, forKey: .jobs)
        oneFileSystem = try c.decodeIfPresent(Bool.self, forKey: .oneFileSystem)
        followSymlinks = try c.decodeIfPresent(Bool.self, forKey: .followSymlinks)
    }

    public struct Problem: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func load(_ path: String) throws -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Problem(message: "cannot read the config file \(path): check the path and its permissions")
        }
        do {
            return try YAMLDecoder().decode(ConfigFile.self, from: text)
        } catch {
            throw Problem(message: "\(path) is not a valid Sweep config (\(error)): expected keys roots, exclude, index, rules, jobs, one_file_system, follow_symlinks")
        }
    }
}
