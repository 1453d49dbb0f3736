import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// `/api/v1/exports` over HTTP: permission, strict bodies, the approval queue and the CSV download.
@Suite struct ExportAPITests {
    static let markerPhone = "13912345678"
    static let markerEmail = "marker.person@example.org"

    static func customer(_ client: some TestClientProtocol, _ token: String, _ name: String, phone: String) async throws -> String {
        let response = try await client.send(.post, "/api/v1/customers", token: token,
                                             json: "{\"name\": \"\(name)\", \"contacts\": [{\"kind\": \"phone\", \"value\": \"\(phone)\"}]}")
        #expect(response.status == .created)
        return try #require((response.object["customer"] as? [String: Any])?["id"] as? String)
    }

    @Test(arguments: TestBackend.available)
    func aManagerExportsAndDownloadsTheirCustomersAsCSV(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let rep = try await harness.signedIn(.rep, team: team)
            let outsider = try await harness.signedIn(.rep)
            try await harness.http { client in
                let body = """
                {"name": "=cmd|' /C calc'!A0", "id_number": "110101199003071234",
                 "contacts": [{"kind": "phone", "value": "139 1234 5678"}, {"kind": "email", "value": "\(Self.markerEmail)"}]}
                """
                var response = try await client.send(.post, "/api/v1/customers", token: rep.secret, json: body)
                #expect(response.status == .created)
                _ = try await Self.customer(client, outsider.secret, "Not Theirs", phone: "13800000001")

                // A rep has no export permission.
                response = try await client.send(.post, "/api/v1/exports", token: rep.secret, json: "{\"object\": \"customers\"}")
                #expect(response.status == .forbidden && response.problemCode == "forbidden")
                response = try await client.send(.get, "/api/v1/exports", token: rep.secret)
                #expect(response.status == .forbidden)

                response = try await client.send(.post, "/api/v1/exports", token: manager.secret, json: """
                    {"object": "customers", "format": "csv", "columns": ["id", "name", "phones", "emails", "owner_id"],
                     "filters": {"owner_id": "\(rep.user.id)", "do_not_contact": false}}
                    """)
                #expect(response.status == .created)
                let id = try #require(response.object["id"] as? String)
                #expect(response.headers[.location] == "/api/v1/exports/\(id)")
                #expect(response.object["status"] as? String == "ready" && response.object["row_count"] as? Int == 1)
                #expect(response.object["download_url"] as? String == "/api/v1/exports/\(id)/download")
                let filters = try #require(response.object["filters"] as? [String: Any])
                #expect(filters["owner_id"] as? String == rep.user.id.rawValue && filters["do_not_contact"] as? Bool == false && filters["stage"] is NSNull)
                #expect(response.object["decided_by"] is NSNull && response.object["requested_by"] as? String == manager.user.id.rawValue)

                response = try await client.send(.get, "/api/v1/exports/\(id)", token: manager.secret)
                #expect(response.status == .ok && response.object["id"] as? String == id)
                response = try await client.send(.get, "/api/v1/exports?status=ready", token: manager.secret)
                #expect(((response.object["data"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == [id] && response.object["next_cursor"] is NSNull)
                response = try await client.send(.get, "/api/v1/exports?status=nope", token: manager.secret)
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["status:invalid"])

                // HEAD says whether a download would start, without starting one.
                let auditBefore = try await harness.count("audit_log")
                response = try await client.send(.head, "/api/v1/exports/\(id)/download", token: manager.secret)
                #expect(response.status == .ok && response.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(try await harness.count("audit_log") == auditBefore)

                response = try await client.send(.get, "/api/v1/exports/\(id)/download", token: manager.secret)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"customers-\(id).csv\"")
                #expect(response.headers[.cacheControl] == "no-store")
                let lines = response.text.components(separatedBy: "\r\n")
                #expect(lines.first == "id,name,phones,emails,owner_id" && lines.count == 3 && lines.last == "")
                #expect(lines[1].contains("'=cmd|' /C calc'!A0") && lines[1].contains("'+86 139****5678,m***@example.org,\(rep.user.id)"))
                #expect(!response.text.contains(Self.markerPhone) && !response.text.contains(Self.markerEmail) && !response.text.contains("Not Theirs"))
                #expect(!response.text.contains("110101199003071234"))
                let downloaded = try await harness.rapport.audit.list(.init(action: "export.downloaded"), page: PageRequest(), by: harness.system)
                #expect(downloaded.items.first?.details["row_count"] == "1" && downloaded.items.first?.details["channel"] == "api")

