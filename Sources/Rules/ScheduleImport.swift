import Foundation
import SweepModel
import Yams

/// A records manager's retention spreadsheet (CSV) → `retention.yaml`.
///
/// Columns (header row, any case, any order): id, title, retain, trigger, action, path, name, contains,
/// type, marking, pii, priority; list cells hold values separated by `;`. Every row is checked as the schedule
/// loader would check it, and each problem names the spreadsheet row (the header is row 1) and column.
public enum ScheduleImport {
    public struct Problem: Error, CustomStringConvertible, Sendable, Equatable {
        public let row: Int
        public let column: String
        public let message: String
        public var description: String { "row \(row), \(column): \(message)" }
    }

    /// Every problem in a spreadsheet.
    public struct Problems: Error, Sendable {
        public let list: [Problem]
    }

    static let columns = ["id", "title", "retain", "trigger", "action", "path", "name", "contains", "type", "marking", "pii", "priority"]
    static let listColumns = ["path", "name", "contains", "type", "marking", "pii"]

    /// The YAML text, or every problem found.
    public static func convert(_ text: String, source: String = "the spreadsheet") -> Result<String, Problems> {
        let records: [(row: Int, cells: [String])]
        switch parseCSV(text) {
        case .failure(let p): return .failure(Problems(list: [p]))
        case .success(let r): records = r
        }
        guard let header = records.first else {
            return .failure(Problems(list: [Problem(row: 1, column: "header", message: "the file is empty: give a header row (id,title,retain,trigger,action,path,…)")]))
        }
        var problems: [Problem] = []
        var index: [String: Int] = [:]
        for (i, raw) in header.cells.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name.isEmpty { continue }
            guard columns.contains(name) else {
                problems.append(Problem(row: 1, column: raw, message: "unknown column: use \(columns.joined(separator: ", "))"))
                continue
            }
            if index[name] != nil { problems.append(Problem(row: 1, column: name, message: "the column appears twice: keep one")) }
            index[name] = i
        }
        for required in ["id", "retain"] where index[required] == nil {
            problems.append(Problem(row: 1, column: required, message: "no \(required) column: add it to the header row"))
        }
        if !problems.isEmpty { return .failure(Problems(list: problems)) }

