import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Merging duplicate customers with a field-by-field choice, keeping all history, and undoing it.
public struct MergeUseCases: Sendable {
    let rapport: Rapport

    var customers: CustomerUseCases { CustomerUseCases(rapport: rapport) }

    /// Merges `mergedID` into `survivorID`: the survivor takes the chosen fields and every contact
    /// point, tag, consent, activity, stage-history row, relation, opportunity (with its quotes),
    /// order (with its receivables) and entitlement of the other, which is kept as a tombstone
    /// (`merged_into`) so the merge can be undone. Both must be editable by the caller; the moved
    /// records go with the customer whoever's scope they are in, and the audit entry counts them.
    public func merge(survivor survivorID: String, merged mergedID: String, choices: [String: String], by caller: Caller) async throws -> MergeStore.Record {
        var check = Validator()
        var sides: [String: CustomerMerge.Side] = [:]
        for (field, side) in choices {
            if let parsed = CustomerMerge.Side(rawValue: side) { sides[field] = parsed } else {
                check.add("choices.\(field)", "invalid", "A choice is survivor or merged.")
            }
        }
        try check.finish()
        let survivor = try await customers.load(survivorID, by: caller, .update)
        let merged = try await customers.load(mergedID, by: caller, .update)
        let now = rapport.clock.now()
        let result = try CustomerMerge.apply(survivor: survivor, merged: merged, choices: sides, at: now)
        return try await rapport.transaction { sql in
            let store = CustomerStore(sql)
            let activities = try await ActivityStore(sql).ids(of: merged.id)
            let history = try await StageHistoryStore(sql).rowIDs(.customer, of: merged.id)
            let links = CustomerLinkStore(sql)
            var moved: [CustomerLinkedRecord: [String]] = [:]
            for kind in CustomerLinkedRecord.allCases { moved[kind] = try await links.ids(kind, ofCustomer: merged.id) }
            var tombstone = merged
            tombstone.mergedInto = survivor.id
            tombstone.contacts = []
            tombstone.tags = []
            tombstone.updatedAt = now
            guard try await store.replace(tombstone, expectedVersion: merged.version) else {
                throw RapportError(.preconditionFailed, "A customer was changed during the merge; try again.")
            }
            guard try await store.replace(result, expectedVersion: survivor.version) else {
                throw RapportError(.preconditionFailed, "A customer was changed during the merge; try again.")
            }
            try await ActivityStore(sql).reassign(activities, to: survivor.id)
            try await StageHistoryStore(sql).reassign(history, to: survivor.id)
            for kind in CustomerLinkedRecord.allCases { try await links.reassign(moved[kind] ?? [], kind, toCustomer: survivor.id, at: now) }
            let relations = try await RelationStore(sql).repoint(from: merged.id, to: survivor.id)
            let record = MergeStore.Record(
                id: rapport.ids.next(.merge, at: now), survivorID: survivor.id, mergedID: merged.id,
                snapshot: .init(survivorBefore: survivor, mergedBefore: merged, survivorVersionAfter: survivor.version + 1,
                                activityIDs: activities, stageHistoryIDs: history, relationsMoved: relations.moved,
                                relationsRemoved: relations.removed, choices: sides, opportunityIDs: moved[.opportunities],
                                orderIDs: moved[.orders], entitlementIDs: moved[.entitlements]),
                mergedBy: caller.actorID, mergedAt: now, undoneAt: nil, undoneBy: nil)
            try await MergeStore(sql).insert(record)
            var details = ["merged": merged.id.rawValue, "merge": record.id.rawValue]
            for kind in CustomerLinkedRecord.allCases { details[kind.rawValue] = String(moved[kind]?.count ?? 0) }
            try await rapport.record(rapport.event("customer.merged", by: caller, kind: .customer, object: survivor.id.rawValue, details: details), in: sql)
            return record
        }
    }

