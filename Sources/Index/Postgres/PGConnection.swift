#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to the PostgreSQL index, used synchronously: each call waits for its result on the calling
/// thread (never an event-loop thread), as the SQLite side's calls do. Not shared between threads at once.
final class PGConnection: @unchecked Sendable {
    private var connection: PostgresConnection
    let location: PostgresLocation
    private let password: String?

    static let logger: Logger = Logger(label: "sweep.index") { _ in SwiftLogNoOpLogHandler() }

    init(_ location: PostgresLocation, password: String?) throws {
        self.location = location
        self.password = password
        connection = try PGConnection.open(location, password: password)
    }

    deinit { close() }

    func close() {
        let closing: EventLoopFuture<Void> = connection.close()
        try? closing.wait()
    }

    static func open(_ loc: PostgresLocation, password: String?) throws -> PostgresConnection {
        var config: PostgresConnection.Configuration
        if let folder = loc.socketFolder {
            config = .init(unixSocketPath: folder + "/.s.PGSQL.\(loc.port)", username: loc.user, password: password, database: loc.database)
        } else {
            config = .init(host: loc.host ?? "localhost", port: loc.port, username: loc.user, password: password, database: loc.database,
                           tls: try tls(loc))
        }
        config.options.connectTimeout = .seconds(Int64(loc.connectTimeout))
        config.options.additionalStartupParameters = [("application_name", loc.applicationName)]
        do {
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: config, id: 1,
                                                  logger: logger).wait()
        } catch {
            throw IndexError.unreachable(loc.display, PGConnection.describe(error))
        }
    }

    /// TLS as libpq's sslmode means it: prefer and require do not check the certificate; verify-ca checks it
    /// against the trusted roots; verify-full also checks it names the host.
    static func tls(_ loc: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var c = TLSConfiguration.makeClientConfiguration()
        switch loc.sslMode {
        case .disable: return .disable
        case .prefer, .require: c.certificateVerification = .none
        case .verifyCA: c.certificateVerification = .noHostnameVerification
        case .verifyFull: c.certificateVerification = .fullVerification
        }
        if let root = loc.rootCertificate {
            do { c.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root)) } catch {
                throw IndexError.unreachable(loc.display, "cannot read the root certificate \(root): \(error)")
            }
        }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: c) } catch {
            throw IndexError.unreachable(loc.display, "cannot set up TLS: \(error)")
        }
        return loc.sslMode == .prefer ? .prefer(context) : .require(context)
    }

    /// Runs one statement with `$1…` parameters and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> PostgresQueryResult {
        // A connection the server or the network closed while it was idle: a query sent on it is never answered.
        if connection.isClosed { throw IndexError.unreachable(location.display, "the connection was closed") }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: PGConnection.logger).wait()
        } catch {
            throw PGConnection.translate(error, location.display)
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let out = try body(self)
            try query("COMMIT")
            return out
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }

    /// Whether the connection is still usable (a server restart or a network cut closes it).
    var isOpen: Bool { !connection.isClosed }

    /// Opens the connection again after the server or the network dropped it.
    func reconnect() throws {
        close()
        connection = try PGConnection.open(location, password: password)
    }

    /// The server's message (SQLSTATE and text) or the transport's, never the generic text PSQLError gives.
    static func describe(_ error: Error) -> String {
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return (info[.message] ?? "server error") + state
            }
            if let u = e.underlying { return "\(e.code): \(u)" }
            return "\(e.code)"
        }
        return "\(error)"
    }

    static func sqlState(_ error: Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Maps PostgreSQL's errors onto what the user can do about them.
    static func translate(_ error: Error, _ display: String) -> Error {
        if error is IndexError { return error }
        let text = describe(error)
        guard let e = error as? PSQLError else { return IndexError.failed(display, text) }
        if e.serverInfo == nil { return IndexError.unreachable(display, text) }   // the connection, not a statement
        switch sqlState(error) ?? "" {
        case "53100": return IndexError.diskFull(display)
        case "42501": return IndexError.cannotCreate(display, text)
        case "08000", "08003", "08006", "57P01", "57P02", "57P03": return IndexError.unreachable(display, text)
        default: return IndexError.failed(display, text)
        }
    }
}

/// Values bound to `$n` parameters, in order.
struct PGArgs {
    var binds = PostgresBindings()
    var count = 0

    /// Appends a value and returns its placeholder (`$n`).
    @discardableResult mutating func add(_ v: Int64?) -> String { binds.append(v); count += 1; return "$\(count)" }
    @discardableResult mutating func add(_ v: Int?) -> String { add(v.map(Int64.init)) }
    @discardableResult mutating func add(_ v: String?) -> String { binds.append(v); count += 1; return "$\(count)" }
    @discardableResult mutating func add(_ v: Bool) -> String { binds.append(v); count += 1; return "$\(count)" }
    @discardableResult mutating func add(bytes v: [UInt8]?) -> String {
        if let v { binds.append(ByteBuffer(bytes: v)) } else { binds.appendNull() }
        count += 1; return "$\(count)"
    }
    @discardableResult mutating func add(ints v: [Int64]) -> String { binds.append(v); count += 1; return "$\(count)" }

    init() {}
    init(_ values: [Any?]) {
        for v in values {
            switch v {
            case nil: binds.appendNull(); count += 1
            case let x as Int64: add(x)
            case let x as Int: add(Int64(x))
            case let x as String: add(x)
            case let x as Bool: add(x)
            case let x as [UInt8]: add(bytes: x)
            case let x as [Int64]: add(ints: x)
            case let x as [[UInt8]]: binds.append(x.map { ByteBuffer(bytes: $0) }); count += 1
            default: preconditionFailure("an index argument of type \(type(of: v)) has no PostgreSQL binding")
            }
        }
    }
}

/// One row's cells by position.
struct PGRow {
    let row: PostgresRandomAccessRow
    init(_ r: PostgresRow) { row = r.makeRandomAccess() }

    func int(_ i: Int) -> Int64? { try? row[i].decode(Int64?.self) ?? nil }
    func text(_ i: Int) -> String? { try? row[i].decode(String?.self) ?? nil }
    func bool(_ i: Int) -> Bool { (try? row[i].decode(Bool?.self) ?? nil) ?? false }
    func bytes(_ i: Int) -> [UInt8]? {
        guard let b = (try? row[i].decode(ByteBuffer?.self)) ?? nil else { return nil }
        return Array(b.readableBytesView)
    }
}

extension PostgresQueryResult {
    var all: [PGRow] { map(PGRow.init) }
}
