import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension LeadUseCases {
    /// Where imported leads go: their own pool or the import's; an owned lead gets its `create`
    /// log entry; a lead without an owner is routed by the assignment rules (``LeadRouter``), as
    /// every incoming lead is. Call ``LeadRouter/record(_:by:)`` with the routed leads once stored.
    static func placeImported(_ leads: inout [Lead], isOpen: (Lead) -> Bool, defaultPool: RecordID?, by actor: RecordID?, router: LeadRouter,
                              ids: any IDGenerating, at now: Date) async throws -> (log: [LeadAssignment], routed: [(Lead, LeadRouter.Routed)]) {
        var log: [LeadAssignment] = []
        for index in leads.indices where leads[index].poolID == nil { leads[index].poolID = defaultPool }
        let ownerless = leads.indices.filter { leads[$0].ownerID == nil }
        let plans = try await router.plan(ownerless.map { (leads[$0], isOpen(leads[$0])) })
        var routed: [(Lead, LeadRouter.Routed)] = []
        for (index, plan) in zip(ownerless, plans) where plan.placement != .unchanged {
            router.apply(plan, to: &leads[index])
            routed.append((leads[index], plan))
        }
        let routedIDs = Set(routed.map(\.0.id))
        for lead in leads where !routedIDs.contains(lead.id) {
            if let owner = lead.ownerID {
                log.append(LeadAssignment(id: ids.next(.assignment, at: now), leadID: lead.id, kind: .create, poolID: lead.poolID, to: owner,
                                          reason: "import", by: actor, at: now))
            }
        }
        return (log, routed)
    }

    /// The pool an import names (id or key), or the `default` lead pool; an error when it is not an active lead pool.
    static func importPool(_ named: String?, _ sql: any SQLDatabase) async throws -> RecordID? {
        guard let named else {
            return try await PoolStore(sql).find(key: "default").flatMap { $0.object == .lead && !$0.archived ? $0.id : nil }
        }
        guard let pool = try await PoolUseCases.find(named, sql), pool.object == .lead, !pool.archived else {
            throw RapportError.validation([FieldError(field: "pool", code: "invalid", message: "pool must be an active lead pool (id or key).")])
        }
        return pool.id
    }
}
