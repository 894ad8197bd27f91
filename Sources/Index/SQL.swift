import Foundation
import GRDB
import NIOCore
import PostgresNIO
import SweepModel

/// One value in or out of a statement, the same on both backends.
enum SQLValue: Sendable {
    case null, int(Int64), real(Double), text(String), blob([UInt8]), bool(Bool)
}

/// A value given to a `?` placeholder.
protocol SQLArgument { var sqlValue: SQLValue { get } }
extension Int64: SQLArgument { var sqlValue: SQLValue { .int(self) } }
extension Int: SQLArgument { var sqlValue: SQLValue { .int(Int64(self)) } }
extension String: SQLArgument { var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLArgument { var sqlValue: SQLValue { .bool(self) } }
extension Data: SQLArgument { var sqlValue: SQLValue { .blob([UInt8](self)) } }
extension ItemPath: SQLArgument { var sqlValue: SQLValue { .blob(bytes) } }
extension Optional: SQLArgument where Wrapped: SQLArgument { var sqlValue: SQLValue { self?.sqlValue ?? .null } }

/// A value read from a row, whichever backend gave it (an SQLite integer 0/1 is a Bool; a PostgreSQL numeric an integer).
protocol SQLDecodable { init?(_ v: SQLValue) }
extension Int64: SQLDecodable {
    init?(_ v: SQLValue) {
        switch v {
        case .int(let i): self = i
        case .bool(let b): self = b ? 1 : 0
        case .real(let d): self = Int64(d)
        case .text(let t): guard let i = Int64(t) ?? Double(t).map(Int64.init) else { return nil }; self = i
        default: return nil
        }
    }
}
extension Int: SQLDecodable { init?(_ v: SQLValue) { guard let i = Int64(v) else { return nil }; self = Int(i) } }
extension Bool: SQLDecodable {
    init?(_ v: SQLValue) {
        switch v {
        case .bool(let b): self = b
        case .int(let i): self = i != 0
        default: return nil
        }
    }
}
extension String: SQLDecodable {
    init?(_ v: SQLValue) {
        switch v {
        case .text(let t): self = t
        case .int(let i): self = String(i)
        case .blob(let b): self = String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }
}
extension Double: SQLDecodable {
    init?(_ v: SQLValue) {
        switch v {
        case .real(let d): self = d
        case .int(let i): self = Double(i)
        case .text(let t): guard let d = Double(t) else { return nil }; self = d
        default: return nil
        }
    }
}
extension ItemPath: SQLDecodable {
    init?(_ v: SQLValue) {
        switch v {
        case .blob(let b): self.init(bytes: b)
        case .text(let t): self.init(bytes: Array(t.utf8))
        default: return nil
        }
    }
}

/// One row by position. `r[i]` decodes to the type asked for; a NULL (or an unexpected type) gives nil for an
/// optional, and a plain type's zero value where the schema rules NULL out.
struct SQLRow {
    let values: [SQLValue]
    subscript<T: SQLDecodable>(_ i: Int) -> T? { T(values[i]) }
    func int(_ i: Int) -> Int64 { Int64(values[i]) ?? 0 }
    func text(_ i: Int) -> String { String(values[i]) ?? "" }
    func bool(_ i: Int) -> Bool { Bool(values[i]) ?? false }
    func path(_ i: Int) -> ItemPath { ItemPath(values[i]) ?? ItemPath(bytes: []) }
    func json<T: Decodable>(_ i: Int, _ fallback: T) -> T {
        guard let t: String = self[i], let v = try? JSONDecoder().decode(T.self, from: Data(t.utf8)) else { return fallback }
        return v
    }
}

/// What a statement runs on inside a read or a write: an SQLite connection (GRDB) or a PostgreSQL one. SQL is
/// written once with `?` placeholders in the subset both understand; ``Dialect`` covers the few differences.
protocol SQLSession {
    var dialect: Dialect { get }
    func rows(_ sql: String, _ args: [any SQLArgument]) throws -> [SQLRow]
    /// Runs a statement; the rows it changed.
    @discardableResult func execute(_ sql: String, _ args: [any SQLArgument]) throws -> Int
}

extension SQLSession {
    func rows(_ sql: String) throws -> [SQLRow] { try rows(sql, []) }
    func row(_ sql: String, _ args: [any SQLArgument] = []) throws -> SQLRow? { try rows(sql, args).first }
    @discardableResult func execute(_ sql: String) throws -> Int { try execute(sql, []) }
}

enum Dialect {
    case sqlite, postgres

    /// `group_concat(DISTINCT x)`: the distinct values joined with commas.
    func distinctList(_ expr: String) -> String {
        self == .sqlite ? "group_concat(DISTINCT \(expr))" : "string_agg(DISTINCT \(expr), ',')"
    }
}

struct SQLiteSession: SQLSession {
    let db: Database
    var dialect: Dialect { .sqlite }

