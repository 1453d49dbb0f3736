import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportTestSupport
import Testing

/// Customers over HTTP: problem documents for duplicates and quotas, and masking everywhere.
@Suite struct CustomerAPITests {
    static let markerPhone = "13912345678"
    static let markerEmail = "marker.person@example.org"

    @Test(arguments: TestBackend.available)
    func fullContactValuesNeverLeaveWithoutAReveal(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let manager = try await harness.signedIn(.manager, team: team)
            let analyst = try await harness.signedIn(.analyst)
            let admin = try await harness.signedIn(.admin)
            try await harness.http { client in
                let body = """
                {"name": "Marker Person", "company": "Marker Co", "id_number": "110101199003071234",
                 "contacts": [{"kind": "phone", "value": "139 1234 5678"}, {"kind": "email", "value": "\(Self.markerEmail)"},
                              {"kind": "wechat_unionid", "value": "oUNIONmarker1234567890"}]}
                """
                var response = try await client.send(.post, "/api/v1/customers", token: rep.secret, json: body)
                #expect(response.status == .created)
                let id = try #require((response.object["customer"] as? [String: Any])?["id"] as? String)
                response = try await client.send(.post, "/api/v1/activities", token: rep.secret,
                                                 json: "{\"customer_id\": \"\(id)\", \"type\": \"call\", \"duration_seconds\": 30}")
                #expect(response.status == .created)

                var bodies: [String] = []
                for token in [rep.secret, manager.secret, analyst.secret, admin.secret] {
                    for path in ["/api/v1/customers", "/api/v1/customers/\(id)", "/api/v1/customers/\(id)/360", "/api/v1/customers/\(id)/timeline",
                                 "/api/v1/customers?q=%2B86%20139%201234%205678", "/api/v1/customers?q=\(Self.markerEmail)", "/api/v1/customers?q=marker",
                                 "/api/v1/activities?customer_id=\(id)", "/api/v1/audit"] {
                        let answer = try await client.send(.get, path, token: token)
                        bodies.append(answer.text)
                    }
                }
                for text in bodies {
                    #expect(!text.contains(Self.markerPhone) && !text.contains("+86" + Self.markerPhone))
                    #expect(!text.lowercased().contains(Self.markerEmail))
                    #expect(!text.contains("110101199003071234") && !text.contains("oUNIONmarker1234567890"))
                }
                // Search by the full number found it (for those in scope) without showing it.
                let search = try await client.send(.get, "/api/v1/customers?q=13912345678", token: rep.secret)
                #expect((search.object["data"] as? [[String: Any]])?.count == 1)
                #expect(search.text.contains("139****5678"))

                // The owner reveals: full values, quota shown.
                response = try await client.send(.post, "/api/v1/customers/\(id)/reveal", token: rep.secret)
                #expect(response.status == .ok)
                #expect(response.text.contains("+86" + Self.markerPhone) && response.text.contains(Self.markerEmail))
                let quota = try #require(response.object["quota"] as? [String: Any])
                #expect(quota["limit"] as? Int == 30 && quota["remaining"] as? Int == 29)
                // Analysts may not reveal.
                response = try await client.send(.post, "/api/v1/customers/\(id)/reveal", token: analyst.secret)
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func duplicatesAndQuotasAnswerWithStableCodes(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            try await harness.http { client in
                var response = try await client.send(.post, "/api/v1/customers", token: rep.secret,
                                                     json: "{\"name\": \"Dup\", \"contacts\": [{\"kind\": \"phone\", \"value\": \"13800138000\"}]}")
                #expect(response.status == .created)
                let id = try #require((response.object["customer"] as? [String: Any])?["id"] as? String)
                response = try await client.send(.post, "/api/v1/customers", token: rep.secret,
                                                 json: "{\"name\": \"Dup 2\", \"contacts\": [{\"kind\": \"phone\", \"value\": \"+86 138-0013-8000\"}]}")
                #expect(response.status == .conflict && response.problemCode == "duplicate" && response.object["duplicate_of"] as? String == id)

                response = try await client.send(.patch, "/api/v1/customers/\(id)", token: rep.secret, json: "{\"stage\": \"enrolled\", \"version\": 1}")
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["stage:read_only"])
                response = try await client.send(.post, "/api/v1/customers/\(id)/stage", token: rep.secret, json: "{\"stage\": \"enrolled\"}")
                #expect(response.status == .conflict)
                response = try await client.send(.post, "/api/v1/customers/\(id)/stage", token: rep.secret, json: "{\"stage\": \"engaged\", \"reason\": \"called\"}")
                #expect(response.status == .ok && response.object["stage"] as? String == "engaged")

                for _ in 0..<30 { _ = try await client.send(.post, "/api/v1/customers/\(id)/reveal", token: rep.secret) }
                response = try await client.send(.post, "/api/v1/customers/\(id)/reveal", token: rep.secret)
                #expect(response.status == .tooManyRequests && response.problemCode == "rate_limited" && response.headers[.retryAfter] != nil)
                response = try await client.send(.get, "/api/v1/reveal-quota", token: rep.secret)
                #expect(response.object["remaining"] as? Int == 0)
            }
        }
    }
}