    /// One merge, if the caller may see its survivor.
    public func get(_ id: String, by caller: Caller) async throws -> MergeStore.Record {
        guard let id = RecordID(parsing: id, prefix: .merge) else { throw RapportError.notFound("merge") }
        let scope = try await customers.filter(caller, .read)
        return try await rapport.database.read { sql in
            guard let record = try await MergeStore(sql).find(id),
                  try await CustomerStore(sql).visible([record.survivorID], in: scope).contains(record.survivorID)
            else { throw RapportError.notFound("merge") }
            return record
        }
    }

    /// Undoes a merge: both customers exactly as they were before it, with their contacts, tags,
    /// consents, activities, stage history, relations, opportunities, orders and entitlements.
    /// Refused when the survivor was changed after the merge (its later changes would be lost), or
    /// when already undone.
    public func undo(_ id: String, by caller: Caller) async throws -> MergeStore.Record {
        let record = try await get(id, by: caller)
        _ = try await customers.load(record.survivorID.rawValue, by: caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            guard try await MergeStore(sql).markUndone(record.id, at: now, by: caller.actorID) else {
                throw RapportError(.conflict, "This merge was already undone.")
            }
            let store = CustomerStore(sql)
            guard let survivorNow = try await store.find(record.survivorID), let mergedNow = try await store.find(record.mergedID) else {
                throw RapportError.notFound("customer")
            }
            guard survivorNow.version == record.snapshot.survivorVersionAfter, mergedNow.mergedInto == record.survivorID else {
                throw RapportError(.conflict, "The customer was changed after the merge; undoing it would lose those changes.")
            }
            // Contacts first leave the survivor, so the merged customer's can be restored with their ids.
            var survivor = record.snapshot.survivorBefore
            survivor.updatedAt = now
            guard try await store.replace(survivor, expectedVersion: survivorNow.version) else {
                throw RapportError(.preconditionFailed, "The customer was changed during the undo; try again.")
            }
            var merged = record.snapshot.mergedBefore
            merged.updatedAt = now
            guard try await store.replace(merged, expectedVersion: mergedNow.version) else {
                throw RapportError(.preconditionFailed, "The customer was changed during the undo; try again.")
            }
            try await ActivityStore(sql).reassign(record.snapshot.activityIDs, to: record.mergedID)
            try await StageHistoryStore(sql).reassign(record.snapshot.stageHistoryIDs, to: record.mergedID)
            for kind in CustomerLinkedRecord.allCases {
                try await CustomerLinkStore(sql).reassign(record.snapshot.moved(kind), kind, toCustomer: record.mergedID, at: now)
            }
            try await RelationStore(sql).restore(record.snapshot.relationsMoved + record.snapshot.relationsRemoved, by: caller.actorID)
            try await rapport.record(rapport.event("customer.merge_undone", by: caller, kind: .customer, object: record.survivorID.rawValue,
                                                   details: ["merged": record.mergedID.rawValue, "merge": record.id.rawValue]), in: sql)
            var undone = record
            undone.undoneAt = now
            undone.undoneBy = caller.actorID
            return undone
        }
    }
}

extension MergeUseCases {
    /// A group of customers in the caller's scope sharing a contact value (shown masked).
    public struct DuplicateGroup: Sendable {
        public var kind: ContactPoint.Kind
        public var maskedValue: String
        public var customers: [Customer]
    }

    /// The duplicates report: live customers in scope sharing a normalised phone, email or unionid.
    public func duplicates(page: PageRequest, by caller: Caller) async throws -> Page<DuplicateGroup> {
        let scope = try await customers.filter(caller, .read)
        return try await rapport.database.read { sql in
            let store = CustomerStore(sql)
            let groups = try await store.duplicateGroups(page: page, in: scope)
            var result: [DuplicateGroup] = []
            for group in groups.items {
                var members: [Customer] = []
                for id in group.customers { if let customer = try await store.find(id, in: scope) { members.append(customer.masked()) } }
                result.append(DuplicateGroup(kind: group.kind, maskedValue: group.kind.mask(group.value), customers: members))
            }
            return Page(items: result, nextCursor: groups.nextCursor)
        }
    }
}
