import Foundation
import Hummingbird
import HummingbirdTesting
import Index
import SweepModel
import TestSupport
import Testing
import Web

/// The web app through its router, over an index made by scanning a real temporary share.
@Suite struct WebRouterTests {
    @Test func everyPageAndActionNeedsASession() async throws {
        let h = try WebHarness()
        try await h.test { client in
            for uri in ["/", "/disposal", "/holds", "/duplicates", "/item?path=%2Fx", "/?format=csv", "/disposal?format=csv"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .unauthorized, "\(uri)")
                    #expect(!String(buffer: r.body).contains("HR-REC-02"), "\(uri) leaked the index")
                }
                try await client.execute(uri: uri, method: .get, headers: [.cookie: "sweep_session=forged"]) { r in
                    #expect(r.status == .unauthorized, "\(uri) with a forged cookie")
                }
            }
            for uri in ["/disposal/decide", "/holds/add", "/holds/release", "/logout"] {
                try await client.execute(uri: uri, method: .post, headers: [.origin: WebHarness.origin, .contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "csrf=x&item=y")) { r in
                    #expect(r.status == .unauthorized, "\(uri)")
                }
            }
            try await client.execute(uri: "/?token=" + String(repeating: "00", count: 32), method: .get) { r in
                #expect(r.status == .unauthorized)
                #expect(r.headers[.setCookie] == nil)
            }
        }
        #expect(try h.candidates().values.allSatisfy { $0["decision"] as? String == "pending" })
    }

    @Test func theTokenLinkSetsAStrictHttpOnlyCookieAndIsStrippedFromTheAddress() async throws {
        let h = try WebHarness()
        try await h.test { client in
            try await client.execute(uri: "/disposal?class=HR-REC-02&token=\(WebHarness.token)", method: .get) { r in
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/disposal?class=HR-REC-02")
                let cookie = try #require(r.headers[.setCookie])
                #expect(cookie.hasPrefix("sweep_session="))
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Strict"))
                #expect(!cookie.contains(WebHarness.token))
            }
            let b = try await WebHarness.signIn(client)
            let page = try await b.get(client, "/disposal?class=HR-REC-02")
            #expect(page.status == .ok)
            #expect(page.body.contains("<h1>Disposal review</h1>"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.headers[.cacheControl] == "no-store")

            let out = try await b.post(client, "/logout", [])
            #expect(out.status == .ok)
            #expect(try await b.get(client, "/").status == .unauthorized)
        }
    }

    @Test func aPasswordFileMeansASignInForm() async throws {
        let h = try WebHarness(access: .password("correct horse"))
        try await h.test { client in
            try await client.execute(uri: "/disposal", method: .get) { r in
                #expect(r.status == .seeOther)
                #expect(r.headers[.location] == "/login")
            }
            try await client.execute(uri: "/login", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("type=\"password\""))
            }
            try await client.execute(uri: "/?token=\(WebHarness.token)", method: .get) { r in #expect(r.status == .seeOther && r.headers[.setCookie] == nil) }
            let form: HTTPFields = [.origin: WebHarness.origin, .contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "password=wrong")) { r in
                #expect(r.status == .unauthorized)
                #expect(r.headers[.setCookie] == nil)
            }
            var crossSite = form
            crossSite[.origin] = "http://evil.example"
            try await client.execute(uri: "/login", method: .post, headers: crossSite, body: ByteBuffer(string: "password=correct+horse")) { r in
                #expect(r.status == .forbidden)
            }
            let cookie = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "password=correct+horse")) { r in
                #expect(r.status == .seeOther)
                return String(try #require(r.headers[.setCookie]).split(separator: ";")[0])
            }
            try await client.execute(uri: "/holds", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .ok) }
        }
    }

    @Test func theOverviewChartsClassesActionsMarkingsDuplicatesAndHotSpots() async throws {
        let h = try WebHarness()
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let page = try await b.get(client, "/")
            #expect(page.status == .ok)
            #expect(page.body.components(separatedBy: "<svg").count - 1 == 4)
            for text in ["Size by retention class", "Size by disposal action", "Size by highest marking", "HR-REC-02", "GOV-COM-01",
                         "destroy", "transfer", "1 duplicate sets", "900 B", h.share.path("Social Care/Smith family"),
                         "What was read", "Items by family of formats"] {
                #expect(page.body.contains(text), "overview lacks \(text)")
            }
            #expect(!page.body.contains("<script"))
            #expect(!page.body.contains("jane.smith"))
        }
    }

    @Test func hostileAndNonUTF8NamesAreEscapedOnEveryPage() async throws {
        let h = try WebHarness()
        let hostile = h.share.path(WebHarness.hostile)
        let escaped = HTML.escape(hostile)
        #expect(escaped.hasSuffix("&lt;script&gt;x&lt;/script&gt;&amp;&quot;.txt"))
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let review = try await b.get(client, "/disposal")
            #expect(review.body.contains(escaped))
            #expect(!review.body.contains("<script>"))
            let item = try await b.get(client, "/item?path=" + HTML.urlEncode(hostile))
            #expect(item.status == .ok)
            #expect(item.body.contains(escaped))
            #expect(!item.body.contains("<script>"))
            #expect(item.body.contains("HR-REC-02"))

            let latin = h.share.path("HR/Recruitment/2019/caf\\xE9.txt")
            let raw = try await b.get(client, "/item?path=" + HTML.urlEncode(latin))
            #expect(raw.status == .ok)
            #expect(raw.body.contains("caf\\xE9.txt"))
            #expect(try await b.get(client, "/item?path=%2Fnowhere").status == .notFound)
        }
    }

    @Test func theItemPageShowsMaskedFindingsRetentionAndDecisions() async throws {
        let h = try WebHarness()
        let form = h.share.path("HR/Recruitment/2019/form.txt")
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let page = try await b.get(client, "/item?path=" + HTML.urlEncode(form))
            #expect(page.status == .ok)
            for text in ["nino", "HR-REC-02: matched path", "6 months from last modified", "2019-12-14", "No hold covers it", "pending"] {
                #expect(page.body.contains(text), "item page lacks \(text)")
            }
            #expect(!page.body.contains("JK123456C"), "a raw value reached the page")
            #expect(!page.body.contains("JK 12 34 56 C"))
            let csv = try await b.get(client, "/item?format=csv&path=" + HTML.urlEncode(form))
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.body.contains(",pii,nino,"))
            #expect(!csv.body.contains("JK123456C"))
        }
    }

    @Test func duplicatesShowTheKeeperAndWhy() async throws {
        let h = try WebHarness()
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let page = try await b.get(client, "/duplicates")
            #expect(page.status == .ok)
            #expect(page.body.contains("1 sets, 1 extra copies, 900 B reclaimable"))
            #expect(page.body.contains(HTML.escape(h.share.path("Finance/ledger.csv"))))
            #expect(page.body.contains(HTML.escape(h.share.path("Finance Backup/ledger.csv"))))
            #expect(page.body.contains("<td>keep</td>"))
            let records = try await b.get(client, "/duplicates?records=" + HTML.urlEncode("Finance Backup/**"))
            #expect(records.body.contains("in a records location"))
        }
    }

    @Test func everyListDownloadsAsFormulaSafeRFC4180CSV() async throws {
        let h = try WebHarness()
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            for (uri, header) in [("/?format=csv", "section,label,items,bytes,values"),
                                  ("/disposal?format=csv", "path,class,action,trigger_date,disposal_date"),
                                  ("/holds?format=csv", "id,state,reason,authority,scope"),
                                  ("/duplicates?format=csv", "set,content,size,copies,reclaimable,role,path")] {
                let r = try await b.get(client, uri)
                #expect(r.status == .ok, "\(uri)")
                #expect(r.headers[.contentType] == "text/csv; charset=utf-8", "\(uri)")
                #expect(r.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"sweep-") == true, "\(uri)")
                #expect(r.body.hasPrefix(header), "\(uri): \(r.body.prefix(80))")
                #expect(r.body.contains("\r\n"))
            }
            // A quote in a name is doubled inside a quoted cell.
            let disposal = try await b.get(client, "/disposal?format=csv").body
            let cell = "\"" + h.share.path(WebHarness.hostile).replacingOccurrences(of: "\"", with: "\"\"") + "\""
            #expect(disposal.contains(cell + ",HR-REC-02,destroy,"))
            // Text a spreadsheet would run gets a leading apostrophe.
            let add = try await b.post(client, "/holds/add", [("id", "=HYPERLINK(\"x\")"), ("reason", "+44 call, \"urgent\""),
                                                              ("authority", "@IG"), ("scope", "**/Committee/**"), ("by", "-R")])
            #expect(add.status == .seeOther)
            let holds = try await b.get(client, "/holds?format=csv").body
            #expect(holds.contains("\"'=HYPERLINK(\"\"x\"\")\",active,\"'+44 call, \"\"urgent\"\"\",'@IG,**/Committee/**,"))
            #expect(holds.contains(",'-R,"))
        }
    }

    @Test func formsWithoutTheSessionsTokenOrFromAnotherSiteAreRefused() async throws {
        let h = try WebHarness()
        let form = h.share.path("HR/Recruitment/2019/form.txt")
        let fields = [("item", form), ("decision", "approve"), ("reviewer", "R Eviewer"), ("reason", "Schedule HR-REC-02")]
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            #expect(try await b.post(client, "/disposal/decide", fields, csrf: String(repeating: "0", count: 64)).status == .forbidden)
            #expect(try await b.post(client, "/disposal/decide", fields, csrf: "").status == .forbidden)
            #expect(try await b.post(client, "/disposal/decide", fields, origin: "http://evil.example").status == .forbidden)
            #expect(try await b.post(client, "/disposal/decide", fields, origin: "null").status == .forbidden)
            #expect(try await b.post(client, "/disposal/decide", fields, origin: nil).status == .forbidden)
            #expect(try await b.post(client, "/holds/add", [("id", "X"), ("reason", "r"), ("authority", "a"), ("scope", "**"), ("by", "b")],
                                     origin: "http://localhost.evil.example").status == .forbidden)
            // Another session's token does not do either.
            let other = try await WebHarness.signIn(client)
            #expect(try await b.post(client, "/disposal/decide", fields, csrf: other.csrf).status == .forbidden)
        }
        #expect(try h.candidates()[form]?["decision"] as? String == "pending")
        #expect(try h.app.indexPath == h.db)
        let store = try SweepIndex.openForReading(h.db)
        #expect(try store.holds().isEmpty)
    }

    @Test func approvingInBulkRecordsTheSameDecisionsAsTheCommandLine() async throws {
        let h = try WebHarness()
        let form = h.share.path("HR/Recruitment/2019/form.txt")
        let shortlist = h.share.path("HR/Recruitment/2019/shortlist.txt")
        let cabinet = h.share.path("Committee/Minutes/cabinet.txt")
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let back = "/disposal?class=HR-REC-02"
            let missing = try await b.post(client, "/disposal/decide", [("item", form), ("decision", "approve"), ("reviewer", "R Eviewer"),
                                                                        ("reason", " "), ("back", back)])
            #expect(missing.status == .seeOther)
            #expect(try await b.get(client, back).body.contains("Nothing was recorded. Give a reason"))

            let r = try await b.post(client, "/disposal/decide", [("item", form), ("item", shortlist), ("decision", "approve"),
                                                                  ("reviewer", "R Eviewer"), ("reason", "Schedule HR-REC-02, batch 2026-11"),
                                                                  ("back", back)])
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == back)
            let after = try await b.get(client, back)
            #expect(after.body.contains("2 approved, 0 refused."))
            #expect(after.body.contains("approved (R Eviewer, "))

            let ext = try await b.post(client, "/disposal/decide", [("item", cabinet), ("decision", "extend"), ("extend", "10 years"),
                                                                    ("reviewer", "R Eviewer"), ("reason", "Still referred to")])
            #expect(ext.status == .seeOther)
            let bad = try await b.post(client, "/disposal/decide", [("item", cabinet), ("decision", "extend"), ("extend", "a while"),
                                                                    ("reviewer", "R Eviewer"), ("reason", "x")])
            #expect(bad.status == .seeOther)
            #expect(try await b.get(client, "/disposal").body.contains("is not a period"))
        }
        let list = try h.candidates()
        for path in [form, shortlist] {
            let c = try #require(list[path])
            #expect(c["decision"] as? String == "approved")
            #expect(c["reviewer"] as? String == "R Eviewer")
        }
        // Extended by ten years: no longer due at the as-of date.
        #expect(list[cabinet] == nil)
        let store = try SweepIndex.openForReading(h.db)
        let history = try store.decisionHistory(path: ItemPath(form))
        #expect(history.count == 1)
        #expect(history.first?.reason == "Schedule HR-REC-02, batch 2026-11")
        #expect(history.first?.sha256?.count == 64)
    }

    @Test func holdsArePlacedAndReleasedThroughTheIndex() async throws {
        let h = try WebHarness()
        let form = h.share.path("HR/Recruitment/2019/form.txt")
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let add = try await b.post(client, "/holds/add", [("id", "SAR-2026-07"), ("reason", "Subject access request"), ("authority", "IG Team"),
                                                              ("scope", "**/hr/RECRUITMENT/2019\r\n**/Committee/Minutes"), ("review", "2026-06-30"),
                                                              ("by", "A Officer")])
            #expect(add.status == .seeOther)
            #expect(add.headers[.location] == "/holds")
            let page = try await b.get(client, "/holds")
            #expect(page.body.contains("Hold SAR-2026-07 placed"))
            #expect(page.body.contains("Release SAR-2026-07"))
            #expect(!(try await b.get(client, "/disposal").body.contains(HTML.escape(form))))
            let item = try await b.get(client, "/item?path=" + HTML.urlEncode(form))
            #expect(item.body.contains("SAR-2026-07</strong> — Subject access request (IG Team)"))

            let again = try await b.post(client, "/holds/add", [("id", "SAR-2026-07"), ("reason", "r"), ("authority", "a"), ("scope", "**/x"), ("by", "b")])
            #expect(again.status == .seeOther)
            #expect(try await b.get(client, "/holds").body.contains("already exists"))

            let noReason = try await b.post(client, "/holds/release", [("id", "SAR-2026-07"), ("reason", ""), ("by", "B Officer")])
            #expect(noReason.status == .seeOther)
            #expect(try await b.get(client, "/holds").body.contains("Nothing was released"))

            let release = try await b.post(client, "/holds/release", [("id", "SAR-2026-07"), ("reason", "Request answered"), ("by", "B Officer")])
            #expect(release.status == .seeOther)
            #expect(try await b.get(client, "/holds").body.contains("released"))
            #expect(try await b.get(client, "/disposal").body.contains(HTML.escape(form)))
        }
        let store = try SweepIndex.openForReading(h.db)
        let hold = try #require(try store.holds().first { $0.id == "SAR-2026-07" })
        #expect(hold.scope == ["**/hr/RECRUITMENT/2019", "**/Committee/Minutes"])
        #expect(hold.placedBy == "A Officer" && hold.reviewDate == "2026-06-30")
        #expect(hold.releasedBy == "B Officer" && hold.releaseReason == "Request answered")
        let log = try store.disposalLog().rows.map(\.action.rawValue)
        #expect(log == ["hold", "hold-release"])
    }

    @Test func theReviewListPagesAHundredAtATimeAndFilters() async throws {
        let h = try WebHarness(oldFiles: 230)
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let first = try await b.get(client, "/disposal?class=OLD-01")
            #expect(first.body.components(separatedBy: "name=\"item\"").count - 1 == 100)
            #expect(first.body.contains("Page 1 of 3"))
            #expect(first.body.contains("230 candidates due by 2026-01-01"))
            let last = try await b.get(client, "/disposal?class=OLD-01&page=3")
            #expect(last.body.components(separatedBy: "name=\"item\"").count - 1 == 30)
            #expect(last.body.contains("file-229.txt"))
            let desc = try await b.get(client, "/disposal?class=OLD-01&sort=path&order=desc")
            let firstRow = try #require(desc.body.range(of: "file-"))
            #expect(desc.body[firstRow.upperBound...].hasPrefix("229"))
            let folder = try await b.get(client, "/disposal?folder=" + HTML.urlEncode("**/HR/**") + "&action=destroy")
            #expect(folder.body.contains("4 candidates due by 2026-01-01") || folder.body.contains("3 candidates due by 2026-01-01"))
            #expect(!folder.body.contains("file-000.txt"))
            let none = try await b.get(client, "/disposal?decision=approved")
            #expect(none.body.contains("0 candidates"))
            let bad = try await b.get(client, "/disposal?as_of=tomorrow")
            #expect(bad.body.contains("is not a date"))
        }
    }
}

