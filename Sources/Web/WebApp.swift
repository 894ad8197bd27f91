import Foundation
import Hummingbird
import Index
import Logging
import SweepModel

/// The records managers' web app over one index: reads through a read-only pool (pages work while a scan
/// writes, thanks to WAL); review decisions and holds are written through the same APIs `sweep disposal decide`
/// and `sweep hold` use, one at a time, under the index's lock.
public struct WebApp: Sendable {
    public enum Access: Sendable {
        /// The secret in the printed link (`?token=`): 32 random bytes, hex.
        case token(String)
        /// A password read from a file, asked for on a sign-in form.
        case password(String)
    }

    public let indexPath: String
    public let access: Access
    /// The names a browser may use for this server (the `Host` it sends): the loopback names, the address it
    /// listens on and any public name it is given. Anything else (a page on another site whose name was pointed
    /// at this address: DNS rebinding) is refused.
    public let allowedHosts: Set<String>
    let store: SweepIndex
    let sessions = Sessions()
    let writer = Writer()
    let throttle = SignInThrottle()
    /// The most items one decision form may carry.
    public static let maxItemsPerDecision = 1000

    public init(indexPath: String, access: Access, hosts: [String] = []) throws {
        self.indexPath = indexPath
        self.access = access
        allowedHosts = Set((["localhost", "127.0.0.1", "::1"] + hosts).map { $0.lowercased() })
        store = try SweepIndex.openForReading(indexPath)
    }

    /// Every route, behind the gate.
    public func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: Gate(access: access, sessions: sessions, allowedHosts: allowedHosts))
        router.get("/") { request, context in try await self.respond(request, context, self.overview) }
        router.get("/disposal") { request, context in try await self.respond(request, context, self.disposal) }
        router.post("/disposal/decide") { request, context in try await self.respond(request, context, self.decide) }
        router.get("/holds") { request, context in try await self.respond(request, context, self.holdsPage) }
        router.post("/holds/add") { request, context in try await self.respond(request, context, self.addHold) }
        router.post("/holds/release") { request, context in try await self.respond(request, context, self.releaseHold) }
        router.get("/duplicates") { request, context in try await self.respond(request, context, self.duplicates) }
        router.get("/item") { request, context in try await self.respond(request, context, self.item) }
        router.get("/login") { _, _ in self.loginForm(problem: nil) }
        router.post("/login") { request, context in try await self.login(request, context) }
        router.post("/logout") { _, context in
            if let s = context.session { await self.sessions.end(s.id) }
            var r = Reply.page("Signed out", body: "<p>You are signed out. Open the link <code>sweep serve</code> printed to sign in again.</p>")
            r.setCookie(Cookie(name: Gate.cookie, value: "", maxAge: 0, path: "/", secure: false, httpOnly: true, sameSite: .strict))
            return r
        }
        return router
    }

    /// The server: `onRunning` gets the port actually bound (for `--port 0`).
    public func application(host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        var logger = Logger(label: "sweep.serve")
        logger.logLevel = .warning
        return Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "Sweep"),
                           onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// Serves until SIGINT or SIGTERM.
    public func run(host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void) async throws {
        try await application(host: host, port: port, onRunning: onRunning).runService()
    }

    /// What a page handler sees: the query or the checked form, and the session.
    struct Call {
        let query: FormData
        let form: FormData
        let session: Sessions.Session
        let flash: String?
        let path: String
        var wantsCSV: Bool { query["format"] == "csv" }
    }

    /// Runs a page with its call; an index that cannot be read (locked, corrupt, gone) is a page saying so.
    private func respond(_ request: Request, _ context: WebContext, _ body: (Call) async throws -> Response) async throws -> Response {
        guard let session = context.session else { return Reply.page("Sign in first", status: .unauthorized, body: "") }
        let flash = request.method == .get ? await sessions.takeFlash(session.id) : nil
        let call = Call(query: FormData(request.uri.query), form: context.form, session: session, flash: flash, path: request.uri.path)
        do {
            return try await body(call)
        } catch let e as HTTPError {
            throw e
        } catch {
            return Reply.page("Sweep cannot read the index", status: .serviceUnavailable, csrf: session.csrf, body: """
                <p class="note">\(HTML.escape(String(describing: error)))</p><p>Reload the page in a moment.</p>
                """)
        }
    }

    /// After a form: the message shows once on the page the browser is sent to.
    func redirect(_ to: String, flash: String, _ call: Call) async -> Response {
        await sessions.setFlash(call.session.id, flash)
        return Reply.redirect(to)
    }

    func page(_ title: String, _ call: Call, current: String?, _ body: String) -> Response {
        let note = call.flash.map { "<div class=\"ok\" role=\"status\">\(HTML.escape($0).replacingOccurrences(of: "\n", with: "<br>"))</div>" } ?? ""
        return Reply.page(title, current: current, csrf: call.session.csrf, body: note + body)
    }

    // MARK: - Password sign-in

    func loginForm(problem: String?) -> Response {
        Reply.page("Sign in", status: problem == nil ? .ok : .unauthorized, body: """
            \(problem.map { "<p class=\"note\" role=\"alert\">\(HTML.escape($0))</p>" } ?? "")
            <form method="post" action="/login">
            <p><label for="password">Password</label> <input id="password" name="password" type="password" required autofocus autocomplete="current-password"></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            """)
    }

    func login(_ request: Request, _ context: WebContext) async throws -> Response {
        guard case .password(let password) = access else { return Reply.redirect("/") }
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        // Guesses are slowed for everyone at once, however many connections they come over.
        if let wait = await throttle.wait() {
            return loginForm(problem: "Too many wrong passwords: wait \(wait) s and try again.")
        }
        guard let given = form.pairs.first(where: { $0.0 == "password" })?.1, Secret.equal(given, password) else {
            await throttle.failed()
            try await Task.sleep(for: .seconds(1))
            return loginForm(problem: "That password is not right.")
        }
        await throttle.succeeded()
        let s = await sessions.create()
        var r = Reply.redirect("/")
        r.setCookie(Cookie(name: Gate.cookie, value: s.id, path: "/", secure: false, httpOnly: true, sameSite: .strict))
        return r
    }
}

/// Wrong passwords, counted across every connection: after each, no attempt is even checked for a while that
/// doubles with each failure in a row (1 s, 2 s, 4 s … up to 5 minutes); a right one resets it.
actor SignInThrottle {
    private var failures = 0
    private var until = ContinuousClock.now

    /// Seconds left before another attempt is checked, or nil when one may be.
    func wait() -> Int? {
        let left = until - ContinuousClock.now
        return left > .zero ? Int(left.components.seconds) + 1 : nil
    }

    func failed() {
        failures += 1
        let seconds = min(300, 1 << min(failures - 1, 9))
        until = ContinuousClock.now + .seconds(seconds)
    }

    func succeeded() { failures = 0 }
}

/// Writes one at a time: two reviewers pressing Approve together queue rather than meet the index's lock.
actor Writer {
    func run<T: Sendable>(_ body: @Sendable () throws -> T) rethrows -> T { try body() }
}
