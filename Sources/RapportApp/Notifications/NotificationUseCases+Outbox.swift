import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// The outbox of notices: in the transaction that writes them, a delivery is logged and a job
/// queued for every webhook endpoint and email the notice's user wants.
extension NotificationUseCases {
    /// The job that posts one delivery to its webhook endpoint.
    public static let webhookKind = "notification.webhook"
    /// The job that emails one notice.
    public static let emailKind = "notification.email"

    /// Logs and queues the external deliveries of `notices` (those just written) in `sql`.
    func enqueueDeliveries(of notices: [Notice], in sql: any SQLDatabase) async throws {
        guard !notices.isEmpty else { return }
        let store = NotificationDeliveryStore(sql)
        let endpoints = try await store.endpoints()
        let users = Array(Set(notices.map(\.userID)))
        let preferences = try await Self.effective(for: users, sql)
        let mailer = rapport.settings.mailer != nil
        let now = rapport.clock.now()
        var deliveries: [NoticeDelivery] = []
        for notice in notices {
            let wanted = preferences[notice.userID] ?? NotificationPreferences()
            if wanted.wants(notice.kind, by: .webhook) {
                for endpoint in endpoints where endpoint.receives(notice.kind, for: notice.userID) {
                    deliveries.append(NoticeDelivery(id: rapport.ids.next(.noticeDelivery, at: now), notificationID: notice.id, channel: .webhook,
                                                     target: endpoint.id.rawValue, kind: notice.kind, createdAt: now, updatedAt: now))
                }
            }
            if mailer && wanted.emailsAtOnce(notice.kind) {
                deliveries.append(NoticeDelivery(id: rapport.ids.next(.noticeDelivery, at: now), notificationID: notice.id, channel: .email,
                                                 target: NoticeChannel.email.rawValue, kind: notice.kind, createdAt: now, updatedAt: now))
            }
        }
        guard !deliveries.isEmpty else { return }
        try await store.insert(deliveries)
        for delivery in deliveries { try await queue(delivery, in: sql) }
    }

    /// Queues the job that makes `delivery` (again), due now.
    func queue(_ delivery: NoticeDelivery, in sql: any SQLDatabase) async throws {
        let webhook = delivery.channel == .webhook
        try await rapport.jobs.enqueue(kind: webhook ? Self.webhookKind : Self.emailKind, payload: .object(["delivery_id": .string(delivery.id.rawValue)]),
                                       dedupKey: "notification.deliver:\(delivery.id.rawValue)",
                                       maxAttempts: webhook ? Self.webhookAttempts : Self.emailAttempts, in: sql)
    }

    /// Attempts that keep a webhook retrying for about three days under ``JobBackoff``.
    public static let webhookAttempts: Int = {
        var total: TimeInterval = 0
        var attempts = 1
        while total < 3 * 86_400 {
            total += min(JobBackoff.base * pow(2, Double(min(attempts, 30) - 1)), JobBackoff.cap)
            attempts += 1
        }
        return attempts
    }()
    /// Attempts an email gets (about a day).
    public static let emailAttempts = 12
}
