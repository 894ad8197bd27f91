import GRDB
import GRDBSQLite

/// A statement bound and stepped through SQLite's C interface, for the statements the index runs once per row
/// of a scan: boxing every value into GRDB's arguments cost several times SQLite's own work on an insert.
/// Lives inside one `write` block on its connection; bind in column order after `reset()`.
final class RawStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    private let sql: String
    private var position: Int32 = 0

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the index connection is closed", sql: sql)
        }
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection, sql, -1, &handle, nil)
        guard rc == SQLITE_OK, let handle else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears the previous row's values: the next `bind` is the first parameter.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        position = 0
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.pointee = 0
        return UnsafePointer(p)
    }()

    private func next() -> Int32 { position += 1; return position }

    func bind(_ value: Int64?) {
        let i = next()
        if let value { sqlite3_bind_int64(handle, i, value) } else { sqlite3_bind_null(handle, i) }
    }

    func bind(_ value: String?) {
        let i = next()
        guard let value else { sqlite3_bind_null(handle, i); return }
        var text = value
        text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                // An empty string still needs a non-null pointer, or SQLite stores NULL.
                _ = sqlite3_bind_text(handle, i, chars.baseAddress ?? RawStatement.empty, Int32(chars.count), RawStatement.transient)
            }
        }
    }

    func bind(blob value: [UInt8]?) {
        let i = next()
        guard let value else { sqlite3_bind_null(handle, i); return }
        value.withUnsafeBytes { bytes in
            // A zero-length blob still needs a non-null pointer, or SQLite stores NULL.
            _ = sqlite3_bind_blob(handle, i, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count),
                                  RawStatement.transient)
        }
    }

    /// Steps to the next row: true while there is one, false at the end.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let error = DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        sqlite3_reset(handle)
        throw error
    }

    /// The current row's column `i`, nil when NULL.
    func int64(_ i: Int32) -> Int64? {
        sqlite3_column_type(handle, i) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, i)
    }

    func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func bytes(_ i: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, i))
        guard n > 0, let p = sqlite3_column_blob(handle, i) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// Runs the statement to its end; the first column of its first row when it returns one.
    @discardableResult
    func run() throws -> Int64? {
        var first: Int64?
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                let error = DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)),
                                          sql: sql)
                sqlite3_reset(handle)
                throw error
            }
            if first == nil { first = sqlite3_column_int64(handle, 0) }
        }
        return first
    }

    /// The connection's last inserted row id: unchanged by an upsert that updated instead.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Rows the last run changed.
    var changes: Int { Int(sqlite3_changes(connection)) }
}

/// The SQLite library the index runs on, as it reports itself (`sweep --version`).
public enum IndexLibrary {
    public static var sqliteVersion: String { String(cString: sqlite3_libversion()) }
}
