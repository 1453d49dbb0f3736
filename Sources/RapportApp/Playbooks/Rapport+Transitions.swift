import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension Rapport {
    /// Records what a lifecycle transition of a record did, in the change's transaction: its
    /// stage-history rows, and each stage it entered as a change the playbooks observe (runs on the
    /// record end on their exits; the playbooks the stage triggers start, with steps for `owner`).
    /// An order entering `signed` is also the "order signed" trigger.
    func recordTransition(_ transition: LifecycleTransition, object: DictionaryObject, of record: RecordID, owner: RecordID?, at now: Date,
                          in sql: any SQLDatabase) async throws {
        try await StageHistoryStore(sql).append(CustomerUseCases.history(transition, object: object, of: record, ids: ids, at: now))
        let playbooks = self.playbooks
        for effect in transition.effects {
            guard case .enteredCategory(let category, let stage) = effect else { continue }
            try await playbooks.observe(RecordChange(object: object, recordID: record, event: .stageEntered(stage, category: category), at: now),
                                        owner: owner, in: sql)
            if object == .order, stage == OrderStatus.signed.rawValue {
                try await playbooks.observe(RecordChange(object: .order, recordID: record, event: .signed, at: now), owner: owner, in: sql)
            }
        }
    }

    /// Leads given to reps (created with an owner, routed, claimed, assigned from a pool): the
    /// "lead assigned" trigger, in the change's transaction.
    func recordLeadsAssigned(_ leads: [(lead: RecordID, owner: RecordID)], at now: Date, in sql: any SQLDatabase) async throws {
        try await playbooks.observe(leads.map { (RecordChange(object: .lead, recordID: $0.lead, event: .assigned(to: $0.owner), at: now), $0.owner) }, in: sql)
    }

    /// What a customer's change means to the playbooks: each tag added starts the "tag added"
    /// trigger; becoming do-not-contact ends the runs on it.
    func recordCustomerChange(from old: Customer?, to new: Customer, at now: Date, in sql: any SQLDatabase) async throws {
        let playbooks = self.playbooks
        let before = Set(old?.tags ?? [])
        for tag in new.tags where !before.contains(tag) {
            try await playbooks.observe(RecordChange(object: .customer, recordID: new.id, event: .tagAdded(tag), at: now), owner: new.ownerID, in: sql)
        }
        if new.doNotContact, !(old?.doNotContact ?? false) {
            try await playbooks.observe(RecordChange(object: .customer, recordID: new.id, event: .doNotContact, at: now), owner: new.ownerID, in: sql)
        }
    }
}
