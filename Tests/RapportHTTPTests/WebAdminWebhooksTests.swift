import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RapportApp
import RapportCore
import RapportTestSupport
import RapportWeb
import Testing

/// The administrators' webhook page: add (the secret shown once), the delivery log, replay,
/// disable; CSRF, escaping, both languages, and nobody else gets in.
@Suite struct WebAdminWebhooksTests {
    @Test(arguments: TestBackend.available)
    func administratorsManageEndpointsOnTheirPage(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            let receiver = LocalReceiver()
            try await LocalReceiver.with(receiver) { base in
                try await harness.http { client in
                    let empty = try await client.page("/admin/webhooks", session: admin.secret)
                    #expect(empty.status == .ok && empty.text.contains("Add an endpoint"))
                    #expect(try await client.page("/admin", session: admin.secret).text.contains("href=\"/admin/webhooks\""))
                    #expect(try await client.page("/admin/webhooks", session: rep.secret).status == .forbidden)
                    #expect(empty.text.contains("Email is off") && empty.text.contains("href=\"/admin/email-deliveries\""))
                    let emailLog = try await client.page("/admin/email-deliveries", session: admin.secret, language: "zh-CN")
                    #expect(emailLog.status == .ok && emailLog.text.contains("邮件投递记录") && emailLog.text.contains("邮件未启用"))

                    // A forged form and a rep's form change nothing.
                    let form = [("url", base + "/hook"), ("description", "<script>alert(1)</script>"), ("user_id", rep.user.id.rawValue), ("kind", "quote.approved")]
                    #expect(try await client.submit("/admin/webhooks", session: admin.secret, form, csrf: "forged").status == .forbidden)
                    #expect(try await client.submit("/admin/webhooks", session: rep.secret, form).status == .forbidden)
                    #expect(try await harness.count("webhook_endpoints") == 0)
                    #expect(try await client.submit("/admin/webhooks", session: admin.secret, [("url", "ftp://127.0.0.1/x")]).status != .ok)
                    #expect(try await harness.count("webhook_endpoints") == 0)

                    // Added: the answer shows the secret, once.
                    let added = try await client.submit("/admin/webhooks", session: admin.secret, form)
                    #expect(added.status == .ok)
                    let endpoint = try #require(try await harness.rapport.webhooks.list(by: admin.caller).first)
                    #expect(added.text.contains(endpoint.secret) && added.text.contains("shown only this once"))
                    #expect(added.text.contains("&lt;script&gt;") && !added.text.contains("<script>alert(1)"))
                    let path = "/admin/webhooks/" + endpoint.id.rawValue
                    let later = try await client.page(path, session: admin.secret)
                    #expect(later.status == .ok && !later.text.contains(endpoint.secret))
                    let list = try await client.page("/admin/webhooks", session: admin.secret)
                    #expect(list.text.contains(base + "/hook") && !list.text.contains(endpoint.secret) && list.text.contains("&lt;script&gt;")
                            && list.text.contains(rep.user.name) && list.text.contains("Your quote was approved"))

                    // A notice goes out; its delivery shows in the log and can be sent again.
                    await receiver.answer([500])
                    try await harness.rapport.transaction { sql in
                        let notices = harness.rapport.notifications
                        try await notices.send([notices.make(rep.user.id, "quote.approved", details: [:], about: (.quote, "quo_1"))], in: sql)
                    }
                    _ = try await harness.rapport.jobs.runDue(worker: "test")
                    let failing = try await client.page(path, session: admin.secret)
                    #expect(failing.text.contains("HTTP 500 · http_500") && failing.text.contains("Pending"))
                    harness.clock.advance(by: JobBackoff.base)
                    _ = try await harness.rapport.jobs.runDue(worker: "test")
                    let delivered = try await client.page(path, session: admin.secret)
                    #expect(delivered.text.contains("Delivered"))
                    let delivery = try #require(try await harness.rapport.webhooks.deliveries(of: endpoint.id.rawValue, page: PageRequest(), by: admin.caller).items.first)
                    let replayPath = path + "/deliveries/" + delivery.id.rawValue + "/replay"
                    #expect(delivered.text.contains("action=\"" + replayPath + "\""))
                    #expect(try await client.submit(replayPath, session: admin.secret, [], csrf: "forged").status == .forbidden)
                    #expect(try await harness.rapport.jobs.runDue(worker: "test").claimed == 0)
                    let replayed = try await client.submit(replayPath, session: admin.secret, [])
                    #expect(replayed.status == .seeOther && replayed.headers[.location]?.contains("notice=webhook_replayed") == true)
                    #expect(try await harness.rapport.jobs.runDue(worker: "test").succeeded == 1)
                    #expect(await receiver.requests.count == 3)

                    // Chinese.
                    let zh = try await client.page(path, session: admin.secret, language: "zh-CN")
                    #expect(zh.text.contains("投递记录") && zh.text.contains("已送达") && zh.text.contains("重新发送"))
                    #expect(try await client.page("/admin/webhooks", session: admin.secret, language: "zh-CN").text.contains("新增地址"))

                    // Disable: forged refused, then done; no more replay button.
                    #expect(try await client.submit(path + "/disable", session: admin.secret, [], csrf: "forged").status == .forbidden)
                    #expect(try await harness.rapport.webhooks.get(endpoint.id.rawValue, by: admin.caller).disabledAt == nil)
                    let disabled = try await client.submit(path + "/disable", session: admin.secret, [])
                    #expect(disabled.status == .seeOther)
                    let after = try await client.page(path, session: admin.secret)
                    #expect(after.text.contains("Disabled") && !after.text.contains(replayPath))
                    #expect(try await client.page("/admin/webhooks/whe_nope", session: admin.secret).status == .notFound)
                }
            }
        }
    }
}
