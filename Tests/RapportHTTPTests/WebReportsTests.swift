import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The report pages: /reports (mine, search, who has not submitted), /reports/new, /reports/{id}
/// (figures, words, submit, comments, the manager's review and return) — each form refusing a
/// wrong CSRF token, words escaped, scope as in the API, both languages.
@Suite struct WebReportsTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    @Test(arguments: TestBackend.available)
    func repsWriteAndSubmitManagersReviewAndComment(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: east)
            let rep = try await harness.signedIn(.rep, team: east)
            let stranger = try await harness.signedIn(.rep, team: try await harness.team("west"))
            let reports = harness.rapport.reports
            let count: @Sendable () async throws -> Int = { try await harness.count("reports") }
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Chen"), by: rep.caller).0
            _ = try await harness.rapport.activities.log(.init(customerID: customer.id.rawValue, type: "call"), by: rep.caller)
            try await harness.http { client in
                // The list offers both kinds; the new-report page opens a draft (a forged form changes nothing).
                let list = try await client.page("/reports", session: rep.secret)
                #expect(list.status == .ok && list.text.contains("/reports/new?kind=daily") && list.text.contains("/reports/new?kind=monthly"))
                #expect(!list.text.contains("reports-missing"))
                let bench = try await client.page("/workbench", session: rep.secret, language: "zh-CN")
                #expect(bench.text.contains("今日日报") && bench.text.contains("href=\"/reports/new?kind=daily\""))
                let new = try await client.page("/reports/new?kind=daily", session: rep.secret, language: "zh-CN")
                #expect(new.status == .ok && new.text.contains("日报") && new.text.contains("value=\"2026-01-05\""))
                #expect(try await client.submit("/reports", session: rep.secret, [("kind", "daily")], csrf: "forged").status == .forbidden)
                #expect(try await count() == 0)
                let opened = try await client.submit("/reports", session: rep.secret, [("kind", "daily"), ("period", "2026-01-05")])
                let location = try #require(opened.headers[.location])
                #expect(opened.status == .seeOther && location.hasPrefix("/reports/rpt_"))
                let id = String(location.dropFirst("/reports/".count))
                #expect(try await client.submit("/reports", session: rep.secret, [("kind", "daily"), ("period", "2099-01-01")]).status == .unprocessableContent)

                // Words: forged refused; saved; escaped on the page and the list, both languages.
                let words = [("summary", "Met " + Self.script), ("plan", "Call back"), ("problems", ""), ("version", "1")]
                #expect(try await client.submit(location, session: rep.secret, words, csrf: "forged").status == .forbidden)
                #expect(try await client.submit(location, session: rep.secret, words).status == .seeOther)
                #expect(try await reports.get(id, by: rep.caller).row.report.summary == "Met " + Self.script)
                for language in ["en", "zh-CN"] {
                    let page = try await client.page(location, session: rep.secret, language: language)
                    #expect(page.status == .ok && page.text.contains("Met " + Self.escaped) && !page.text.contains(Self.script), "\(language)")
                    #expect(page.text.contains(language == "en" ? "Calls" : "通话") && page.text.contains("\(location)/submit"))
                }
                #expect(try await client.page("/reports?q=Met", session: rep.secret).text.contains(location))

                // Yesterday's list: the manager sees the rep has not submitted 2026-01-04.
                let managerList = try await client.page("/reports", session: manager.secret, language: "zh-CN")
                #expect(managerList.text.contains("昨日未提交") && managerList.text.contains(rep.user.name))

                // Submit (forged refused); the manager sees it and reviews / returns it, the stranger cannot see it.
                #expect(try await client.submit("\(location)/submit", session: rep.secret, [], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("\(location)/submit", session: rep.secret, []).status == .seeOther)
                #expect(try await reports.get(id, by: rep.caller).row.report.status == .submitted)
                let sent = try await client.page("/workbench", session: rep.secret)
                #expect(sent.text.contains("id=\"wb-report\"") && sent.text.contains("href=\"\(location)\"") && sent.text.contains("Submitted"))
                let review = try await client.page(location, session: manager.secret)
                #expect(review.text.contains("\(location)/review") && review.text.contains("\(location)/return") && review.text.contains("Met " + Self.escaped))
                #expect(try await client.page(location, session: stranger.secret).status == .notFound)
                #expect(try await !client.page("/reports", session: stranger.secret).text.contains(location))
                #expect(try await client.submit("\(location)/comments", session: stranger.secret, [("body", "hi")]).status == .notFound)
                #expect(try await client.submit("\(location)/return", session: manager.secret, [("reason", "More " + Self.script)], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("\(location)/return", session: manager.secret, [("reason", "More " + Self.script)]).status == .seeOther)
                #expect(try await reports.get(id, by: rep.caller).row.report.status == .returned)
                #expect(try await client.submit("\(location)/submit", session: rep.secret, []).status == .seeOther)
                #expect(try await client.submit("\(location)/comments", session: manager.secret, [("body", "Nice " + Self.script)], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("\(location)/comments", session: manager.secret, [("body", "Nice " + Self.script)]).status == .seeOther)
                #expect(try await client.submit("\(location)/review", session: manager.secret, [("comment", "")], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("\(location)/review", session: manager.secret, [("comment", "")]).status == .seeOther)
                let reviewed = try await client.page(location, session: rep.secret, language: "zh-CN")
                #expect(reviewed.text.contains("已批阅") && reviewed.text.contains("Nice " + Self.escaped) && reviewed.text.contains("More " + Self.escaped))
                #expect(!reviewed.text.contains(Self.script) && !reviewed.text.contains("\(location)/submit"))
                #expect(try await reports.comments(id, by: rep.caller).count == 2)
            }
        }
    }
}
