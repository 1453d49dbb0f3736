import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RapportApp
import RapportCore
import RapportTestSupport
import Synchronization
import Testing

/// Logs never carry contact details: every line and its metadata, at the most verbose level,
/// while customers are created, searched for by full number and email, revealed and imported.
@Suite struct LogPrivacyTests {
    final class Capture: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    struct CapturingHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(merged.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
        }
    }

    @Test(arguments: TestBackend.available)
    func noContactDetailsInAnyLogLine(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let capture = Capture()
            let logger = Logger(label: "privacy") { _ in CapturingHandler(capture: capture) }
            let app = Application(router: harness.router, logger: logger)
            try await app.test(.router) { client in
                let created = try await client.send(.post, "/api/v1/customers", token: rep.secret, json: """
                    {"name": "Log Marker", "id_number": "110101199003079999",
                     "contacts": [{"kind": "phone", "value": "13955554444"}, {"kind": "email", "value": "log.marker@example.net"}]}
                    """)
                #expect(created.status == .created)
                let id = try #require((created.object["customer"] as? [String: Any])?["id"] as? String)
                _ = try await client.send(.get, "/api/v1/customers?q=13955554444", token: rep.secret)
                _ = try await client.send(.get, "/api/v1/customers?q=log.marker%40example.net", token: rep.secret)
                _ = try await client.send(.post, "/api/v1/customers/\(id)/reveal", token: rep.secret)
                _ = try await client.send(.post, "/api/v1/customers", token: rep.secret, json: """
                    {"name": "Dup", "contacts": [{"kind": "phone", "value": "+86 139 5555 4444"}]}
                    """)
                _ = try await client.send(.post, "/api/v1/customers", token: rep.secret, json: """
                    {"name": "Bad", "contacts": [{"kind": "phone", "value": "13955554444x"}]}
                    """)
                _ = try await client.execute(
                    uri: "/api/v1/imports", method: .post,
                    headers: [.authorization: "Bearer \(rep.secret)", .contentType: "text/csv"],
                    body: .init(string: "name,phone,email\nImported,13955554445,log.marker2@example.net\n"))
            }
            _ = try await harness.rapport.imports.runPending(worker: "test")
            let lines = capture.lines.withLock { $0 }
            #expect(lines.count >= 7)
            for line in lines {
                for marker in ["13955554444", "13955554445", "5555 4444", "log.marker", "110101199003079999"] {
                    #expect(!line.contains(marker), "a log line carries \(marker): \(line)")
                }
            }
        }
    }
}
