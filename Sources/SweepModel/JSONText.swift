import Foundation

/// Minimal JSON and CSV text builders with a fixed key order, so exports are stable and diffable.
public struct JSONObject {
    private var out = "{"
    private var first = true

    public init() {}

    private mutating func key(_ k: String) {
        if !first { out += "," }
        first = false
        out += JSONObject.quote(k) + ":"
    }

    public mutating func add(_ k: String, _ v: String?) { key(k); out += v.map(JSONObject.quote) ?? "null" }
    public mutating func add(_ k: String, _ v: Int64?) { key(k); out += v.map { String($0) } ?? "null" }
    public mutating func add(_ k: String, _ v: Int?) { key(k); out += v.map { String($0) } ?? "null" }
    public mutating func add(_ k: String, _ v: Double?) { key(k); out += v.map { String($0) } ?? "null" }
    public mutating func add(_ k: String, _ v: Bool) { key(k); out += v ? "true" : "false" }
    public mutating func add(_ k: String, _ v: [String]) { key(k); out += "[" + v.map(JSONObject.quote).joined(separator: ",") + "]" }
    public mutating func add(_ k: String, _ v: [String: Int]) {
        key(k)
        out += "{" + v.keys.sorted().map { JSONObject.quote($0) + ":" + String(v[$0]!) }.joined(separator: ",") + "}"
    }
    /// JSON text already made (an object or array from the index), inserted as it is.
    public mutating func add(_ k: String, raw v: String) { key(k); out += v }

    /// A nested object, or null.
    public mutating func add(_ k: String, object v: JSONObject?) { key(k); out += v?.text ?? "null" }

    public var text: String { out + "}" }

    public static func quote(_ s: String) -> String {
        var r = "\""
        r.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            case _ where u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029:
                let hex = String(u.value, radix: 16)
                r += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: r.unicodeScalars.append(u)
            }
        }
        return r + "\""
    }
}

public enum CSVText {
    /// One RFC 4180 field. Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a
    /// leading `'`, since file names on a share are written by anyone.
    public static func field(_ s: String?) -> String {
        guard var s else { return "" }
        if let f = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(f) { s = "'" + s }
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    public static func row(_ fields: [String?]) -> String { fields.map(field).joined(separator: ",") }
}
