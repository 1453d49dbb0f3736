import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// Assignment rules (`/api/v1/assignment-rules`), applying them to a pool, and reps' leave
/// (`/api/v1/users/{id}/leaves`).
struct AssignmentRoutes {
    let rapport: Rapport

    static let ruleFields: Set<String> = ["name", "position", "active", "conditions", "target"]

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("assignment-rules") { _, context in
            let rules = try await rapport.assignment.list(by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: rules, nextCursor: nil), AssignmentRuleDTO.init))
        }
        api.post("assignment-rules") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.ruleFields)
            let input = Self.input(&body)
            try body.finish()
            let rule = try await rapport.assignment.create(input, by: context.caller)
            return try JSONResponse.make(AssignmentRuleDTO(rule), status: .created, etag: rule.version, location: "/api/v1/assignment-rules/\(rule.id)")
        }
        api.get("assignment-rules/:id") { _, context in
            let rule = try await rapport.assignment.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(AssignmentRuleDTO(rule), etag: rule.version)
        }
        api.patch("assignment-rules/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.ruleFields.union(["version"]))
            let input = Self.input(&body)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let rule = try await rapport.assignment.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(AssignmentRuleDTO(rule), etag: rule.version)
        }
        api.delete("assignment-rules/:id") { _, context in
            try await rapport.assignment.delete(try context.parameters.require("id"), by: context.caller)
            return JSONResponse.noContent()
        }
        api.post("assignment-rules/test") { request, context in
            var body = try await JSONBody.read(request, accepts: ["source", "campaign", "region", "interest", "score", "utm_source", "utm_medium",
                                                                  "utm_campaign", "pool_id", "custom_fields"])
            var facts = AssignmentFacts(source: body.string("source"), campaign: body.string("campaign"), region: body.string("region"),
                                        interest: body.string("interest"), score: body.integer("score").map(Int64.init), utmSource: body.string("utm_source"),
                                        utmMedium: body.string("utm_medium"), utmCampaign: body.string("utm_campaign"),
                                        customFields: body.object("custom_fields") ?? [:])
            if let pool = body.string("pool_id") {
                facts.poolID = RecordID(parsing: pool, prefix: .pool)
                if facts.poolID == nil { body.errors.append(FieldError(field: "pool_id", code: "invalid", message: "pool_id is not a pool id.")) }
            }
            try body.finish()
            let (placement, rule) = try await rapport.assignment.test(facts, by: context.caller)
            return try JSONResponse.make(AssignmentTestDTO(placement, rule))
        }
        api.post("pools/:id/apply-rules") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["after", "limit"])
            let after = body.string("after")
            let limit = body.integer("limit")
            try body.finish()
            let applied = try await rapport.assignment.apply(pool: try context.parameters.require("id"), after: after, limit: limit ?? 1_000, by: context.caller)
            return try JSONResponse.make(AppliedRulesDTO(applied))
        }
        api.get("users/:id/leaves") { _, context in
            let leaves = try await rapport.assignment.leaves(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: leaves, nextCursor: nil), LeaveDTO.init))
        }
        api.post("users/:id/leaves") { request, context in
            var body = try await JSONBody.read(request, accepts: ["starts_at", "ends_at", "note"])
            let starts = body.date("starts_at")
            let ends = body.date("ends_at")
            let note = body.string("note")
            for (field, value) in [("starts_at", starts), ("ends_at", ends)] where value == nil && !body.errors.contains(where: { $0.field == field }) {
                body.errors.append(FieldError(field: field, code: "required", message: "\(field) is required."))
            }
            try body.finish()
            guard let starts, let ends else { throw RapportError(.malformedRequest, "starts_at and ends_at are required.") }
            let leave = try await rapport.assignment.addLeave(try context.parameters.require("id"), startsAt: starts, endsAt: ends, note: note, by: context.caller)
            return try JSONResponse.make(LeaveDTO(leave), status: .created)
        }
        api.delete("users/:id/leaves/:leave_id") { _, context in
            try await rapport.assignment.deleteLeave(try context.parameters.require("id"), leave: try context.parameters.require("leave_id"), by: context.caller)
            return JSONResponse.noContent()
        }
    }

    static func input(_ body: inout JSONBody) -> AssignmentUseCases.Input {
        AssignmentUseCases.Input(name: body.string("name"), position: body.integer("position"), active: body.bool("active"),
                                 conditions: body.decode("conditions", as: [AssignmentCondition].self),
                                 target: body.decode("target", as: AssignmentTarget.self))
    }
}

public struct AssignmentRuleDTO: Encodable, Sendable {
    public var id: String
    public var name: String
    public var position: Int
    public var active: Bool
    public var conditions: [AssignmentCondition]
    public var target: AssignmentTarget
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, position, active, conditions, target, version, createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ rule: AssignmentRule) {
        id = rule.id.rawValue
        name = rule.name
        position = rule.position
        active = rule.active
        conditions = rule.conditions
        target = rule.target
        version = rule.version
        createdAt = rule.createdAt
        updatedAt = rule.updatedAt
    }
}

/// What the rules would do with a sample lead.
public struct AssignmentTestDTO: Encodable, Sendable {
    /// `user`, `pool`, or `none` (no rule could place it: it stays in its pool).
    public var placement: String
    @Nullable public var userId: String?
    @Nullable public var teamId: String?
    @Nullable public var poolId: String?
    @Nullable public var rule: AssignmentRuleDTO?

    enum CodingKeys: String, CodingKey {
        case placement, rule, userId = "user_id", teamId = "team_id", poolId = "pool_id"
    }

    init(_ placement: AssignmentPlacement, _ rule: AssignmentRule?) {
        switch placement {
        case .user(let user, let team, _):
            self.placement = "user"
            userId = user.rawValue
            teamId = team?.rawValue
        case .pool(let pool, _):
            self.placement = "pool"
            poolId = pool.rawValue
        case .unchanged:
            self.placement = "none"
        }
        self.rule = rule.map(AssignmentRuleDTO.init)
    }
}

public struct AppliedRulesDTO: Encodable, Sendable {
    public var examined: Int
    public var assigned: Int
    public var moved: Int
    /// Pass as `after` to continue with the next leads; null when none were examined.
    @Nullable public var last: String?

    init(_ applied: AssignmentUseCases.Applied) {
        examined = applied.examined
        assigned = applied.assigned
        moved = applied.moved
        last = applied.last?.rawValue
    }
}

public struct LeaveDTO: Encodable, Sendable {
    public var id: String
    public var userId: String
    public var startsAt: Date
    public var endsAt: Date
    @Nullable public var note: String?
    @Nullable public var createdBy: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, note, userId = "user_id", startsAt = "starts_at", endsAt = "ends_at", createdBy = "created_by", createdAt = "created_at"
    }

    init(_ leave: UserLeave) {
        id = leave.id.rawValue
        userId = leave.userID.rawValue
        startsAt = leave.startsAt
        endsAt = leave.endsAt
        note = leave.note
        createdBy = leave.createdBy?.rawValue
        createdAt = leave.createdAt
    }
}
