import Foundation
import Yams

/// The detection rules: `personal-data.yaml`, `special-category.yaml`, `markings.yaml` (see their headers).
public struct DetectionRules: Sendable {
    public struct PersonalData: Sendable, Decodable {
        public let type: String
        public let patterns: [String]
        public let caseless: Bool
        public let validator: String
        public let context: [String]
        public let contextRequired: Bool
        public let bareNeedsContext: Bool
        public let window: Int
        public let examples: Examples

        enum CodingKeys: String, CodingKey {
            case type, patterns, caseless, validator, context, window, examples
            case contextRequired = "context_required", bareNeedsContext = "bare_needs_context"
        }

        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            type = try c.decode(String.self, forKey: .type)
            patterns = try c.decode([String].self, forKey: .patterns)
            caseless = try c.decodeIfPresent(Bool.self, forKey: .caseless) ?? false
            validator = try c.decode(String.self, forKey: .validator)
            context = try c.decodeIfPresent([String].self, forKey: .context) ?? []
            contextRequired = try c.decodeIfPresent(Bool.self, forKey: .contextRequired) ?? false
            bareNeedsContext = try c.decodeIfPresent(Bool.self, forKey: .bareNeedsContext) ?? false
            window = try c.decodeIfPresent(Int.self, forKey: .window) ?? 60
            examples = try c.decodeIfPresent(Examples.self, forKey: .examples) ?? Examples(match: [], noMatch: [])
        }
    }

    public struct Examples: Sendable, Decodable {
        public let match: [String]
        public let noMatch: [String]
        enum CodingKeys: String, CodingKey { case match, noMatch = "no_match" }
        public init(match: [String], noMatch: [String]) { self.match = match; self.noMatch = noMatch }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            match = try c.decodeIfPresent([String].self, forKey: .match) ?? []
            noMatch = try c.decodeIfPresent([String].self, forKey: .noMatch) ?? []
        }
    }

    public struct SpecialCategory: Sendable, Decodable {
        public let category: String
        public let keywords: [String]
        /// Phrases in which a keyword does not count ("probation period", "cardiac arrest"), any case.
        public let exclude: [String]
        public let examples: Examples
        enum CodingKeys: String, CodingKey { case category, keywords, exclude, examples }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            category = try c.decode(String.self, forKey: .category)
            keywords = try c.decode([String].self, forKey: .keywords)
            exclude = try c.decodeIfPresent([String].self, forKey: .exclude) ?? []
            examples = try c.decodeIfPresent(Examples.self, forKey: .examples) ?? Examples(match: [], noMatch: [])
        }
    }

    public struct Markings: Sendable, Decodable {
        public struct Label: Sendable, Decodable {
            public let label: String
            public let spellings: [String]
            public let mixedCase: [String]
            enum CodingKeys: String, CodingKey { case label, spellings, mixedCase = "mixed_case" }
            public init(from d: Decoder) throws {
                let c = try d.container(keyedBy: CodingKeys.self)
                label = try c.decode(String.self, forKey: .label)
                spellings = try c.decode([String].self, forKey: .spellings)
                mixedCase = try c.decodeIfPresent([String].self, forKey: .mixedCase) ?? []
            }
        }
        public struct Example: Sendable, Decodable { public let text: String; public let label: String }
        public struct MarkingExamples: Sendable, Decodable {
            public let match: [Example]
            public let noMatch: [String]
            enum CodingKeys: String, CodingKey { case match, noMatch = "no_match" }
        }
        public let labels: [Label]
        public let descriptors: [String]
        /// Words that may stand before a marking with a colon ("Classification: OFFICIAL"), any case.
        public let leadIns: [String]
        public let labelIDs: [String: String]
        public let examples: MarkingExamples?
        enum CodingKeys: String, CodingKey { case labels, descriptors, leadIns = "lead_ins", labelIDs = "label_ids", examples }
        public init(from d: Decoder) throws {
            let c = try d.container(keyedBy: CodingKeys.self)
            labels = try c.decode([Label].self, forKey: .labels)
            descriptors = try c.decodeIfPresent([String].self, forKey: .descriptors) ?? []
            leadIns = try c.decodeIfPresent([String].self, forKey: .leadIns) ?? []
            labelIDs = try c.decodeIfPresent([String: String].self, forKey: .labelIDs) ?? [:]
            examples = try c.decodeIfPresent(MarkingExamples.self, forKey: .examples)
        }
    }

    public let personalData: [PersonalData]
    public let specialCategories: [SpecialCategory]
    /// Words that show a passage is about a person (pronouns, titles, roles): a special-category keyword counts
    /// only with one of them, or a personal-data value, near it, or as a filled-in form field. Empty: every
    /// keyword in an item with personal data counts.
    public let personWords: [String]
    /// How far (bytes, each side, within the paragraph) a person word or value may be from the keyword.
    public let personWindow: Int
    /// Passages that must and must not count as describing a person.
    public let personExamples: Examples
    public let markings: Markings?

    public static let contractTypes: Set<String> = ["email", "uk_phone", "uk_postcode", "nino", "nhs_number", "payment_card",
                                                     "uk_bank_account", "iban", "uk_passport", "uk_driving_licence",
                                                     "date_of_birth", "ip_address"]
    public static let contractCategories: Set<String> = ["health", "ethnicity", "religion", "sexual_orientation", "trade_union",
                                                          "political", "biometric", "genetic", "criminal"]

    public static let none = DetectionRules(personalData: [], specialCategories: [], markings: nil)

    init(personalData: [PersonalData], specialCategories: [SpecialCategory], markings: Markings?, personWords: [String] = [],
         personWindow: Int = 150, personExamples: Examples = Examples(match: [], noMatch: [])) {
        self.personalData = personalData; self.specialCategories = specialCategories; self.markings = markings
        self.personWords = personWords; self.personWindow = personWindow; self.personExamples = personExamples
    }

    struct PersonalDataFile: Decodable { let types: [PersonalData] }
    struct SpecialFile: Decodable {
        let categories: [SpecialCategory]
        let personWords: [String]?
        let personWindow: Int?
        let personExamples: Examples?
        enum CodingKeys: String, CodingKey {
            case categories, personWords = "person_words", personWindow = "person_window", personExamples = "person_examples"
        }
    }

    /// Decodes the three files (any may be absent) and checks names against the contract's lists.
    static func parse(files: [String: (path: String, text: String)]) throws -> DetectionRules {
        func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
            guard let f = files[name] else { return nil }
            do { return try YAMLDecoder().decode(T.self, from: f.text) } catch {
                throw RulesError(file: f.path, problem: "does not have the expected shape: \(RulesError.describe(error))",
                                 fix: "compare it with the shipped rules/\(name) and its header comment")
            }
        }
        let pd = try decode(PersonalDataFile.self, "personal-data.yaml")?.types ?? []
        for t in pd where !contractTypes.contains(t.type) {
            throw RulesError(file: files["personal-data.yaml"]!.path, problem: "unknown personal-data type \"\(t.type)\"",
                             fix: "use one of \(contractTypes.sorted().joined(separator: ", "))")
        }
        let special = try decode(SpecialFile.self, "special-category.yaml")
        let sc = special?.categories ?? []
        for c in sc where !contractCategories.contains(c.category) {
            throw RulesError(file: files["special-category.yaml"]!.path, problem: "unknown category \"\(c.category)\"",
                             fix: "use one of \(contractCategories.sorted().joined(separator: ", "))")
        }
        return DetectionRules(personalData: pd, specialCategories: sc, markings: try decode(Markings.self, "markings.yaml"),
                              personWords: special?.personWords ?? [], personWindow: special?.personWindow ?? 150,
                              personExamples: special?.personExamples ?? Examples(match: [], noMatch: []))
    }
}

extension RulesError {
    /// A decoding error in words: the key path and what was wrong.
    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing `\(key.stringValue)` at \(path(ctx.codingPath))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx), DecodingError.dataCorrupted(let ctx):
            return "\(ctx.debugDescription) at \(path(ctx.codingPath))"
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "the top" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
