#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import Testing

/// The review flow in a real browser: headless Chromium, driven through chromedriver's W3C WebDriver HTTP API,
/// against `sweep serve` started as a user would start it. The screenshot goes to .build/test-artifacts/.
@Suite struct BrowserReviewTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let artifacts = repositoryRoot + "/.build/test-artifacts"

    /// On the SQLite file, and on a shared PostgreSQL index (a real server): the same page, the same decision.
    @Test(arguments: [false, true]) func aReviewerApprovesACandidateInChromium(sharedIndex: Bool) async throws {
        guard let chromium = Self.chromium, let chromedriver = Self.chromedriver else {
            Issue.record("Chromium and chromedriver are needed for this test and were not found: install the Debian packages chromium and chromium-driver (`make test` does, through scripts/setup)")
            return
        }
        var index: String?
        if sharedIndex {
            let server = try PostgresServer.shared()
            index = server.uri(try server.createDatabase())
        }
        let h = try WebHarness(index: index)
        let form = h.share.path("HR/Recruitment/2019/form.txt")

        let (serve, serveOut, _) = try startSweep(["serve", "--index", h.db, "--port", "0"])
        defer { serve.interrupt(); serve.waitUntilExit() }
        let lines = LineReader(serveOut.fileHandleForReading)
        let link = try #require(lines.first(within: 30) { $0.contains("?token=") }, "sweep serve printed no link")
        let url = String(try #require(link.firstMatch(of: /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/)?.0))

        let port = try freePort()
        let driverProcess = Process()
        driverProcess.executableURL = URL(fileURLWithPath: chromedriver)
        driverProcess.arguments = ["--port=\(port)"]
        driverProcess.standardOutput = FileHandle.nullDevice
        driverProcess.standardError = FileHandle.nullDevice
        try driverProcess.run()
        // chromedriver does not stop on SIGTERM while it has children: stop it for certain.
        defer { kill(driverProcess.processIdentifier, SIGKILL); driverProcess.waitUntilExit() }

        let profile = TempTree("chromium-profile")
        let driver = try await WebDriver.start(port: port, chromium: chromium, profile: profile.root)
        do {
            try await driver.go(url)
            // Signed in by the link; the token is gone from the address.
            #expect(try await driver.currentURL().hasSuffix("/"))
            try await driver.click(driver.find("link text", "Disposal review"))
            try await driver.click(driver.find("css selector", "input[type=checkbox][value$='/HR/Recruitment/2019/form.txt']"))
            try await driver.type(driver.find("css selector", "#reviewer"), "R Eviewer")
            try await driver.type(driver.find("css selector", "#reason"), "Schedule HR-REC-02, batch 2026-11")
            try await driver.click(driver.find("css selector", "button[value=approve]"))
            let source = try await driver.waitForSource(containing: "1 approved, 0 refused.", seconds: 30)
            #expect(source.contains("approved (R Eviewer, "))
            try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
            let png = Self.artifacts + (sharedIndex ? "/review-postgres.png" : "/review.png")
            try await driver.screenshot().write(to: URL(fileURLWithPath: png))
            print("browser test: screenshot of the disposal review after Approve saved to \(png)")
            try await driver.quit()
        } catch {
            try? await driver.quit()
            throw error
        }

        let list = try h.candidates()
        #expect(list[form]?["decision"] as? String == "approved")
        #expect(list[form]?["reviewer"] as? String == "R Eviewer")
        #expect(list[h.share.path("HR/Recruitment/2019/shortlist.txt")]?["decision"] as? String == "pending")
    }

    /// A port nothing listens on now (the kernel's choice).
    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw BrowserTestError("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

struct BrowserTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Just enough of the W3C WebDriver protocol: a session, navigation, elements, keys, clicks, page source, screenshots.
struct WebDriver: Sendable {
    let base: String

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    static func start(port: Int, chromium: String, profile: String) async throws -> WebDriver {
        let server = "http://127.0.0.1:\(port)"
        // chromedriver takes a moment to listen.
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await call("GET", server + "/status", nil)).flatMap { ($0["value"] as? [String: Any])?["ready"] as? Bool } ?? false
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else { throw BrowserTestError("chromedriver did not start on port \(port)") }
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": [
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--user-data-dir=\(profile)", "--no-first-run"],
        ]]]]
        let reply = try await call("POST", server + "/session", caps)
        guard let value = reply["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw BrowserTestError("Chromium could not start under chromedriver: \(reply)")
        }
        return WebDriver(base: server + "/session/" + id)
    }

    func go(_ url: String) async throws { _ = try await Self.call("POST", base + "/url", ["url": url]) }
    func currentURL() async throws -> String { try await Self.call("GET", base + "/url", nil)["value"] as? String ?? "" }

    func find(_ using: String, _ value: String) async throws -> String {
        let reply = try await Self.call("POST", base + "/element", ["using": using, "value": value])
        guard let v = reply["value"] as? [String: Any], let id = v[Self.elementKey] as? String else {
            throw BrowserTestError("no element \(using) \(value) on the page: \(reply)")
        }
        return id
    }

    func click(_ element: String) async throws { _ = try await Self.call("POST", base + "/element/\(element)/click", [:]) }
    func type(_ element: String, _ text: String) async throws { _ = try await Self.call("POST", base + "/element/\(element)/value", ["text": text]) }
    func source() async throws -> String { try await Self.call("GET", base + "/source", nil)["value"] as? String ?? "" }

    func waitForSource(containing text: String, seconds: Int) async throws -> String {
        for _ in 0..<(seconds * 10) {
            let s = try await source()
            if s.contains(text) { return s }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BrowserTestError("the page never showed “\(text)”")
    }

    func screenshot() async throws -> Data {
        guard let b64 = try await Self.call("GET", base + "/screenshot", nil)["value"] as? String, let png = Data(base64Encoded: b64) else {
            throw BrowserTestError("no screenshot")
        }
        return png
    }

    func quit() async throws { _ = try await Self.call("DELETE", base, nil) }

    /// One WebDriver command through curl (no HTTP client library needed), bounded to a minute.
    static func call(_ method: String, _ url: String, _ body: [String: Any]?) async throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-sS", "--max-time", "60", "-X", method, "-H", "Content-Type: application/json"]
            + (body == nil ? [] : ["--data-binary", "@-"]) + [url]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        if let body { input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: body)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BrowserTestError("\(method) \(url): curl exit \(p.terminationStatus)") }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

/// Lines from a child's output, read on a thread of their own.
final class LineReader: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = ""

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                lock.withLock {
                    partial += String(decoding: data, as: UTF8.self)
                    while let nl = partial.firstIndex(of: "\n") {
                        lines.append(String(partial[..<nl]))
                        partial = String(partial[partial.index(after: nl)...])
                    }
                }
            }
        }.start()
    }

    func first(within seconds: Double, where match: (String) -> Bool) -> String? {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if let l = lock.withLock({ lines.first(where: match) }) { return l }
            usleep(50_000)
        }
        return nil
    }
}
