import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// Monthly targets (`/api/v1/targets`), performance against them (`GET /api/v1/performance`) and
/// leaderboards (`GET /api/v1/leaderboards`) and their settings (`/api/v1/settings/leaderboards`).
struct TargetRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        let targets = rapport.targets
        api.get("targets") { request, context in
            let (month, list) = try await targets.list(month: request.query("month"), user: request.query("user_id"), team: request.query("team_id"),
                                                       by: context.caller)
            return try JSONResponse.make(TargetSheetDTO(month: month.description, data: list.map(TargetDTO.init)))
        }
        api.put("targets") { request, context in
            var body = try await JSONBody.read(request, accepts: ["month", "targets"])
            let month = body.string("month", required: true)
            let entries = body.objects("targets", accepts: ["user_id", "team_id", "metric", "currency", "amount"]) { line in
                TargetUseCases.Entry(user: line.string("user_id"), team: line.string("team_id"), metric: line.string("metric", required: true),
                                     currency: line.string("currency"), amount: line.integer("amount", required: true).map(Int64.init))
            }
            if entries == nil && !body.errors.contains(where: { $0.field == "targets" }) {
                body.errors.append(FieldError(field: "targets", code: "required", message: "targets is required."))
            }
            try body.finish()
            let saved = try await targets.setSheet(month: month, entries: entries ?? [], by: context.caller)
            return try JSONResponse.make(TargetSheetDTO(month: month ?? "", data: saved.map(TargetDTO.init)))
        }
        api.get("targets/:id") { _, context in
            let target = try await targets.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(TargetDTO(target), etag: target.version)
        }
        api.patch("targets/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: ["amount", "version"])
            let amount = body.integer("amount", required: true).map(Int64.init)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let target = try await targets.update(try context.parameters.require("id"), amount: amount, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(TargetDTO(target), etag: target.version)
        }
        api.delete("targets/:id") { _, context in
            try await targets.delete(try context.parameters.require("id"), by: context.caller)
            return JSONResponse.noContent()
        }
        api.get("performance") { request, context in
            let sheet = try await rapport.performance.sheet(period: request.query("period"), user: request.query("user_id"), team: request.query("team_id"),
                                                            by: context.caller)
            return try JSONResponse.make(PerformanceDTO(sheet))
        }
        api.get("leaderboards") { request, context in
            let query = PerformanceUseCases.BoardQuery(metric: request.query("metric"), period: request.query("period"), team: request.query("team_id"),
                                                       currency: request.query("currency"))
            return try JSONResponse.make(LeaderboardDTO(try await rapport.performance.leaderboard(query, by: context.caller)))
        }
        api.get("settings/leaderboards") { _, context in
            try JSONResponse.make(LeaderboardSettingsDTO(try await rapport.performance.settings(by: context.caller)))
        }
        api.put("settings/leaderboards") { request, context in
            var body = try await JSONBody.read(request, accepts: ["visible_to_reps"])
            let visible = body.bool("visible_to_reps")
            try body.finish()
            let current = try await rapport.performance.settings(by: context.caller)
            let settings = LeaderboardSettings(visibleToReps: visible ?? current.visibleToReps)
            return try JSONResponse.make(LeaderboardSettingsDTO(try await rapport.performance.setSettings(settings, by: context.caller)))
        }
    }
}