/// A decision form is bounded: more items than the cap are refused whole, nothing recorded.
@Suite struct DecisionCapTests {
    @Test func tooManyItemsAreRefusedWhole() async throws {
        let h = try WebHarness()
        let form = h.share.path("HR/Recruitment/2019/form.txt")
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let fields = Array(repeating: ("item", form), count: WebApp.maxItemsPerDecision + 1)
                + [("decision", "approve"), ("reviewer", "R Eviewer"), ("reason", "Schedule HR-REC-02")]
            let r = try await b.post(client, "/disposal/decide", fields)
            #expect(r.status == .seeOther)
            let page = try await b.get(client, try #require(r.headers[.location]))
            #expect(page.body.contains("At most 1000 items"), "\(page.body.prefix(400))")
        }
        #expect(try h.candidates()[form]?["decision"] as? String == "pending")
    }
}

/// A hold or folder typed in the web app as a whole path means what it means on the command line: the folder
/// below the scan root. (It was stored as typed, matched nothing, and the items under it could be destroyed.)
@Suite struct WebScopeTests {
    @Test func aHoldPlacedWithAWholePathCoversItsFolder() async throws {
        let h = try WebHarness()
        let form = h.share.path("HR/Recruitment/2019/form.txt")
        #expect(try h.candidates()[form] != nil)   // a candidate before the hold
        try await h.test { client in
            let b = try await WebHarness.signIn(client)
            let add = try await b.post(client, "/holds/add", [("id", "SAR-1"), ("reason", "Subject access request"), ("authority", "IG"),
                                                              ("scope", h.share.path("HR/Recruitment") + "/"), ("by", "R Eviewer")])
            #expect(add.status == .seeOther)
            // A path outside every scanned folder is refused, and nothing is stored.
            let outside = try await b.post(client, "/holds/add", [("id", "SAR-2"), ("reason", "r"), ("authority", "IG"),
                                                                  ("scope", "/nowhere/at/all"), ("by", "R Eviewer")])
            #expect(outside.status == .seeOther)
            // The folder filter takes a whole path too.
            let filtered = try await b.get(client, "/disposal?format=csv&as_of=2026-01-01&folder=" + h.share.path("Committee").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(filtered.body.contains("Committee") && !filtered.body.contains("Recruitment"))
        }
        #expect(try h.candidates()[form] == nil, "held: no longer a candidate")
        let store = try SweepIndex.openForReading(h.db)
        let holds = try store.holds()
        #expect(holds.map(\.id) == ["SAR-1"])
        #expect(holds.first?.scope == ["HR/Recruitment"])
        // The command line refuses a disposal decision on the held item.
        let decide = try runSweep(["disposal", "decide", "--index", h.db, "--item", form, "--approve", "--reviewer", "R", "--reason", "x"])
        #expect(decide.status != 0)
    }
}

/// The server as a browser reaches it: a page under another name (DNS rebinding) is refused, wrong passwords slow
/// every connection down, not just the one that sent them.
@Suite struct ServeHardeningTests {
    func curl(_ args: [String]) throws -> (code: String, body: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "-o", "-", "-w", "\n%{http_code}"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }

