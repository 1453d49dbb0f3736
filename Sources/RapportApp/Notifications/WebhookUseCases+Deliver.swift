import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RapportCore
import RapportStorage

/// Posting a delivery to its endpoint: the `notification.webhook` job.
extension WebhookUseCases {
    /// The client every webhook goes out by: no redirects (only the configured URL is ever asked),
    /// bounded connect and read times.
    static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: HTTPClient.Configuration(
        redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(20))))

    struct DeliveryRequest: Decodable {
        var deliveryID: String
        enum CodingKeys: String, CodingKey { case deliveryID = "delivery_id" }
    }

    /// What a receiver gets (Standard Webhooks' recommended shape: type, timestamp, data).
    struct Payload: Encodable {
        struct Content: Encodable {
            var notificationId: String
            var userId: String
            var kind: String
            var objectKind: String?
            var objectId: String?
            var details: [String: String]
            var createdAt: String
            enum CodingKeys: String, CodingKey {
                case notificationId = "notification_id", userId = "user_id", kind, objectKind = "object_kind", objectId = "object_id", details
                case createdAt = "created_at"
            }
        }
        var type: String
        var timestamp: String
        var data: Content
    }

    /// The failure of an attempt, as recorded on the job: its type only (never the body).
    struct DeliveryFailed: Error {}

    /// Posts one delivery (idempotent: a delivery no longer pending is left alone). A non-2xx
    /// answer or a network error is recorded on the delivery and retried by the job with back-off;
    /// after the job's last attempt the delivery is `failed`. A disabled endpoint cancels it.
    func deliver(_ job: Job) async throws {
        let request = try job.payload(as: DeliveryRequest.self)
        guard let id = RecordID(parsing: request.deliveryID, prefix: .noticeDelivery) else { throw PermanentJobFailure("not a delivery id") }
        let (delivery, endpoint, notice) = try await rapport.database.read { sql in
            let store = NotificationDeliveryStore(sql)
            let delivery = try await store.delivery(id)
            let endpoint = try await delivery.flatMap { RecordID(parsing: $0.target, prefix: .webhookEndpoint) }.asyncMap { try await store.endpoint($0) } ?? nil
            let notice = try await delivery.asyncMap { try await NotificationStore(sql).notices([$0.notificationID]).first } ?? nil
            return (delivery, endpoint, notice)
        }
        guard let delivery, delivery.status == .pending else { return }
        let now = rapport.clock.now()
        guard let endpoint, endpoint.disabledAt == nil, let notice else {
            try await rapport.transaction { sql in
                try await NotificationDeliveryStore(sql).record(delivery.id, status: .cancelled, attempted: false, statusCode: nil, error: "endpoint_disabled", at: now)
            }
            return
        }
        let body = try Self.body(of: notice, at: now)
        let timestamp = Int64(now.timeIntervalSince1970)
        guard let signature = StandardWebhooks.signature(secret: endpoint.secret, id: delivery.id.rawValue, timestamp: timestamp, body: body) else {
            throw PermanentJobFailure("the endpoint's secret is not a whsec_ key")
        }
        var outbound = HTTPClientRequest(url: endpoint.url)
        outbound.method = .POST
        outbound.headers.add(name: "content-type", value: "application/json")
        outbound.headers.add(name: "user-agent", value: "Rapport-Webhooks/1")
        outbound.headers.add(name: "webhook-id", value: delivery.id.rawValue)
        outbound.headers.add(name: "webhook-timestamp", value: String(timestamp))
        outbound.headers.add(name: "webhook-signature", value: signature)
        outbound.body = .bytes(ByteBuffer(bytes: body))
        var status: Int?
        var error: String?
        do {
            let response = try await Self.client.execute(outbound, timeout: .seconds(30))
            status = Int(response.status.code)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if !(200..<300).contains(Int(response.status.code)) { error = "http_\(response.status.code)" }
        } catch let failure {
            error = Self.code(of: failure)
        }
        let finished = rapport.clock.now()
        let outcome: NoticeDelivery.Status = error == nil ? .succeeded : (job.attempts >= job.maxAttempts ? .failed : .pending)
        try await rapport.transaction { sql in
            try await NotificationDeliveryStore(sql).record(delivery.id, status: outcome, attempted: true, statusCode: status, error: error, at: finished)
        }
        if error != nil { throw DeliveryFailed() }
    }

    /// The JSON body of a notice's delivery.
    static func body(of notice: Notice, at now: Date) throws -> Data {
        try JSONEncoder().encode(Payload(type: notice.kind, timestamp: RFC3339.format(now), data: .init(
            notificationId: notice.id.rawValue, userId: notice.userID.rawValue, kind: notice.kind, objectKind: notice.objectKind?.rawValue,
            objectId: notice.objectID, details: notice.details, createdAt: RFC3339.format(notice.createdAt))))
    }

    /// A short code for a failed request (never its text, which may hold the URL).
    static func code(of error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .readTimeout, .deadlineExceeded: return "timeout"
            case .remoteConnectionClosed: return "connection_closed"
            default: return "http_client_error"
            }
        }
        return "connection_failed"
    }

    static func registerHandlers(in handlers: JobHandlers) {
        handlers.register(NotificationUseCases.webhookKind) { job, rapport in try await rapport.webhooks.deliver(job) }
    }
}
