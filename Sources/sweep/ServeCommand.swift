import ArgumentParser
import Foundation
import Index
import Web

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The records managers' web app: overview, disposal review, holds, duplicates, items.",
        discussion: """
            Prints a link carrying a one-off access token (32 random bytes): opening it signs the browser in. With \
            --password-file, the pages ask for that password instead. Pages read the index while a scan writes; \
            review decisions and holds are recorded as `sweep disposal decide` and `sweep hold` record them.
            Examples: sweep serve --index /var/lib/sweep/sweep.db
                      sweep serve --port 8443 --password-file /etc/sweep/web-password
            Stop it with Ctrl-C.
            """)

    @Option(help: "The index file (default ./sweep.db).")
    var index = "sweep.db"

    @Option(help: "The port to listen on (0: any free port).")
    var port = 8080

    @Option(help: "The address to listen on. Anything but loopback exposes the index to the network: use --password-file.")
    var host = "127.0.0.1"

    @Option(name: .customLong("public-name"), help: "A name browsers reach this server by (behind a proxy, or on the network). Repeatable; requests naming any other host are refused.")
    var publicNames: [String] = []

    @Option(name: .customLong("password-file"), help: "Ask for the password in this file (its first line) instead of printing a token link.")
    var passwordFile: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() throws {
        let access: WebApp.Access
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8),
                  let first = text.split(whereSeparator: \.isNewline).first, !first.isEmpty else {
                throw fail("cannot read a password from \(passwordFile): put the password on its first line")
            }
            access = .password(String(first))
        } else {
            access = .token(Secret.hex(bytes: 32))
        }
        let names = [self.host] + publicNames
        let web = try couldNotRun { try WebApp(indexPath: index, access: access, hosts: names) }
        let loopback = host == "127.0.0.1" || host == "::1" || host == "localhost"
        if !loopback {
            printError("sweep: serving \(index) on \(host) over plain HTTP: anyone who can reach it may try to sign in; prefer 127.0.0.1")
        }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let announce: @Sendable (Int) -> Void = { bound in
            var line = "Sweep is serving \(web.indexPath) at http://\(shownHost):\(bound)/"
            if case .token(let token) = access { line += "?token=\(token)" }
            // Written straight to the descriptor: a script waiting for the link must not wait on a buffer.
            FileHandle.standardOutput.write(Data((line + "\nOpen that address in a browser on this machine. Stop with Ctrl-C.\n").utf8))
        }
        let outcome = ServeOutcome()
        let done = DispatchSemaphore(value: 0)
        let (host, port) = (host, port)
        Task {
            do { try await web.run(host: host, port: port, onRunning: announce) } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw fail("the web server stopped: \(error)") }
    }
}

/// The server task's error, handed back to the blocked main thread.
final class ServeOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    var error: (any Error)? { lock.withLock { stored } }
    func set(_ e: any Error) { lock.withLock { stored = e } }
}
