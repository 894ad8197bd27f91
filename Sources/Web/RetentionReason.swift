import Foundation

/// The stored retention reason (the classifier's JSON) in words a records manager can check.
enum RetentionReason {
    private struct Stored: Decodable {
        struct Other: Decodable { let `class`: String; let matched: [String]?; let lost: String? }
        let `class`: String?
        let matched: [String]?
        let why: String?
        let others: [Other]?
        let trigger: String?
        let retain: String?
        let holds: [String]?
    }

    static func describe(_ json: String?) -> String {
        guard let json, let r = try? JSONDecoder().decode(Stored.self, from: Data(json.utf8)) else { return json ?? "" }
        var parts: [String] = []
        let cls = r.class ?? "?"
        if let why = r.why { parts.append("\(cls): \(why)") }
        else { parts.append("\(cls): matched \((r.matched ?? []).joined(separator: ", "))") }
        if let retain = r.retain {
            parts.append(retain == "permanent" ? "kept permanently" : "\(retain) from \((r.trigger ?? "last_modified").replacingOccurrences(of: "_", with: " "))")
        }
        for o in r.others ?? [] { parts.append("not \(o.class): \(o.lost ?? "lost")") }
        if let h = r.holds, !h.isEmpty { parts.append("held by \(h.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}
