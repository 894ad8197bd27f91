import Foundation
import Hummingbird
import HummingbirdTesting
import Index
import SweepModel
import TestSupport
import Testing
import Web

/// A scanned share and the web app over its index: old recruitment files (disposal candidates), a hostile file
/// name, a name that is not UTF-8, a duplicated ledger, a folder with personal data.
final class WebHarness: @unchecked Sendable {
    static let token = String(repeating: "ab", count: 32)
    static let origin = "http://localhost"
    static let hostile = "HR/Recruitment/2019/<script>x</script>&\".txt"

    let share = TempTree("web-share")
    let work = TempTree("web-work")
    let db: String
    let app: WebApp

    static let schedule = """
        classes:
          - {id: HR-REC-02, retain: 6 months, action: destroy, when: {path: ["**/HR/Recruitment/**"]}}
          - {id: GOV-COM-01, retain: 1 year, action: transfer, when: {path: ["**/Committee/**"]}}
          - {id: OLD-01, retain: 1 year, action: destroy, when: {path: ["**/Old/**"]}}
        default: {id: UNCLASSIFIED, retain: permanent, trigger: last_modified, action: review}
        """

    static func date(_ s: String) -> Date { ISO8601DateFormatter().date(from: s + "T12:00:00Z")! }

    /// With `index`, the share is scanned into that index (a PostgreSQL URI) instead of an SQLite file.
    init(oldFiles: Int = 0, access: WebApp.Access = .token(WebHarness.token), index: String? = nil) throws {
        let old = WebHarness.date("2019-06-14")
        share.file("HR/Recruitment/2019/form.txt", "Application form\nNational Insurance number JK123456C\n", modified: old)
        share.file("HR/Recruitment/2019/shortlist.txt", "Shortlist\n", modified: WebHarness.date("2019-06-10"))
        share.file(WebHarness.hostile, "hostile name\n", modified: old)
        _ = share.rawNamedFile(folder: "HR/Recruitment/2019", name: Array("caf".utf8) + [0xE9] + Array(".txt".utf8), "latin-1 name")
        share.file("Committee/Minutes/cabinet.txt", "Minutes of Cabinet\n", modified: WebHarness.date("2020-01-01"))
        share.file("Finance/ledger.csv", String(repeating: "ledger,1\n", count: 100))
        share.file("Finance Backup/ledger.csv", String(repeating: "ledger,1\n", count: 100))
        share.file("Social Care/Smith family/notes.txt", "Contact jane.smith@example.org or 07700 900123 about the visit.\n")
        for i in 0..<oldFiles { share.file("Old/file-\(String(format: "%03d", i)).txt", "old \(i)\n", modified: old) }
        work.folder("rules")
        // The shipped detection rules, with this test's schedule.
        for name in try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/rules") where name != "retention.yaml" {
            try FileManager.default.copyItem(atPath: repositoryRoot + "/rules/" + name, toPath: work.path("rules/" + name))
        }
        work.file("rules/retention.yaml", WebHarness.schedule)
        db = index ?? work.path("sweep.db")
        let scan = try runSweep(["scan", share.root, "--index", db, "--rules", work.path("rules"), "--as-of", "2026-01-01", "--quiet"],
                                environment: ["SWEEP_KEY_FILE": work.path("index.key")])
        #expect(scan.status == 0, "sweep scan (\(sweepBinary)) failed: \(scan.stderr)")
        app = try WebApp(indexPath: db, access: access)
    }

    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: app.router()).test(.router, body)
    }

    /// Signs in with the token link and returns the cookie header and the page's CSRF token.
    static func signIn(_ client: some TestClientProtocol) async throws -> Browser {
        let cookie = try await client.execute(uri: "/?token=\(token)", method: .get) { r -> String in
            #expect(r.status == .seeOther)
            let set = try #require(r.headers[.setCookie])
            return String(set.split(separator: ";")[0])
        }
        let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
        let csrf = try #require(page.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/)?.1)
        return Browser(cookie: cookie, csrf: String(csrf))
    }

    func candidates(_ extra: [String] = []) throws -> [String: [String: Any]] {
        let run = try runSweep(["disposal", "list", "--index", db, "--as-of", "2026-01-01", "--format", "json"] + extra)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        return Dictionary(uniqueKeysWithValues: run.jsonLines.map { ($0["path"] as! String, $0) })
    }
}

/// A signed-in browser: its cookie and the CSRF token its forms carry.
struct Browser: Sendable {
    let cookie: String
    let csrf: String

    func get(_ client: some TestClientProtocol, _ uri: String) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { ($0.status, $0.headers, String(buffer: $0.body)) }
    }

    /// Posts a form as the browser would: same origin, the session's CSRF token unless told otherwise.
    func post(_ client: some TestClientProtocol, _ uri: String, _ fields: [(String, String)], csrf: String? = nil,
              origin: String? = WebHarness.origin) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        let all = [("csrf", csrf ?? self.csrf)] + fields
        let text = all.map { HTML.urlEncode($0.0) + "=" + HTML.urlEncode($0.1) }.joined(separator: "&")
        var headers: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: text)) {
            ($0.status, $0.headers, String(buffer: $0.body))
        }
    }
}
