import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// The public web-form endpoint survives junk and never says who is known.
@Suite struct LeadFormAPITests {
    @Test(arguments: TestBackend.available)
    func webFormsCaptureLeadsAndSurviveJunk(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let pool = try await harness.rapport.pools.create(.init(key: "web", name: "Web", object: "lead"), by: harness.system)
            let form = try await harness.rapport.leadForms.create(.init(name: "Trial class", pool: pool.key, campaign: .some("spring")), by: harness.system)
            let admin = try await harness.signedIn(.admin)
            try await harness.http { client in
                let path = "/f/\(form.id.rawValue)"
                let post = { (body: String) in
                    try await client.send(.post, path, json: body, headers: ["Referer": "https://ads.example.com/landing"],
                                          contentType: "application/x-www-form-urlencoded")
                }
                var response = try await post("name=%E7%8E%8B%E5%B0%8F%E6%98%8E&phone=138+0013+8000&utm_source=baidu&utm_medium=cpc&consent=on&interest=math")
                #expect(response.status == .accepted && response.object["status"] as? String == "received")
                // The same person again: the same answer, and no second lead.
                response = try await post("name=Wang&phone=%2B8613800138000&email=wang@example.com")
                #expect(response.status == .accepted)
                // A bot that fills the honeypot: the same answer, nothing stored.
                response = try await post("name=Bot&phone=13900000000&website=http%3A%2F%2Fspam.example")
                #expect(response.status == .accepted)
                // Script tags are stored as text.
                response = try await client.send(.post, path, json: #"{"name": "<script>alert(1)</script>", "email": "x@example.com"}"#)
                #expect(response.status == .accepted)
                let leads = try await harness.rapport.database.read { sql in
                    try await LeadStore(sql).list(.init(), page: PageRequest(limit: 10), in: nil).items
                }
                #expect(leads.count == 2)
                let wang = try #require(leads.first { $0.phone == "+8613800138000" })
                #expect(wang.ownerID == nil && wang.poolID == pool.id && wang.source == "web_form" && wang.campaign == "spring")
                #expect(wang.utm == UTM(source: "baidu", medium: "cpc") && wang.referrer == "https://ads.example.com/landing")
                #expect(wang.marketingConsent == true && wang.interest == "math" && wang.email == "wang@example.com" && wang.name == "王小明")
                #expect(leads.contains { $0.name == "<script>alert(1)</script>" })

                // Junk: empty, no contact, bad number, wrong encoding, wrong type, too large.
                #expect(try await post("").status == .unprocessableContent)
                response = try await post("name=Nobody")
                #expect(response.status == .unprocessableContent && response.fieldErrors.contains("phone:required"))
                #expect(try await post("name=X&phone=12").fieldErrors.contains { $0.hasPrefix("phone:") })
                response = try await client.sendBytes(.post, path, token: nil, bytes: Array("name=".utf8) + [0xFF, 0xFE], contentType: "application/x-www-form-urlencoded")
                #expect(response.status == .badRequest)
                #expect(try await client.send(.post, path, json: "name=X", contentType: "text/plain").status == .unsupportedMediaType)
                response = try await post("name=" + String(repeating: "A", count: 20_000))
                #expect(response.status == .contentTooLarge)
                #expect(try await client.send(.post, "/f/form_00000000000000000000000000", json: "name=X&phone=13900000001",
                                              contentType: "application/x-www-form-urlencoded").status == .notFound)

                // One address may post 20 times per 10 minutes; then 429 with Retry-After, and nothing more is stored.
                var limited = 0
                for index in 0..<30 {
                    let answer = try await post("name=Flood&phone=1370000\(String(format: "%04d", index))")
                    if answer.status == .tooManyRequests {
                        limited += 1
                        #expect(answer.headers[.retryAfter] != nil)
                    }
                }
                #expect(limited >= 10)
                #expect(try await harness.count("leads") <= 2 + 20)
                harness.clock.advance(by: 601)
                #expect(try await post("name=Later&phone=13600000000").status == .accepted)

                // A deactivated form takes nothing; the form list shows where to post.
                response = try await client.send(.patch, "/api/v1/lead-forms/\(form.id.rawValue)", token: admin.secret, json: #"{"active": false, "version": 1}"#)
                #expect(response.status == .ok && response.object["post_path"] as? String == path)
                #expect(try await post("name=Late&phone=13500000000").status == .notFound)
            }
        }
    }
}