                response = try await client.send(.get, "/api/v1/exports/\(id)/download?bom=true", token: manager.secret)
                #expect(Array(response.body.readableBytesView.prefix(3)) == [0xEF, 0xBB, 0xBF])
                response = try await client.send(.get, "/api/v1/exports/\(id)/download?bom=yes", token: manager.secret)
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["bom:invalid"])

                // Another manager: not found, for reading and downloading alike.
                let other = try await harness.signedIn(.manager)
                for path in ["/api/v1/exports/\(id)", "/api/v1/exports/\(id)/download"] {
                    response = try await client.send(.get, path, token: other.secret)
                    #expect(response.status == .notFound && response.problemCode == "not_found")
                }
                response = try await client.send(.get, "/api/v1/exports", token: other.secret)
                #expect((response.object["data"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func badBodiesAreRefusedNamingEachFieldAndStoreNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let manager = try await harness.signedIn(.manager)
            try await harness.http { client in
                var response = try await client.send(.post, "/api/v1/exports", token: manager.secret, json: """
                    {"object": "customers", "filters": {"stage": "nope", "owner_id": "bob", "do_not_contact": "yes", "colour": "red"},
                     "columns": ["name", 3, "custom_fields.nope"], "format": "xlsx", "extra": 1}
                    """)
                #expect(response.status == .unprocessableContent && response.problemCode == "validation_failed")
                #expect(response.fieldErrors == [
                    "extra:unknown_field", "filters.colour:unknown_field", "filters.do_not_contact:type_mismatch", "columns[1]:type_mismatch",
                ])
                response = try await client.send(.post, "/api/v1/exports", token: manager.secret, json: """
                    {"object": "customers", "filters": {"stage": "nope", "owner_id": "bob"}, "columns": ["name", "custom_fields.nope"], "format": "xlsx"}
                    """)
                #expect(response.status == .unprocessableContent)
                #expect(response.fieldErrors == ["filters.stage:invalid", "filters.owner_id:invalid", "columns[1]:invalid", "format:invalid"])
                response = try await client.send(.post, "/api/v1/exports", token: manager.secret, json: "{\"filters\": {}}")
                #expect(response.fieldErrors == ["object:required"])
                response = try await client.send(.post, "/api/v1/exports", token: manager.secret, json: "{\"object\": \"customers\", \"filters\": []}")
                #expect(response.fieldErrors == ["filters:type_mismatch"])
                #expect(try await harness.count("exports") == 0)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func largeExportsWaitForAnotherAdministratorsApproval(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            _ = try await harness.rapport.settingsUseCases.setCustomers(CustomerSettings(exportApprovalThreshold: 1), by: harness.system)
            let manager = try await harness.signedIn(.manager)
            let admin = try await harness.signedIn(.admin)
            try await harness.http { client in
                _ = try await Self.customer(client, manager.secret, "One", phone: "13800000001")
                _ = try await Self.customer(client, manager.secret, "Two", phone: "13800000002")
                var response = try await client.send(.post, "/api/v1/exports", token: manager.secret, json: "{\"object\": \"customers\"}",
                                                     headers: ["Idempotency-Key": "export-1"])
                #expect(response.status == .created && response.object["status"] as? String == "pending_approval")
                #expect(response.object["row_count"] as? Int == 2 && response.object["download_url"] is NSNull)
                let id = try #require(response.object["id"] as? String)
                response = try await client.send(.post, "/api/v1/exports", token: manager.secret, json: "{\"object\": \"customers\"}",
                                                 headers: ["Idempotency-Key": "export-1"])
                #expect(response.object["id"] as? String == id && response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(try await harness.count("exports") == 1)

                response = try await client.send(.get, "/api/v1/exports/\(id)/download", token: manager.secret)
                #expect(response.status == .conflict && response.problemCode == "conflict")
                response = try await client.send(.post, "/api/v1/exports/\(id)/approve", token: manager.secret)
                #expect(response.status == .forbidden)
                response = try await client.send(.post, "/api/v1/exports/\(id)/approve", token: admin.secret, json: "{\"note\": 5}")
                #expect(response.status == .unprocessableContent && response.fieldErrors == ["note:type_mismatch"])
                response = try await client.send(.post, "/api/v1/exports/\(id)/approve", token: admin.secret, json: "{\"note\": \"ok for the audit\"}")
                #expect(response.status == .ok && response.object["status"] as? String == "approved")
                #expect(response.object["decided_by"] as? String == admin.user.id.rawValue && response.object["decision_note"] as? String == "ok for the audit")
                response = try await client.send(.post, "/api/v1/exports/\(id)/reject", token: admin.secret)
                #expect(response.status == .conflict)
                response = try await client.send(.get, "/api/v1/exports/\(id)/download", token: admin.secret)
                #expect(response.status == .forbidden)
                response = try await client.send(.get, "/api/v1/exports/\(id)/download", token: manager.secret)
                #expect(response.status == .ok && response.text.components(separatedBy: "\r\n").count == 4)

                // The administrator's own large export: they may not approve it; rejecting is theirs to do.
                response = try await client.send(.post, "/api/v1/exports", token: admin.secret, json: "{\"object\": \"customers\"}")
                let own = try #require(response.object["id"] as? String)
                response = try await client.send(.post, "/api/v1/exports/\(own)/approve", token: admin.secret)
                #expect(response.status == .forbidden && response.problemCode == "forbidden")
                response = try await client.send(.post, "/api/v1/exports/\(own)/reject", token: admin.secret)
                #expect(response.status == .ok && response.object["status"] as? String == "rejected")
                response = try await client.send(.get, "/api/v1/exports/\(own)/download", token: admin.secret)
                #expect(response.status == .conflict)
                response = try await client.send(.get, "/api/v1/exports?status=pending_approval", token: admin.secret)
                #expect((response.object["data"] as? [Any])?.isEmpty == true)

                // Past its window an approved export is gone for good.
                _ = harness.clock.advance(by: ExportUseCases.downloadWindow + 1)
                response = try await client.send(.get, "/api/v1/exports/\(id)/download", token: manager.secret)
                #expect(response.status == .conflict)
                response = try await client.send(.get, "/api/v1/exports/\(id)", token: manager.secret)
                #expect(response.object["status"] as? String == "expired" && response.object["download_url"] is NSNull)
            }
        }
    }
}
