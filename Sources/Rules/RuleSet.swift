import CXXHash
import Foundation
import SweepModel
import Yams

/// A rules folder, loaded and checked.
public struct RuleSet: Sendable {
    public struct File: Sendable {
        public let name: String
        public let text: String
    }

    public let directory: String?
    public let files: [File]
    /// XXH3-128 of every file's name and bytes: items scanned under another version are read again.
    public let version: String
    public let retention: RetentionSchedule?
    public let detection: DetectionRules

    /// No rules folder at all: nothing to classify or detect by, and a version that says so.
    public static let empty = RuleSet(directory: nil, files: [], version: "none", retention: nil, detection: .none)

    init(directory: String?, files: [File], version: String, retention: RetentionSchedule?, detection: DetectionRules) {
        self.directory = directory; self.files = files; self.version = version; self.retention = retention
        self.detection = detection
    }

    /// Loads every `*.yaml` / `*.yml` in `directory` (sorted by name) and checks each; throws the first problem.
    public static func load(_ directory: String) throws -> RuleSet {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw RulesError(file: directory, problem: "no rules folder here",
                             fix: "pass --rules DIR with the folder holding retention.yaml, or run from the Sweep checkout whose rules/ ships the defaults")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw RulesError(file: directory, problem: "cannot list the rules folder (\(error.localizedDescription))",
                             fix: "make the folder readable by the user running sweep")
        }
        var files: [File] = []
        var hashed: [UInt8] = []
        var retention: RetentionSchedule?
        var detectionFiles: [String: (path: String, text: String)] = [:]
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RulesError(file: path, problem: "cannot read the file", fix: "make it readable by the user running sweep")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw RulesError(file: path, problem: "not UTF-8 text", fix: "save the file as UTF-8")
            }
            let node: Node?
            do {
                node = try Yams.compose(yaml: text)
            } catch let e as YamlError {
                throw RulesError(file: path, line: RuleSet.line(of: e), problem: "not valid YAML: \(RuleSet.firstLine(of: e))",
                                 fix: "correct the YAML at that line (indent with spaces, quote values holding ': ' or '#')")
            }
            if name == "retention.yaml" || name == "retention.yml" {
                retention = try RetentionSchedule.parse(node, file: path)
            }
            if ["personal-data.yaml", "special-category.yaml", "markings.yaml"].contains(name) { detectionFiles[name] = (path, text) }
            files.append(File(name: name, text: text))
            hashed += Array(name.utf8) + [0] + Array(data) + [0]
        }
        let digest = hashed.withUnsafeBytes { XXH3_128bits($0.baseAddress, $0.count) }
        let version = String(digest.high64, radix: 16).leftPadded(16) + String(digest.low64, radix: 16).leftPadded(16)
        return RuleSet(directory: directory, files: files, version: version, retention: retention,
                       detection: try DetectionRules.parse(files: detectionFiles))
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    static func firstLine(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