        var yaml = "# Retention schedule imported from \(source) by `sweep rules import-schedule`.\n"
        yaml += "# Check it with `sweep rules check`; see README.md \"Retention schedule\" for the format.\n"
        yaml += "classes:\n"
        var seen: [String: Int] = [:]
        var count = 0
        for record in records.dropFirst() {
            let row = record.row
            func cell(_ c: String) -> String {
                guard let i = index[c], i < record.cells.count else { return "" }
                return record.cells[i].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            func list(_ c: String) -> [String] {
                cell(c).split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            }
            if record.cells.allSatisfy({ $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) { continue }
            var bad = false
            func problem(_ column: String, _ message: String) { problems.append(Problem(row: row, column: column, message: message)); bad = true }

            let id = cell("id")
            if id.isEmpty { problem("id", "empty: give each class an id, such as FIN-TRN-01") }
            else if let first = seen[id] { problem("id", "'\(id)' is already used in row \(first): give each class its own id") }
            else { seen[id] = row }
            let retain = cell("retain")
            if RetentionSchedule.Period.parse(retain) == nil {
                problem("retain", "'\(retain)' is not a period: use N days|weeks|months|years or permanent")
            }
            let trigger = cell("trigger").isEmpty ? "last_modified" : cell("trigger").lowercased()
            if RetentionSchedule.Trigger(rawValue: trigger) == nil {
                problem("trigger", "'\(cell("trigger"))' is not a trigger: use \(RetentionSchedule.Trigger.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let action = cell("action").isEmpty ? "review" : cell("action").lowercased()
            if RetentionSchedule.Action(rawValue: action) == nil {
                problem("action", "'\(cell("action"))' is not an action: use destroy, review or transfer")
            }
            for c in ["path", "name"] {
                for g in list(c) {
                    do { _ = try Glob(g) } catch { problem(c, "'\(g)': \(error)") }
                }
            }
            let markings = list("marking").map { $0.uppercased() }
            for m in markings where !RetentionSchedule.markings.contains(m) {
                problem("marking", "'\(m)' is not a marking: use \(RetentionSchedule.markings.sorted().joined(separator: ", "))")
            }
            let pii = list("pii").map { $0.lowercased() }
            for p in pii where !RetentionSchedule.piiTypes.contains(p) {
                problem("pii", "'\(p)' is not a personal-data type: use \(RetentionSchedule.piiTypes.sorted().joined(separator: ", "))")
            }
            var priority: Int?
            if !cell("priority").isEmpty {
                priority = Int(cell("priority"))
                if priority == nil { problem("priority", "'\(cell("priority"))' is not a whole number: write e.g. 10, or leave it empty") }
            }
            if listColumns.allSatisfy({ list($0).isEmpty }) {
                problem("path", "no cue to recognise the class by: fill at least one of path, name, contains, type, marking, pii")
            }
            if bad { continue }

            count += 1
            yaml += "  - id: \(JSONObject.quote(id))\n"
            if !cell("title").isEmpty { yaml += "    title: \(JSONObject.quote(cell("title")))\n" }
            yaml += "    retain: \(JSONObject.quote(retain.lowercased()))\n"
            yaml += "    trigger: \(trigger)\n"
            yaml += "    action: \(action)\n"
            yaml += "    when:\n"
            for c in listColumns {
                var values = list(c)
                if c == "marking" { values = markings } else if c == "pii" { values = pii }
                if !values.isEmpty { yaml += "      \(c): [\(values.map(JSONObject.quote).joined(separator: ", "))]\n" }
            }
            if let priority { yaml += "    priority: \(priority)\n" }
        }
        if !problems.isEmpty { return .failure(Problems(list: problems)) }
        if count == 0 { return .failure(Problems(list: [Problem(row: 2, column: "id", message: "no classes: add one row per class below the header")])) }
        yaml += "default: {id: UNCLASSIFIED, retain: 6 years, trigger: last_modified, action: review}\n"
        yaml += "holds: []\n"
        return .success(yaml)
    }

    /// RFC 4180 records with the spreadsheet row each starts on; a UTF-8 BOM and CRLF line ends are fine.
    static func parseCSV(_ input: String) -> Result<[(row: Int, cells: [String])], Problem> {
        var text = Substring(input)
        if text.first == "\u{FEFF}" { text = text.dropFirst() }
        var records: [(Int, [String])] = []
        var cells: [String] = []
        var cell = ""
        var quoted = false, wasQuoted = false
        var row = 1, recordRow = 1
        // Unicode scalars: Swift reads "\r\n" as one Character.
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            cells.append(cell)
            records.append((recordRow, cells))
            cells = []; cell = ""; wasQuoted = false
        }
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let n = it.next()
                    if n == "\"" { cell.unicodeScalars.append("\"") } else { quoted = false; pending = n }
                } else {
                    if c == "\n" { row += 1 }
                    cell.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                if cell.isEmpty && !wasQuoted { quoted = true; wasQuoted = true } else { cell.unicodeScalars.append(c) }
            case ",":
                cells.append(cell); cell = ""; wasQuoted = false
            case "\r":
                let n = it.next()
                if n != "\n" { pending = n }
                endRecord(); row += 1; recordRow = row
            case "\n":
                endRecord(); row += 1; recordRow = row
            default:
                cell.unicodeScalars.append(c)
            }
        }
        if quoted { return .failure(Problem(row: recordRow, column: "-", message: "a quoted field never ends: close its \" (write \"\" for a quote inside)")) }
        if !cell.isEmpty || !cells.isEmpty { endRecord() }
        return .success(records)
    }
}

extension RetentionSchedule {
    /// Loads a schedule from YAML text, checked as the rules folder's `retention.yaml` is.
    public static func load(yaml: String, file: String = "retention.yaml") throws -> RetentionSchedule {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch let e as YamlError {
            throw RulesError(file: file, line: RuleSet.line(of: e), problem: "not valid YAML: \(RuleSet.firstLine(of: e))", fix: "correct the YAML at that line")
        }
        return try parse(node, file: file)
    }
}
