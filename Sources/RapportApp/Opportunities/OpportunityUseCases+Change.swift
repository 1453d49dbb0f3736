import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension OpportunityUseCases {
    /// Changes an opportunity's fields (not its pipeline or stage: those are fixed or have their own
    /// door; its customer only when it has none yet — an account found for an open deal — and one
    /// the caller can see). A manager or administrator may give it to another owner. The current stage's
    /// guards must stay filled; `loss_reason` may only be corrected on a lost opportunity.
    public func update(_ id: String, _ input: OpportunityInput, expectedVersion: Int64?, by caller: Caller) async throws -> Item {
        guard input.pipeline == nil, input.stage == nil else {
            var check = Validator()
            if input.pipeline != nil { check.add("pipeline", "read_only", "An opportunity stays in its pipeline.") }
            if input.stage != nil { check.add("stage", "read_only", "Change the stage with POST /opportunities/{id}/stage.") }
            throw RapportError.validation(check.errors)
        }
        let existing = try await load(id, by: caller, .update)
        let customerScope = try await rapport.scope(caller, .read, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let dictionary = try await dictionary(sql)
            let pipeline = try Self.pipeline(of: existing, in: dictionary)
            var opportunity = existing
            var check = Validator()
            if let customer = input.customer {
                let id = RecordID(parsing: customer, prefix: .customer)
                if let current = existing.customerID {
                    if id != current { check.add("customer_id", "read_only", "An opportunity stays with its customer.") }
                } else if let id, try await CustomerStore(sql).find(id, in: customerScope) != nil {
                    opportunity.customerID = id
                } else {
                    check.add("customer_id", "invalid", "customer_id must be a customer you can see.")
                }
            }
            if input.lossReason != nil, existing.statusCategory != .lost {
                check.add("loss_reason", "read_only", "Only a lost opportunity has a loss reason; it is set by the move to a lost stage.")
            } else if case .some(.none) = input.lossReason {
                check.add("loss_reason", "required", "A lost opportunity keeps a loss reason.")
            }
            OpportunityNormaliser(settings: try await CustomerSettings.load(sql), dictionary: dictionary, ids: rapport.ids, now: now)
                .apply(input, to: &opportunity, creating: false, check: &check)
            if let owner = input.owner, RecordID(parsing: owner, prefix: .user) != existing.ownerID {
                let role = caller.principal?.role
                if role == nil || role == .admin || role == .manager {
                    try await resolveOwner(owner, of: &opportunity, by: caller, check: &check, sql)
                } else {
                    check.add("owner_id", "forbidden", "Only managers and administrators give an opportunity to another owner.")
                }
            }
            for key in Self.engine(pipeline, dictionary).missingFields(toEnter: existing.stage, filled: opportunity.filledFields) {
                let path = dictionary.field(key) == nil || key == Opportunity.lossReasonField ? key : CustomFieldValidation.path(key)
                check.add(path, "required", "\(key) is required in stage \(existing.stage).")
            }
            try check.finish()
            opportunity.updatedAt = now
            let version = expectedVersion ?? existing.version
            guard try await OpportunityStore(sql).replace(opportunity, expectedVersion: version) else {
                throw RapportError(.preconditionFailed, "The opportunity was changed by someone else; fetch it again and retry.")
            }
            opportunity.version = version + 1
            var details: [String: String] = [:]
            if opportunity.ownerID != existing.ownerID {
                details["from_owner"] = existing.ownerID.rawValue
                details["to_owner"] = opportunity.ownerID.rawValue
                // A collaborator who becomes the owner no longer needs a grant.
                try await OpportunityStore(sql).unshare(opportunity.id, with: opportunity.ownerID)
            }
            try await rapport.record(rapport.event("opportunity.updated", by: caller, kind: .opportunity, object: opportunity.id.rawValue,
                                                   details: details), in: sql)
            return Self.item(opportunity, in: dictionary, collaborators: try await OpportunityStore(sql).collaborators(of: opportunity.id))
        }
    }

    /// Moves an open opportunity to another stage of its pipeline along the transitions (guards
    /// apply): won and lost close it, a lost stage needs `lossReason` (an option of the dictionary's
    /// `loss_reason`). A closed opportunity goes back to an open stage only by ``reopen(_:to:reason:expectedVersion:by:)``.
    /// `filling` sets fields in the same step (what the target's guards ask for, as a stage form
    /// sends them); it may not touch the customer, pipeline, stage, owner or loss reason, and a
    /// refused move changes nothing.
    public func move(
        _ id: String, to stage: String, reason: String?, lossReason: String? = nil, filling: OpportunityInput? = nil, expectedVersion: Int64? = nil,
        by caller: Caller
    ) async throws -> Item {
        var check = Validator()
        let reason = reason.map { check.text($0, field: "reason", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        if let filling, !filling.fillsOnlyFields { check.add("stage", "read_only", "Only fields may be filled along with a stage change.") }
        try check.finish()
        let existing = try await load(id, by: caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let dictionary = try await dictionary(sql)
            let pipeline = try Self.pipeline(of: existing, in: dictionary)
            let target = pipeline.stage(stage)
            if existing.statusCategory.isClosed, target?.category == .open {
                throw RapportError(.conflict, "The opportunity is closed (\(existing.stage)); re-open it with POST /opportunities/{id}/reopen.")
            }
            var opportunity = existing
            if let filling {
                var check = Validator()
                OpportunityNormaliser(settings: try await CustomerSettings.load(sql), dictionary: dictionary, ids: rapport.ids, now: now)
                    .apply(filling, to: &opportunity, creating: false, check: &check)
                try check.finish()
            }
            if target?.category == .lost {
                var check = Validator()
                let normaliser = OpportunityNormaliser(settings: try await CustomerSettings.load(sql), dictionary: dictionary, ids: rapport.ids, now: now)
                if let lossReason { opportunity.lossReason = normaliser.lossReason(lossReason, &check) }
                try check.finish()
                try Self.requireLossReason(opportunity)
            } else if lossReason != nil {
                throw RapportError.validation([FieldError(field: "loss_reason", code: "invalid", message: "A loss reason goes only with a move to a lost stage.")])
            }
            let transition = try Self.engine(pipeline, dictionary).applyChecked(
                .move(to: stage, at: now, by: caller.actorID, reason: reason),
                to: LifecycleState(stage: existing.stage, enteredAt: existing.stageEnteredAt), filled: opportunity.filledFields)
            let fieldsChanged = opportunity != existing
            Self.enter(transition, of: &opportunity, pipeline: pipeline)
            opportunity.updatedAt = now
            let item = try await save(opportunity, existing: existing, transition: transition, expectedVersion: expectedVersion,
                                      action: "opportunity.stage_changed", by: caller, dictionary: dictionary, sql)
            if fieldsChanged, filling != nil {
                try await rapport.record(rapport.event("opportunity.updated", by: caller, kind: .opportunity, object: opportunity.id.rawValue), in: sql)
            }
            return item
        }
    }

    /// Re-opens a won or lost opportunity: a recorded move to an open stage along the closed stage's
    /// transitions (by default the open stage it was closed from, else the first allowed one), with
    /// the reason. The closing time and the loss reason are cleared; the history keeps both.
    public func reopen(_ id: String, to stage: String?, reason: String, expectedVersion: Int64? = nil, by caller: Caller) async throws -> Item {
        var check = Validator()
        let reason = check.text(reason, field: "reason", maxLength: 500, allowEmpty: false)
        try check.finish()
        let existing = try await load(id, by: caller, .update)
        guard existing.statusCategory.isClosed else { throw RapportError(.conflict, "The opportunity is open (\(existing.stage)); there is nothing to re-open.") }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let dictionary = try await dictionary(sql)
            let pipeline = try Self.pipeline(of: existing, in: dictionary)
            let engine = Self.engine(pipeline, dictionary)
            let allowed = engine.allowedTargets(from: existing.stage).filter { pipeline.stage($0)?.category == .open }
            var target = stage
            if target == nil {
                let history = try await StageHistoryStore(sql).history(.opportunity, of: existing.id)
                let closedFrom = history.last { $0.to == existing.stage }?.from
                target = closedFrom.flatMap { allowed.contains($0) ? $0 : nil } ?? allowed.first
            }
            guard let target else {
                throw RapportError(.conflict, "Stage \(existing.stage) has no transition to an open stage; the pipeline must allow one.",
                                   extra: ["allowed_stages": ""])
            }
            if let category = pipeline.stage(target)?.category, category != .open {
                throw RapportError.validation([FieldError(field: "stage", code: "invalid", message: "Re-opening goes to an open stage; \(target) is \(category.rawValue).")])
            }
            var opportunity = existing
            let transition = try engine.applyChecked(
                .move(to: target, at: now, by: caller.actorID, reason: reason),
                to: LifecycleState(stage: existing.stage, enteredAt: existing.stageEnteredAt), filled: opportunity.filledFields)
            Self.enter(transition, of: &opportunity, pipeline: pipeline)
            opportunity.updatedAt = now
            return try await save(opportunity, existing: existing, transition: transition, expectedVersion: expectedVersion,
                                  action: "opportunity.reopened", by: caller, dictionary: dictionary, sql)
        }
    }

    /// Stores a stage change: the row (if the version still matches), the history and the audit entry.
    private func save(
        _ opportunity: Opportunity, existing: Opportunity, transition: LifecycleTransition, expectedVersion: Int64?, action: String,
        by caller: Caller, dictionary: ObjectDictionary, _ sql: any SQLDatabase
    ) async throws -> Item {
        var opportunity = opportunity
        let version = expectedVersion ?? existing.version
        guard try await OpportunityStore(sql).replace(opportunity, expectedVersion: version) else {
            throw RapportError(.preconditionFailed, "The opportunity was changed by someone else; fetch it again and retry.")
        }
        opportunity.version = version + 1
        let now = opportunity.updatedAt
        try await rapport.recordTransition(transition, object: .opportunity, of: opportunity.id, owner: opportunity.ownerID, at: now, in: sql)
        var details = ["from": existing.stage, "to": opportunity.stage, "category": opportunity.statusCategory.rawValue]
        if let reason = opportunity.lossReason { details["loss_reason"] = reason }
        try await rapport.record(rapport.event(action, by: caller, kind: .opportunity, object: opportunity.id.rawValue, details: details), in: sql)
        return Self.item(opportunity, in: dictionary, collaborators: try await OpportunityStore(sql).collaborators(of: opportunity.id))
    }
}
