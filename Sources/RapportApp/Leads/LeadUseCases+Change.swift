import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension LeadUseCases {
    /// Changes a lead's fields (not its status, owner or pool: those have their own doors).
    public func update(_ id: String, _ input: LeadInput, expectedVersion: Int64?, by caller: Caller) async throws -> Lead {
        guard input.status == nil, input.owner == nil, input.pool == nil else {
            var check = Validator()
            if input.status != nil { check.add("status", "read_only", "Change the status with POST /leads/{id}/status.") }
            if input.owner != nil { check.add("owner_id", "read_only", "Change the owner by claiming, assigning or releasing.") }
            if input.pool != nil { check.add("pool_id", "read_only", "A lead's pool changes by assignment.") }
            throw RapportError.validation(check.errors)
        }
        let existing = try await load(id, by: caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let dictionary = try await dictionary(sql)
            var lead = existing
            var check = Validator()
            LeadNormaliser(settings: try await CustomerSettings.load(sql), dictionary: dictionary, ids: rapport.ids, now: now)
                .apply(input, to: &lead, creating: false, check: &check)
            try check.finish()
            lead.updatedAt = now
            let version = expectedVersion ?? existing.version
            guard try await LeadStore(sql).replace(lead, category: Self.category(of: lead.status, in: dictionary), expectedVersion: version) else {
                throw RapportError(.preconditionFailed, "The lead was changed by someone else; fetch it again and retry.")
            }
            lead.version = version + 1
            try await rapport.record(rapport.event("lead.updated", by: caller, kind: .lead, object: lead.id.rawValue), in: sql)
            return lead.masked()
        }
    }

    /// Moves a lead to another status along the dictionary's transitions (guards apply). `filling`
    /// sets fields in the same step (what the target's guards ask for, as a status form sends
    /// them); it may not touch the status, owner or pool, and a refused move changes nothing.
    public func move(_ id: String, to status: String, reason: String?, filling: LeadInput? = nil, expectedVersion: Int64? = nil,
                     by caller: Caller) async throws -> Lead {
        let existing = try await load(id, by: caller, .update)
        var check = Validator()
        let reason = reason.map { check.text($0, field: "reason", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        if let filling, filling.status != nil || filling.owner != nil || filling.pool != nil {
            check.add("status", "read_only", "Only fields may be filled along with a status change.")
        }
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let dictionary = try await dictionary(sql)
            var lead = existing
            if let filling {
                var check = Validator()
                LeadNormaliser(settings: try await CustomerSettings.load(sql), dictionary: dictionary, ids: rapport.ids, now: now)
                    .apply(filling, to: &lead, creating: false, check: &check)
                try check.finish()
            }
            let fieldsChanged = lead != existing
            let transition = try LifecycleEngine(dictionary).applyChecked(.move(to: status, at: now, by: caller.actorID, reason: reason),
                                                                   to: LifecycleState(stage: existing.status, enteredAt: existing.statusEnteredAt),
                                                                   filled: lead.filledFields)
            lead.status = transition.state.stage
            lead.statusEnteredAt = transition.state.enteredAt
            lead.lastProgressAt = now
            lead.updatedAt = now
            let version = expectedVersion ?? existing.version
            guard try await LeadStore(sql).replace(lead, category: Self.category(of: lead.status, in: dictionary), expectedVersion: version) else {
                throw RapportError(.preconditionFailed, "The lead was changed by someone else; fetch it again and retry.")
            }
            lead.version = version + 1
            try await rapport.recordTransition(transition, object: .lead, of: lead.id, owner: lead.ownerID, at: now, in: sql)
            if fieldsChanged {
                try await rapport.record(rapport.event("lead.updated", by: caller, kind: .lead, object: lead.id.rawValue), in: sql)
            }
            try await rapport.record(rapport.event("lead.status_changed", by: caller, kind: .lead, object: lead.id.rawValue,
                                                   details: ["from": existing.status, "to": lead.status]), in: sql)
            return lead.masked()
        }
    }

    /// The lead's status history, oldest first.
    public func statusHistory(_ id: String, by caller: Caller) async throws -> [StageChange] {
        let lead = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await StageHistoryStore(sql).history(.lead, of: lead.id) }
    }

    /// Who owned the lead, when and why (claims, assignments, releases, reclaims), oldest first.
    public func assignments(_ id: String, by caller: Caller) async throws -> [LeadAssignment] {
        let lead = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await LeadStore(sql).assignments(of: lead.id) }
    }

    /// Gives a lead back to its pool (with a reason): its owner or a manager over them may.
    /// The status and history stay; the previous owner is recorded for the cooldown.
    public func release(_ id: String, reason: String, by caller: Caller) async throws -> Lead {
        var check = Validator()
        let reason = check.text(reason, field: "reason", maxLength: 500, allowEmpty: false)
        try check.finish()
        let existing = try await load(id, by: caller, .update)
        guard let owner = existing.ownerID else { throw RapportError(.conflict, "The lead already waits in its pool.") }
        guard let pool = existing.poolID else {
            throw RapportError.validation([FieldError(field: "pool_id", code: "required", message: "The lead has no pool to return to; a manager must assign one.")])
        }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let dictionary = try await dictionary(sql)
            var lead = existing
            lead.previousOwnerID = owner
            lead.releasedAt = now
            lead.ownerID = nil
            lead.assignedAt = nil
            lead.protectedUntil = nil
            lead.updatedAt = now
            guard try await LeadStore(sql).replace(lead, category: Self.category(of: lead.status, in: dictionary), expectedVersion: existing.version) else {
                throw RapportError(.conflict, "The lead was changed at the same time; fetch it again and retry.")
            }
            lead.version = existing.version + 1
            try await LeadStore(sql).log([LeadAssignment(id: rapport.ids.next(.assignment, at: now), leadID: lead.id, kind: .release, poolID: pool,
                                                         from: owner, reason: reason, by: caller.actorID, at: now)])
            try await rapport.record(rapport.event("lead.released", by: caller, kind: .lead, object: lead.id.rawValue,
                                                   details: ["pool_id": pool.rawValue]), in: sql)
            return lead.masked()
        }
    }
}
