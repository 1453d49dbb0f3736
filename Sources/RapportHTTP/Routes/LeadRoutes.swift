import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/leads` (status, release, history) and `/api/v1/pools` (waiting leads, claim, assign).
struct LeadRoutes {
    let rapport: Rapport

    static let writable: Set<String> = [
        "name", "company", "title", "phone", "email", "wechat_unionid", "source", "campaign", "utm", "referrer", "interest", "region",
        "score", "custom_fields", "marketing_consent", "external_id",
    ]

    static func input(_ body: inout JSONBody, creating: Bool) -> LeadInput {
        var input = LeadInput()
        input.name = body.string("name", required: creating)
        input.company = body.nullableString("company")
        input.title = body.nullableString("title")
        input.phone = body.nullableString("phone")
        input.email = body.nullableString("email")
        input.wechatUnionid = body.nullableString("wechat_unionid")
        input.source = body.nullableString("source")
        input.campaign = body.nullableString("campaign")
        if let utm = body.stringMap("utm") {
            input.utm = UTM(source: utm["source"], medium: utm["medium"], campaign: utm["campaign"], term: utm["term"], content: utm["content"])
        }
        input.referrer = body.nullableString("referrer")
        input.interest = body.nullableString("interest")
        input.region = body.nullableString("region")
        input.score = body.nullableInteger("score")
        input.customFields = body.object("custom_fields")
        input.marketingConsent = body.bool("marketing_consent")
        input.externalID = body.nullableString("external_id")
        if creating {
            input.status = body.string("status")
            input.owner = body.nullableString("owner_id")
            input.pool = body.nullableString("pool_id")
        }
        return input
    }

    static func poolInput(_ body: inout JSONBody, creating: Bool) -> PoolUseCases.Input {
        PoolUseCases.Input(key: body.string("key", required: creating), name: body.string("name", required: creating),
                           object: body.string("object", required: creating), memberTeams: body.strings("member_teams"),
                           admins: body.strings("admins"), rules: body.decode("rules", as: PoolRules.self), archived: body.bool("archived"))
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("leads") { request, context in
            let query = LeadUseCases.ListQuery(owner: request.query("owner_id"), pool: request.query("pool_id"), status: request.query("status"),
                                               source: request.query("source"), q: request.query("q"))
            let page = try await rapport.leads.list(query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, LeadDTO.init))
        }
        api.post("leads") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["status", "owner_id", "pool_id"]))
            let input = Self.input(&body, creating: true)
            try body.finish()
            let (lead, outcome) = try await rapport.leads.create(input, by: context.caller)
            let status: HTTPResponse.Status = if case .mergedInto = outcome { .ok } else { .created }
            return try JSONResponse.make(CreatedLeadDTO(lead, outcome), status: status, etag: lead.version, location: "/api/v1/leads/\(lead.id)")
        }
        api.get("leads/:id") { _, context in
            let lead = try await rapport.leads.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(LeadDTO(lead), etag: lead.version)
        }
        api.patch("leads/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["version"]), readOnly: ["status", "owner_id", "pool_id"])
            let input = Self.input(&body, creating: false)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let lead = try await rapport.leads.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(LeadDTO(lead), etag: lead.version)
        }
        api.post("leads/:id/status") { request, context in
            var body = try await JSONBody.read(request, accepts: ["status", "reason", "version"])
            let status = body.string("status", required: true)
            let reason = body.string("reason")
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            let lead = try await rapport.leads.move(try context.parameters.require("id"), to: status ?? "", reason: reason, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(LeadDTO(lead), etag: lead.version)
        }
        api.get("leads/:id/status-history") { _, context in
            let history = try await rapport.leads.statusHistory(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: history, nextCursor: nil), StageChangeDTO.init))
        }
        api.get("leads/:id/assignments") { _, context in
            let log = try await rapport.leads.assignments(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: log, nextCursor: nil), LeadAssignmentDTO.init))
        }
        api.get("leads/:id/activities") { request, context in
            let page = try await rapport.leads.followUps(try context.parameters.require("id"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, LeadFollowUpDTO.init))
        }
        api.post("leads/:id/activities") { request, context in
            var body = try await JSONBody.read(request, accepts: ["type", "direction", "subject", "body", "occurred_at", "duration_seconds", "outcome"])
            let input = LeadUseCases.NewFollowUp(
                type: body.string("type", required: true) ?? "", direction: body.string("direction"), subject: body.string("subject"),
                body: body.string("body"), occurredAt: body.date("occurred_at"), durationSeconds: body.integer("duration_seconds"), outcome: body.string("outcome"))
            try body.finish()
            let logged = try await rapport.leads.logFollowUp(try context.parameters.require("id"), input, by: context.caller)
            return try JSONResponse.make(LeadFollowUpDTO(logged), status: .created)
        }
        api.post("leads/:id/release") { request, context in
            var body = try await JSONBody.read(request, accepts: ["reason"])
            let reason = body.string("reason", required: true)
            try body.finish()
            let lead = try await rapport.leads.release(try context.parameters.require("id"), reason: reason ?? "", by: context.caller)
            return try JSONResponse.make(LeadDTO(lead), etag: lead.version)
        }
        api.post("leads/:id/convert") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["customer_id"])
            let customer = body.string("customer_id")
            try body.finish()
            let conversion = try await rapport.leads.convert(try context.parameters.require("id"), into: customer, by: context.caller)
            return try JSONResponse.make(ConversionDTO(conversion), etag: conversion.lead.version)
        }
        addPools(to: api)
    }

    func addPools(to api: RouterGroup<APIRequestContext>) {
        api.get("pools") { request, context in
            var object: Pool.Object?
            if let text = request.query("object") {
                guard let parsed = Pool.Object(rawValue: text) else {
                    throw RapportError.validation([FieldError(field: "object", code: "invalid", message: "object is lead or customer.")])
                }
                object = parsed
            }
            let pools = try await rapport.pools.list(object: object, includeArchived: request.query("archived") == "true", by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: pools, nextCursor: nil), PoolDTO.init))
        }
        api.post("pools") { request, context in
            var body = try await JSONBody.read(request, accepts: ["key", "name", "object", "member_teams", "admins", "rules"])
            let input = Self.poolInput(&body, creating: true)
            try body.finish()
            let pool = try await rapport.pools.create(input, by: context.caller)
            return try JSONResponse.make(PoolDTO(pool), status: .created, etag: pool.version, location: "/api/v1/pools/\(pool.id)")
        }
        api.get("pools/:id") { _, context in
            let pool = try await rapport.pools.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(PoolDTO(pool), etag: pool.version)
        }
        api.patch("pools/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: ["key", "name", "object", "member_teams", "admins", "rules", "archived", "version"])
            let input = Self.poolInput(&body, creating: false)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let pool = try await rapport.pools.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(PoolDTO(pool), etag: pool.version)
        }
        api.get("pools/:id/leads") { request, context in
            let query = LeadUseCases.ListQuery(status: request.query("status"), source: request.query("source"), q: request.query("q"))
            let page = try await rapport.pools.waiting(try context.parameters.require("id"), query: query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, LeadDTO.init))
        }
        api.get("pools/:id/standing") { _, context in
            let standing = try await rapport.pools.standing(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(PoolStandingDTO(standing))
        }
        api.get("pools/:id/reclaim-preview") { _, context in
            let report = try await rapport.pools.reclaimPreview(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ReclaimReportDTO(report))
        }
        api.post("pools/:id/reclaim") { _, context in
            let report = try await rapport.pools.reclaim(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ReclaimReportDTO(report))
        }
        // A lead pool takes `lead_ids`, a customer pool `customer_ids`.
        api.post("pools/:id/claim") { request, context in
            var body = try await JSONBody.read(request, accepts: ["lead_ids", "customer_ids"])
            let customers = body.strings("customer_ids")
            let ids = body.strings("lead_ids") ?? []
            try body.finish()
            let pool = try context.parameters.require("id")
            if let customers {
                let claimed = try await rapport.pools.claimCustomers(pool, customers: customers, by: context.caller)
                return try JSONResponse.make(ListResponse(Page(items: claimed, nextCursor: nil), CustomerDTO.init))
            }
            let leads = try await rapport.pools.claim(pool, leads: ids, by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: leads, nextCursor: nil), LeadDTO.init))
        }
        api.post("pools/:id/assign") { request, context in
            var body = try await JSONBody.read(request, accepts: ["lead_ids", "customer_ids", "user_id", "reason"])
            let customers = body.strings("customer_ids")
            let ids = body.strings("lead_ids") ?? []
            let user = body.string("user_id", required: true)
            let reason = body.string("reason")
            try body.finish()
            let pool = try context.parameters.require("id")
            if let customers {
                let assigned = try await rapport.pools.assignCustomers(pool, customers: customers, to: user ?? "", reason: reason, by: context.caller)
                return try JSONResponse.make(ListResponse(Page(items: assigned, nextCursor: nil), CustomerDTO.init))
            }
            let leads = try await rapport.pools.assign(pool, leads: ids, to: user ?? "", reason: reason, by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: leads, nextCursor: nil), LeadDTO.init))
        }
        api.get("pools/:id/customers") { request, context in
            let page = try await rapport.pools.waitingCustomers(try context.parameters.require("id"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, CustomerDTO.init))
        }
        api.post("customers/:id/release") { request, context in
            var body = try await JSONBody.read(request, accepts: ["reason", "pool_id"])
            let reason = body.string("reason", required: true)
            let pool = body.string("pool_id")
            try body.finish()
            let customer = try await rapport.customers.release(try context.parameters.require("id"), into: pool, reason: reason ?? "", by: context.caller)
            return try JSONResponse.make(CustomerDTO(customer))
        }
        api.get("customers/:id/assignments") { _, context in
            let log = try await rapport.customers.assignments(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: log, nextCursor: nil), { LeadAssignmentDTO($0) }))
        }
    }
}
