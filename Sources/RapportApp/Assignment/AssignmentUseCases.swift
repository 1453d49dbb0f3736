import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Assignment rules: administrators keep an ordered list of conditions → targets; every incoming
/// lead without an owner is routed by them (see ``LeadRouter``). Managers may read the rules, try
/// them on a sample lead, and apply them to leads already waiting in a pool.
public struct AssignmentUseCases: Sendable {
    let rapport: Rapport

    /// What creating or changing a rule takes (nil = unchanged; all but position required on create).
    public struct Input: Sendable {
        public var name: String?
        public var position: Int?
        public var active: Bool?
        public var conditions: [AssignmentCondition]?
        public var target: AssignmentTarget?

        public init(name: String? = nil, position: Int? = nil, active: Bool? = nil, conditions: [AssignmentCondition]? = nil, target: AssignmentTarget? = nil) {
            self.name = name
            self.position = position
            self.active = active
            self.conditions = conditions
            self.target = target
        }
    }

    func requireRead(_ caller: Caller) async throws {
        _ = try await rapport.scope(caller, .read, .pool, anchor: .teamTable, table: "teams")
    }

    func requireWrite(_ caller: Caller) async throws {
        _ = try await rapport.scope(caller, .update, .pool, anchor: .teamTable, table: "teams")
    }

