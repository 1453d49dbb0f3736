import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// What the owners of a batch of incoming leads already hold, per pool, against their limits:
/// lets a batch (an import) refuse exactly the leads that would take an owner past their holding
/// limit, as a lead created owned through the API is refused. Takes the owners' holding locks
/// (the ones claims take), so the counts stay exact under concurrency.
struct HoldingLedger {
    var counts: [AssignmentPlanner.HoldingKey: Int] = [:]
    var limits: [AssignmentPlanner.HoldingKey: Int] = [:]
    let defaultPool: RecordID?
    let isOpen: (Lead) -> Bool

    init(for leads: [Lead], defaultPool: RecordID?, isOpen: @escaping (Lead) -> Bool, _ sql: any SQLDatabase) async throws {
        self.defaultPool = defaultPool
        self.isOpen = isOpen
        let owned = leads.filter { $0.ownerID != nil && isOpen($0) }
        let owners = Set(owned.compactMap(\.ownerID)).sorted { $0.rawValue < $1.rawValue }
        let pools = Set(owned.compactMap { $0.poolID ?? defaultPool }).sorted { $0.rawValue < $1.rawValue }
        guard !owners.isEmpty, !pools.isEmpty else { return }
        try await sql.lockKeys(owners.map { "holding:\($0.rawValue)" })
        var rules: [RecordID: PoolRules] = [:]
        for pool in pools { rules[pool] = try await PoolStore(sql).find(pool)?.rules }
        for owner in owners {
            let level = try await UserStore(sql).find(owner)?.repLevel?.rawValue
            for pool in pools { limits[.init(user: owner, pool: pool)] = rules[pool]?.holdingLimit.limit(for: level) }
        }
        counts = try await LeadStore(sql).holdings(users: owners, pools: pools)
    }

    /// Counts `lead` towards its owner's holding, or says why it may not be taken.
    mutating func take(_ lead: Lead) -> ClaimRefusal? {
        guard let owner = lead.ownerID, isOpen(lead), let pool = lead.poolID ?? defaultPool else { return nil }
        let key = AssignmentPlanner.HoldingKey(user: owner, pool: pool)
        let held = counts[key, default: 0]
        if let limit = limits[key], held + 1 > limit { return .holdingLimit(limit: limit, holding: held) }
        counts[key] = held + 1
        return nil
    }
}
