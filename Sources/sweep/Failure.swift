import ArgumentParser
import Foundation

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

/// Buffered standard output: exports write millions of lines.
final class Output {
    private var buffer = [UInt8]()
    private let handle: FileHandle

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let h = FileHandle(forWritingAtPath: path) else {
                throw ValidationError("cannot write \(path): check the folder exists and is writable")
            }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
        buffer.reserveCapacity(1 << 16)
    }

    func line(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
