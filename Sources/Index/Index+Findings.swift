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
        try rows("""
            SELECT display_path, pii, markings, marking, special FROM item
            WHERE gone_scan IS NULL AND (pii != '{}' OR markings != '[]' OR special != '[]')
            ORDER BY path
            """).map { r in
            let path = r.text(0)
            let folder = path.firstRange(of: "!/").map { String(path[..<$0.lowerBound]) } ?? path
            return ItemFindings(path: path, folder: String(folder[..<(folder.lastIndex(of: "/") ?? folder.endIndex)]),
                                pii: r.json(1, [String: Int]()), markings: r.json(2, [String]()),
                                highestMarking: r[3], special: r.json(4, [String]()))
        }
    }

    /// Other present items holding any of the personal-data values found in the item at `path` (matched by
    /// keyed hash: the values themselves are never stored), with the types they share.
    public func itemsSharingValues(with path: ItemPath) throws -> [(path: String, types: [String])] {
        let types = (pg == nil ? Dialect.sqlite : .postgres).distinctList("f.type")
        return try rows("""
            SELECT min(i.display_path), \(types) FROM finding f JOIN item i ON i.id = f.item_id
            WHERE f.value_hash IN (
                SELECT f2.value_hash FROM finding f2 JOIN item i2 ON i2.id = f2.item_id
                WHERE i2.path = ? AND f2.kind = 'pii')
              AND f.kind = 'pii' AND i.path != ? AND i.gone_scan IS NULL
            GROUP BY i.id ORDER BY min(i.path)
            """, [path, path]).map { r in
            (path: r.text(0), types: r.text(1).split(separator: ",").map(String.init).sorted())
        }
    }
}
