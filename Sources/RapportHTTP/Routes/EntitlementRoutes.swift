import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/entitlements` (list, read, consume, consumptions), a customer's entitlements, and
/// the renewal settings (`/api/v1/settings/entitlements`).
struct EntitlementRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("entitlements") { request, context in
            var expiringBefore: Date?
            if let text = request.query("expiring_before") {
                guard let parsed = RFC3339.parse(text) else {
                    throw RapportError.validation([FieldError(field: "expiring_before", code: "invalid",
                                                              message: "expiring_before must be an RFC 3339 time, e.g. 2026-11-29T09:30:00Z.")])
                }
                expiringBefore = parsed
            }
            let query = EntitlementUseCases.ListQuery(customer: request.query("customer_id"), order: request.query("order_id"),
                                                      status: request.query("status"), expiringBefore: expiringBefore)
            let page = try await rapport.entitlements.list(query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, EntitlementDTO.init))
        }
        api.get("entitlements/:id") { _, context in
            let entitlement = try await rapport.entitlements.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(EntitlementDTO(entitlement), etag: entitlement.version)
        }
        api.post("entitlements/:id/consume") { request, context in
            var body = try await JSONBody.read(request, accepts: ["quantity", "idempotency_key", "note", "occurred_at"])
            let quantity = body.integer("quantity", required: true)
            let key = body.string("idempotency_key", required: true)
            let consume = EntitlementUseCases.ConsumeRequest(quantity: Int64(quantity ?? 0), idempotencyKey: key ?? "", note: body.string("note"),
                                                             occurredAt: body.date("occurred_at"))
            try body.finish()
            let result = try await rapport.entitlements.consume(try context.parameters.require("id"), consume, by: context.caller)
            return try JSONResponse.make(ConsumeResultDTO(result), status: result.replayed ? .ok : .created, etag: result.entitlement.version)
        }
        api.get("entitlements/:id/consumptions") { request, context in
            let page = try await rapport.entitlements.consumptions(try context.parameters.require("id"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ConsumptionDTO.init))
        }
        api.get("customers/:id/entitlements") { request, context in
            let page = try await rapport.entitlements.list(ofCustomer: try context.parameters.require("id"), page: try request.pageRequest(),
                                                           by: context.caller)
            return try JSONResponse.make(ListResponse(page, EntitlementDTO.init))
        }
        api.get("settings/entitlements") { _, context in
            try JSONResponse.make(EntitlementSettingsDTO(try await rapport.entitlements.settings(by: context.caller)))
        }
        api.put("settings/entitlements") { request, context in
            var body = try await JSONBody.read(request, accepts: ["renewal_days_before_expiry", "renewal_balance_percent", "renewal_pipeline"])
            let settings = EntitlementSettings(
                renewalDaysBeforeExpiry: body.integer("renewal_days_before_expiry", required: true) ?? 0,
                renewalBalancePercent: body.integer("renewal_balance_percent", required: true) ?? 0,
                renewalPipeline: body.string("renewal_pipeline", required: true) ?? "")
            try body.finish()
            return try JSONResponse.make(EntitlementSettingsDTO(try await rapport.entitlements.setSettings(settings, by: context.caller)))
        }
    }
}

/// The renewal job's settings.
struct EntitlementSettingsDTO: Encodable, Sendable {
    var renewalDaysBeforeExpiry: Int
    var renewalBalancePercent: Int
    var renewalPipeline: String

    enum CodingKeys: String, CodingKey {
        case renewalDaysBeforeExpiry = "renewal_days_before_expiry", renewalBalancePercent = "renewal_balance_percent", renewalPipeline = "renewal_pipeline"
    }

    init(_ settings: EntitlementSettings) {
        renewalDaysBeforeExpiry = settings.renewalDaysBeforeExpiry
        renewalBalancePercent = settings.renewalBalancePercent
        renewalPipeline = settings.renewalPipeline
    }
}
