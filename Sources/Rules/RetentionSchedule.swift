import SweepModel
import Yams

/// The retention schedule's shape (CONTRACT.md, `rules/retention.yaml`), checked on load.
///
/// Classification against it is later work; loading it now means a broken schedule stops a scan with the
/// line to fix instead of being found months later.
public struct RetentionSchedule: Sendable {
    public enum Trigger: String, Sendable, CaseIterable { case lastModified = "last_modified", created, messageDate = "message_date", endOfFinancialYear = "end_of_financial_year" }
    public typealias Action = DisposalAction

    public struct Period: Sendable, Equatable {
        public enum Unit: String, Sendable { case days, weeks, months, years }
        public let count: Int
        public let unit: Unit
        public init(count: Int, unit: Unit) { self.count = count; self.unit = unit }
        /// `6 years`, `1 year`: as a person writes it.
        public var text: String { "\(count) \(count == 1 ? String(unit.rawValue.dropLast()) : unit.rawValue)" }
        /// `permanent` is no period at all.
        public static func parse(_ text: String) -> Period?? {
            let t = text.trimmingCharacters(in: .whitespaces).lowercased()
            if t == "permanent" { return .some(nil) }
            let parts = t.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let n = Int(parts[0]), n >= 0 else { return nil }
            var u = String(parts[1])
            if !u.hasSuffix("s") { u += "s" }
            guard let unit = Unit(rawValue: u) else { return nil }
            return .some(Period(count: n, unit: unit))
        }
    }

    public struct Condition: Sendable {
        public var path: [Glob] = []
        public var name: [Glob] = []
        public var contains: [String] = []
        public var type: [String] = []
        public var marking: [String] = []
        public var pii: [String] = []
    }

    public struct Class: Sendable {
        public let id: String
        public let title: String?
        public let retain: Period?
        public let trigger: Trigger
        public let action: Action
        public let when: Condition
        public let priority: Int
    }

    public struct Hold: Sendable {
        public let id: String
        public let reason: String
        public let authority: String
        public let when: Condition
    }

    public let classes: [Class]
    public let defaultClass: Class
    public let holds: [Hold]

    /// No schedule at all: every item takes the contract's default class.
    public static let defaultOnly = RetentionSchedule(
        classes: [], defaultClass: Class(id: "UNCLASSIFIED", title: nil, retain: Period(count: 6, unit: .years),
                                         trigger: .lastModified, action: .review, when: Condition(), priority: 0),
        holds: [])

    static let markings: Set<String> = ["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET", "PROTECT", "RESTRICTED",
                                        "CONFIDENTIAL", "UNCLASSIFIED"]
    static let piiTypes: Set<String> = ["email", "uk_phone", "uk_postcode", "nino", "nhs_number", "payment_card",
                                        "uk_bank_account", "iban", "uk_passport", "uk_driving_licence", "date_of_birth", "ip_address"]

