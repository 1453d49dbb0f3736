import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Opportunities on the pipelines of the business dictionary: create (for a customer the caller can
/// see), read and list (scoped in SQL: owners, their managers' subtrees, and collaborators), change,
/// move through the pipeline's stages (guards apply; a lost stage needs a loss reason), re-open,
/// share with collaborators, and the kanban board of a pipeline.
public struct OpportunityUseCases: Sendable {
    let rapport: Rapport

    /// An opportunity as the API shows it: with its probability now and its collaborators.
    public struct Item: Sendable, Equatable {
        public var opportunity: Opportunity
        /// The chance of winning now (the override while open, else the stage's).
        public var probability: Int
        /// The amount × probability, rounded half-up to a minor unit.
        public var weightedAmount: Money?
        public var collaborators: [OpportunityCollaborator]
    }

    func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .opportunity, anchor: .owner(column: "owner_id"), table: "opportunities")
    }

    func dictionary(_ sql: any SQLDatabase) async throws -> ObjectDictionary {
        try await DictionaryUseCases.load(.opportunity, sql, template: rapport.settings.dictionaryTemplate)
    }

    /// The pipeline an opportunity runs on (a pipeline removed from the dictionary while in use is
    /// kept archived, so this only fails on a hand-edited database).
    static func pipeline(of opportunity: Opportunity, in dictionary: ObjectDictionary) throws -> PipelineDefinition {
        guard let pipeline = dictionary.pipelinesOrDefault.first(where: { $0.key == opportunity.pipeline }) else {
            throw RapportError(.internal, "The opportunity dictionary has no pipeline \(opportunity.pipeline).")
        }
        return pipeline
    }

    /// The lifecycle engine of one pipeline, with the dictionary's custom fields.
    static func engine(_ pipeline: PipelineDefinition, _ dictionary: ObjectDictionary) -> LifecycleEngine {
        LifecycleEngine(pipeline.stageMachine(of: .opportunity, fields: dictionary.fields))
    }

    static func item(_ opportunity: Opportunity, in dictionary: ObjectDictionary, collaborators: [OpportunityCollaborator]) -> Item {
        let pipeline = dictionary.pipelinesOrDefault.first { $0.key == opportunity.pipeline }
        return Item(
            opportunity: opportunity, probability: pipeline.map { opportunity.probability(in: $0) } ?? 0,
            weightedAmount: pipeline.flatMap { opportunity.weightedAmount(in: $0) }, collaborators: collaborators)
    }

    /// Creates an opportunity — for a customer the caller can see, or (an open deal without an
    /// account yet) for none, unless the stage's guard asks for `customer_id` — owned by the caller unless a
    /// manager or administrator names another owner, in the named (else the first active) pipeline
    /// and its initial (or the named) stage.
    public func create(_ input: OpportunityInput, by caller: Caller) async throws -> Item {
        _ = try await filter(caller, .create)
        let customerScope = try await rapport.scope(caller, .read, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        return try await rapport.transaction { sql in try await create(input, by: caller, customerScope: customerScope, in: sql) }
    }

    /// ``create(_:by:)`` inside the caller's transaction `sql`, with the customer scope already
    /// taken: the same checks, history and audit. The system's door for jobs (the renewal job)
    /// that must create an opportunity and remember it in one transaction.
    func create(_ input: OpportunityInput, by caller: Caller, customerScope: ScopeFilter, in sql: any SQLDatabase) async throws -> Item {
        let now = rapport.clock.now()
        do {
            let dictionary = try await dictionary(sql)
            var check = Validator()
            let customerID: RecordID? = input.customer.flatMap { RecordID(parsing: $0, prefix: .customer) }
            var visible = false
            if let customerID { visible = try await CustomerStore(sql).find(customerID, in: customerScope) != nil }
            if input.customer != nil, !visible {
                check.add("customer_id", "invalid", "customer_id must be a customer you can see.")
            }
            let pipelines = dictionary.pipelinesOrDefault
            let pipeline = input.pipeline.map { key in pipelines.first { $0.key == key && !$0.archived } } ?? pipelines.first { !$0.archived }
            if pipeline == nil { check.add("pipeline", "invalid", "pipeline must be an active pipeline: \(pipelines.filter { !$0.archived }.map(\.key).joined(separator: ", ")).") }
            var opportunity = Opportunity(
                id: rapport.ids.next(.opportunity, at: now), name: "", customerID: customerID,
                pipeline: pipeline?.key ?? "", stage: pipeline?.initialStage ?? "", stageEnteredAt: now,
                ownerID: caller.effectivePrincipal.userID, teamID: caller.principal?.teamID, createdBy: caller.actorID, createdAt: now, updatedAt: now)
            let normaliser = OpportunityNormaliser(settings: try await CustomerSettings.load(sql), dictionary: dictionary, ids: rapport.ids, now: now)
            normaliser.apply(input, to: &opportunity, creating: true, check: &check)
            try await resolveOwner(input.owner, of: &opportunity, by: caller, check: &check, sql)
            try check.finish()
            guard let pipeline else { throw RapportError.validation([]) }
            let engine = Self.engine(pipeline, dictionary)
            if let stage = input.stage, pipeline.stage(stage)?.category == .lost { try Self.requireLossReason(opportunity) }
            let transition = try engine.applyChecked(.create(stage: input.stage, at: now, by: caller.actorID), to: nil, filled: opportunity.filledFields)
            Self.enter(transition, of: &opportunity, pipeline: pipeline)
            try await OpportunityStore(sql).insert([opportunity])
            try await rapport.recordTransition(transition, object: .opportunity, of: opportunity.id, owner: opportunity.ownerID, at: now, in: sql)
            try await rapport.record(rapport.event("opportunity.created", by: caller, kind: .opportunity, object: opportunity.id.rawValue,
                                                   details: ["pipeline": opportunity.pipeline, "stage": opportunity.stage]), in: sql)
            return Self.item(opportunity, in: dictionary, collaborators: [])
        }
    }

    /// The owner named on create or change: reps may name only themselves; managers and
    /// administrators any active user they can see. The team follows the owner.
    func resolveOwner(_ owner: String?, of opportunity: inout Opportunity, by caller: Caller, check: inout Validator, _ sql: any SQLDatabase) async throws {
        guard let owner else {
            if caller.principal == nil { check.add("owner_id", "required", "owner_id is required when the system creates an opportunity.") }
            return
        }
        let role = caller.principal?.role
        let mayAssign = role == nil || role == .admin || role == .manager
        guard let id = RecordID(parsing: owner, prefix: .user) else { return check.add("owner_id", "invalid", "owner_id is not a user id.") }
        guard let user = try await rapport.assignableOwner(id, mayAssign: mayAssign, by: caller, sql) else {
            return check.add("owner_id", "invalid", "owner_id must be an active user you may give opportunities to.")
        }
        opportunity.ownerID = id
        opportunity.teamID = user.teamID
    }

    /// Applies an engine transition: the stage, its category, and the closing time.
    static func enter(_ transition: LifecycleTransition, of opportunity: inout Opportunity, pipeline: PipelineDefinition) {
        opportunity.stage = transition.state.stage
        opportunity.stageEnteredAt = transition.state.enteredAt
        let category = pipeline.stage(opportunity.stage)?.category ?? .open
        opportunity.statusCategory = category
        if category.isClosed {
            if opportunity.closedAt == nil || transition.effects.contains(where: { if case .closed = $0 { true } else { false } }) {
                opportunity.closedAt = transition.state.enteredAt
            }
        } else {
            opportunity.closedAt = nil
        }
        if category != .lost { opportunity.lossReason = nil }
    }

    /// A lost stage is entered only with a loss reason.
    static func requireLossReason(_ opportunity: Opportunity) throws {
        if opportunity.lossReason == nil {
            throw RapportError.validation([FieldError(field: "loss_reason", code: "required", message: "A lost opportunity needs a loss_reason.")])
        }
    }

    /// One opportunity with its collaborators; `not_found` outside the caller's scope.
    public func get(_ id: String, by caller: Caller) async throws -> Item {
        let opportunity = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in
            Self.item(opportunity, in: try await dictionary(sql), collaborators: try await OpportunityStore(sql).collaborators(of: opportunity.id))
        }
    }

    func load(_ id: String, by caller: Caller, _ action: AccessAction) async throws -> Opportunity {
        let scope = try await filter(caller, action)
        guard let id = RecordID(parsing: id, prefix: .opportunity),
              let opportunity = try await rapport.database.read({ sql in try await OpportunityStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("opportunity") }
        return opportunity
    }

    /// The opportunity's stage history, oldest first (creation, moves, closing, re-opening).
    public func history(_ id: String, by caller: Caller) async throws -> [StageChange] {
        let opportunity = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await StageHistoryStore(sql).history(.opportunity, of: opportunity.id) }
    }
}
