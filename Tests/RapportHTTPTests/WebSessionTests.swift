import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The browser session: sign-in with CSRF, a fresh HttpOnly cookie every time (no fixation),
/// same-origin redirects only, escaping, scope, sign-out and the idle timeout.
@Suite struct WebSessionTests {
    @Test func redirectsStayOnThisSiteAndTokensCompareExactly() {
        #expect(WebSession.sameOriginPath("/workbench?tab=1") == "/workbench?tab=1")
        for bad in ["//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "workbench", nil, "/a\u{0A}b"] {
            #expect(WebSession.sameOriginPath(bad) == "/workbench")
        }
        #expect(WebSession.cookie("rapport_session", in: "a=1; rapport_session=abc; b=2") == "abc")
        #expect(WebSession.cookie("rapport_session", in: "rapport_session=") == nil)
        let csrf = WebSession.csrfToken(forSession: "secret-1")
        #expect(csrf.count == 32 && csrf != WebSession.csrfToken(forSession: "secret-2"))
        #expect(WebSession.same(csrf, csrf) && !WebSession.same(csrf, nil) && !WebSession.same("", "") && !WebSession.same("ab", "abc"))
        #expect(WebSession.randomToken().count == 32 && WebSession.randomToken() != WebSession.randomToken())
        #expect(WebSession.setCookie("s", "v", secure: true) == "s=v; Path=/; HttpOnly; SameSite=Lax; Secure")
        let en = Localization.keysByLocale["en"] ?? []
        #expect(!en.isEmpty && en == Localization.keysByLocale["zh-Hans"], "both catalogs have the same keys")
    }

