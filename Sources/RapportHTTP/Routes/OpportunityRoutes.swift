import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/opportunities` (stage, reopen, history, collaborators) and `/api/v1/pipelines` (the
/// pipelines of the opportunity dictionary and each one's kanban board).
struct OpportunityRoutes {
    let rapport: Rapport

    static let writable: Set<String> = [
        "name", "amount", "expected_close_date", "owner_id", "source", "competitors", "custom_fields", "probability", "lines", "loss_reason",
    ]

    static func input(_ body: inout JSONBody, creating: Bool) -> OpportunityInput {
        var input = OpportunityInput()
        input.name = body.string("name", required: creating)
        input.amount = money(&body, "amount")
        input.expectedCloseDate = body.nullableString("expected_close_date")
        input.owner = body.string("owner_id")
        input.source = body.nullableString("source")
        input.competitors = body.strings("competitors")
        input.customFields = body.object("custom_fields")
        input.probability = body.nullableInteger("probability").map { $0.map { Int(clamping: $0) } }
        input.lines = body.objects("lines", accepts: ["sku", "quantity", "unit_price"]) { line in
            OpportunityInput.Line(sku: line.string("sku", required: true), quantity: line.integer("quantity", required: true),
                                  unitPrice: line.decode("unit_price", as: Money.self, required: true))
        }
        input.lossReason = body.nullableString("loss_reason")
        input.customer = body.string("customer_id")
        if creating {
            input.pipeline = body.string("pipeline")
            input.stage = body.string("stage")
        }
        return input
    }

    /// A money member: absent → nil, null → `.some(nil)`, else `{"amount_minor", "currency"}`.
    static func money(_ body: inout JSONBody, _ key: String) -> Money?? {
        guard body.has(key) else { return nil }
        return .some(body.decode(key, as: Money.self))
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("opportunities") { request, context in
            let query = OpportunityUseCases.ListQuery(
                pipeline: request.query("pipeline"), stage: request.query("stage"), owner: request.query("owner_id"),
                team: request.query("team_id"), customer: request.query("customer_id"), status: request.query("status"),
                closeFrom: request.query("expected_close_from"), closeTo: request.query("expected_close_to"), q: request.query("q"))
            let page = try await rapport.opportunities.list(query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, OpportunityDTO.init))
        }
        api.post("opportunities") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["customer_id", "pipeline", "stage"]))
            let input = Self.input(&body, creating: true)
            try body.finish()
            let item = try await rapport.opportunities.create(input, by: context.caller)
            return try JSONResponse.make(OpportunityDTO(item), status: .created, etag: item.opportunity.version,
                                         location: "/api/v1/opportunities/\(item.opportunity.id)")
        }
        api.get("opportunities/:id") { _, context in
            let item = try await rapport.opportunities.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(OpportunityDTO(item), etag: item.opportunity.version)
        }
        api.patch("opportunities/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["customer_id", "version"]), readOnly: ["pipeline", "stage"])
            let input = Self.input(&body, creating: false)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let item = try await rapport.opportunities.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(OpportunityDTO(item), etag: item.opportunity.version)
        }
        api.post("opportunities/:id/stage") { request, context in
            var body = try await JSONBody.read(request, accepts: ["stage", "reason", "loss_reason", "version"])
            let stage = body.string("stage", required: true)
            let reason = body.string("reason")
            let lossReason = body.string("loss_reason")
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            let item = try await rapport.opportunities.move(try context.parameters.require("id"), to: stage ?? "", reason: reason,
                                                            lossReason: lossReason, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(OpportunityDTO(item), etag: item.opportunity.version)
        }
        api.post("opportunities/:id/reopen") { request, context in
            var body = try await JSONBody.read(request, accepts: ["stage", "reason", "version"])
            let stage = body.string("stage")
            let reason = body.string("reason", required: true)
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            let item = try await rapport.opportunities.reopen(try context.parameters.require("id"), to: stage, reason: reason ?? "",
                                                              expectedVersion: version, by: context.caller)
            return try JSONResponse.make(OpportunityDTO(item), etag: item.opportunity.version)
        }
        api.get("opportunities/:id/history") { _, context in
            let history = try await rapport.opportunities.history(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: history, nextCursor: nil), StageChangeDTO.init))
        }
        api.put("opportunities/:id/collaborators/:user") { request, context in
            var body = try await JSONBody.read(request, accepts: ["access"])
            let access = body.string("access", required: true)
            try body.finish()
            let item = try await rapport.opportunities.addCollaborator(
                try context.parameters.require("id"), user: try context.parameters.require("user"), access: access ?? "", by: context.caller)
            return try JSONResponse.make(OpportunityDTO(item), etag: item.opportunity.version)
        }
        api.delete("opportunities/:id/collaborators/:user") { _, context in
            try await rapport.opportunities.removeCollaborator(
                try context.parameters.require("id"), user: try context.parameters.require("user"), by: context.caller)
            return JSONResponse.noContent()
        }
        api.get("pipelines") { _, context in
            let all = try await rapport.opportunities.pipelines(by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: all.pipelines, nextCursor: nil)) { PipelineDTO($0, version: all.version) })
        }
        api.get("pipelines/:key") { _, context in
            let (version, pipeline) = try await rapport.opportunities.pipeline(try context.parameters.require("key"), by: context.caller)
            return try JSONResponse.make(PipelineDTO(pipeline, version: version), etag: version)
        }
        api.get("pipelines/:key/board") { request, context in
            var cards: Int?
            if let text = request.query("cards") {
                guard let number = Int(text) else {
                    throw RapportError.validation([FieldError(field: "cards", code: "invalid", message: "cards is a number from 1 to 100.")])
                }
                cards = number
            }
            let board = try await rapport.opportunities.board(try context.parameters.require("key"), owner: request.query("owner_id"),
                                                              team: request.query("team_id"), cards: cards, by: context.caller)
            return try JSONResponse.make(BoardDTO(board))
        }
    }
}
