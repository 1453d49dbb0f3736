import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension LeadAnalyticsUseCases {
    /// Where one person of the team stands: open leads against a pool's holding limit, claims
    /// today, open customers, leads never followed up, and leads the next reclaim run takes back
    /// or warns about.
    public struct RepHolding: Sendable, Equatable {
        public var user: User
        /// Open leads the person owns, in every pool.
        public var openLeads: Int
        /// Open leads the person holds in the report's pool (what its holding limit counts).
        public var holding: Int
        /// The pool's holding limit for the person's level (nil: no limit).
        public var holdingLimit: Int?
        /// Leads claimed from the pool since the pool's day began.
        public var claimedToday: Int
        public var claimsPerDay: Int?
        /// Customers the person owns in an open stage (not merged away).
        public var openCustomers: Int
        /// Open leads the person owns that were never followed up.
        public var awaitingFirstTouch: Int
        /// Open leads of the pool the next reclaim run returns to it, and those it warns about.
        public var reclaimDue: Int
        public var reclaimWarned: Int

        /// What the next reclaim run does to the person's leads: returned or warned about.
        public var aboutToBeReclaimed: Int { reclaimDue + reclaimWarned }
    }

    /// The holding levels of a page of the people in the caller's scope, against one lead pool.
    public struct Holdings: Sendable {
        public var at: Date
        /// The pool whose limits, claims and reclaim rules the numbers use (nil: there is no lead pool).
        public var pool: Pool?
        /// The active lead pools (to choose another).
        public var pools: [Pool]
        /// The people, in id order, and the cursor of the next page.
        public var people: Page<RepHolding>
    }

    /// The holding levels of the people whose leads the caller may read (a rep: themselves; a
    /// manager: their team subtree; an administrator or analyst: everyone), optionally of one
    /// team, against lead pool `pool` (an id or key; by default the first pool the caller's team is
    /// a member of, else the `default` pool, else the first).
    public func holdings(pool reference: String? = nil, team: String? = nil, page: PageRequest, by caller: Caller) async throws -> Holdings {
        let scope = try await rapport.scope(caller, .read, .lead, anchor: .userTable, table: "users")
        let now = rapport.clock.now()
        let template = rapport.settings.dictionaryTemplate
        var check = Validator()
        var filter = UserStore.ListFilter()
        if let team {
            if let id = RecordID(parsing: team, prefix: .team) { filter.teamID = id } else { check.add("team_id", "invalid", "team_id is not a team id.") }
        }
        try check.finish()
        let people = filter
        return try await rapport.database.read { sql in
            let pools = try await PoolStore(sql).all(object: .lead)
            var pool: Pool?
            if let reference {
                guard let found = try await PoolUseCases.find(reference, sql), found.object == .lead else {
                    throw RapportError.validation([FieldError(field: "pool_id", code: "invalid", message: "pool_id must be a lead pool.")])
                }
                pool = found
            } else {
                let path = caller.principal?.teamPath
                pool = pools.first { !$0.memberTeamIDs.isEmpty && path != nil && $0.admits(teamPath: path) } ?? pools.first { $0.key == "default" } ?? pools.first
            }
            let listed = try await UserStore(sql).list(people, page: page, in: scope)
            let ids = listed.items.map(\.id)
            let leads = PooledRecords(sql, .leads)
            let open = try await leads.held(by: ids, in: nil)
            let stages = try await DictionaryUseCases.load(.customer, sql, template: template).stages.filter { $0.category == .open }.map(\.key)
            let customers = try await PooledRecords(sql, .customers(openStages: stages, heldStages: stages)).held(by: ids, in: nil)
            let waiting = try await LeadStore(sql).awaitingFirstTouch(owners: ids)
            var held: [RecordID: Int] = [:]
            var claimed: [RecordID: Int] = [:]
            var due: [RecordID: Int] = [:]
            var warned: [RecordID: Int] = [:]
            if let pool, !ids.isEmpty {
                held = try await leads.held(by: ids, in: pool.id)
                claimed = try await leads.claims(by: ids, in: pool.id, since: pool.rules.dayStart(containing: now))
                let run = try await rapport.pools.evaluate(pool, at: rapport.pools.nextReclaimRun(after: now), sql)
                for item in run.reclaimed { due[item.ownerID, default: 0] += 1 }
                for item in run.warned { warned[item.ownerID, default: 0] += 1 }
            }
            return Holdings(at: now, pool: pool, pools: pools, people: listed.map { user in
                let level = user.repLevel?.rawValue
                return RepHolding(user: user, openLeads: open[user.id] ?? 0, holding: held[user.id] ?? 0,
                                  holdingLimit: pool?.rules.holdingLimit.limit(for: level), claimedToday: claimed[user.id] ?? 0,
                                  claimsPerDay: pool?.rules.claimsPerDay.limit(for: level), openCustomers: customers[user.id] ?? 0,
                                  awaitingFirstTouch: waiting[user.id] ?? 0, reclaimDue: due[user.id] ?? 0, reclaimWarned: warned[user.id] ?? 0)
            })
        }
    }
}
