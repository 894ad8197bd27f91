#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import GRDBSQLite
import SweepModel

/// The index: opened for a scan (read-write, created 0600) or for reading (export, status, findings). An embedded
/// SQLite file, or a shared PostgreSQL database (`postgres://…`, see ``IndexLocation``): the rest of Sweep does
/// not know which; the queries for each live in this module.
public final class SweepIndex: Sendable {
    /// The file's path, or the PostgreSQL URI as shown (no password).
    public let path: String
    let sqlitePool: DatabasePool?
    let pg: PGStore?

    /// True for a shared PostgreSQL index.
    public var isShared: Bool { pg != nil }

    /// Where this host keeps files that go with the index (the log's heads): beside an SQLite file; for a shared
    /// index, named after its database in `$SWEEP_STATE_DIR` (default: the working folder).
    public var localStatePath: String {
        guard let pg else { return path }
        let folder = ProcessInfo.processInfo.environment["SWEEP_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "."
        let name = pg.location.database.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return folder + "/" + String(name)
    }

    /// Opens the index for writing, creating it (mode 0600) and migrating it to the current schema.
    /// `passwordFile` is the config's `index_password_file:` (PostgreSQL only).
    public static func openForScan(_ path: String, readers: Int = 8, passwordFile: String? = nil) throws -> SweepIndex {
        if case .postgres(let loc) = try location(path) {
            return SweepIndex(pg: try PGStore(loc, passwordFile: passwordFile, migrate: true))
        }
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 && errno != EEXIST { throw IndexError.cannotCreate(path, String(cString: strerror(errno))) }
            if fd >= 0 { Glibc.close(fd) }
        }
        return try SweepIndex(path: path, readonly: false, readers: readers)
    }

    /// Opens an existing index for reading while a scan may be writing it.
    public static func openForReading(_ path: String, passwordFile: String? = nil) throws -> SweepIndex {
        if case .postgres(let loc) = try location(path) {
            return SweepIndex(pg: try PGStore(loc, passwordFile: passwordFile, migrate: false))
        }
        guard FileManager.default.fileExists(atPath: path) else { throw IndexError.notFound(path) }
        do {
            return try SweepIndex(path: path, readonly: true, readers: 4)
        } catch IndexError.olderSchema {
            // Written by an earlier Sweep: bring its schema up to date (migrations only add), then read.
            do { try SweepIndex(path: path, readonly: false, readers: 2).close() } catch {
                throw IndexError.corrupt(path, "written by an earlier Sweep and cannot be upgraded here (\(error)): run sweep scan once with write access to it")
            }
            return try SweepIndex(path: path, readonly: true, readers: 4)
        }
    }

    /// Where `path` points, with a URI the user must mend reported as such.
    static func location(_ path: String) throws -> IndexLocation {
        do { return try IndexLocation.parse(path) } catch let p as PostgresLocation.Problem {
            throw IndexError.badURI(p.description)
        }
    }

    private init(pg: PGStore) {
        self.path = pg.display
        self.pg = pg
        self.sqlitePool = nil
    }

