import Foundation
import GRDB
import SweepModel

/// One present item with something found in it.
public struct ItemFindings: Sendable {
    public let path: String
    public let folder: String
    public let pii: [String: Int]
    public let markings: [String]
    public let highestMarking: String?
    public let special: [String]

    public var personalValues: Int { pii.values.reduce(0, +) }
}

extension SweepIndex {
    /// Every present item with personal data, a marking or a special category, in path order.
    public func itemsWithFindings() throws -> [ItemFindings] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT display_path, pii, markings, marking, special FROM item
                WHERE gone_scan IS NULL AND (pii != '{}' OR markings != '[]' OR special != '[]')
                ORDER BY path
                """).map { r in
                let path: String = r[0]
                func decode<T: Decodable>(_ text: String?, _ empty: T) -> T {
                    guard let text, let v = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else { return empty }
                    return v
                }
                let folder = path.firstRange(of: "!/").map { String(path[..<$0.lowerBound]) } ?? path
                return ItemFindings(path: path, folder: String(folder[..<(folder.lastIndex(of: "/") ?? folder.endIndex)]),
                                    pii: decode(r[1], [String: Int]()), markings: decode(r[2], [String]()),
                                    highestMarking: r[3], special: decode(r[4], [String]()))
            }
        }
    }
}
