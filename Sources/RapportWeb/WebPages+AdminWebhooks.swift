import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// Webhook endpoints for administrators: the list, add (the signing secret shown once, on the
    /// answer to the form, never again), an endpoint's delivery log with replay, and disable.
    func addAdminWebhooks(to router: Router<APIRequestContext>) {
        adminPage(router, "admin/webhooks") { _, _, web in
            try await adminWebhooksPage(web)
        }
        adminAction(router, "admin/webhooks") { _, _, web, form in
            let kinds = form.all("kind").filter { !$0.isEmpty }
            let endpoint = try await rapport.webhooks.create(.init(url: form["url"] ?? "", userID: form["user_id"].flatMap { $0.isEmpty ? nil : $0 },
                                                                   description: form["description"], kinds: kinds), by: web.caller)
            // Not a redirect: the secret must not travel in a URL, and this is the only time it is shown.
            let users = try await webhookUsers(web)
            let page = try await rapport.webhooks.deliveries(of: endpoint.id.rawValue, page: PageRequest(), by: web.caller)
            return web.page("admin_webhook", title: endpoint.description.isEmpty ? endpoint.url : endpoint.description,
                            AdminWebhookBody(web: web, endpoint: endpoint, users: users, deliveries: page, secret: endpoint.secret))
        }
        adminPage(router, "admin/webhooks/:id") { request, context, web in
            let endpoint = try await rapport.webhooks.get(try context.parameters.require("id"), by: web.caller)
            let page = try await rapport.webhooks.deliveries(of: endpoint.id.rawValue, page: try AdminForm.page(request), by: web.caller)
            return web.page("admin_webhook", title: endpoint.description.isEmpty ? endpoint.url : endpoint.description,
                            AdminWebhookBody(web: web, endpoint: endpoint, users: try await webhookUsers(web), deliveries: page, secret: nil,
                                             more: AdminForm.next(request, page.nextCursor)))
        }
        adminPage(router, "admin/email-deliveries") { request, _, web in
            let page = try await rapport.webhooks.emailDeliveries(page: try AdminForm.page(request), by: web.caller)
            return web.page("admin_email_deliveries", title: web.text("email_deliveries"),
                            AdminEmailDeliveriesBody(web: web, sendsEmail: rapport.webhooks.sendsEmail, deliveries: page, more: AdminForm.next(request, page.nextCursor)))
        }
        adminAction(router, "admin/webhooks/:id/disable") { _, context, web, _ in
            let endpoint = try await rapport.webhooks.disable(try context.parameters.require("id"), by: web.caller)
            return web.redirect("/admin/webhooks/" + Self.segment(endpoint.id.rawValue), notice: "webhook_disabled")
        }
        adminAction(router, "admin/webhooks/:id/deliveries/:delivery/replay") { _, context, web, _ in
            let id = try context.parameters.require("id")
            _ = try await rapport.webhooks.replay(try context.parameters.require("delivery"), of: id, by: web.caller)
            return web.redirect("/admin/webhooks/" + Self.segment(id), notice: "webhook_replayed")
        }
    }

    func adminWebhooksPage(_ web: WebContext) async throws -> Response {
        let endpoints = try await rapport.webhooks.list(by: web.caller)
        var body = AdminWebhooksBody(web: web, endpoints: endpoints, users: try await webhookUsers(web))
        body.emailStatus = web.text(rapport.webhooks.sendsEmail ? "email_configured" : "email_not_configured")
        return web.page("admin_webhooks", title: web.text("admin_webhooks"), body)
    }

    /// Active users by id, for the owner picker and the owner column (a page of the most).
    func webhookUsers(_ web: WebContext) async throws -> [User] {
        try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
    }

    static let adminWebhookRoutes: Set<String> = [
        "GET /admin/webhooks",
        "POST /admin/webhooks",
        "GET /admin/webhooks/{id}",
        "POST /admin/webhooks/{id}/disable",
        "POST /admin/webhooks/{id}/deliveries/{delivery}/replay",
        "GET /admin/email-deliveries",
    ]
}

