import Foundation

/// Why the index cannot be used, and what to do about it. All of these end a command with exit code 2.
public enum IndexError: Error, LocalizedError, CustomStringConvertible {
    case notFound(String)
    case locked(String, holder: String?)
    case busy(String)
    case corrupt(String, String)
    case newerSchema(String)
    /// Written by an earlier Sweep; upgraded on the spot when the file is writable.
    case olderSchema(String)
    case cannotCreate(String, String)
    case diskFull(String)
    /// Any other failure of a statement: the index is sound, the step failed.
    case failed(String, String)
    /// The PostgreSQL server could not be reached, refused the login, or dropped the connection.
    case unreachable(String, String)
    /// A `postgres://` index URI that cannot be used as written (a password in it, an unknown setting).
    case badURI(String)
    /// A step this version does only on an SQLite index.
    case notOnPostgres(String, String)
    /// Another scanner holds a lease on a root this scan was given.
    case rootLeased(String, root: String, host: String, pid: Int64, until: String)

    public var description: String {
        switch self {
        case .unreachable(let p, let detail):
            return "cannot use the PostgreSQL index \(p) (\(detail)): check the server is running and reachable, the database exists, "
                + "and the password (PGPASSFILE, ~/.pgpass, PGPASSWORD or index_password_file:) is right; what was committed is kept"
        case .badURI(let detail):
            return "the PostgreSQL index URI cannot be used: \(detail)"
        case .notOnPostgres(let p, let step):
            return "\(step) does not work on a PostgreSQL index yet (\(p)): run it against an SQLite index file"
        case .rootLeased(let p, let root, let host, let pid, let until):
            return "another scanner (host \(host), process \(pid)) is scanning \(root) into \(p): wait for it to finish, "
                + "or for its lease to lapse at \(until) if it died"
        case .notFound(let p):
            return "no index at \(p): run `sweep scan ROOT --index \(p)` first, or pass --index with the right file"
        case .locked(let p, let holder):
            let who = holder.map { " (process \($0))" } ?? ""
            return "another sweep scan is writing to \(p)\(who): wait for it to finish, or give this scan another --index"
        case .busy(let p):
            return "the index \(p) is locked by another program: close whatever holds it open for writing and try again"
        case .corrupt(let p, let detail):
            return "\(p) is not a readable Sweep index (\(detail)): restore it from backup, or move it aside and scan again"
        case .newerSchema(let p):
            return "\(p) was written by a newer version of Sweep: use that version, or scan into a new --index"
        case .olderSchema(let p):
            return "\(p) was written by an earlier version of Sweep: run sweep scan once to upgrade it"
        case .cannotCreate(let p, let detail):
            return "cannot create the index \(p) (\(detail)): check the folder exists and is writable"
        case .diskFull(let p):
            return "the disk holding the index \(p) is full: free some space and run the command again (what was committed is kept)"
        case .failed(let p, let detail):
            return "a step on the index \(p) failed (\(detail)); what was committed before it is kept: run the command again, and report it if it repeats"
        }
    }

    public var errorDescription: String? { description }
}
