import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportStorage

/// `/api/v1/customers`, their relations, stage, reveal and 360 view; `/api/v1/activities`.
struct CustomerRoutes {
    let rapport: Rapport

    static let writable: Set<String> = [
        "kind", "name", "company", "title", "owner_id", "team_id", "source", "value_tier", "score", "do_not_contact",
        "do_not_contact_reason", "id_number", "external_ref", "custom_fields", "contacts", "tags", "consents",
    ]

    /// Reads a customer body (create: with `stage`; update: with `version`).
    static func input(_ body: inout JSONBody, creating: Bool) -> CustomerInput {
        var input = CustomerInput()
        input.kind = body.string("kind")
        input.name = body.string("name", required: creating)
        input.company = body.nullableString("company")
        input.title = body.nullableString("title")
        input.owner = body.nullableString("owner_id")
        input.team = body.nullableString("team_id")
        input.source = body.nullableString("source")
        input.valueTier = body.nullableString("value_tier")
        input.score = body.nullableInteger("score")
        input.doNotContact = body.bool("do_not_contact")
        input.doNotContactReason = body.nullableString("do_not_contact_reason")
        input.idNumber = body.nullableString("id_number")
        input.externalRef = body.nullableString("external_ref")
        input.customFields = body.object("custom_fields")
        input.tags = body.strings("tags")
        input.contacts = body.objects("contacts", accepts: ["kind", "value", "label", "primary"]) { item in
            CustomerInput.Contact(kind: item.string("kind", required: true) ?? "", value: item.string("value", required: true) ?? "",
                                  label: item.string("label"), primary: item.bool("primary") ?? false)
        }
        input.consents = body.objects("consents", accepts: ["channel", "purpose", "status", "source"]) { item in
            CustomerInput.ConsentInput(channel: item.string("channel", required: true) ?? "", purpose: item.string("purpose", required: true) ?? "",
                                       status: item.string("status", required: true) ?? "", source: item.string("source"))
        }
        if creating { input.stage = body.string("stage") }
        return input
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("customers") { request, context in
            var dnc: Bool?
            if let text = request.query("do_not_contact") {
                guard text == "true" || text == "false" else {
                    throw RapportError.validation([FieldError(field: "do_not_contact", code: "invalid", message: "do_not_contact is true or false.")])
                }
                dnc = text == "true"
            }
            let query = CustomerUseCases.ListQuery(
                owner: request.query("owner_id"), team: request.query("team_id"), stage: request.query("stage"),
                source: request.query("source"), tag: request.query("tag"), kind: request.query("kind"), doNotContact: dnc, q: request.query("q"))
            let page = try await rapport.customers.list(query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, CustomerDTO.init))
        }
        api.post("customers") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["stage"]))
            let input = Self.input(&body, creating: true)
            try body.finish()
            let (customer, outcome) = try await rapport.customers.create(input, by: context.caller)
            let status: HTTPResponse.Status = if case .mergedInto = outcome { .ok } else { .created }
            return try JSONResponse.make(CreatedCustomerDTO(customer, outcome), status: status, etag: customer.version,
                                         location: "/api/v1/customers/\(customer.id)")
        }
        api.get("customers/:id") { _, context in
            let customer = try await rapport.customers.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(CustomerDTO(customer), etag: customer.version)
        }
        api.patch("customers/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["version"]), readOnly: ["stage"])
            let input = Self.input(&body, creating: false)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let customer = try await rapport.customers.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(CustomerDTO(customer), etag: customer.version)
        }
        api.post("customers/:id/stage") { request, context in
            var body = try await JSONBody.read(request, accepts: ["stage", "reason", "version"])
            let stage = body.string("stage", required: true)
            let reason = body.string("reason")
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            let customer = try await rapport.customers.move(try context.parameters.require("id"), to: stage ?? "", reason: reason,
                                                           expectedVersion: version, by: context.caller)
            return try JSONResponse.make(CustomerDTO(customer), etag: customer.version)
        }
        api.get("customers/:id/stage-history") { _, context in
            let history = try await rapport.customers.stageHistory(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: history, nextCursor: nil), StageChangeDTO.init))
        }
        api.post("customers/:id/reveal") { _, context in
            let revealed = try await rapport.customers.reveal(try context.parameters.require("id"), by: context.caller)
            var response = try JSONResponse.make(RevealDTO(revealed))
            response.headers[.cacheControl] = "no-store"
            response.headers[.secretFields] = "contacts,id_number,custom_fields"
            return response
        }
        api.get("customers/:id/360") { request, context in
            var check = Validator()
            var limit = 20
            if let text = request.query("timeline_limit") {
                if let value = Int(text), (1...100).contains(value) { limit = value } else {
                    check.add("timeline_limit", "invalid", "timeline_limit must be a whole number from 1 to 100.")
                }
            }
            try check.finish()
            let view = try await rapport.customers.view360(try context.parameters.require("id"), timelineLimit: limit, by: context.caller)
            return try JSONResponse.make(Customer360DTO(view), etag: view.customer.version)
        }
        api.get("customers/:id/timeline") { request, context in
            let page = try await rapport.activities.timeline(try context.parameters.require("id"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ActivityDTO.init))
        }
        api.get("customers/:id/relations") { _, context in
            let relations = try await rapport.customers.relations(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: relations, nextCursor: nil), RelationDTO.init))
        }
        api.post("customers/:id/relations") { request, context in
            var body = try await JSONBody.read(request, accepts: ["type", "customer_id", "note"])
            let type = body.string("type", required: true)
            let other = body.string("customer_id", required: true)
            let note = body.string("note")
            try body.finish()
            let view = try await rapport.customers.relate(try context.parameters.require("id"), to: other ?? "", type: type ?? "", note: note, by: context.caller)
            return try JSONResponse.make(RelationDTO(view), status: .created)
        }
        api.delete("customers/:id/relations/:relation") { _, context in
            try await rapport.customers.unrelate(try context.parameters.require("id"), relation: try context.parameters.require("relation"), by: context.caller)
            return JSONResponse.noContent()
        }
        api.get("reveal-quota") { _, context in
            let quota = try await rapport.customers.revealQuota(by: context.caller)
            return try JSONResponse.make(QuotaDTO(limit: quota.quota, used: quota.used, resetsAt: quota.resetsAt))
        }
        addActivities(to: api)
        addMerges(to: api)
    }

    private func addMerges(to api: RouterGroup<APIRequestContext>) {
        api.get("duplicates") { request, context in
            let page = try await rapport.merges.duplicates(page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, DuplicateGroupDTO.init))
        }
        api.post("merges") { request, context in
            var body = try await JSONBody.read(request, accepts: ["survivor_id", "merged_id", "choices"])
            let survivor = body.string("survivor_id", required: true)
            let merged = body.string("merged_id", required: true)
            let choices = body.stringMap("choices") ?? [:]
            try body.finish()
            let record = try await rapport.merges.merge(survivor: survivor ?? "", merged: merged ?? "", choices: choices, by: context.caller)
            return try JSONResponse.make(MergeDTO(record), status: .created, location: "/api/v1/merges/\(record.id)")
        }
        api.get("merges/:id") { _, context in
            try JSONResponse.make(MergeDTO(try await rapport.merges.get(try context.parameters.require("id"), by: context.caller)))
        }
        api.post("merges/:id/undo") { _, context in
            try JSONResponse.make(MergeDTO(try await rapport.merges.undo(try context.parameters.require("id"), by: context.caller)))
        }
    }

    private func addActivities(to api: RouterGroup<APIRequestContext>) {
        api.get("activities") { request, context in
            let page = try await rapport.activities.list(customer: request.query("customer_id"), actor: request.query("actor_id"),
                                                         type: request.query("type"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ActivityDTO.init))
        }
        api.post("activities") { request, context in
            var body = try await JSONBody.read(request, accepts: [
                "customer_id", "type", "direction", "subject", "body", "occurred_at", "duration_seconds", "outcome", "place", "related_kind", "related_id",
            ])
            let input = ActivityUseCases.NewActivity(
                customerID: body.string("customer_id", required: true) ?? "", type: body.string("type", required: true) ?? "",
                direction: body.string("direction"), subject: body.string("subject"), body: body.string("body"),
                occurredAt: body.date("occurred_at"), durationSeconds: body.integer("duration_seconds"), outcome: body.string("outcome"),
                place: body.string("place"), relatedKind: body.string("related_kind"), relatedID: body.string("related_id"))
            try body.finish()
            let logged = try await rapport.activities.log(input, by: context.caller)
            return try JSONResponse.make(LoggedActivityDTO(logged), status: .created, location: "/api/v1/activities/\(logged.activity.id)")
        }
        api.get("activities/:id") { _, context in
            try JSONResponse.make(ActivityDTO(try await rapport.activities.get(try context.parameters.require("id"), by: context.caller)))
        }
    }
}