    private init(path: String, readonly: Bool, readers: Int) throws {
        self.path = path
        self.pg = nil
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.maximumReaderCount = max(2, readers)
        config.readonly = readonly
        config.prepareDatabase { db in
            // Statement journals and sort trees stay in memory: on disk they cost two system calls per page
            // for every single-row upsert (a million writes to temporary files for 100,000 items).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // A scan's batches touch the same index pages again and again: a writer cache of 16 MiB keeps
                // them from spilling into the WAL mid-transaction.
                try db.execute(sql: "PRAGMA cache_size = -16384")
            }
        }
        let pool: DatabasePool
        do {
            pool = try SweepIndex.openPool(path, config)
            sqlitePool = pool
            let migrator = Schema.migrator
            if readonly {
                try pool.read { db in
                    if try migrator.hasBeenSuperseded(db) { throw IndexError.newerSchema(path) }
                    guard try migrator.hasCompletedMigrations(db) else {
                        if try !migrator.appliedIdentifiers(db).isEmpty { throw IndexError.olderSchema(path) }
                        throw IndexError.corrupt(path, "no Sweep tables: it was not written by sweep scan")
                    }
                }
            } else {
                try pool.read { db in
                    if try migrator.hasBeenSuperseded(db) { throw IndexError.newerSchema(path) }
                }
                try migrator.migrate(pool)
            }
            // A first scan killed before it built its deferred indexes left them to whoever opens the index next.
            if !readonly { try buildDeferredIndexes() }
        } catch let e as DatabaseError {
            throw SweepIndex.translate(e, path: path)
        }
    }

    /// Opens the pool, trying again briefly when SQLite reports the file busy at open (another connection
    /// closing, and checkpointing, at that moment); a lock that lasts is still reported.
    static func openPool(_ path: String, _ config: Configuration) throws -> DatabasePool {
        var attempt = 0
        while true {
            do { return try DatabasePool(path: path, configuration: config) } catch let e as DatabaseError
                where e.resultCode == .SQLITE_BUSY && attempt < 3 {
                attempt += 1
                usleep(200_000)
            }
        }
    }

    /// Closes every connection now (otherwise they close when the index is released).
    public func close() throws {
        if let pg { pg.close(); return }
        try sqlitePool?.close()
    }

    /// The SQLite pool; on a PostgreSQL index, the step names itself in the error (the caller's function).
    func pool(_ step: String) throws -> DatabasePool {
        guard let sqlitePool else { throw IndexError.notOnPostgres(path, step) }
        return sqlitePool
    }

    /// Maps SQLite's errors onto what the user can do about them.
    static func translate(_ e: DatabaseError, path: String) -> IndexError {
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(path)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .corrupt(path, e.message ?? "not a database")
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM: return .cannotCreate(path, e.message ?? "cannot open")
        case .SQLITE_FULL: return .diskFull(path)
        // Not damage: a constraint, an I/O error, a misuse. Telling the user to restore a backup would be wrong.
        default: return .failed(path, e.message ?? "\(e)")
        }
    }

    public func read<T>(_ step: String = #function, _ body: (Database) throws -> T) throws -> T {
        let pool = try pool(step)
        do { return try pool.read(body) } catch let e as DatabaseError { throw SweepIndex.translate(e, path: path) }
    }

    /// One SELECT, outside an explicit transaction: SQLite gives the statement its own consistent snapshot, and
    /// the BEGIN, savepoint and COMMIT a `read` wraps around it (most of the cost of a one-query read, paid once
    /// a folder on a re-scan) are not needed. Only for a body that runs a single statement.
    func readOneStatement<T>(_ step: String = #function, _ body: (Database) throws -> T) throws -> T {
        let pool = try pool(step)
        do { return try pool.unsafeRead(body) } catch let e as DatabaseError { throw SweepIndex.translate(e, path: path) }
    }

    func write<T>(_ step: String = #function, _ body: (Database) throws -> T) throws -> T {
        let pool = try pool(step)
        do { return try pool.write(body) } catch let e as DatabaseError { throw SweepIndex.translate(e, path: path) }
    }

    /// Items stored for one folder (present or gone), by name: what the scanner compares a listing against.
    /// `sameRules` on each says whether it was last read under `rulesVersion`.
    ///
    /// With `scanTypes` (the image types OCR reads, when it is on), scans a scan without OCR left unread (an image
    /// of one of those types with no reading, a PDF with no text layer) are read again though unchanged.
    public func previousItems(inFolder folder: ItemPath, rulesVersion: String, scanTypes: Set<String> = []) throws -> [RawName: PreviousItem] {
        if let pg { return try pg.previousItems(inFolder: folder, rulesVersion: rulesVersion, scanTypes: scanTypes) }
        let types = scanTypes.isEmpty ? "NULL" : scanTypes.sorted().map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", ")
        return try readOneStatement { db in
            let statement = try db.cachedStatement(sql: """
                SELECT item.id, item.name, item.kind, item.size, item.mtime_ns, item.ctime_ns, item.device, item.inode,
                       item.rules_version = ?, item.error IS NOT NULL, item.gone_scan IS NOT NULL,
                       item.error_kind IN (\(ItemErrorKind.sqlList(ItemErrorKind.readAgain)))
                       OR (? AND (item.error_kind = 'no_text_layer'
                                  OR (item.read_as IS NULL AND item.error IS NULL AND item.mime IN (\(types)))))
                FROM folder JOIN item ON item.folder_id = folder.id
                WHERE folder.path = ? AND item.parent_id IS NULL
                """)
            statement.setUncheckedArguments([rulesVersion, !scanTypes.isEmpty, Data(folder.bytes)])
            // Read through SQLite's C interface: an unchanged re-scan does nothing else per item, and decoding
            // each column through GRDB's rows cost more than SQLite's own lookup.
            let h = statement.sqliteStatement
            func int(_ i: Int32) -> Int64? { sqlite3_column_type(h, i) == SQLITE_NULL ? nil : sqlite3_column_int64(h, i) }
            var out: [RawName: PreviousItem] = [:]
            while true {
                let rc = sqlite3_step(h)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else {
                    let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(h)))
                    sqlite3_reset(h)
                    throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message)
                }
                let n = Int(sqlite3_column_bytes(h, 1))
                let name = n > 0 ? sqlite3_column_blob(h, 1).map { Array(UnsafeRawBufferPointer(start: $0, count: n)) } ?? [] : []
                let kind = sqlite3_column_text(h, 2).map { String(cString: $0) }.flatMap(ItemKind.init(rawValue:)) ?? .unknown
                out[RawName(name)] = PreviousItem(
                    id: int(0) ?? 0, kind: kind, size: int(3) ?? 0, modified: int(4), changed: int(5), device: int(6), inode: int(7),
                    sameRules: int(8) == 1, hadError: int(9) == 1, gone: int(10) == 1, retry: int(11) == 1)
            }
            sqlite3_reset(h)
            return out
        }
    }

    /// Stored files with this identity (device + inode) and the same size and modified time: candidates for a
    /// move. Size and time guard against a deleted file's inode being reused by a new one.
    public func items(withIdentity id: FileID, size: Int64, modified: Timestamp) throws -> [(id: Int64, path: ItemPath, gone: Bool)] {
        if let pg { return try pg.items(withIdentity: id, size: size, modified: modified) }
        return try readOneStatement { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, path, gone_scan IS NOT NULL FROM item
                WHERE device = ? AND inode = ? AND size = ? AND mtime_ns = ? AND parent_id IS NULL AND kind = 'file'
                """), arguments: [Int64(bitPattern: id.device), Int64(bitPattern: id.inode), size, modified.nanoseconds])
                .map { r in let p: Data = r[1]; return (id: r[0], path: ItemPath(bytes: [UInt8](p)), gone: r[2]) }
        }
    }

    /// The key for keyed hashes of personal-data values: made with the index, kept in it, never shown.
    /// The key a scan before this version kept inside the index (`meta.hmac_key`), if it is still there.
    public func legacyHashKey() throws -> [UInt8]? {
        if pg != nil { return nil }   // a PostgreSQL index never held one
        let stored = try read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'hmac_key'") }
        guard let hex = stored else { return nil }
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex), let b = UInt8(hex[i..<j], radix: 16) {
            out.append(b); i = j
        }
        return out.count == 32 ? out : nil
    }

    /// Forgets the key kept inside the index, overwriting its bytes where SQLite stored them.
    public func dropLegacyHashKey() throws {
        if pg != nil { return }
        try write { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "DELETE FROM meta WHERE key = 'hmac_key'")
        }
        // The page that held it is still in the write-ahead log until a checkpoint empties the log.
        do { _ = try pool(#function).writeWithoutTransaction { db in try db.checkpoint(.truncate) } } catch let e as DatabaseError {
            throw SweepIndex.translate(e, path: path)
        }
    }

    /// The id of the key the index's hashes were made with (see the Pipeline's key store), if one was recorded.
    public func hashKeyID() throws -> String? {
        if let pg { return try pg.meta("hmac_key_id") }
        return try read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'hmac_key_id'") }
    }

    public func setHashKeyID(_ id: String) throws {
        if let pg { return try pg.setMeta("hmac_key_id", id) }
        return try write { db in try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('hmac_key_id', ?)", arguments: [id]) }
    }

    /// Every item read again by the next scan (its findings hashed anew, after a new key).
    public func markAllForRereading(_ reason: String) throws {
        if let pg { return try pg.markAllForRereading(reason) }
        return try write { db in try db.execute(sql: "UPDATE item SET rules_version = ?", arguments: [reason]) }
    }

    /// True when no item was ever stored: a first scan need not look for moves.
    /// Secondary indexes a first scan (into an empty SQLite index) builds in one pass, a sort, once its rows
    /// are written, instead of one random insert per row: building them afterwards costs about a second for a
    /// million findings where keeping them up to date cost ten. The walk does not use them: those in
    /// `afterWalk` are built before the duplicate stages, the rest when the scan finishes. None that a query
    /// names (`INDEXED BY`) is deferred: a reader during a first scan (an export, the web app) would fail.
    public enum DeferredIndexes {
        public static let afterWalk = ["item_by_identity", "item_by_top"]
        public static let atEnd = ["finding_by_value"]
        public static let all = afterWalk + atEnd
    }

    /// Drops these indexes, keeping each one's definition in `meta`, in one transaction: until
    /// ``buildDeferredIndexes(_:)`` runs (or the index is next opened for writing) queries are slower, never wrong.
    public func deferIndexes(_ names: [String]) throws {
        guard pg == nil else { return }
        try write { db in
            for name in names {
                guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                                    arguments: [name]) else { continue }
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: ["deferred_index." + name, sql])
                try db.execute(sql: "DROP INDEX \(name)")
            }
        }
    }

    /// Builds the deferred indexes named (all of them when `nil`) from their kept definitions.
    public func buildDeferredIndexes(_ names: [String]? = nil) throws {
        guard pg == nil else { return }
        let kept = try read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM meta WHERE key LIKE 'deferred\\_index.%' ESCAPE '\\'")
                .map { (key: $0[0] as String, sql: $0[1] as String) }
        }
        let wanted = kept.filter { names?.contains(String($0.key.dropFirst("deferred_index.".count))) ?? true }
        guard !wanted.isEmpty else { return }
        try write { db in
            for k in wanted {
                let name = String(k.key.dropFirst("deferred_index.".count))
                let exists = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
                                              arguments: [name]) ?? 0
                if exists == 0 { try db.execute(sql: k.sql) }
                try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [k.key])
            }
        }
    }

    public func isEmpty() throws -> Bool {
        if let pg { return try pg.isEmpty() }
        return try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM item LIMIT 1)") == 0 }
    }
}

/// What the index remembers of an item, enough to decide whether to open it again.
public struct PreviousItem: Sendable {
    public let id: Int64
    public let kind: ItemKind
    public let size: Int64
    public let modified: Int64?
    public let changed: Int64?
    public let device: Int64?
    public let inode: Int64?
    /// Last read under the current rules version.
    public let sameRules: Bool
    public let hadError: Bool
    /// Its error may pass without the file changing (permissions, a file that vanished, I/O): read it again.
    /// A corrupt, encrypted or over-limit file stays as it was until it changes.
    public let retry: Bool
    public let gone: Bool

    public init(id: Int64, kind: ItemKind, size: Int64, modified: Int64?, changed: Int64?, device: Int64?, inode: Int64?,
                sameRules: Bool, hadError: Bool, gone: Bool, retry: Bool = false) {
        self.id = id; self.kind = kind; self.size = size; self.modified = modified; self.changed = changed
        self.device = device; self.inode = inode; self.sameRules = sameRules; self.hadError = hadError; self.gone = gone
        self.retry = retry
    }
}
