import Foundation

/// Why an item is in its retention class: the class that won and the keys it matched, the classes that also
/// matched and why each lost, the trigger and period, and the schedule's holds on it. Stored in the index as JSON
/// (`retention_reason`) and shown to records managers in words.
public struct RetentionReason: Codable, Sendable, Equatable {
    public struct Other: Codable, Sendable, Equatable {
        public var `class`: String
        public var matched: [String]?
        public var lost: String?
        public init(class cls: String, matched: [String]?, lost: String?) { self.class = cls; self.matched = matched; self.lost = lost }
    }

    public var `class`: String?
    public var matched: [String]?
    /// Set when nothing matched and the default class applies.
    public var why: String?
    public var others: [Other]?
    public var trigger: String?
    /// A period (`7 years`) or `permanent`.
    public var retain: String?
    public var holds: [String]?

    public init(class cls: String?, matched: [String]?, why: String? = nil, others: [Other]? = nil, trigger: String?,
                retain: String?, holds: [String]? = nil) {
        self.class = cls; self.matched = matched; self.why = why; self.others = others
        self.trigger = trigger; self.retain = retain; self.holds = holds
    }

    /// Reads the stored JSON; nil when it is not a reason.
    public init?(json: String?) {
        guard let json, let r = try? JSONDecoder().decode(RetentionReason.self, from: Data(json.utf8)) else { return nil }
        self = r
    }

    /// The JSON stored in the index, keys in a fixed order (written for every item a scan classifies, so without
    /// an encoder's per-call cost).
    public var json: String {
        var o = JSONObject()
        o.add("class", self.class)
        o.add("matched", matched ?? [])
        if let why { o.add("why", why) }
        o.add("others", raw: "[" + (others ?? []).map { x -> String in
            var e = JSONObject()
            e.add("class", x.class); e.add("matched", x.matched ?? []); e.add("lost", x.lost)
            return e.text
        }.joined(separator: ",") + "]")
        o.add("trigger", trigger)
        o.add("retain", retain)
        if let holds, !holds.isEmpty { o.add("holds", holds) }
        return o.text
    }

    /// In words a records manager can check: `HR-REC-02: matched path, name; 6 months from last modified; not …`.
    public var description: String {
        var parts: [String] = []
        let cls = self.class ?? "?"
        if let why { parts.append("\(cls): \(why)") } else { parts.append("\(cls): matched \((matched ?? []).joined(separator: ", "))") }
        if let retain {
            parts.append(retain == "permanent" ? "kept permanently" : "\(retain) from \((trigger ?? "last_modified").replacingOccurrences(of: "_", with: " "))")
        }
        for o in others ?? [] { parts.append("not \(o.class): \(o.lost ?? "lost")") }
        if let h = holds, !h.isEmpty { parts.append("held by \(h.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    /// The stored JSON in words, or the text as stored when it is not a reason.
    public static func describe(_ json: String?) -> String {
        RetentionReason(json: json)?.description ?? json ?? ""
    }
}

/// What a retention class says happens at the end of its period.
public enum DisposalAction: String, Sendable, Codable, CaseIterable {
    case destroy, review, transfer
}

/// What a disposal log row records: an act on an item (`destroy`, `transfer`, `review`, `purge`) or on a hold.
/// An open vocabulary read back from the log as written, so a row the chain does not know is still shown and
/// checked rather than dropped.
public struct LogAction: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ action: DisposalAction) { rawValue = action.rawValue }
    public var description: String { rawValue }

    public static let destroy = LogAction(rawValue: "destroy")
    public static let transfer = LogAction(rawValue: "transfer")
    public static let review = LogAction(rawValue: "review")
    public static let purge = LogAction(rawValue: "purge")
    public static let hold = LogAction(rawValue: "hold")
    public static let holdRelease = LogAction(rawValue: "hold-release")
    /// The acts that carry out a review decision: one of them logged means the decision is done.
    public static let carriesOutDecision: Set<LogAction> = [.destroy, .transfer, .review]
}
