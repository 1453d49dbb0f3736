import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// The API conventions, built once and used by every route: problem documents, strict bodies,
/// idempotency keys, optimistic concurrency, authentication.
@Suite struct ConventionTests {
    /// Bad input of every kind gets a clear problem document and changes nothing.
    @Test(arguments: TestBackend.available)
    func badInputIsRefusedClearlyAndChangesNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let teamsBefore = try await harness.count("teams")
            let auditBefore = try await harness.count("audit_log")
            try await harness.http { client in
                let token = admin.secret
                var response = try await client.send(.post, "/api/v1/teams", token: token, json: "{\"key\": \"a\", ")
                #expect(response.status == .badRequest && response.problemCode == "malformed_request")
                #expect(response.headers[.contentType] == "application/problem+json")

                response = try await client.send(.post, "/api/v1/teams", token: token, json: "{\"key\": 12, \"name\": [\"x\"]}")
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["key:type_mismatch", "name:type_mismatch"])

                response = try await client.send(.post, "/api/v1/teams", token: token, json: "{\"key\": \"a\", \"name\": \"A\", \"colour\": \"red\", \"id\": \"team_X\"}")
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["colour:unknown_field", "id:read_only"])

                response = try await client.send(.post, "/api/v1/tokens", token: token, json: "{\"name\": \"n\", \"expires_in_days\": 1e400}")
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["expires_in_days:out_of_range"])

                response = try await client.send(.post, "/api/v1/tokens", token: token, json: "{\"name\": \"n\", \"expires_in_days\": 99999999999999999999}")
                #expect(response.status == .unprocessableContent)

                response = try await client.sendBytes(.post, "/api/v1/teams", token: token, bytes: Array("{\"key\": \"a\", \"name\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8))
                #expect(response.status == .badRequest && response.problemCode == "malformed_request")

                response = try await client.send(.post, "/api/v1/teams", token: token, json: "key=a&name=A", contentType: "application/x-www-form-urlencoded")
                #expect(response.status == .unsupportedMediaType && response.problemCode == "unsupported_media_type")

                let huge = "{\"key\": \"a\", \"name\": \"" + String(repeating: "x", count: 1 << 20) + "\"}"
                response = try await client.send(.post, "/api/v1/teams", token: token, json: huge)
                #expect(response.status == .contentTooLarge && response.problemCode == "payload_too_large")

                response = try await client.send(.post, "/api/v1/teams", token: token, json: "[1, 2]")
                #expect(response.status == .unprocessableContent)

                response = try await client.send(.post, "/api/v1/teams", token: token, json: "{\"key\": \"Not A Key\", \"name\": \"\"}")
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["key:invalid", "name:required"])
            }
            #expect(try await harness.count("teams") == teamsBefore)
            #expect(try await harness.count("audit_log") == auditBefore)
        }
    }

    @Test(arguments: TestBackend.available)
    func nonAdminsCannotSetPrivilegedFields(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            try await harness.http { client in
                let response = try await client.send(.patch, "/api/v1/users/\(rep.user.id)", token: rep.secret, json: "{\"role\": \"admin\", \"name\": \"Me\"}", headers: ["If-Match": "\"\(rep.user.version)\""])
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["role:read_only"])
                let creating = try await client.send(.post, "/api/v1/users", token: rep.secret, json: "{\"email\": \"x@example.com\", \"name\": \"X\", \"role\": \"admin\"}")
                #expect(creating.status == .forbidden && creating.problemCode == "forbidden")
            }
            #expect(try await harness.rapport.users.me(rep.caller).role == .rep)
        }
    }

    @Test(arguments: TestBackend.available)
    func outsideScopeIsNotFoundNeverForbidden(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let other = try await harness.signedIn(.rep, team: west)
            try await harness.http { client in
                for (method, uri) in [(HTTPRequest.Method.get, "/api/v1/users/\(other.user.id)"), (.delete, "/api/v1/users/\(other.user.id)"),
                                      (.get, "/api/v1/teams/\(west.id)"), (.delete, "/api/v1/teams/\(west.id)"),
                                      (.get, "/api/v1/users/usr_01M8C4ZKT4R8SDT9W70VT91075"), (.get, "/api/v1/users/not-an-id")] {
                    let response = try await client.send(method, uri, token: rep.secret)
                    #expect(response.status == .notFound, "\(method) \(uri)")
                    #expect(response.problemCode == "not_found")
                }
                let patch = try await client.send(.patch, "/api/v1/users/\(other.user.id)", token: rep.secret, json: "{\"name\": \"x\"}", headers: ["If-Match": "\"1\""])
                #expect(patch.status == .notFound)
                let list = try await client.send(.get, "/api/v1/users", token: rep.secret)
                #expect(((list.object["data"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == [rep.user.id.rawValue])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func credentialsAreCheckedOnEveryRequest(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            try await harness.http { client in
                for token in [nil, "rpt_bogus", "rpt_" + String(repeating: "A", count: 43)] {
                    let response = try await client.send(.get, "/api/v1/me", token: token)
                    #expect(response.status == .unauthorized && response.problemCode == "unauthorized")
                    #expect(response.headers[.wwwAuthenticate] != nil)
                }
                var response = try await client.send(.get, "/api/v1/me", token: rep.secret)
                #expect(response.status == .ok)
                response = try await client.send(.post, "/api/v1/users/\(rep.user.id)/disable", token: admin.secret)
                #expect(response.status == .ok && response.object["status"] as? String == "disabled")
                response = try await client.send(.get, "/api/v1/me", token: rep.secret)
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func signingInIssuesAToken(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            _ = try await harness.signedIn(.rep, email: "sign@example.com")
            try await harness.http { client in
                var response = try await client.send(.post, "/api/v1/auth/token", json: "{\"email\": \"SIGN@example.com\", \"password\": \"\(TestHarness.password)\"}")
                #expect(response.status == .created)
                let token = try #require(response.object["token"] as? String)
                #expect(RFC3339Check.isValid(response.object["expires_at"] as? String))
                response = try await client.send(.get, "/api/v1/me", token: token)
                #expect((response.object["user"] as? [String: Any])?["email"] as? String == "sign@example.com")
                response = try await client.send(.post, "/api/v1/auth/token", json: "{\"email\": \"sign@example.com\", \"password\": \"wrong-password\"}")
                #expect(response.status == .unauthorized)
                response = try await client.send(.post, "/api/v1/auth/token", json: "{\"email\": \"sign@example.com\"}")
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["password:required"])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func idempotencyKeysGiveOneEffectAndTheSameAnswer(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            try await harness.http { client in
                let body = "{\"key\": \"north\", \"name\": \"North\"}"
                let first = try await client.send(.post, "/api/v1/teams", token: admin.secret, json: body, headers: ["Idempotency-Key": "create-north-1"])
                let second = try await client.send(.post, "/api/v1/teams", token: admin.secret, json: body, headers: ["Idempotency-Key": "create-north-1"])
                #expect(first.status == .created && second.status == .created)
                #expect(first.text == second.text)
                #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(second.headers[.location] == first.headers[.location])
                let other = try await client.send(.post, "/api/v1/teams", token: admin.secret, json: "{\"key\": \"south\", \"name\": \"South\"}", headers: ["Idempotency-Key": "create-north-1"])
                #expect(other.status == .unprocessableContent && other.problemCode == "idempotency_key_reused")
                // A refused request is replayed as refused too, with no effect.
                let bad = try await client.send(.post, "/api/v1/teams", token: admin.secret, json: "{\"key\": \"BAD\", \"name\": \"x\"}", headers: ["Idempotency-Key": "bad-1"])
                let badAgain = try await client.send(.post, "/api/v1/teams", token: admin.secret, json: "{\"key\": \"BAD\", \"name\": \"x\"}", headers: ["Idempotency-Key": "bad-1"])
                #expect(bad.status == .unprocessableContent && badAgain.status == .unprocessableContent)
            }
            #expect(try await harness.count("teams") == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func secretsAreShownOnceAndNeverStored(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            try await harness.http { client in
                let body = "{\"name\": \"ci\"}"
                let first = try await client.send(.post, "/api/v1/tokens", token: admin.secret, json: body, headers: ["Idempotency-Key": "tok-1"])
                let replay = try await client.send(.post, "/api/v1/tokens", token: admin.secret, json: body, headers: ["Idempotency-Key": "tok-1"])
                let secret = try #require(first.object["token"] as? String)
                #expect(first.headers[.cacheControl] == "no-store")
                #expect(replay.status == .created && replay.object["token"] == nil && replay.object["id"] as? String == first.object["id"] as? String)
                #expect(first.headers[HTTPField.Name("X-Rapport-Secret-Fields")!] == nil)
                let stored = try await harness.rapport.database.read { sql in
                    try await sql.raw("SELECT response_body FROM idempotency_keys").all().map { try $0.decode(column: "response_body", as: String.self) }
                }
                #expect(!stored.isEmpty && stored.allSatisfy { !$0.contains(secret) })
                let tokenRows = try await harness.rapport.database.read { sql in
                    try await sql.raw("SELECT token_hash FROM api_tokens").all().map { try $0.decode(column: "token_hash", as: String.self) }
                }
                #expect(tokenRows.allSatisfy { $0.count == 64 && !$0.hasPrefix("rpt_") })
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentDuplicatesHaveExactlyOneEffect(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let statuses = try await harness.http { client in
                try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await client.send(.post, "/api/v1/teams", token: admin.secret, json: "{\"key\": \"race\", \"name\": \"Race\"}", headers: ["Idempotency-Key": "race-1"]).status
                        }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
            }
            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict })
            #expect(statuses.contains(.created))
            #expect(try await harness.count("teams") == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func lostUpdatesAreRefused(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let team = try await harness.team("ops")
            try await harness.http { client in
                var response = try await client.send(.patch, "/api/v1/teams/\(team.id)", token: admin.secret, json: "{\"name\": \"Operations\"}")
                #expect(response.status == .preconditionRequired && response.problemCode == "precondition_required")
                response = try await client.send(.patch, "/api/v1/teams/\(team.id)", token: admin.secret, json: "{\"name\": \"Operations\"}", headers: ["If-Match": "\"1\""])
                #expect(response.status == .ok && response.headers[.eTag] == "\"2\"")
                response = try await client.send(.patch, "/api/v1/teams/\(team.id)", token: admin.secret, json: "{\"name\": \"Ops again\"}", headers: ["If-Match": "\"1\""])
                #expect(response.status == .preconditionFailed && response.problemCode == "precondition_failed")
                response = try await client.send(.patch, "/api/v1/teams/\(team.id)", token: admin.secret, json: "{\"name\": \"Ops again\", \"version\": 2}")
                #expect(response.status == .ok && response.object["version"] as? Int == 3)
                response = try await client.send(.patch, "/api/v1/teams/\(team.id)", token: admin.secret, json: "{\"name\": \"x\"}", headers: ["If-Match": "three"])
                #expect(response.status == .unprocessableContent)
            }
            #expect(try await harness.rapport.teams.get(team.id.rawValue, by: harness.system).name == "Ops again")
        }
    }

    @Test(arguments: TestBackend.available)
    func listsPaginateWithOpaqueCursors(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            for index in 0..<5 { _ = try await harness.team("t\(index)") }
            try await harness.http { client in
                var seen: [String] = []
                var uri = "/api/v1/teams?limit=2"
                while true {
                    let response = try await client.send(.get, uri, token: admin.secret)
                    #expect(response.status == .ok)
                    seen += ((response.object["data"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
                    guard let next = response.object["next_cursor"] as? String else {
                        #expect(response.object["next_cursor"] is NSNull)
                        break
                    }
                    uri = "/api/v1/teams?limit=2&cursor=\(next)"
                }
                #expect(seen == ["t0", "t1", "t2", "t3", "t4"])
                for bad in ["limit=0", "limit=501", "limit=x", "cursor=%%%"] {
                    let response = try await client.send(.get, "/api/v1/teams?\(bad)", token: admin.secret)
                    #expect(response.status == .unprocessableContent, "\(bad)")
                }
            }
        }
    }

    @Test func theTestClockRouteExistsOnlyWhenAskedFor() async throws {
        try await TestHarness.with(.sqlite, exposeTestClock: false) { harness in
            let admin = try await harness.signedIn(.admin)
            try await harness.http { client in
                let response = try await client.send(.post, "/api/v1/test-clock", token: admin.secret, json: "{\"advance_seconds\": 60}")
                #expect(response.status == .notFound)
            }
        }
        try await TestHarness.with(.sqlite) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            try await harness.http { client in
                var response = try await client.send(.post, "/api/v1/test-clock", token: admin.secret, json: "{\"advance_seconds\": 86400}")
                #expect(response.status == .ok && response.object["now"] as? String == "2026-01-06T09:00:00.000Z")
                response = try await client.send(.post, "/api/v1/test-clock", token: admin.secret, json: "{\"now\": \"2026-01-20T08:00:00+08:00\"}")
                #expect(response.object["now"] as? String == "2026-01-20T00:00:00.000Z")
                response = try await client.send(.post, "/api/v1/test-clock", token: rep.secret, json: "{\"advance_seconds\": 1}")
                #expect(response.status == .forbidden)
                response = try await client.send(.post, "/api/v1/test-clock", token: admin.secret, json: "{\"now\": \"yesterday\"}")
                #expect(response.status == .unprocessableContent)
            }
            #expect(harness.clock.now() == Date(timeIntervalSince1970: 1_768_867_200))
            // Days passing is real to every rule: sign-in tokens (30 days) expire.
            harness.clock.advance(by: 30 * 86_400)
            try await harness.http { client in
                let response = try await client.send(.get, "/api/v1/me", token: admin.secret)
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func operationsEndpointsAnswer() async throws {
        try await TestHarness.with(.sqlite) { harness in
            try await harness.http { client in
                var response = try await client.send(.get, "/healthz")
                #expect(response.status == .ok && response.object["status"] as? String == "ok")
                response = try await client.send(.get, "/readyz")
                #expect(response.status == .ok && response.object["migrations"] as? String == "current")
                #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.hasPrefix("req_") == true)
                response = try await client.send(.get, "/healthz", headers: ["X-Request-Id": "abc-123"])
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
                response = try await client.send(.get, "/openapi.json")
                #expect(response.status == .ok && response.object["openapi"] as? String == "3.1.0")
                response = try await client.send(.get, "/nowhere")
                #expect(response.status == .notFound && response.problemCode == "not_found")
                response = try await client.send(.head, "/readyz")
                #expect(response.status == .ok && response.body.readableBytes == 0)
                #expect(Int(response.headers[.contentLength] ?? "") ?? 0 > 10)  // GET's length
                response = try await client.send(.head, "/nowhere")
                #expect(response.status == .notFound)
                response = try await client.send(.delete, "/healthz")
                #expect(response.status == .methodNotAllowed && response.problemCode == "method_not_allowed")
                #expect(response.headers[.allow] == "GET, HEAD")
                response = try await client.send(.put, "/api/v1/users/usr_01M8C4ZKT4R8SDT9W70VT91075")
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "DELETE, GET, HEAD, PATCH")
                response = try await client.send(.get, "/", headers: ["Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"])
                #expect(response.status == .ok && response.text.contains("lang=\"zh-Hans\""))
            }
        }
    }
}

enum RFC3339Check {
    static func isValid(_ text: String?) -> Bool {
        guard let text else { return false }
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) != nil
    }
}
