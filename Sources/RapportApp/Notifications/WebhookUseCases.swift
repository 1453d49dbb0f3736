import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Webhook endpoints (administrators): register one (its secret is shown once), list, disable,
/// read its delivery log, replay a delivery. Deliveries themselves are jobs (``deliver(_:)``).
public struct WebhookUseCases: Sendable {
    let rapport: Rapport

    /// What an administrator registers.
    public struct Input: Sendable {
        public var url: String
        public var userID: String?
        public var description: String?
        public var kinds: [String]?

        public init(url: String, userID: String? = nil, description: String? = nil, kinds: [String]? = nil) {
            self.url = url
            self.userID = userID
            self.description = description
            self.kinds = kinds
        }
    }

    /// Registers an endpoint; the result carries the secret, which no later read shows. Audited.
    public func create(_ input: Input, by caller: Caller) async throws -> WebhookEndpoint {
        try requireAdmin(caller, writing: true)
        var check = Validator()
        let url = input.url.trimmingCharacters(in: .whitespaces)
        if !WebhookEndpoint.acceptable(url) { check.add("url", "invalid", "url is an absolute http or https URL (at most 2000 characters).") }
        let description = check.text(input.description ?? "", field: "description", maxLength: 200)
        let kinds = input.kinds ?? []
        if kinds.count > 50 { check.add("kinds", "too_many", "At most 50 kinds.") }
        for (index, kind) in kinds.enumerated() where !Self.looksLikeKind(kind) {
            check.add("kinds[\(index)]", "invalid", "A kind is like lead.assigned (lower-case words joined by a dot).")
        }
        var user: RecordID?
        if let text = input.userID {
            user = RecordID(parsing: text, prefix: .user)
            if user == nil { check.add("user_id", "invalid", "user_id is a user's id.") }
        }
        try check.finish()
        let now = rapport.clock.now()
        let endpoint = WebhookEndpoint(id: rapport.ids.next(.webhookEndpoint, at: now), url: url, secret: StandardWebhooks.makeSecret(), userID: user,
                                       description: description, kinds: Array(Set(kinds)).sorted(), createdBy: caller.actorID, createdAt: now)
        return try await rapport.transaction { sql in
            if let user, try await UserStore(sql).find(user) == nil {
                throw RapportError.validation([FieldError(field: "user_id", code: "not_found", message: "No user with that id.")])
            }
            try await NotificationDeliveryStore(sql).insert(endpoint)
            try await rapport.record(rapport.event("webhook_endpoint.created", by: caller, kind: .webhookEndpoint, object: endpoint.id.rawValue,
                                                   details: ["user_id": user?.rawValue ?? ""]), in: sql)
            return endpoint
        }
    }

    /// Every endpoint, enabled or not, oldest first.
    public func list(by caller: Caller) async throws -> [WebhookEndpoint] {
        try requireAdmin(caller, writing: false)
        return try await rapport.database.read { sql in try await NotificationDeliveryStore(sql).endpoints(includingDisabled: true) }
    }

    public func get(_ id: String, by caller: Caller) async throws -> WebhookEndpoint {
        try requireAdmin(caller, writing: false)
        let endpointID = try Self.parse(id)
        guard let endpoint = try await rapport.database.read({ sql in try await NotificationDeliveryStore(sql).endpoint(endpointID) }) else {
            throw RapportError.notFound("webhook endpoint")
        }
        return endpoint
    }

    /// Disables an endpoint: nothing more goes to it (queued deliveries are cancelled when their
    /// turn comes); its log stays. Disabling twice is a no-op. Audited.
    public func disable(_ id: String, by caller: Caller) async throws -> WebhookEndpoint {
        try requireAdmin(caller, writing: true)
        let endpointID = try Self.parse(id)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = NotificationDeliveryStore(sql)
            guard try await store.endpoint(endpointID) != nil else { throw RapportError.notFound("webhook endpoint") }
            if try await store.disable(endpointID, at: now) {
                try await rapport.record(rapport.event("webhook_endpoint.disabled", by: caller, kind: .webhookEndpoint, object: endpointID.rawValue), in: sql)
            }
            guard let endpoint = try await store.endpoint(endpointID) else { throw RapportError.notFound("webhook endpoint") }
            return endpoint
        }
    }

    /// An endpoint's delivery log, newest first.
    public func deliveries(of id: String, page: PageRequest, by caller: Caller) async throws -> Page<NoticeDelivery> {
        let endpoint = try await get(id, by: caller)
        return try await rapport.database.read { sql in try await NotificationDeliveryStore(sql).deliveries(to: endpoint.id.rawValue, page: page) }
    }

    /// The email delivery log (every user's notices emailed at once), newest first; administrators only.
    public func emailDeliveries(page: PageRequest, by caller: Caller) async throws -> Page<NoticeDelivery> {
        try requireAdmin(caller, writing: false)
        return try await rapport.database.read { sql in try await NotificationDeliveryStore(sql).deliveries(to: NoticeChannel.email.rawValue, page: page) }
    }

    /// Whether the server sends email (an SMTP server is configured).
    public var sendsEmail: Bool { rapport.settings.mailer != nil }

    /// Sends a delivery again (same message id, fresh attempts), whatever its status, unless its
    /// endpoint is disabled (`conflict`) or it is being sent now (then this is a no-op). Audited.
    public func replay(_ deliveryID: String, of id: String, by caller: Caller) async throws -> NoticeDelivery {
        let endpoint = try await get(id, by: caller)
        try requireAdmin(caller, writing: true)
        guard let parsed = RecordID(parsing: deliveryID, prefix: .noticeDelivery) else { throw RapportError.notFound("delivery") }
        guard endpoint.disabledAt == nil else { throw RapportError(.conflict, "The endpoint is disabled; enable a new one to send to.") }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = NotificationDeliveryStore(sql)
            guard var delivery = try await store.delivery(parsed), delivery.target == endpoint.id.rawValue else { throw RapportError.notFound("delivery") }
            try await store.record(delivery.id, status: .pending, attempted: false, statusCode: delivery.lastStatusCode, error: delivery.lastError, at: now)
            delivery.status = .pending
            delivery.updatedAt = now
            try await rapport.notifications.queue(delivery, in: sql)
            try await rapport.record(rapport.event("webhook_delivery.replayed", by: caller, kind: .webhookEndpoint, object: endpoint.id.rawValue,
                                                   details: ["delivery_id": delivery.id.rawValue]), in: sql)
            return delivery
        }
    }

    func requireAdmin(_ caller: Caller, writing: Bool) throws {
        guard let principal = caller.principal else { return }
        guard principal.isAdmin else { throw RapportError(.forbidden, "Only administrators manage webhook endpoints.") }
        if writing && !principal.tokenScopes.contains(.write) { throw RapportError(.forbidden, "Changing webhook endpoints needs a token that may write.") }
    }

    static func parse(_ id: String) throws -> RecordID {
        guard let parsed = RecordID(parsing: id, prefix: .webhookEndpoint) else { throw RapportError.notFound("webhook endpoint") }
        return parsed
    }

    static func looksLikeKind(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 100 && text.contains(".") && !text.hasPrefix(".") && !text.hasSuffix(".")
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "_" || $0 == "." }
    }
}