    static func cookies(_ response: TestResponse) -> [String: String] {
        var result: [String: String] = [:]
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            result[pair[0]] = pair.count > 1 ? pair[1] : ""
        }
        return result
    }

    static func form(_ fields: [String: String]) -> String {
        fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
    }

    @Test(arguments: TestBackend.available)
    func signInWorkbenchAndSignOut(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let other = try await harness.signedIn(.rep, team: team)
            _ = try await harness.rapport.leads.create(LeadInput(name: "<script>alert(1)</script>", phone: .some("13800000001")), by: rep.caller)
            _ = try await harness.rapport.leads.create(LeadInput(name: "Someone Else's", phone: .some("13800000002")), by: other.caller)
            let planted = try await harness.rapport.auth.signIn(email: rep.user.email, password: TestHarness.password, address: nil).secret
            try await harness.http { client in
                // The form: a CSRF cookie, HttpOnly, and the same value in the form.
                let page = try await client.send(.get, "/login?next=/workbench", headers: ["Accept-Language": "zh-CN,zh;q=0.9"])
                #expect(page.status == .ok && page.text.contains("登录") && page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                let csrf = try #require(Self.cookies(page)[WebSession.loginCSRFCookie])
                #expect(page.text.contains("value=\"\(csrf)\"") && page.headers[values: .setCookie].allSatisfy { $0.contains("HttpOnly") })

                // Without the token, or with another: refused, no session.
                let forged = try await client.send(.post, "/login", json: Self.form(["email": rep.user.email, "password": TestHarness.password, "_csrf": "x"]),
                                                   headers: ["Cookie": "\(WebSession.loginCSRFCookie)=\(csrf)"], contentType: "application/x-www-form-urlencoded")
                #expect(forged.status == .forbidden && Self.cookies(forged)[WebSession.cookie] == nil)
                let wrong = try await client.send(.post, "/login", json: Self.form(["email": rep.user.email, "password": "nope", "_csrf": csrf]),
                                                  headers: ["Cookie": "\(WebSession.loginCSRFCookie)=\(csrf)"], contentType: "application/x-www-form-urlencoded")
                #expect(wrong.status == .unauthorized && Self.cookies(wrong)[WebSession.cookie] == nil)

                // Signed in: a new session (the planted one is revoked), and only a same-site redirect.
                let signedIn = try await client.send(
                    .post, "/login", json: Self.form(["email": rep.user.email, "password": TestHarness.password, "_csrf": csrf, "next": "//evil.example/x"]),
                    headers: ["Cookie": "\(WebSession.loginCSRFCookie)=\(csrf); \(WebSession.cookie)=\(planted)"], contentType: "application/x-www-form-urlencoded")
                #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/workbench")
                let session = try #require(Self.cookies(signedIn)[WebSession.cookie])
                #expect(session != planted && signedIn.headers[values: .setCookie].first { $0.hasPrefix(WebSession.cookie) }?.contains("SameSite=Lax") == true)
                let stale = try await client.send(.get, "/workbench", headers: ["Cookie": "\(WebSession.cookie)=\(planted)"])
                #expect(stale.status == .seeOther && stale.headers[.location] == "/login?next=/workbench")

                // The workbench: the rep's own lead, escaped; nobody else's.
                let workbench = try await client.send(.get, "/workbench", headers: ["Cookie": "\(WebSession.cookie)=\(session)", "Accept-Language": "en"])
                #expect(workbench.status == .ok && workbench.text.contains("Waiting for a first call"))
                #expect(workbench.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !workbench.text.contains("<script>"))
                #expect(!workbench.text.contains("Someone Else"))
                #expect(workbench.body.readableBytes < 100_000)

                // The quick "log a call": with the session's token only; the lead leaves the list.
                let lead = try #require(try await harness.rapport.leads.list(.init(), page: PageRequest(), by: rep.caller).items.first)
                #expect(workbench.text.contains("/leads/\(lead.id)/log-call"))
                let token = WebSession.csrfToken(forSession: session)
                let unsigned = try await client.send(.post, "/leads/\(lead.id)/log-call", json: "outcome=connected&_csrf=nope",
                                                     headers: ["Cookie": "\(WebSession.cookie)=\(session)"], contentType: "application/x-www-form-urlencoded")
                #expect(unsigned.status == .forbidden)
                let logged = try await client.send(.post, "/leads/\(lead.id)/log-call", json: "outcome=connected&_csrf=\(token)",
                                                   headers: ["Cookie": "\(WebSession.cookie)=\(session)"], contentType: "application/x-www-form-urlencoded")
                #expect(logged.status == .seeOther && logged.headers[.location] == "/workbench?notice=call_logged")
                let after = try await client.send(.get, "/workbench", headers: ["Cookie": "\(WebSession.cookie)=\(session)", "Accept-Language": "en"])
                #expect(after.text.contains("touched today") && after.text.contains("Call"))
                #expect(try await harness.rapport.leads.followUps(lead.id.rawValue, page: PageRequest(), by: rep.caller).items.map(\.outcome) == ["connected"])

                // Sign-out needs the session's CSRF token; then the session is over.
                let noToken = try await client.send(.post, "/logout", json: "_csrf=x", headers: ["Cookie": "\(WebSession.cookie)=\(session)"],
                                                    contentType: "application/x-www-form-urlencoded")
                #expect(noToken.status == .forbidden)
                let out = try await client.send(.post, "/logout", json: "_csrf=\(WebSession.csrfToken(forSession: session))",
                                                headers: ["Cookie": "\(WebSession.cookie)=\(session)"], contentType: "application/x-www-form-urlencoded")
                #expect(out.status == .seeOther && out.headers[.location] == "/login")
                #expect(try await client.send(.get, "/workbench", headers: ["Cookie": "\(WebSession.cookie)=\(session)"]).status == .seeOther)

                // An idle session ends: 13 hours without a page.
                let again = try await harness.rapport.auth.signIn(email: other.user.email, password: TestHarness.password, address: nil).secret
                #expect(try await client.send(.get, "/workbench", headers: ["Cookie": "\(WebSession.cookie)=\(again)"]).status == .ok)
                harness.clock.advance(by: 13 * 3_600)
                let idle = try await client.send(.get, "/workbench", headers: ["Cookie": "\(WebSession.cookie)=\(again)"])
                #expect(idle.status == .seeOther)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aRepClaimsFromThePoolPageWithinTheLimit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let pool = try await harness.rapport.pools.create(.init(key: "default", name: "公海", object: "lead", memberTeams: [team.id.rawValue],
                                                                    rules: PoolRules(holdingLimit: LevelLimits(1))), by: harness.system)
            var created: [Lead] = []
            for index in 0..<2 {
                created.append(try await harness.rapport.leads.create(LeadInput(name: "Waiting \(index)", phone: .some("1380000010\(index)"), owner: .some(nil),
                                                                                pool: .some(pool.key)), by: harness.system).0)
            }
            let waiting = created
            let rep = try await harness.signedIn(.rep, team: team)
            let cookie = ["Cookie": "\(WebSession.cookie)=\(rep.secret)", "Accept-Language": "en"]
            let token = WebSession.csrfToken(forSession: rep.secret)
            try await harness.http { client in
                let page = try await client.send(.get, "/pools/default", headers: cookie)
                #expect(page.status == .ok && page.text.contains("You hold 0 of 1") && waiting.allSatisfy { page.text.contains("value=\"\($0.id)\"") })
                #expect(page.text.contains("+86 138****0100"))
                let form = "lead_id=\(waiting[0].id)&lead_id=\(waiting[1].id)&_csrf=\(token)"
                let unsigned = try await client.send(.post, "/pools/default/claim", json: "lead_id=\(waiting[0].id)&_csrf=x", headers: cookie,
                                                     contentType: "application/x-www-form-urlencoded")
                #expect(unsigned.status == .forbidden)
                let tooMany = try await client.send(.post, "/pools/default/claim", json: form, headers: cookie, contentType: "application/x-www-form-urlencoded")
                #expect(tooMany.status == .seeOther && tooMany.headers[.location] == "/pools/default?notice=holding_limit_reached")
                let refused = try await client.send(.get, tooMany.headers[.location]!, headers: cookie)
                #expect(refused.text.contains("You already hold as many open leads"))
                let one = try await client.send(.post, "/pools/default/claim", json: "lead_id=\(waiting[0].id)&_csrf=\(token)", headers: cookie,
                                                contentType: "application/x-www-form-urlencoded")
                #expect(one.headers[.location] == "/pools/default?notice=claimed")
                let mine = try await client.send(.get, "/leads", headers: cookie)
                #expect(mine.status == .ok && mine.text.contains("Waiting 0") && !mine.text.contains("Waiting 1"))
                let echoed = try await client.send(.get, "/pools/default?notice=%3Cscript%3E", headers: cookie)
                #expect(!echoed.text.contains("<script>") && !echoed.text.contains("role=\"status\""))
                #expect(try await client.send(.get, "/pools/default").status == .seeOther)
                // A browser at an address that is no page gets a page; the API keeps its problem documents.
                let missing = try await client.send(.get, "/no-such-page", headers: ["Accept": "text/html,application/xhtml+xml", "Accept-Language": "zh-CN"])
                #expect(missing.status == .notFound && missing.text.contains("该页面不存在") && missing.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(try await client.send(.get, "/api/v1/no-such-thing", headers: ["Accept": "text/html"]).problemCode == "not_found")
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func customersAreSearchedAndShownWithinScopeAndEscaped(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let other = try await harness.signedIn(.rep, team: team)
            let mine = try await harness.rapport.customers.create(
                CustomerInput(kind: "person", name: "<script>alert(1)</script>", contacts: [.init(kind: "phone", value: "13900000042")], tags: ["vip"]), by: rep.caller).0
            let theirs = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Not Yours"), by: other.caller).0
            _ = try await harness.rapport.activities.log(.init(customerID: mine.id.rawValue, type: "call", durationSeconds: 30, outcome: "connected"), by: rep.caller)
            let cookie = ["Cookie": "\(WebSession.cookie)=\(rep.secret)", "Accept-Language": "en"]
            try await harness.http { client in
                let list = try await client.send(.get, "/customers", headers: cookie)
                #expect(list.status == .ok && list.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !list.text.contains("<script>"))
                #expect(!list.text.contains("Not Yours") && list.text.contains("+86 139****0042") && !list.text.contains("13900000042"))
                let found = try await client.send(.get, "/customers?q=13900000042", headers: cookie)
                #expect(found.text.contains("/customers/\(mine.id)"))
                let view = try await client.send(.get, "/customers/\(mine.id)", headers: cookie)
                #expect(view.status == .ok && view.text.contains("&lt;script&gt;") && !view.text.contains("<script>"))
                #expect(view.text.contains("Call · Connected") && view.text.contains("vip") && view.text.contains("1 of"))
                let hidden = try await client.send(.get, "/customers/\(theirs.id)", headers: cookie)
                #expect(hidden.status == .notFound && !hidden.text.contains("Not Yours"))
            }
        }
    }
}

@Suite struct LocaleFormattingTests {
    @Test func numbersAndMoneyAreFormattedPerLocaleWithoutFloatingPoint() {
        let en = Localization.locale("en"), zh = Localization.locale("zh-Hans")
        #expect(en.number(1_234_567) == "1,234,567")
        #expect(zh.number(1_234_567) == "1,234,567")
        #expect(en.money(123_450, currency: "CNY") == "¥1,234.50")
        #expect(en.money(1_000_553_400, currency: "USD") == "$10,005,534.00")
        #expect(zh.money(1_000, currency: "USD") == "US$10.00")
        #expect(en.money(-5, currency: "CNY") == "-¥0.05")
        #expect(en.money(500, currency: "JPY") == "JP¥500")
        #expect(en.percent(0.6315) == "63.2%")
    }
}
