import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RapportApp
import RapportCore
import RapportTestSupport
import RapportWeb
import Testing

/// The inbox page and the notification API: unread first, mark one and all read, the header's
/// count on every page, wording in both languages, escaping, CSRF, and each user sees only their own.
@Suite struct WebNotificationsTests {
    @Test(arguments: TestBackend.available)
    func inboxMarksReadAndKeepsToItsReader(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let other = try await harness.signedIn(.rep)
            let notices = harness.rapport.notifications
            try await harness.rapport.transaction { sql in
                try await notices.send([
                    notices.make(rep.user.id, "lead.assigned", details: ["name": "<script>alert(1)</script>"], about: (.lead, "lead_01")),
                    notices.make(rep.user.id, "receivable.overdue", details: ["order_title": "Annual plan", "installment": "2"], about: (.order, "ord_01")),
                    notices.make(rep.user.id, "task.overdue", details: [:], about: nil),
                    notices.make(other.user.id, "quote.approved", details: [:], about: (.quote, "quo_secret")),
                ], in: sql)
            }
            try await harness.http { client in
                let page = try await client.page("/notifications", session: rep.secret)
                #expect(page.status == .ok)
                #expect(page.text.contains("A lead was assigned to you</a> · &lt;script&gt;") && !page.text.contains("<script>alert(1)"))
                #expect(page.text.contains("A payment is overdue</a> · Annual plan · instalment 2") && page.text.contains("href=\"/orders/ord_01\""))
                #expect(page.text.contains("Notice: task.overdue") && !page.text.contains("quo_secret"))
                #expect(page.text.contains("unread-count") && page.text.contains(">3</span>"))
                let zh = try await client.page("/workbench", session: rep.secret, language: "zh-CN")
                #expect(zh.text.contains("通知") && zh.text.contains(">3</span>"))
                let zhInbox = try await client.page("/notifications", session: rep.secret, language: "zh-CN")
                #expect(zhInbox.text.contains("回款逾期</a> · Annual plan · 第 2 期") && zhInbox.text.contains("有新线索分配给您"))

                // A wrong token changes nothing.
                let forged = try await client.submit("/notifications/read", session: rep.secret, [("all", "1")], csrf: "forged")
                #expect(forged.status == .forbidden)
                #expect(try await notices.unread(by: rep.caller) == 3)

                // Mark one, then all; another user's notice cannot be marked by this reader.
                let theirs = try await notices.list(unreadOnly: true, page: PageRequest(), by: other.caller).items[0].id.rawValue
                let mine = try await notices.list(unreadOnly: true, page: PageRequest(), by: rep.caller).items
                let one = try await client.submit("/notifications/read", session: rep.secret, [("id", mine[0].id.rawValue), ("id", theirs)])
                #expect(one.status == .seeOther && one.headers[.location]?.contains("notice=marked_read") == true)
                let left = try await notices.unread(by: rep.caller)
                let theirsLeft = try await notices.unread(by: other.caller)
                #expect(left == 2 && theirsLeft == 1)
                _ = try await client.submit("/notifications/read", session: rep.secret, [("all", "1")])
                #expect(try await notices.unread(by: rep.caller) == 0)
                let after = try await client.page("/notifications", session: rep.secret)
                #expect(!after.text.contains("unread-count") && after.text.contains("You are all caught up."))

                // Preferences from the page's form.
                let saved = try await client.submit("/notifications/preferences", session: rep.secret,
                                                    [("email", "immediate"), ("alerts.email", "on"), ("approvals.webhook", "on")])
                #expect(saved.status == .seeOther)
                let chosen = try await notices.preferences(by: rep.caller)
                #expect(chosen.customized && chosen.preferences.email == .immediate && chosen.preferences.groups[.alerts] == [.email]
                        && chosen.preferences.groups[.assignments] == [])
                let refused = try await client.submit("/notifications/preferences", session: rep.secret, [("reset", "1")], csrf: "forged")
                let kept = try await notices.preferences(by: rep.caller)
                #expect(refused.status == .forbidden && kept.customized)
                _ = try await client.submit("/notifications/preferences", session: rep.secret, [("reset", "1")])
                let back = try await notices.preferences(by: rep.caller)
                #expect(!back.customized)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func preferencesAndWebhookEndpointsOverTheAPI(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            try await harness.http { client in
                let initial = try await client.send(.get, "/api/v1/me/notification-preferences", token: rep.secret)
                #expect(initial.status == .ok && initial.object["customized"] as? Bool == false && initial.object["email"] as? String == "daily_digest")
                let put = try await client.send(.put, "/api/v1/me/notification-preferences", token: rep.secret,
                                                json: #"{"email":"off","groups":{"alerts":["webhook"]}}"#)
                #expect(put.status == .ok && put.object["customized"] as? Bool == true && (put.object["groups"] as? [String: [String]])?["alerts"] == ["webhook"])
                let bad = try await client.send(.put, "/api/v1/me/notification-preferences", token: rep.secret, json: #"{"email":"weekly"}"#)
                #expect(bad.status == .unprocessableContent && bad.fieldErrors == ["email:invalid"])
                let defaults = try await client.send(.put, "/api/v1/settings/notifications", token: rep.secret, json: #"{"email":"off"}"#)
                #expect(defaults.status == .forbidden)
                #expect(try await client.send(.put, "/api/v1/settings/notifications", token: admin.secret, json: #"{"email":"immediate"}"#).status == .ok)

                let refused = try await client.send(.post, "/api/v1/webhook-endpoints", token: admin.secret, json: #"{"url":"file:///etc/passwd"}"#)
                #expect(refused.status == .unprocessableContent && refused.fieldErrors == ["url:invalid"])
                let made = try await client.send(.post, "/api/v1/webhook-endpoints", token: admin.secret, json: #"{"url":"http://127.0.0.1:9/hook","description":"CRM bridge"}"#)
                #expect(made.status == .created)
                let secret = try #require(made.object["secret"] as? String)
                let id = try #require(made.object["id"] as? String)
                #expect(secret.hasPrefix("whsec_"))
                let listed = try await client.send(.get, "/api/v1/webhook-endpoints", token: admin.secret)
                #expect(listed.status == .ok && !listed.text.contains(secret) && listed.text.contains(id))
                let one = try await client.send(.get, "/api/v1/webhook-endpoints/\(id)", token: admin.secret)
                #expect(one.status == .ok && !one.text.contains(secret))
                #expect(try await client.send(.get, "/api/v1/webhook-endpoints", token: rep.secret).status == .forbidden)
                #expect(try await client.send(.get, "/api/v1/webhook-endpoints/whe_nope/deliveries", token: admin.secret).status == .notFound)
                let log = try await client.send(.get, "/api/v1/webhook-endpoints/\(id)/deliveries", token: admin.secret)
                #expect(log.status == .ok && (log.object["data"] as? [Any])?.isEmpty == true)
                let gone = try await client.send(.delete, "/api/v1/webhook-endpoints/\(id)", token: admin.secret)
                #expect(gone.status == .ok && gone.object["active"] as? Bool == false)
            }
        }
    }
}
