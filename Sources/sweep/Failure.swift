import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import CStdio

/// Exit codes in one place (CONTRACT.md): 0 success, 1 some items unreadable, 2 could not run.
enum Exit {
    static let itemsUnreadable = ExitCode(1)
    static let couldNotRun = ExitCode(2)
}

/// Prints why the command cannot run, with the fix, and exits 2.
func fail(_ problem: Any) -> ExitCode {
    let message: String
    if let p = problem as? CustomStringConvertible { message = p.description }
    else if let e = problem as? Error { message = e.localizedDescription }
    else { message = "\(problem)" }
    FileHandle.standardError.write(Data("sweep: \(message)\n".utf8))
    return Exit.couldNotRun
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Runs `body`; any error that escapes it is a could-not-run error (exit 2) with its message.
func couldNotRun<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch {
        throw fail(error)
    }
}

/// Buffered output to standard output or a file: exports write millions of lines.
///
/// A write that fails (a full disk, a closed pipe, an I/O error) stops the command with exit 2 and says so: never
/// a crash, never a truncated file passed off as whole. A file is written beside its name (`.NAME.partial-PID`) and
/// renamed into place by ``flush()`` at the end, so a report or export is there whole or not at all.
final class Output {
    private var buffer = [UInt8]()
    private let fd: Int32
    /// For a file: the name it gets when whole, and the name it is written under until then.
    private let target: String?
    private let partial: String?

    init(path: String?) throws {
        if let path {
            let url = URL(fileURLWithPath: path)
            let beside = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
            let fd = open(beside, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else {
                throw ValidationError("cannot write \(path): \(String(cString: strerror(errno))): check the folder exists and is writable")
            }
            self.fd = fd
            target = path
            partial = beside
        } else {
            fd = 1
            target = nil
            partial = nil
        }
        buffer.reserveCapacity(1 << 16)
    }

    /// Standard output.
    static func standard() -> Output { try! Output(path: nil) }   // standard output needs no file: it cannot throw

    func line(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { drain() }
    }

    /// Writes what is buffered; on failure removes the partial file and exits 2 with the reason.
    private func drain() {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, buffer.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                failed(errno)
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func failed(_ code: Int32) -> Never {
        let reason = String(cString: strerror(code))
        if let partial { unlink(partial) }
        printError("sweep: could not write \(target ?? "the output") (\(reason))" + (target != nil ? ": nothing was left in its place" : "")
                   + (code == ENOSPC ? "; free some space and run it again" : ""))
        exit(Exit.couldNotRun.rawValue)
    }

    /// Writes the rest; a file is synced and renamed into place.
    func flush() {
        drain()
        guard let target, let partial else { return }
        if fsync(fd) != 0 && errno != EINVAL { failed(errno) }
        close(fd)
        if rename(partial, target) != 0 { failed(errno) }
    }
}

/// After a command: what `print` wrote must have reached its destination (a full disk or a closed pipe is exit 2).
func checkStandardOutput() {
    // `print` writes through the C library's standard output: an earlier failed write leaves its error flag set.
    if sweep_stdout_failed() != 0 {
        let reason = String(cString: strerror(errno))
        printError("sweep: could not write the output (\(reason))")
        exit(Exit.couldNotRun.rawValue)
    }
}