    @Test func anotherHostNameIsRefusedAndGuessesAreSlowedForEveryone() throws {
        let h = try WebHarness()
        let work = TempTree()
        work.file("password", "correct horse\n")
        let (serve, serveOut, _) = try startSweep(["serve", "--index", h.db, "--port", "0", "--password-file", work.path("password")])
        defer { serve.interrupt(); serve.waitUntilExit() }
        let lines = LineReader(serveOut.fileHandleForReading)
        let line = try #require(lines.first(within: 30) { $0.contains("http://127.0.0.1:") }, "sweep serve printed no address")
        let base = try #require(line.firstMatch(of: /http:\/\/127\.0\.0\.1:[0-9]+\//)).0.description
        #expect(try curl([base + "login"]).code == "200")
        // A page on evil.example whose name now points here: its requests carry its own name.
        let rebound = try curl(["-H", "Host: evil.example:8080", base + "login"])
        #expect(rebound.code == "421" && rebound.body.contains("not opened under this name"), "\(rebound)")
        let origin = "Origin: \(base.dropLast())"
        // Two wrong guesses from two connections: the second waits on the first's penalty.
        #expect(try curl(["-H", origin, "--data", "password=wrong", base + "login"]).code == "401")
        let second = try curl(["-H", origin, "--data", "password=also-wrong", base + "login"])
        #expect(second.code == "401")
        // Right after them even the right password is not checked yet (the penalty doubles: 1 s, then 2 s)…
        let third = try curl(["-H", origin, "--data", "password=correct+horse", base + "login"])
        #expect(third.body.contains("Too many wrong passwords"), "\(third.code)")
        // …and once it has passed, it is.
        Thread.sleep(forTimeInterval: 2.5)
        #expect(try curl(["-H", origin, "--data", "password=correct+horse", base + "login"]).code == "303")
        withExtendedLifetime(work) {}
    }
}