    func rows(_ sql: String, _ args: [any SQLArgument]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let cursor = try Row.fetchCursor(statement, arguments: SQLiteSession.arguments(args))
        var out: [SQLRow] = []
        while let r = try cursor.next() {
            out.append(SQLRow(values: (0..<r.count).map { i in
                switch r[i] as DatabaseValue {
                case let v where v.isNull: return .null
                case let v: switch v.storage {
                    case .int64(let x): return .int(x)
                    case .double(let x): return .real(x)
                    case .string(let x): return .text(x)
                    case .blob(let x): return .blob([UInt8](x))
                    case .null: return .null
                    }
                }
            }))
        }
        return out
    }

    func execute(_ sql: String, _ args: [any SQLArgument]) throws -> Int {
        try db.execute(sql: sql, arguments: SQLiteSession.arguments(args))
        return db.changesCount
    }

    static func arguments(_ args: [any SQLArgument]) -> StatementArguments {
        StatementArguments(args.map { a -> (any DatabaseValueConvertible)? in
            switch a.sqlValue {
            case .null: return nil
            case .int(let x): return x
            case .real(let x): return x
            case .text(let x): return x
            case .blob(let x): return Data(x)
            case .bool(let x): return x
            }
        })
    }
}

struct PostgresSession: SQLSession {
    let connection: PGConnection
    var dialect: Dialect { .postgres }

    func rows(_ sql: String, _ args: [any SQLArgument]) throws -> [SQLRow] {
        try connection.query(PostgresSession.translate(sql), PostgresSession.binds(args)).map { row in
            SQLRow(values: row.map(PostgresSession.value))
        }
    }

    func execute(_ sql: String, _ args: [any SQLArgument]) throws -> Int {
        try connection.query(PostgresSession.translate(sql), PostgresSession.binds(args)).metadata.rows ?? 0
    }

    static func binds(_ args: [any SQLArgument]) -> PostgresBindings {
        var b = PostgresBindings(capacity: args.count)
        for a in args {
            switch a.sqlValue {
            case .null: b.append(String?.none)   // typed as text; every NULL here goes into a column or a comparison
            case .int(let x): b.append(x)
            case .real(let x): b.append(x)
            case .text(let x): b.append(x)
            case .blob(let x): b.append(ByteBuffer(bytes: x))
            case .bool(let x): b.append(x)
            }
        }
        return b
    }

    static func value(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return (try? cell.decode(Int64.self)).map { .int($0) } ?? .null
        case .bool: return (try? cell.decode(Bool.self)).map { .bool($0) } ?? .null
        case .float4, .float8: return (try? cell.decode(Double.self)).map { .real($0) } ?? .null
        case .bytea: return (try? cell.decode(ByteBuffer.self)).map { .blob(Array($0.readableBytesView)) } ?? .null
        case .numeric:
            // sum() of bigints.
            guard let n = try? cell.decode(Decimal.self) else { return .null }
            let t = "\(n)"
            return Int64(t).map { .int($0) } ?? Double(t).map { .real($0) } ?? .text(t)
        default: return (try? cell.decode(String.self)).map { .text($0) } ?? .null
        }
    }

    /// `?` placeholders as `$1…` (outside quoted text), and SQLite's `INDEXED BY` hints dropped.
    static func translate(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.count + 16)
        var n = 0
        var quoted = false
        for ch in sql {
            if ch == "'" { quoted.toggle() }
            if ch == "?" && !quoted { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out.replacingOccurrences(of: #"INDEXED BY \w+"#, with: "", options: .regularExpression)
    }
}

extension SweepIndex {
    /// The rows of one read, on whichever backend the index has.
    func rows(_ sql: String, _ args: [any SQLArgument] = [], step: String = #function) throws -> [SQLRow] {
        if let pg { return try pg.withConnection { try PostgresSession(connection: $0).rows(sql, args) } }
        return try read(step) { try SQLiteSession(db: $0).rows(sql, args) }
    }

    /// Statements in one transaction, on whichever backend the index has.
    func transaction<T>(step: String = #function, _ body: (any SQLSession) throws -> T) throws -> T {
        if let pg { return try pg.withConnection { c in try c.transaction { try body(PostgresSession(connection: $0)) } } }
        return try write(step) { try body(SQLiteSession(db: $0)) }
    }

    /// A read of several statements that must agree (one snapshot).
    func snapshot<T>(step: String = #function, _ body: (any SQLSession) throws -> T) throws -> T {
        if let pg {
            return try pg.withConnection { c in
                try c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                defer { _ = try? c.query("COMMIT") }
                return try body(PostgresSession(connection: c))
            }
        }
        return try read(step) { try body(SQLiteSession(db: $0)) }
    }
}