/// The endpoints and the form to add one.
struct AdminWebhooksBody {
    struct Row {
        var id: String
        var url: String
        var description: String
        var owner: String
        var kinds: String
        var disabled: Bool
        var created: String
    }

    struct KindChoice {
        var value: String
        var label: String
        var fieldID: String
    }

    var endpoints: [Row]
    var users: [WebOption]
    var kinds: [KindChoice]
    /// Whether the server sends email, in words.
    var emailStatus = ""

    init(web: WebContext, endpoints: [WebhookEndpoint], users: [User]) {
        let names = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let formatter = web.locale.dateFormatter()
        self.endpoints = endpoints.map { endpoint in
            Row(id: endpoint.id.rawValue, url: endpoint.url, description: endpoint.description,
                owner: endpoint.userID.map { names[$0] ?? $0.rawValue } ?? web.text("webhook_company"),
                kinds: endpoint.kinds.isEmpty ? web.text("webhook_all_kinds") : endpoint.kinds.map { web.text(NotificationsBody.key(of: $0), ["kind": $0]) }.joined(separator: "; "),
                disabled: endpoint.disabledAt != nil, created: formatter.string(from: endpoint.createdAt))
        }
        self.users = [WebOption(value: "", label: web.text("webhook_company"), selected: true)]
            + users.map { WebOption(value: $0.id.rawValue, label: "\($0.name) <\($0.email)>", selected: false) }
        kinds = NoticeGroup.kinds.keys.sorted().map { kind in
            KindChoice(value: kind, label: web.text(NotificationsBody.key(of: kind)), fieldID: "wk-" + kind.replacingOccurrences(of: ".", with: "-"))
        }
    }
}

/// One endpoint: what it receives, the secret (only right after it was added), the delivery log.
struct AdminWebhookBody {
    struct Delivery {
        var id: String
        var kind: String
        var statusText: String
        var status: String
        var attempts: String
        var last: String
        var at: String

        /// Log rows worded for the reader.
        static func rows(_ deliveries: [NoticeDelivery], _ web: WebContext) -> [Delivery] {
            let formatter = web.locale.dateFormatter()
            return deliveries.map { delivery in
                Delivery(id: delivery.id.rawValue, kind: web.text(NotificationsBody.key(of: delivery.kind), ["kind": delivery.kind]),
                         statusText: web.text("delivery_\(delivery.status.rawValue)"), status: delivery.status.rawValue, attempts: web.locale.number(delivery.attempts),
                         last: [delivery.lastStatusCode.map { "HTTP \($0)" }, delivery.lastError].compactMap { $0 }.joined(separator: " · "),
                         at: formatter.string(from: delivery.updatedAt))
            }
        }
    }

    var id: String
    /// The endpoint's id again, reachable inside the delivery rows (whose own `id` hides `id`).
    var endpointID: String
    var url: String
    var description: String
    var owner: String
    var kinds: String
    var disabled: Bool
    var secret: String?
    var deliveries: [Delivery]
    var more: String?
    var disableConfirm: String

    init(web: WebContext, endpoint: WebhookEndpoint, users: [User], deliveries: Page<NoticeDelivery>, secret: String?, more: String? = nil) {
        let list = AdminWebhooksBody(web: web, endpoints: [endpoint], users: users).endpoints[0]
        id = list.id
        endpointID = list.id
        url = list.url
        description = list.description
        owner = list.owner
        kinds = list.kinds
        disabled = list.disabled
        self.secret = secret
        self.deliveries = Delivery.rows(deliveries.items, web)
        self.more = more
        disableConfirm = web.text("webhook_disable_confirm")
    }
}

/// The email delivery log: every notice emailed at once, newest first (no addresses, no bodies).
struct AdminEmailDeliveriesBody {
    var status: String
    var deliveries: [AdminWebhookBody.Delivery]
    var more: String?

    init(web: WebContext, sendsEmail: Bool, deliveries: Page<NoticeDelivery>, more: String?) {
        status = web.text(sendsEmail ? "email_configured" : "email_not_configured")
        self.deliveries = AdminWebhookBody.Delivery.rows(deliveries.items, web)
        self.more = more
    }
}
