#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where an index lives: the one place that decides the backend from what the user wrote after `--index` (or
/// `index:` in the config). A `postgres://` or `postgresql://` URI names a shared PostgreSQL index; anything else
/// is the path of an embedded SQLite index file.
public enum IndexLocation: Sendable, Equatable {
    case sqlite(String)
    case postgres(PostgresLocation)

    public static func parse(_ text: String) throws -> IndexLocation {
        let lower = text.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            return .postgres(try PostgresLocation(uri: text))
        }
        return .sqlite(text)
    }

    public static func isPostgres(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }
}

/// A PostgreSQL server and database, read from a libpq-style URI:
/// `postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=/etc/ssl/council-ca.pem`, or over a Unix
/// socket, `postgres://USER@/DATABASE?host=/run/postgresql`.
///
/// The password never comes from the URI (a command line is visible to every user through `ps`): it comes from
/// `$PGPASSWORD`, a password file in libpq's format (`passfile=` in the URI, `$PGPASSFILE`, or `~/.pgpass`), or the
/// file `index_password_file:` names in the config (`$SWEEP_INDEX_PASSWORD_FILE`), which holds the password alone.
public struct PostgresLocation: Sendable, Equatable {
    public enum SSLMode: String, Sendable, CaseIterable {
        /// No TLS (a Unix socket, or a network the council trusts).
        case disable
        /// TLS when the server offers it, unverified: libpq's default, so a URI without `sslmode` behaves as with psql.
        case prefer
        /// TLS or nothing; the certificate is not checked.
        case require
        /// TLS, the certificate checked against the trusted roots (`sslrootcert=`, else the system's).
        case verifyCA = "verify-ca"
        /// As verify-ca, and the certificate must name the host connected to.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String?
    public var socketFolder: String?
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    public var rootCertificate: String?
    public var passfile: String?
    public var applicationName = "sweep"
    /// Seconds to wait for the server when connecting.
    public var connectTimeout = 15

    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init(uri: String) throws {
        guard let scheme = uri.range(of: "://") else { throw Problem(description: "\(uri) is not a postgres:// URI") }
        var rest = String(uri[scheme.upperBound...])
        var query: [String: String] = [:]
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                let key = kv[0].removingPercentEncoding ?? kv[0]
                query[key] = kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
            }
            rest = String(rest[..<q])
        }
        var authority = rest
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = String(rest[..<slash])
            path = String(rest[rest.index(after: slash)...])
        }
        var userPart: String?
        var hostPart = authority
        if let at = authority.lastIndex(of: "@") {
            userPart = String(authority[..<at])
            hostPart = String(authority[authority.index(after: at)...])
        }
        if let userPart, userPart.contains(":") || query["password"] != nil {
            throw Problem(description: "the index URI holds a password, which every user of this machine can read from the process list: "
                          + "remove it, and put it in a password file (PGPASSFILE or ~/.pgpass, mode 0600), in PGPASSWORD, "
                          + "or in the file index_password_file: names in the config")
        }
        if query["password"] != nil { throw Problem(description: "the index URI holds a password: use a password file") }
        let env = ProcessInfo.processInfo.environment
        user = (userPart?.removingPercentEncoding).flatMap { $0.isEmpty ? nil : $0 } ?? query["user"] ?? env["PGUSER"]
            ?? PostgresLocation.loginName()
        port = 5432
        var hostText = hostPart.removingPercentEncoding ?? hostPart
        if let colon = hostText.lastIndex(of: ":"), !hostText.hasSuffix("]") {
            let p = String(hostText[hostText.index(after: colon)...])
            guard let n = Int(p), (1...65535).contains(n) else { throw Problem(description: "\(p) is not a port number in the index URI") }
            port = n
            hostText = String(hostText[..<colon])
        }
        if let p = query["port"] {
            guard let n = Int(p), (1...65535).contains(n) else { throw Problem(description: "\(p) is not a port number in the index URI") }
            port = n
        }
        let hostValue = query["host"] ?? (hostText.isEmpty ? nil : hostText) ?? env["PGHOST"]
        if let h = hostValue, h.hasPrefix("/") {
            socketFolder = h
            host = nil
        } else {
            host = hostValue ?? "localhost"
            socketFolder = nil
        }
        database = (path.removingPercentEncoding).flatMap { $0.isEmpty ? nil : $0 } ?? query["dbname"] ?? env["PGDATABASE"] ?? user
        let mode = query["sslmode"] ?? env["PGSSLMODE"] ?? (socketFolder != nil ? "disable" : "prefer")
        guard let m = SSLMode(rawValue: mode) else {
            throw Problem(description: "sslmode=\(mode) is not one Sweep knows: use disable, prefer, require, verify-ca or verify-full")
        }
        sslMode = socketFolder != nil ? .disable : m   // a Unix socket carries no TLS
        rootCertificate = query["sslrootcert"] ?? env["PGSSLROOTCERT"]
        passfile = query["passfile"]
        if let name = query["application_name"], !name.isEmpty { applicationName = name }
        if let t = query["connect_timeout"] {
            guard let n = Int(t), n > 0 else { throw Problem(description: "connect_timeout=\(t) is not a number of seconds") }
            connectTimeout = n
        }
        let known: Set<String> = ["host", "port", "user", "dbname", "sslmode", "sslrootcert", "passfile", "application_name",
                                  "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw Problem(description: "\(unknown)= in the index URI is not a setting Sweep uses: it knows \(known.sorted().joined(separator: ", "))")
        }
    }

    /// The URI without anything secret, for messages and the index's own records.
    public var display: String {
        let where_ = socketFolder.map { "?host=\($0)" + (port == 5432 ? "" : "&port=\(port)") } ?? ""
        let hostText = host.map { "\($0):\(port)" } ?? ""
        return "postgres://\(user)@\(hostText)/\(database)\(where_)"
    }

    static func loginName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "postgres"
    }

    /// The password, from the first source that has one; nil when none does (trust or peer authentication).
    public func password(configFile: String? = nil) throws -> String? {
        let env = ProcessInfo.processInfo.environment
        if let file = configFile ?? env["SWEEP_INDEX_PASSWORD_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Problem(description: "cannot read the index password file \(file): check it exists and this user can read it")
            }
            try PostgresLocation.checkPrivate(file)
            return text.trimmingCharacters(in: .newlines)
        }
        if let p = env["PGPASSWORD"], !p.isEmpty { return p }
        let home = env["HOME"] ?? (getpwuid(geteuid()).map { String(cString: $0.pointee.pw_dir) } ?? "/")
        let file = passfile ?? env["PGPASSFILE"] ?? home + "/.pgpass"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        try PostgresLocation.checkPrivate(file)
        let hostKey = socketFolder != nil ? "localhost" : (host ?? "localhost")
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = PostgresLocation.passfileFields(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [hostKey, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// A password file readable by others is refused, as libpq refuses it.
    static func checkPrivate(_ file: String) throws {
        var st = stat()
        if stat(file, &st) == 0, st.st_mode & 0o077 != 0 {
            throw Problem(description: "the password file \(file) can be read by other users: chmod 600 \(file)")
        }
    }

    /// One line of a libpq password file: five fields split at unescaped colons, `\:` and `\\` unescaped.
    static func passfileFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for ch in line {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if ch == ":" && fields.count < 4 { fields.append(current); current = ""; continue }
            current.append(ch)
        }
        fields.append(current)
        return fields
    }
}
