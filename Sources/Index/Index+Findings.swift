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

extension SweepIndex {
    /// Other present items holding any of the personal-data values found in the item at `path` (matched by
    /// keyed hash: the values themselves are never stored), with the types they share.
    public func itemsSharingValues(with path: ItemPath) throws -> [(path: String, types: [String])] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT i.display_path, group_concat(DISTINCT f.type) FROM finding f JOIN item i ON i.id = f.item_id
                WHERE f.value_hash IN (
                    SELECT f2.value_hash FROM finding f2 JOIN item i2 ON i2.id = f2.item_id
                    WHERE i2.path = ? AND f2.kind = 'pii')
                  AND f.kind = 'pii' AND i.path != ? AND i.gone_scan IS NULL
                GROUP BY i.id ORDER BY i.path
                """, arguments: [Data(path.bytes), Data(path.bytes)])
            return rows.map { r in
                let types: String = r[1] ?? ""
                return (path: r[0] as String, types: types.split(separator: ",").map(String.init).sorted())
            }
        }
    }
}
