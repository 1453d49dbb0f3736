import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/me/notification-preferences`, `/api/v1/settings/notifications` (the defaults) and
/// `/api/v1/webhook-endpoints` (administrators; deliveries and replay).
struct NotificationDeliveryRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("me/notification-preferences") { _, context in
            let (preferences, customized) = try await rapport.notifications.preferences(by: context.caller)
            return try JSONResponse.make(NotificationPreferencesDTO(preferences, customized: customized))
        }
        api.put("me/notification-preferences") { request, context in
            var body = try await JSONBody.read(request, accepts: ["email", "groups", "reset"])
            let reset = body.bool("reset") ?? false
            let email = body.string("email")
            let groups = body.decode("groups", as: [String: [String]].self)
            try body.finish()
            let base = try await rapport.notifications.preferences(by: context.caller).preferences
            let chosen = reset ? nil : try NotificationPreferences.parse(email: email, groups: groups, base: base)
            let (preferences, customized) = try await rapport.notifications.setPreferences(chosen, by: context.caller)
            return try JSONResponse.make(NotificationPreferencesDTO(preferences, customized: customized))
        }
        api.get("settings/notifications") { _, context in
            try JSONResponse.make(NotificationPreferencesDTO(try await rapport.notifications.defaultPreferences(by: context.caller), customized: nil))
        }
        api.put("settings/notifications") { request, context in
            var body = try await JSONBody.read(request, accepts: ["email", "groups"])
            let email = body.string("email")
            let groups = body.decode("groups", as: [String: [String]].self)
            try body.finish()
            let base = try await rapport.notifications.defaultPreferences(by: context.caller)
            let chosen = try NotificationPreferences.parse(email: email, groups: groups, base: base)
            return try JSONResponse.make(NotificationPreferencesDTO(try await rapport.notifications.setDefaultPreferences(chosen, by: context.caller), customized: nil))
        }
        api.get("webhook-endpoints") { _, context in
            let endpoints = try await rapport.webhooks.list(by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: endpoints, nextCursor: nil)) { WebhookEndpointDTO($0, showingSecret: false) })
        }
        api.post("webhook-endpoints") { request, context in
            var body = try await JSONBody.read(request, accepts: ["url", "user_id", "description", "kinds"])
            let input = WebhookUseCases.Input(url: body.string("url", required: true) ?? "", userID: body.string("user_id"),
                                              description: body.string("description"), kinds: body.strings("kinds"))
            try body.finish()
            let endpoint = try await rapport.webhooks.create(input, by: context.caller)
            return try JSONResponse.make(WebhookEndpointDTO(endpoint, showingSecret: true), status: .created)
        }
        api.get("webhook-endpoints/:id") { _, context in
            try JSONResponse.make(WebhookEndpointDTO(try await rapport.webhooks.get(try context.parameters.require("id"), by: context.caller), showingSecret: false))
        }
        api.delete("webhook-endpoints/:id") { _, context in
            try JSONResponse.make(WebhookEndpointDTO(try await rapport.webhooks.disable(try context.parameters.require("id"), by: context.caller), showingSecret: false))
        }
        api.get("webhook-endpoints/:id/deliveries") { request, context in
            let page = try await rapport.webhooks.deliveries(of: try context.parameters.require("id"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, NoticeDeliveryDTO.init))
        }
        api.post("webhook-endpoints/:id/deliveries/:delivery/replay") { _, context in
            let delivery = try await rapport.webhooks.replay(try context.parameters.require("delivery"), of: try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(NoticeDeliveryDTO(delivery), status: .accepted)
        }
    }
}

public struct NotificationPreferencesDTO: Encodable, Sendable {
    public var email: String
    public var groups: [String: [String]]
    /// Whether these are the user's own choice (absent for the defaults).
    public var customized: Bool?

    init(_ preferences: NotificationPreferences, customized: Bool?) {
        email = preferences.email.rawValue
        groups = Dictionary(uniqueKeysWithValues: NoticeGroup.allCases.map { group in
            (group.rawValue, NoticeChannel.allCases.filter { preferences.groups[group]?.contains($0) ?? false }.map(\.rawValue))
        })
        self.customized = customized
    }
}

public struct WebhookEndpointDTO: Encodable, Sendable {
    public var id: String
    public var url: String
    /// Only in the answer that made the endpoint.
    public var secret: String?
    @Nullable public var userId: String?
    public var description: String
    public var kinds: [String]
    public var active: Bool
    public var createdAt: Date
    @Nullable public var disabledAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, url, secret, description, kinds, active
        case userId = "user_id", createdAt = "created_at", disabledAt = "disabled_at"
    }

    init(_ endpoint: WebhookEndpoint, showingSecret: Bool) {
        id = endpoint.id.rawValue
        url = endpoint.url
        secret = showingSecret ? endpoint.secret : nil
        userId = endpoint.userID?.rawValue
        description = endpoint.description
        kinds = endpoint.kinds
        active = endpoint.disabledAt == nil
        createdAt = endpoint.createdAt
        disabledAt = endpoint.disabledAt
    }
}

public struct NoticeDeliveryDTO: Encodable, Sendable {
    public var id: String
    public var notificationId: String
    public var channel: String
    public var kind: String
    public var status: String
    public var attempts: Int
    @Nullable public var lastStatusCode: Int?
    @Nullable public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    @Nullable public var deliveredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, channel, kind, status, attempts
        case notificationId = "notification_id", lastStatusCode = "last_status_code", lastError = "last_error"
        case createdAt = "created_at", updatedAt = "updated_at", deliveredAt = "delivered_at"
    }

    init(_ delivery: NoticeDelivery) {
        id = delivery.id.rawValue
        notificationId = delivery.notificationID.rawValue
        channel = delivery.channel.rawValue
        kind = delivery.kind
        status = delivery.status.rawValue
        attempts = delivery.attempts
        lastStatusCode = delivery.lastStatusCode
        lastError = delivery.lastError
        createdAt = delivery.createdAt
        updatedAt = delivery.updatedAt
        deliveredAt = delivery.deliveredAt
    }
}
