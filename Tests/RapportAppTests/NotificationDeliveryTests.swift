import Foundation
@testable import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Notices beyond the inbox: preferences and their defaults, webhook endpoints, signed delivery
/// to a real local server through the job queue, retries with the moving clock, replay.
@Suite struct NotificationDeliveryTests {
    /// The test vector of the Standard Webhooks specification.
    @Test func signaturesFollowTheStandardWebhooksVector() throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let signature = StandardWebhooks.signature(secret: secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(StandardWebhooks.verify(secret: secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body,
                                        header: "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
        #expect(!StandardWebhooks.verify(secret: secret, id: "msg_other", timestamp: 1_614_265_330, body: body, header: signature ?? ""))
        #expect(StandardWebhooks.signature(secret: "not-a-secret", id: "x", timestamp: 1, body: body) == nil)
        let made = StandardWebhooks.makeSecret()
        #expect(made.hasPrefix("whsec_") && Data(base64Encoded: String(made.dropFirst(6)))?.count == 32)
        // Retries span about three days of back-off.
        var total: TimeInterval = 0
        for attempt in 1..<NotificationUseCases.webhookAttempts { total += min(JobBackoff.base * pow(2, Double(attempt - 1)), JobBackoff.cap) }
        #expect(total >= 3 * 86_400 && total < 3 * 86_400 + JobBackoff.cap)
    }

    @Test(arguments: TestBackend.available)
    func preferencesFallBackToTheAdministratorsDefaults(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            let notices = harness.rapport.notifications
            let initial = try await notices.preferences(by: rep.caller)
            #expect(!initial.customized && initial.preferences == NotificationPreferences())
            await #expect(throws: RapportError.self) { try await notices.setDefaultPreferences(NotificationPreferences(email: .off), by: rep.caller) }
            _ = try await notices.setDefaultPreferences(NotificationPreferences(email: .immediate, groups: [.alerts: [.email]]), by: admin.caller)
            #expect(try await notices.preferences(by: rep.caller).preferences.email == .immediate)
            let own = try NotificationPreferences.parse(email: "off", groups: ["approvals": ["webhook"]], base: initial.preferences)
            #expect(own.groups[.approvals] == [.webhook] && own.groups[.alerts] == [.email, .webhook])
            let saved = try await notices.setPreferences(own, by: rep.caller)
            #expect(saved.preferences == own && saved.customized)
            let read = try await notices.preferences(by: rep.caller)
            #expect(read.preferences == own && read.customized)
            let bad = try #require(throws: RapportError.self) { try NotificationPreferences.parse(email: "hourly", groups: ["nope": ["sms"]], base: own) }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["email", "groups.nope"])
            let reset = try await notices.setPreferences(nil, by: rep.caller)
            #expect(!reset.customized && reset.preferences.email == .immediate)
        }
    }

    static func notify(_ harness: TestHarness, _ user: RecordID, _ kind: String, dedupKey: String? = nil) async throws {
        let notices = harness.rapport.notifications
        try await harness.rapport.transaction { sql in
            try await notices.send([notices.make(user, kind, details: ["quote_id": "quo_1"], about: (.quote, "quo_1"), dedupKey: dedupKey)], in: sql)
        }
    }

    @Test(arguments: TestBackend.available)
    func webhooksAreSignedRetriedAndReplayed(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            let other = try await harness.signedIn(.rep)
            let webhooks = harness.rapport.webhooks
            let receiver = LocalReceiver()
            try await LocalReceiver.with(receiver) { base in
                for url in ["ftp://127.0.0.1/x", "/relative", "http://user:pw@127.0.0.1/x", "javascript:alert(1)"] {
                    await #expect(throws: RapportError.self) { try await webhooks.create(.init(url: url), by: admin.caller) }
                }
                await #expect(throws: RapportError.self) { try await webhooks.create(.init(url: base + "/hook"), by: rep.caller) }
                let endpoint = try await webhooks.create(.init(url: base + "/hook", userID: rep.user.id.rawValue, kinds: ["quote.approved"]), by: admin.caller)
                #expect(endpoint.secret.hasPrefix("whsec_"))

                // The receiver fails once, then takes it: the job retries after its back-off.
                await receiver.answer([500])
                try await Self.notify(harness, rep.user.id, "quote.approved", dedupKey: "once")
                try await Self.notify(harness, rep.user.id, "quote.approved", dedupKey: "once")  // skipped: no second delivery
                try await Self.notify(harness, other.user.id, "quote.approved")  // another user's: not this endpoint's
                try await Self.notify(harness, rep.user.id, "quote.rejected")  // a kind the endpoint does not take
                var run = try await harness.rapport.jobs.runDue(worker: "test")
                #expect(run.claimed == 1 && run.retrying == 1)
                var log = try await webhooks.deliveries(of: endpoint.id.rawValue, page: PageRequest(), by: admin.caller).items
                #expect(log.count == 1 && log[0].status == .pending && log[0].attempts == 1 && log[0].lastStatusCode == 500 && log[0].lastError == "http_500")
                #expect(try await harness.rapport.jobs.runDue(worker: "test").claimed == 0)
                harness.clock.advance(by: JobBackoff.base)
                run = try await harness.rapport.jobs.runDue(worker: "test")
                #expect(run.succeeded == 1)
                log = try await webhooks.deliveries(of: endpoint.id.rawValue, page: PageRequest(), by: admin.caller).items
                #expect(log[0].status == .succeeded && log[0].attempts == 2 && log[0].lastStatusCode == 200 && log[0].deliveredAt != nil)

                // Every request is signed per Standard Webhooks with the endpoint's secret.
                let requests = await receiver.requests
                #expect(requests.count == 2)
                for request in requests {
                    let id = try #require(request.headers["webhook-id"])
                    let timestamp = try #require(request.headers["webhook-timestamp"].flatMap { Int64($0) })
                    #expect(id == log[0].id.rawValue && request.path == "/hook")
                    #expect(StandardWebhooks.verify(secret: endpoint.secret, id: id, timestamp: timestamp, body: request.body, header: request.headers["webhook-signature"] ?? ""))
                    let json = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
                    #expect(json["type"] as? String == "quote.approved")
                    #expect((json["data"] as? [String: Any])?["object_id"] as? String == "quo_1")
                }

                // Replay sends the same message again.
                let replayed = try await webhooks.replay(log[0].id.rawValue, of: endpoint.id.rawValue, by: admin.caller)
                #expect(replayed.status == .pending)
                #expect(try await harness.rapport.jobs.runDue(worker: "test").succeeded == 1)
                #expect(await receiver.requests.last?.headers["webhook-id"] == log[0].id.rawValue)
                await #expect(throws: RapportError.self) { try await webhooks.replay(log[0].id.rawValue, of: endpoint.id.rawValue, by: rep.caller) }

                // The user turns webhooks off for approvals: nothing more goes out.
                let mine = try NotificationPreferences.parse(email: nil, groups: ["approvals": []], base: NotificationPreferences())
                _ = try await harness.rapport.notifications.setPreferences(mine, by: rep.caller)
                try await Self.notify(harness, rep.user.id, "quote.approved")
                #expect(try await harness.rapport.jobs.runDue(worker: "test").claimed == 0)

                // A receiver that keeps failing: the delivery fails after about three days of retries.
                _ = try await harness.rapport.notifications.setPreferences(nil, by: rep.caller)
                await receiver.answer(Array(repeating: 503, count: 100))
                try await Self.notify(harness, rep.user.id, "quote.approved")
                var rounds = 0
                var latest: NoticeDelivery?
                repeat {
                    _ = try await harness.rapport.jobs.runDue(worker: "test")
                    harness.clock.advance(by: JobBackoff.cap)
                    latest = try await webhooks.deliveries(of: endpoint.id.rawValue, page: PageRequest(), by: admin.caller).items.first
                    rounds += 1
                } while latest?.status == .pending && rounds < 100
                #expect(latest?.status == .failed && latest?.attempts == NotificationUseCases.webhookAttempts && latest?.lastError == "http_503")

                // A disabled endpoint gets nothing; its queued deliveries are cancelled.
                await receiver.answer([])
                try await Self.notify(harness, rep.user.id, "quote.approved")
                let disabled = try await webhooks.disable(endpoint.id.rawValue, by: admin.caller)
                #expect(disabled.disabledAt != nil)
                let before = await receiver.requests.count
                _ = try await harness.rapport.jobs.runDue(worker: "test")
                #expect(await receiver.requests.count == before)
                #expect(try await webhooks.deliveries(of: endpoint.id.rawValue, page: PageRequest(), by: admin.caller).items.first?.status == .cancelled)
                try await Self.notify(harness, rep.user.id, "quote.approved")
                #expect(try await harness.count("notification_deliveries") == 3)
            }
        }
    }
}
