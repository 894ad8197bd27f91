import Crypto
import Foundation
import GRDB
import TestSupport
import Testing

/// The key values are hashed under lives outside the index: an index copied alone yields no value.
@Suite struct KeyTests {
    func share() -> TempTree {
        let t = TempTree("key-share")
        t.file("HR/case.txt", "NI number JK 12 34 56 C, NHS 943 476 5919\n")
        return t
    }

    func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func theKeyIsAFileBesideTheIndexAndNowhereInIt() throws {
        let t = share()
        let work = TempTree()
        let db = work.path("k.db")
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet"]).status == 0)
        let keyText = try String(contentsOfFile: db + ".key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(keyText.count == 64)
        let mode = try FileManager.default.attributesOfItem(atPath: db + ".key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Neither the index nor its write-ahead log holds the key.
        for file in [db, db + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(data.range(of: Data(keyText.utf8)) == nil, "\(file) holds the key")
        }
        // The stored hash is HMAC-SHA256 under the key file's key: without the file it cannot be reproduced.
        var key: [UInt8] = []
        var i = keyText.startIndex
        while i < keyText.endIndex { let j = keyText.index(i, offsetBy: 2); key.append(UInt8(keyText[i..<j], radix: 16)!); i = j }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("nino:JK123456C".utf8), using: SymmetricKey(data: key))
        let queue = try DatabaseQueue(path: db)
        let hashes = try queue.read { try String.fetchAll($0, sql: "SELECT value_hash FROM finding WHERE type = 'nino'") }
        #expect(hashes.contains(hex(mac)))
        let meta = try queue.read { try String.fetchAll($0, sql: "SELECT key FROM meta") }
        #expect(!meta.contains("hmac_key") && meta.contains("hmac_key_id"))
        try queue.close()
        #expect(try runSweep(["key", "show", "--index", db]).stdout.contains(try #require(
            try runSweep(["key", "show", "--index", db]).stdout.split(separator: " ").last.map(String.init))))
    }

    @Test func aMissingOrWrongKeyStopsTheScanAndRotationStartsANewOne() throws {
        let t = share()
        let work = TempTree()
        let db = work.path("k.db")
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet"]).status == 0)
        try FileManager.default.moveItem(atPath: db + ".key", toPath: work.path("elsewhere.key"))
        let missing = try runSweep(["scan", t.root, "--index", db, "--quiet"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("key file") && missing.stderr.contains("is missing") && missing.stderr.contains("sweep key rotate"))
        // The key given from elsewhere works.
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet"], prefix: ["/usr/bin/env", "SWEEP_KEY_FILE=" + work.path("elsewhere.key")]).status == 0)
        // A new key: the next scan reads every item again and hashes its values under it.
        func ninoHashes() throws -> Set<String> {
            let q = try DatabaseQueue(path: db)
            defer { try? q.close() }
            return try q.read { try Set(String.fetchAll($0, sql: "SELECT value_hash FROM finding WHERE type = 'nino'")) }
        }
        let before = try ninoHashes()
        let rotate = try runSweep(["key", "rotate", "--index", db])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet"]).status == 0)
        let after = try ninoHashes()
        #expect(after.count == 1 && before.count == 1 && after != before)
        // The old file no longer fits.
        let wrong = try runSweep(["scan", t.root, "--index", db, "--quiet"], prefix: ["/usr/bin/env", "SWEEP_KEY_FILE=" + work.path("elsewhere.key")])
        #expect(wrong.status == 2 && wrong.stderr.contains("holds key"))
    }

    @Test func anIndexThatKeptItsKeyInsideHasItMovedOut() throws {
        let t = share()
        let work = TempTree()
        let db = work.path("k.db")
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet"]).status == 0)
        let keyText = try String(contentsOfFile: db + ".key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // As an earlier version left it: the key in meta, no key file, no id.
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "DELETE FROM meta WHERE key = 'hmac_key_id'")
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('hmac_key', ?)", arguments: [keyText])
        }
        try queue.close()
        try FileManager.default.removeItem(atPath: db + ".key")
        t.file("HR/new.txt", "NI JK 12 34 56 C\n")
        #expect(try runSweep(["scan", t.root, "--index", db, "--quiet"]).status == 0)
        #expect(try String(contentsOfFile: db + ".key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == keyText)
        let q2 = try DatabaseQueue(path: db)
        #expect(try q2.read { try String.fetchAll($0, sql: "SELECT key FROM meta") }.contains("hmac_key") == false)
        // Old and new findings of one value still share their hash: `findings --like` keeps working.
        let hashes = try q2.read { try Set(String.fetchAll($0, sql: "SELECT value_hash FROM finding WHERE type = 'nino'")) }
        #expect(hashes.count == 1)
        try q2.close()
    }
}