    /// Creates a rule (administrators); without a position it goes last.
    public func create(_ input: Input, by caller: Caller) async throws -> AssignmentRule {
        try await requireWrite(caller)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = AssignmentStore(sql)
            let existing = try await store.all()
            guard existing.count < AssignmentRule.maximumCount else {
                throw RapportError(.conflict, "A company keeps at most \(AssignmentRule.maximumCount) assignment rules.")
            }
            var rule = AssignmentRule(id: rapport.ids.next(.assignmentRule, at: now), name: "", position: (existing.map(\.position).max() ?? 0) + 10,
                                      target: .pool(RecordID(trusted: "pool_0")), createdAt: now, updatedAt: now)
            try await apply(input, to: &rule, creating: true, sql)
            try await store.insert(rule)
            try await rapport.record(rapport.event("assignment_rule.created", by: caller, kind: .pool, object: rule.id.rawValue), in: sql)
            return rule
        }
    }

    /// Changes a rule (administrators), optionally only at `expectedVersion`.
    public func update(_ id: String, _ input: Input, expectedVersion: Int64?, by caller: Caller) async throws -> AssignmentRule {
        try await requireWrite(caller)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            var rule = try await require(id, sql)
            let version = expectedVersion ?? rule.version
            try await apply(input, to: &rule, creating: false, sql)
            rule.updatedAt = now
            guard try await AssignmentStore(sql).replace(rule, expectedVersion: version) else {
                throw RapportError(.preconditionFailed, "The rule was changed by someone else; fetch it again and retry.")
            }
            rule.version = version + 1
            try await rapport.record(rapport.event("assignment_rule.updated", by: caller, kind: .pool, object: rule.id.rawValue), in: sql)
            return rule
        }
    }

    /// Deletes a rule (administrators). The assignments it made keep its id in the log.
    public func delete(_ id: String, by caller: Caller) async throws {
        try await requireWrite(caller)
        try await rapport.transaction { sql in
            let rule = try await require(id, sql)
            _ = try await AssignmentStore(sql).delete(rule.id)
            try await rapport.record(rapport.event("assignment_rule.deleted", by: caller, kind: .pool, object: rule.id.rawValue), in: sql)
        }
    }

    /// Every rule, in the order they are tried.
    public func list(by caller: Caller) async throws -> [AssignmentRule] {
        try await requireRead(caller)
        return try await rapport.database.read { sql in try await AssignmentStore(sql).all() }
    }

    public func get(_ id: String, by caller: Caller) async throws -> AssignmentRule {
        try await requireRead(caller)
        return try await rapport.database.read { sql in try await require(id, sql) }
    }

    func require(_ id: String, _ sql: any SQLDatabase) async throws -> AssignmentRule {
        guard let id = RecordID(parsing: id, prefix: .assignmentRule), let rule = try await AssignmentStore(sql).find(id) else {
            throw RapportError.notFound("assignment rule")
        }
        return rule
    }

    func apply(_ input: Input, to rule: inout AssignmentRule, creating: Bool, _ sql: any SQLDatabase) async throws {
        var check = Validator()
        if let name = input.name { rule.name = check.text(name, field: "name", maxLength: 100, allowEmpty: false) } else if creating {
            check.add("name", "required", "name is required.")
        }
        if let position = input.position {
            if (0...1_000_000).contains(position) { rule.position = position } else {
                check.add("position", "out_of_range", "position is between 0 and 1000000.")
            }
        }
        if let active = input.active { rule.active = active }
        if let conditions = input.conditions {
            if conditions.count > AssignmentRule.maximumConditions {
                check.add("conditions", "too_many", "A rule has at most \(AssignmentRule.maximumConditions) conditions.")
            }
            for (index, condition) in conditions.enumerated() {
                for error in condition.validate("conditions[\(index)]") { check.add(error.field, error.code, error.message) }
                if case .pool = condition.field, let text = condition.value.flatMap({ if case .string(let t) = $0 { t } else { nil } }),
                   RecordID(parsing: text, prefix: .pool) == nil {
                    check.add("conditions[\(index)].value", "invalid", "pool_id conditions compare pool ids.")
                }
            }
            rule.conditions = conditions
        }
        if let target = input.target {
            for error in target.validate() { check.add(error.field, error.code, error.message) }
            switch target {
            case .pool(let id):
                guard let pool = try await PoolStore(sql).find(id), pool.object == .lead, !pool.archived else {
                    check.add("target.pool_id", "invalid", "target.pool_id must be an active lead pool.")
                    break
                }
            case .user(let id):
                if try await UserStore(sql).find(id)?.status != .active { check.add("target.user_id", "invalid", "target.user_id must be an active user.") }
            case .team(let id, _, _):
                if try await TeamStore(sql).find(id) == nil { check.add("target.team_id", "invalid", "target.team_id is not a team.") }
            }
            rule.target = target
        } else if creating { check.add("target", "required", "target is required.") }
        try check.finish()
    }

    /// What the rules would do with a lead like `facts` right now: the rule and the assignee or
    /// pool. Changes nothing (turns are not taken).
    public func test(_ facts: AssignmentFacts, by caller: Caller) async throws -> (AssignmentPlacement, AssignmentRule?) {
        try await requireRead(caller)
        let now = rapport.clock.now()
        return try await rapport.database.read { sql in
            var lead = Lead(id: RecordID(trusted: "lead_0"), name: "", status: "", statusEnteredAt: now, lastProgressAt: now, createdAt: now, updatedAt: now)
            lead.source = facts.source
            lead.campaign = facts.campaign
            lead.region = facts.region
            lead.interest = facts.interest
            lead.score = facts.score
            lead.utm = UTM(source: facts.utmSource, medium: facts.utmMedium, campaign: facts.utmCampaign)
            lead.customFields = facts.customFields
            if let pool = facts.poolID { lead.poolID = pool } else { lead.poolID = try await PoolStore(sql).find(key: "default")?.id }
            let routed = try await LeadRouter(rapport: rapport, sql: sql, now: now).plan([(lead, true)], saving: false)[0]
            let rule: AssignmentRule? = switch routed.placement {
            case .user(_, _, let id), .pool(_, let id): try await AssignmentStore(sql).find(id)
            case .unchanged: nil
            }
            return (routed.placement, rule)
        }
    }

    /// What applying the rules to a pool did.
    public struct Applied: Sendable, Equatable {
        public var examined: Int
        public var assigned: Int
        public var moved: Int
        /// The last lead examined: pass it as `after` to continue.
        public var last: RecordID?
    }

    /// Routes leads waiting in a pool that were never assigned (imported or captured before the
    /// rules existed), oldest first, up to `limit`, after `after`. Managers and administrators.
    public func apply(pool reference: String, after: String? = nil, limit: Int = 1_000, by caller: Caller) async throws -> Applied {
        guard caller.principal == nil || caller.principal?.role == .admin || caller.principal?.role == .manager else {
            throw RapportError(.forbidden, "Only managers and administrators apply assignment rules.")
        }
        var check = Validator()
        if !(1...5_000).contains(limit) { check.add("limit", "out_of_range", "limit is between 1 and 5000.") }
        let after = after.flatMap { RecordID(parsing: $0, prefix: .lead) }
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            guard let pool = try await PoolUseCases.find(reference, sql), pool.object == .lead else { throw RapportError.notFound("pool") }
            let leads = try await LeadStore(sql).incoming(in: pool.id, after: after, limit: limit)
            let dictionary = try await DictionaryUseCases.load(.lead, sql, template: rapport.settings.dictionaryTemplate)
            let router = LeadRouter(rapport: rapport, sql: sql, now: now)
            let routed = try await router.plan(leads.map { ($0, LeadUseCases.category(of: $0.status, in: dictionary) == .open) })
            let result = try await router.write(zip(leads, routed).map { ($0, $1) }, from: pool.id, by: caller)
            try await rapport.record(rapport.event("assignment_rule.applied", by: caller, kind: .pool, object: pool.id.rawValue,
                                                   details: ["assigned": String(result.assigned), "moved": String(result.moved)]), in: sql)
            return Applied(examined: leads.count, assigned: result.assigned, moved: result.moved, last: leads.last?.id)
        }
    }
}