    static func parse(_ root: Node?, file: String) throws -> RetentionSchedule {
        func fail(_ node: Node?, _ problem: String, _ fix: String) -> RulesError {
            RulesError(file: file, line: node?.mark?.line, problem: problem, fix: fix)
        }
        guard let root, case .mapping = root else {
            throw fail(root, "the schedule is not a mapping", "start the file with `classes:` (see CONTRACT.md or the shipped rules/retention.yaml)")
        }
        /// No key of `node` (a mapping) is a misspelling of one of `known` (`clases:`, `priorty:`, `hold:`),
        /// which would otherwise be passed over and the schedule read without it. Other keys (`description:`,
        /// `function:`, a hold's `start:` and `review:`) are the schedule's own notes and are left alone.
        func noMisspeltKeys(_ node: Node, _ known: [String], _ what: String) throws {
            guard case .mapping(let m) = node else { return }
            for (k, _) in m {
                let key = k.string ?? "?"
                guard !known.contains(key) else { continue }
                let lowered = key.lowercased()
                guard let close = known.min(by: { editDistance($0, lowered) < editDistance($1, lowered) }) else { continue }
                let distance = editDistance(close, lowered)
                guard distance <= 2 && distance * 2 < max(key.count, close.count) else { continue }
                throw fail(k, "unknown key `\(key)` in \(what)", "did you mean `\(close)`? (the keys are \(known.joined(separator: ", ")))")
            }
        }
        try noMisspeltKeys(root, ["classes", "default", "holds"], "the schedule")
        func strings(_ node: Node?, key: String) throws -> [String] {
            guard let node else { return [] }
            if let s = node.string { return [s] }
            guard case .sequence(let seq) = node else {
                throw fail(node, "`\(key)` must be a list", "write it as [\"a\", \"b\"] or one `- item` per line")
            }
            return try seq.map { item in
                guard let s = item.string else { throw fail(item, "`\(key)` holds something that is not text", "quote each value") }
                return s
            }
        }
        func condition(_ node: Node?) throws -> Condition {
            var c = Condition()
            guard let node else { return c }
            guard case .mapping(let m) = node else { throw fail(node, "`when` must be a mapping", "write keys such as `path:` and `name:` under `when:`") }
            let known: Set<String> = ["path", "name", "contains", "type", "marking", "pii"]
            for (k, _) in m {
                guard let key = k.string, known.contains(key) else {
                    throw fail(k, "unknown `when` key \"\(k.string ?? "?")\"", "use path, name, contains, type, marking or pii")
                }
            }
            guard !m.isEmpty else { throw fail(node, "`when` gives no key, so it matches nothing", "give at least one of path, name, contains, type, marking, pii") }
            for (k, v) in m {
                if case .sequence(let seq) = v, seq.isEmpty {
                    throw fail(v, "`\(k.string ?? "?")` is an empty list, so it matches nothing", "give at least one value, or remove the key")
                }
            }
            for (key, target) in [("path", \Condition.path), ("name", \Condition.name)] {
                for g in try strings(node[key], key: key) {
                    do { c[keyPath: target].append(try Glob(g)) } catch {
                        throw fail(node[key], "bad glob: \(error)", "correct the pattern")
                    }
                }
            }
            c.contains = try strings(node["contains"], key: "contains")
            c.type = try strings(node["type"], key: "type").map { $0.lowercased() }
            c.marking = try strings(node["marking"], key: "marking").map { $0.uppercased() }
            for mk in c.marking where !markings.contains(mk) {
                throw fail(node["marking"], "unknown marking \"\(mk)\"", "use one of \(markings.sorted().joined(separator: ", "))")
            }
            c.pii = try strings(node["pii"], key: "pii")
            for p in c.pii where !piiTypes.contains(p) {
                throw fail(node["pii"], "unknown personal-data type \"\(p)\"", "use one of \(piiTypes.sorted().joined(separator: ", "))")
            }
            return c
        }
        func klass(_ node: Node, isDefault: Bool) throws -> Class {
            guard case .mapping = node else { throw fail(node, "a class must be a mapping", "give it id, retain, trigger and action") }
            guard let id = node["id"]?.string, !id.isEmpty else { throw fail(node, "a class has no `id`", "add `id: SOME-ID`") }
            try noMisspeltKeys(node, isDefault ? ["id", "title", "retain", "trigger", "action"]
                                              : ["id", "title", "retain", "trigger", "action", "when", "priority"],
                              isDefault ? "the default class" : "class \(id)")
            guard let retainText = node["retain"]?.string else {
                throw fail(node, "class \(id) has no `retain`", "add `retain: 6 years` (N days|weeks|months|years) or `retain: permanent`")
            }
            guard let retain = Period.parse(retainText) else {
                throw fail(node["retain"], "class \(id): cannot read retain \"\(retainText)\"", "write N days|weeks|months|years, or permanent")
            }
            let triggerText = node["trigger"]?.string ?? "last_modified"
            guard let trigger = Trigger(rawValue: triggerText) else {
                throw fail(node["trigger"], "class \(id): unknown trigger \"\(triggerText)\"",
                           "use one of \(Trigger.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let actionText = node["action"]?.string ?? "review"
            guard let action = Action(rawValue: actionText) else {
                throw fail(node["action"], "class \(id): unknown action \"\(actionText)\"", "use destroy, review or transfer")
            }
            if !isDefault && node["when"] == nil {
                throw fail(node, "class \(id) has no `when`", "add `when:` with at least one of path, name, contains, type, marking, pii")
            }
            var priority = 0
            if let p = node["priority"] {
                guard let v = p.int else { throw fail(p, "class \(id): priority is not a whole number", "write e.g. `priority: 10`") }
                priority = v
            }
            return Class(id: id, title: node["title"]?.string, retain: retain, trigger: trigger, action: action,
                         when: try condition(node["when"]), priority: priority)
        }

        var classes: [Class] = []
        if let list = root["classes"] {
            guard case .sequence(let seq) = list else { throw fail(list, "`classes` must be a list", "give one `- id: …` entry per class") }
            var seen = Set<String>()
            for node in seq {
                let c = try klass(node, isDefault: false)
                guard seen.insert(c.id).inserted else { throw fail(node, "class id \(c.id) is used twice", "give each class its own id") }
                classes.append(c)
            }
        }
        let def: Class
        if let d = root["default"] {
            def = try klass(d, isDefault: true)
            if classes.contains(where: { $0.id == def.id }) {
                throw fail(d, "the default class's id \(def.id) is also a class's id", "give the default its own id (e.g. UNCLASSIFIED)")
            }
        } else {
            def = Class(id: "UNCLASSIFIED", title: nil, retain: Period(count: 6, unit: .years), trigger: .lastModified,
                        action: .review, when: Condition(), priority: 0)
        }
        var holds: [Hold] = []
        if let list = root["holds"] {
            guard case .sequence(let seq) = list else { throw fail(list, "`holds` must be a list", "give one `- id: …` entry per hold") }
            var seen = Set<String>()
            for node in seq {
                guard let id = node["id"]?.string else { throw fail(node, "a hold has no `id`", "add `id: CASE-…`") }
                try noMisspeltKeys(node, ["id", "reason", "authority", "when", "start", "review"], "hold \(id)")
                guard seen.insert(id).inserted else { throw fail(node, "hold id \(id) is used twice", "give each hold its own id") }
                guard node["when"] != nil else { throw fail(node, "hold \(id) has no `when`", "add `when: {path: [\"**/…/**\"]}`") }
                holds.append(Hold(id: id, reason: node["reason"]?.string ?? "", authority: node["authority"]?.string ?? "",
                                  when: try condition(node["when"])))
            }
        }
        return RetentionSchedule(classes: classes, defaultClass: def, holds: holds)
    }
}

/// The Levenshtein distance between two short strings (for "did you mean" in rule errors).
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    guard !x.isEmpty else { return y.count }
    guard !y.isEmpty else { return x.count }
    var row = Array(0...y.count)
    for i in 1...x.count {
        var previous = row[0]
        row[0] = i
        for j in 1...y.count {
            let keep = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
            previous = keep
        }
    }
    return row[y.count]
}
