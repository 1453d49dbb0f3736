import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// `/api/v1/jobs` over HTTP: administrators list (filtered, paged) and retry; others are refused.
@Suite struct JobAPITests {
    struct Broken: Error {}

    @Test(arguments: TestBackend.available)
    func administratorsListAndRetryJobsOthersAreRefused(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            harness.rapport.jobHandlers.register("test.broken") { _, _ in throw Broken() }
            let dead = try await harness.rapport.jobs.enqueue(kind: "test.broken", maxAttempts: 1)
            #expect(try await harness.rapport.jobs.runDue(worker: "test").dead == 1)
            let later = try await harness.rapport.jobs.enqueue(kind: "test.later", dedupKey: "later", dueAt: harness.clock.now().addingTimeInterval(86_400))

            try await harness.http { client in
                var response = try await client.send(.get, "/api/v1/jobs", token: admin.secret)
                #expect(response.status == .ok)
                var data = try #require(response.object["data"] as? [[String: Any]])
                #expect(data.compactMap { $0["id"] as? String } == [later.id.rawValue, dead.id.rawValue])
                #expect(response.object["next_cursor"] is NSNull)
                #expect(data[0]["dedup_key"] as? String == "later" && data[0]["status"] as? String == "queued" && data[0]["last_error"] is NSNull)
                #expect(data[1]["status"] as? String == "dead" && data[1]["last_error"] as? String == "Broken" && data[1]["attempts"] as? Int == 1)

                response = try await client.send(.get, "/api/v1/jobs?status=dead", token: admin.secret)
                data = try #require(response.object["data"] as? [[String: Any]])
                #expect(data.compactMap { $0["id"] as? String } == [dead.id.rawValue])
                response = try await client.send(.get, "/api/v1/jobs?kind=test.later", token: admin.secret)
                #expect((response.object["data"] as? [[String: Any]])?.count == 1)
                response = try await client.send(.get, "/api/v1/jobs?status=stuck", token: admin.secret)
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["status:invalid"])

                // Pages follow the cursor.
                response = try await client.send(.get, "/api/v1/jobs?limit=1", token: admin.secret)
                let cursor = try #require(response.object["next_cursor"] as? String)
                response = try await client.send(.get, "/api/v1/jobs?limit=1&cursor=\(cursor)", token: admin.secret)
                #expect((response.object["data"] as? [[String: Any]])?.first?["id"] as? String == dead.id.rawValue)
                #expect(response.object["next_cursor"] is NSNull)

                response = try await client.send(.get, "/api/v1/jobs/\(dead.id)", token: admin.secret)
                #expect(response.status == .ok && response.object["kind"] as? String == "test.broken")

                // Not for a rep.
                response = try await client.send(.get, "/api/v1/jobs", token: rep.secret)
                #expect(response.status == .forbidden && response.problemCode == "forbidden")
                response = try await client.send(.post, "/api/v1/jobs/\(dead.id)/retry", token: rep.secret)
                #expect(response.status == .forbidden)

                response = try await client.send(.post, "/api/v1/jobs/\(dead.id)/retry", token: admin.secret)
                #expect(response.status == .ok)
                #expect(response.object["status"] as? String == "queued" && response.object["attempts"] as? Int == 0)
                #expect(response.object["finished_at"] is NSNull && response.object["last_error"] as? String == "Broken")
                // Only failed or dead jobs: a queued one is a conflict.
                response = try await client.send(.post, "/api/v1/jobs/\(dead.id)/retry", token: admin.secret)
                #expect(response.status == .conflict && response.problemCode == "conflict")
                response = try await client.send(.post, "/api/v1/jobs/\(dead.id)/retry", token: admin.secret, json: "{\"now\": true}")
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["now:unknown_field"])
                response = try await client.send(.post, "/api/v1/jobs/job_01KB3Y8N4QZJ9V6E2T1XWMC0PD/retry", token: admin.secret)
                #expect(response.status == .notFound)
                response = try await client.send(.post, "/api/v1/jobs/cus_1/retry", token: admin.secret)
                #expect(response.status == .notFound)
            }
            let audit = try await harness.rapport.audit.list(.init(action: "job.retried"), page: .init(), by: admin.caller).items
            #expect(audit.map(\.objectID) == [dead.id.rawValue])
            let retried = try #require(try await harness.rapport.database.read { sql in try await JobStore(sql).find(dead.id) })
            #expect(retried.status == .queued && retried.dueAt == harness.clock.now())
        }
    }
}
