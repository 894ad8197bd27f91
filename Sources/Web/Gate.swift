import Foundation
import Hummingbird
import SweepModel

/// The request context: the signed-in session, and a POST's form once the gate has checked it.
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    var session: Sessions.Session?
    var form = FormData(nil)

    public init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
}

/// Every request passes here first. Signing in is the printed link's token (or the password form); after that the
/// session cookie (HttpOnly, SameSite=Strict) is the only credential. A POST must come from this site (its
/// Origin, else its Referer, names the host it was sent to) and carry the session's CSRF token.
struct Gate: RouterMiddleware {
    typealias Context = WebContext
    static let cookie = "sweep_session"

    let access: WebApp.Access
    let sessions: Sessions
    let allowedHosts: Set<String>

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response = try await check(request, context: context, next: next)
        Reply.secure(&response.headers)
        return response
    }

    private func check(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        if let authority = request.head.authority, !allowedHosts.contains(Gate.hostname(authority)) {
            return Reply.page("Wrong address", status: .misdirectedRequest, body: """
                <p>Sweep was not opened under this name, so the request was refused. Use the address \
                <code>sweep serve</code> printed (or start it with <code>--public-name</code> for the name you use).</p>
                """)
        }
        let query = FormData(request.uri.query)
        if case .token(let token) = access, let given = query.pairs.first(where: { $0.0 == "token" })?.1 {
            guard Secret.equal(given, token) else {
                return Reply.page("Link not valid", status: .unauthorized, body: """
                    <p>This link does not open Sweep. Use the link <code>sweep serve</code> printed when it started \
                    (a new link is printed each time it starts).</p>
                    """)
            }
            let s = await sessions.create()
            // Drop the token from the address so it is not kept in the history or shown on screen.
            let rest = query.pairs.filter { $0.0 != "token" }
            var r = Reply.redirect(HTML.link(request.uri.path, rest.map { ($0.0, Optional($0.1)) }))
            r.setCookie(Cookie(name: Gate.cookie, value: s.id, path: "/", secure: false, httpOnly: true, sameSite: .strict))
            return r
        }
        let isLogin = request.uri.path == "/login"
        if request.method == .post && !Gate.sameOrigin(request) {
            return Reply.page("Refused", status: .forbidden, body: "<p>This form was not sent from Sweep's own pages, so it was refused.</p>")
        }
        if case .password = access, isLogin { return try await next(request, context) }

        guard let id = request.cookies[Gate.cookie]?.value, let session = await sessions.find(id) else {
            if case .password = access, request.method == .get { return Reply.redirect("/login") }
            return Reply.page("Sign in first", status: .unauthorized, body: """
                <p>Open the link that <code>sweep serve</code> printed when it started; it signs this browser in.</p>
                """)
        }
        context.session = session
        if request.method == .post {
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            context.form = FormData(String(buffer: body))
            guard let sent = context.form.pairs.first(where: { $0.0 == "csrf" })?.1, Secret.equal(sent, session.csrf) else {
                return Reply.page("Refused", status: .forbidden, body: """
                    <p>This form has expired or did not come from this page. Go back, reload the page and try again.</p>
                    """)
            }
        }
        return try await next(request, context)
    }

    /// The host name of a `Host` header: lower case, without its port, without the brackets of an IPv6 address.
    static func hostname(_ authority: String) -> String {
        var a = Substring(authority.lowercased())
        if a.hasPrefix("[") { return String(a.dropFirst().prefix { $0 != "]" }) }
        if let colon = a.lastIndex(of: ":"), a.firstIndex(of: ":") == colon { a = a[..<colon] }
        return String(a)
    }

    /// True when the Origin header (or, without one, the Referer) names the host the request was sent to.
    static func sameOrigin(_ request: Request) -> Bool {
        guard let host = request.head.authority?.lowercased() else { return false }
        let named = request.headers[.origin] ?? request.headers[.referer]
        guard let named, let url = URL(string: named), let h = url.host?.lowercased(),
              url.scheme == "http" || url.scheme == "https" else { return false }
        let authority = url.port.map { "\(h):\($0)" } ?? h
        return authority == host
    }
}

/// Responses with the headers every page carries.
enum Reply {
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func page(_ title: String, status: HTTPResponse.Status = .ok, current: String? = nil, csrf: String? = nil, body: String) -> Response {
        html(HTML.page(title: title, current: current, csrf: csrf, body: body), status: status)
    }

    /// 303: after a form, the browser GETs the next page (reloading it does not post again).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// RFC 4180 text with formula-safe cells (SweepModel's CSVText), offered as a download.
    static func csv(_ rows: [[String?]], filename: String) -> Response {
        let text = rows.map(CSVText.row).joined(separator: "\r\n") + "\r\n"
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"\(filename)\""],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// No scripts, no framing, nothing from elsewhere; nothing cached (pages show file names and findings).
    static func secure(_ h: inout HTTPFields) {
        h[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        h[.xContentTypeOptions] = "nosniff"
        h[.init("Referrer-Policy")!] = "same-origin"
        h[.cacheControl] = "no-store"
        h[.init("X-Frame-Options")!] = "DENY"
    }
}
