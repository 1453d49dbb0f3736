import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore

/// Health, readiness, metrics, the OpenAPI document, and the test clock.
struct SystemRoutes {
    let rapport: Rapport
    let metricsText: @Sendable () async -> String

    struct Health: Encodable {
        var status: String
    }

    struct Ready: Encodable {
        var status: String
        var database: String
        var migrations: String
    }

    struct ClockNow: Encodable {
        var now: Date
    }

    func add(to router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in try JSONResponse.make(Health(status: "ok")) }
        router.get("readyz") { _, _ in
            let readiness = await rapport.system.readiness()
            let body = Ready(
                status: readiness.isReady ? "ready" : "not_ready",
                database: readiness.databaseReachable ? "ok" : "unreachable",
                migrations: readiness.migrationsCurrent ? "current" : "pending")
            return try JSONResponse.make(body, status: readiness.isReady ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: await metricsText())))
        }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.data)))
        }
    }

    /// `POST /api/v1/test-clock`: present only when the server runs with `--test-clock`.
    func addTestClock(to api: RouterGroup<APIRequestContext>) {
        guard rapport.testClock != nil else { return }
        api.post("test-clock") { request, context in
            var body = try await JSONBody.read(request, accepts: ["advance_seconds", "now"])
            let advance = body.number("advance_seconds")
            let nowText = body.string("now")
            try body.finish()
            var date: Date?
            if let nowText {
                guard let parsed = RFC3339.parse(nowText) else {
                    throw RapportError.validation([FieldError(field: "now", code: "invalid", message: "now must be an RFC 3339 time.")])
                }
                date = parsed
            }
            let moved = try await rapport.system.moveTestClock(advanceSeconds: advance, to: date, by: context.caller)
            return try JSONResponse.make(ClockNow(now: moved))
        }
    }
}

/// The OpenAPI 3.1 document, shipped as a resource and served as is.
public enum OpenAPIDocument {
    public static let data: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            return Array("{}".utf8)
        }
        return Array(data)
    }()
}
