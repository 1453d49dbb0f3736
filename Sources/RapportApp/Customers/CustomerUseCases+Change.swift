import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension CustomerUseCases {
    /// Changes a customer if `expectedVersion` is still current (`precondition_failed` otherwise;
    /// nil = whatever is current). New contact values are deduplicated like a create. The stage
    /// changes only through ``move(_:to:reason:by:)``, so every change goes through the engine.
    public func update(_ id: String, _ input: CustomerInput, expectedVersion: Int64?, by caller: Caller) async throws -> Customer {
        let existing = try await load(id, by: caller, .update)
        let readScope = try await filter(caller, .read)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let settings = try await CustomerSettings.load(sql)
            let dictionary = try await DictionaryUseCases.load(.customer, sql, template: rapport.settings.dictionaryTemplate)
            let normaliser = CustomerNormaliser(settings: settings, dictionary: dictionary, ids: rapport.ids, now: now)
            var customer = existing
            var check = Validator()
            if input.stage != nil { check.add("stage", "read_only", "Change the stage with POST /api/v1/customers/{id}/stage.") }
            normaliser.apply(input, to: &customer, creating: false, check: &check)
            try await resolveOwnership(input, of: &customer, creating: false, by: caller, check: &check, sql)
            try check.finish()
            customer.updatedAt = now

            let added = customer.contacts.filter { contact in
                contact.kind.isDedupKey && !existing.contacts.contains { $0.kind == contact.kind && $0.value == contact.value }
            }
            let keys = added.map { ($0.kind, $0.value) }
            try await sql.lockKeys(keys.map { "dedup:\($0.0.rawValue):\($0.1)" })
            let store = CustomerStore(sql)
            var matches = try await store.matches(keys, excluding: existing.id)
            if let ref = customer.externalRef, ref != existing.externalRef, let id = try await store.matches(externalRefs: [ref])[ref], id != existing.id {
                matches.append(DuplicateMatch(customerID: id, key: "external_ref", value: ref))
            }
            if !matches.isEmpty, settings.dedup.policy(for: caller.channel) != .flag {
                let visible = try await store.visible(matches.map(\.customerID), in: readScope)
                throw Self.duplicateError(matches, visible: visible)
            }
            guard try await store.replace(customer, expectedVersion: expectedVersion ?? existing.version, by: caller.actorID) else {
                throw RapportError(.preconditionFailed, "The customer was changed by someone else; fetch it again and retry.")
            }
            customer.version = (expectedVersion ?? existing.version) + 1
            var details: [String: String] = ["fields": Self.changedFields(existing, customer).joined(separator: ",")]
            if existing.ownerID != customer.ownerID {
                details["from_owner"] = existing.ownerID?.rawValue ?? ""
                details["to_owner"] = customer.ownerID?.rawValue ?? ""
            }
            try await rapport.record(rapport.event("customer.updated", by: caller, kind: .customer, object: existing.id.rawValue, details: details), in: sql)
            try await rapport.recordCustomerChange(from: existing, to: customer, at: now, in: sql)
            return customer.masked()
        }
    }

    /// Names of the fields that differ (for the audit log: names only, never values).
    static func changedFields(_ old: Customer, _ new: Customer) -> [String] {
        var fields: [String] = []
        if old.kind != new.kind { fields.append("kind") }
        if old.name != new.name { fields.append("name") }
        if old.company != new.company { fields.append("company") }
        if old.title != new.title { fields.append("title") }
        if old.ownerID != new.ownerID { fields.append("owner_id") }
        if old.teamID != new.teamID { fields.append("team_id") }
        if old.source != new.source { fields.append("source") }
        if old.valueTier != new.valueTier { fields.append("value_tier") }
        if old.score != new.score { fields.append("score") }
        if old.doNotContact != new.doNotContact || old.doNotContactReason != new.doNotContactReason { fields.append("do_not_contact") }
        if old.idNumber != new.idNumber { fields.append("id_number") }
        if old.customFields != new.customFields { fields.append("custom_fields") }
        if old.contacts != new.contacts { fields.append("contacts") }
        if old.tags != new.tags { fields.append("tags") }
        if old.consents != new.consents { fields.append("consents") }
        return fields
    }

    /// Moves a customer to another stage through the lifecycle engine: illegal transitions and
    /// unmet guards are refused; the change is recorded with who, when and why.
    public func move(_ id: String, to stage: String, reason: String?, expectedVersion: Int64? = nil, by caller: Caller) async throws -> Customer {
        let existing = try await load(id, by: caller, .update)
        var check = Validator()
        let reason = reason.map { check.text($0, field: "reason", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let dictionary = try await DictionaryUseCases.load(.customer, sql, template: rapport.settings.dictionaryTemplate)
            let state = LifecycleState(stage: existing.stage, enteredAt: existing.stageEnteredAt)
            let transition = try LifecycleEngine(dictionary).applyChecked(.move(to: stage, at: now, by: caller.actorID, reason: reason), to: state, filled: existing.filledFields)
            var customer = existing
            customer.stage = transition.state.stage
            customer.stageEnteredAt = transition.state.enteredAt
            customer.lifecycle = dictionary.stage(customer.stage)?.lifecycle ?? existing.lifecycle
            customer.updatedAt = now
            guard try await CustomerStore(sql).replace(customer, expectedVersion: expectedVersion ?? existing.version) else {
                throw RapportError(.preconditionFailed, "The customer was changed by someone else; fetch it again and retry.")
            }
            customer.version = (expectedVersion ?? existing.version) + 1
            try await rapport.recordTransition(transition, object: .customer, of: customer.id, owner: customer.ownerID, at: now, in: sql)
            try await rapport.record(rapport.event("customer.stage_changed", by: caller, kind: .customer, object: customer.id.rawValue,
                                                   details: ["from": existing.stage, "to": customer.stage]), in: sql)
            return customer.masked()
        }
    }

    /// The customer's stage history, oldest first, with time spent in each stage.
    public func stageHistory(_ id: String, by caller: Caller) async throws -> [StageChange] {
        let customer = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await StageHistoryStore(sql).history(.customer, of: customer.id) }
    }
}
