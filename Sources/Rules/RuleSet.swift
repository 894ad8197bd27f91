import CXXHash
import Foundation
import SweepModel
import Yams

/// The rules in force: the rules shipped with Sweep (compiled into the binary) as the base, and a rules
/// folder over them that replaces them file by file. A folder holding only `retention.yaml` keeps the
/// shipped detection rules; detection is off only when the caller says so.
public struct RuleSet: Sendable {
    /// One rules file in force, and where it came from.
    public struct File: Sendable, Equatable {
        public let name: String
        public let text: String
        /// Where the file was read: nil for the copy shipped inside Sweep.
        public let path: String?
        /// True for a file of the rules folder that is byte for byte the shipped one.
        public let sameAsShipped: Bool
        /// Where it came from, for summaries and the index.
        public var use: RuleFileUse {
            RuleFileUse(name: name, source: path == nil ? "shipped" : "local", path: path, sameAsShipped: sameAsShipped)
        }
    }

    /// The rules folder layered over the shipped rules, if any.
    public let directory: String?
    /// Every file in force, by name.
    public let files: [File]
    /// XXH3-128 of every file in force (name and bytes) and of the detection switch: items scanned under
    /// another version are read again.
    public let version: String
    public let retention: RetentionSchedule?
    public let detection: DetectionRules
    /// False only when the user turned detection off (a flag or config key).
    public let detectionEnabled: Bool

    /// The names of the files that hold detection rules.
    public static let detectionFileNames: Set<String> = ["personal-data.yaml", "special-category.yaml", "markings.yaml"]

    /// No rules at all (a duplicate sweep): nothing to classify or detect by, and a version that says so.
    public static let empty = RuleSet(directory: nil, files: [], version: "none", retention: nil, detection: .none,
                                      detectionEnabled: false)

    init(directory: String?, files: [File], version: String, retention: RetentionSchedule?, detection: DetectionRules,
         detectionEnabled: Bool) {
        self.directory = directory; self.files = files; self.version = version; self.retention = retention
        self.detection = detection; self.detectionEnabled = detectionEnabled
    }

    /// The shipped rules, with `directory`'s files over them (nil: the shipped rules alone). `detection: false`
    /// leaves the detection files out. Every file in force is checked; the first problem is thrown.
    public static func load(_ directory: String?, detection: Bool = true) throws -> RuleSet {
        var byName: [String: File] = [:]
        let shipped = Dictionary(uniqueKeysWithValues: ShippedRules.files.map { ($0.name, $0.text) })
        for (name, text) in ShippedRules.files { byName[name] = File(name: name, text: text, path: nil, sameAsShipped: true) }
        if let directory {
            for (name, path, text) in try readFolder(directory) {
                // `retention.yml` stands in for the shipped `retention.yaml`.
                let canonical = name.hasSuffix(".yml") ? String(name.dropLast(4)) + ".yaml" : name
                if canonical != name, byName[canonical]?.path != nil {
                    throw RulesError(file: path, problem: "both \(canonical) and \(name) are here",
                                     fix: "keep one of the two files")
                }
                byName[canonical] = File(name: canonical, text: text, path: path, sameAsShipped: shipped[canonical] == text)
            }
        }
        if !detection { for name in detectionFileNames { byName[name] = nil } }
        let files = byName.values.sorted { $0.name < $1.name }

        var hashed: [UInt8] = Array((detection ? "detection" : "detection-off").utf8) + [0]
        var retention: RetentionSchedule?
        var detectionFiles: [String: (path: String, text: String)] = [:]
        for file in files {
            let shown = file.path ?? "shipped rules/\(file.name)"
            do {
                _ = try Yams.compose(yaml: file.text)
            } catch let e as YamlError {
                throw RulesError(file: shown, line: RuleSet.line(of: e), problem: "not valid YAML: \(RuleSet.firstLine(of: e))",
                                 fix: "correct the YAML at that line (indent with spaces, quote values holding ': ' or '#')")
            }
            if file.name == "retention.yaml" {
                retention = try RetentionSchedule.parse(try Yams.compose(yaml: file.text), file: shown)
            }
            if detectionFileNames.contains(file.name) { detectionFiles[file.name] = (shown, file.text) }
            hashed += Array(file.name.utf8) + [0] + Array(file.text.utf8) + [0]
        }
        let digest = hashed.withUnsafeBytes { XXH3_128bits($0.baseAddress, $0.count) }
        let version = String(digest.high64, radix: 16).leftPadded(16) + String(digest.low64, radix: 16).leftPadded(16)
        return RuleSet(directory: directory, files: files, version: version, retention: retention,
                       detection: try DetectionRules.parse(files: detectionFiles), detectionEnabled: detection)
    }

    /// Every `*.yaml` / `*.yml` in `directory`, sorted by name, as UTF-8 text.
    static func readFolder(_ directory: String) throws -> [(name: String, path: String, text: String)] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw RulesError(file: directory, problem: "no rules folder here",
                             fix: "pass --rules DIR with the folder holding your rules (such as retention.yaml), or leave --rules out to use the shipped rules")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw RulesError(file: directory, problem: "cannot list the rules folder (\(error.localizedDescription))",
                             fix: "make the folder readable by the user running sweep")
        }
        return try names.map { name in
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RulesError(file: path, problem: "cannot read the file", fix: "make it readable by the user running sweep")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw RulesError(file: path, problem: "not UTF-8 text", fix: "save the file as UTF-8")
            }
            return (name, path, text)
        }
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
