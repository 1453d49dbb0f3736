import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/handovers`: preview and run a departing user's handover, and page its reports.
struct HandoverRoutes {
    let rapport: Rapport

    static let targetFields: Set<String> = ["to", "user_ids", "team_id", "pool_id"]

    /// Each kind's target (`{"to": "users"|"team"|"pool", …}`); a kind absent or null is not moved.
    static func targets(_ body: inout JSONBody) -> [HandoverKind: HandoverUseCases.TargetInput] {
        var result: [HandoverKind: HandoverUseCases.TargetInput] = [:]
        for kind in HandoverKind.allCases {
            guard let fields = body.object(kind.rawValue) else { continue }
            var nested = JSONBody(fields: fields)
            for name in fields.keys.sorted() where !targetFields.contains(name) {
                nested.errors.append(FieldError(field: name, code: "unknown_field", message: "\(name) is not a field here."))
            }
            let target = HandoverUseCases.TargetInput(to: nested.string("to", required: true), userIDs: nested.strings("user_ids"),
                                                      team: nested.string("team_id"), pool: nested.string("pool_id"))
            body.errors += nested.errors.map { FieldError(field: "\(kind.rawValue).\($0.field)", code: $0.code, message: $0.message) }
            result[kind] = target
        }
        return result
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        let kinds = Set(HandoverKind.allCases.map(\.rawValue))
        api.post("handovers/preview") { request, context in
            var body = try await JSONBody.read(request, accepts: ["user_id", "plan"])
            let user = body.string("user_id", required: true)
            var plan: [HandoverKind: HandoverUseCases.TargetInput] = [:]
            if let fields = body.object("plan") {
                var nested = JSONBody(fields: fields)
                for name in fields.keys.sorted() where !kinds.contains(name) {
                    nested.errors.append(FieldError(field: name, code: "unknown_field", message: "\(name) is not a field here."))
                }
                plan = Self.targets(&nested)
                body.errors += nested.errors.map { FieldError(field: "plan.\($0.field)", code: $0.code, message: $0.message) }
            }
            try body.finish()
            let preview = try await rapport.handovers.preview(user ?? "", plan: plan, by: context.caller)
            return try JSONResponse.make(HandoverPreviewDTO(preview))
        }
        api.post("handovers") { request, context in
            var body = try await JSONBody.read(request, accepts: kinds.union(["user_id", "reason"]))
            let user = body.string("user_id", required: true)
            let reason = body.string("reason", required: true)
            let targets = Self.targets(&body)
            try body.finish()
            let handover = try await rapport.handovers.handOver(.init(user: user ?? "", reason: reason, targets: targets), by: context.caller)
            return try JSONResponse.make(HandoverDTO(handover), status: .created, location: "/api/v1/handovers/\(handover.id)")
        }
        api.get("handovers") { request, context in
            let page = try await rapport.handovers.list(user: request.query("user_id"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, HandoverDTO.init))
        }
        api.get("handovers/:id") { _, context in
            try JSONResponse.make(HandoverDTO(try await rapport.handovers.get(try context.parameters.require("id"), by: context.caller)))
        }
        api.get("handovers/:id/items") { request, context in
            let page = try await rapport.handovers.items(try context.parameters.require("id"), kind: request.query("kind"),
                                                         page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, HandoverItemDTO.init))
        }
    }
}
