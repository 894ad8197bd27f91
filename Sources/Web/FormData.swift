import Foundation

/// `application/x-www-form-urlencoded` pairs, from a query string or a form body, keeping repeated keys
/// (a checkbox per item sends `item` many times).
public struct FormData: Sendable {
    public let pairs: [(String, String)]

    public init(_ text: String?) {
        pairs = (text ?? "").split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (FormData.decode(kv[0]), kv.count > 1 ? FormData.decode(kv[1]) : "")
        }
    }

    /// The first value, trimmed; nil when absent or blank.
    public subscript(_ key: String) -> String? {
        guard let v = pairs.first(where: { $0.0 == key })?.1.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    public func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

    /// `+` is a space; `%XX` a byte; bytes that are not UTF-8 become U+FFFD.
    static func decode(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var i = s.utf8.startIndex
        let u = s.utf8
        while i < u.endIndex {
            let b = u[i]
            if b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if b == UInt8(ascii: "%"), let j = u.index(i, offsetBy: 2, limitedBy: u.index(before: u.endIndex)),
                      let v = UInt8(String(decoding: u[u.index(after: i)...j], as: UTF8.self), radix: 16) {
                bytes.append(v)
                i = j
            } else {
                bytes.append(b)
            }
            i = u.index(after: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
