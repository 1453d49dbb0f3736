import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension PoolUseCases {
    /// The most leads one claim or assignment request may name.
    public static let maximumPerRequest = 100

    /// Claims waiting leads of a pool for the caller, all or none: every lead must still wait there,
    /// and the caller must stay within the holding limit and the daily claim cap and be past any
    /// cooldown. Race-free: of several reps claiming one lead, exactly one wins (the take is a
    /// conditional update); one rep's claims run one at a time (a lock on the rep), so the counts
    /// they check are exact on either engine.
    public func claim(_ reference: String, leads: [String], by caller: Caller) async throws -> [Lead] {
        guard let principal = caller.principal else { throw RapportError(.forbidden, "Only a user claims leads.") }
        _ = try await rapport.scope(caller, .update, .lead, anchor: .owner(column: "owner_id"), table: "leads")
        let ids = try Self.leadIDs(leads)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let pool = try await require(reference, sql)
            guard pool.object == .lead, !pool.archived else { throw RapportError.notFound("pool") }
            guard principal.role == .admin || pool.admits(teamPath: principal.teamPath) else {
                throw RapportError(.forbidden, "You are not a member of this pool.")
            }
            let dictionary = try await DictionaryUseCases.load(.lead, sql, template: rapport.settings.dictionaryTemplate)
            try await sql.lockKeys(["holding:\(principal.userID.rawValue)"])
            let store = LeadStore(sql)
            let found = try await waitingLeads(ids, in: pool, store)
            let opening = found.filter { LeadUseCases.category(of: $0.status, in: dictionary) == .open }.count
            let holding = try await store.holding(principal.userID, in: pool.id)
            let claimed = try await store.claims(by: principal.userID, in: pool.id, since: pool.rules.dayStart(containing: now))
            for lead in found {
                if let refusal = pool.rules.refusal(holding: holding, claimedToday: claimed, claiming: opening, level: principal.repLevel?.rawValue,
                                                    rep: principal.userID, previousOwner: lead.previousOwnerID, releasedAt: lead.releasedAt, now: now) {
                    throw refusal.rapportError
                }
            }
            let result = try await take(found, from: pool, to: principal.userID, team: principal.teamID, kind: .claim, by: caller, at: now, sql)
            try await rapport.record(rapport.event("pool.claimed", by: caller, kind: .pool, object: pool.id.rawValue,
                                                   details: ["leads": String(result.count)]), in: sql)
            return result.map { $0.masked() }
        }
    }

    /// Assigns waiting leads of a pool to a user: managers (within their team subtree),
    /// administrators and the pool's administrators. The holding limit applies; the daily claim
    /// cap and the cooldown do not (they govern reps' own claims).
    public func assign(_ reference: String, leads: [String], to user: String, reason: String?, by caller: Caller) async throws -> [Lead] {
        let ids = try Self.leadIDs(leads)
        let userScope = try await rapport.scope(caller, .read, .user, anchor: .userTable, table: "users")
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let pool = try await require(reference, sql)
            guard pool.object == .lead, !pool.archived else { throw RapportError.notFound("pool") }
            let (assignee, reason) = try await assignee(user, reason: reason, for: pool, userScope: userScope, by: caller, sql)
            let dictionary = try await DictionaryUseCases.load(.lead, sql, template: rapport.settings.dictionaryTemplate)
            let store = LeadStore(sql)
            let waiting = try await waitingLeads(ids, in: pool, store)
            let opening = waiting.filter { LeadUseCases.category(of: $0.status, in: dictionary) == .open }.count
            try await Self.checkHolding(assignee.id, level: assignee.repLevel, adding: opening, in: pool, sql)
            let result = try await take(waiting, from: pool, to: assignee.id, team: assignee.teamID, kind: .assign, reason: reason, by: caller, at: now, sql)
            if assignee.id != caller.principal?.userID {
                let notices = rapport.notifications
                try await notices.send(result.map { lead in
                    notices.make(assignee.id, "lead.assigned", details: ["pool_id": pool.id.rawValue, "by": caller.actorID?.rawValue ?? "system"],
                                 about: (.lead, lead.id.rawValue))
                }, in: sql)
            }
            try await rapport.record(rapport.event("pool.assigned", by: caller, kind: .pool, object: pool.id.rawValue,
                                                   details: ["leads": String(result.count), "to": assignee.id.rawValue]), in: sql)
            return result.map { $0.masked() }
        }
    }

    /// The active user a manager, an administrator or the pool's administrator may give records of
    /// `pool` to (a member of the pool), and the reason checked.
    func assignee(_ user: String, reason: String?, for pool: Pool, userScope: ScopeFilter, by caller: Caller,
                  _ sql: any SQLDatabase) async throws -> (User, String?) {
        var check = Validator()
        let reason = reason.map { check.text($0, field: "reason", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        let target = RecordID(parsing: user, prefix: .user)
        if target == nil { check.add("user_id", "invalid", "user_id is not a user id.") }
        try check.finish()
        let role = caller.principal?.role
        let isPoolAdmin = caller.principal.map { pool.adminIDs.contains($0.userID) } ?? false
        guard role == nil || role == .admin || role == .manager || isPoolAdmin else {
            throw RapportError(.forbidden, "Only managers, administrators and the pool's administrators assign from a pool.")
        }
        // Pool administrators may assign to any member; managers to users in their scope.
        let scope = isPoolAdmin && role != .manager ? nil : userScope
        let found = if let scope { try await UserStore(sql).find(target!, in: scope) } else { try await UserStore(sql).find(target!) }
        guard let assignee = found, assignee.status == .active else {
            throw RapportError.validation([FieldError(field: "user_id", code: "invalid", message: "user_id must be an active user you may assign records to.")])
        }
        let path = try await assignee.teamID.asyncMap { try await TeamStore(sql).find($0)?.path } ?? nil
        guard pool.admits(teamPath: path) || assignee.role == .admin else {
            throw RapportError.validation([FieldError(field: "user_id", code: "invalid", message: "The user is not a member of this pool.")])
        }
        return (assignee, reason)
    }

    /// Refuses (`holding_limit_reached`) when `owner` would hold more open leads of the pool than
    /// its limit for their level. Takes the owner's holding lock first, so every door that gives a
    /// rep leads (claim, assignment, create) counts exactly under any concurrency.
    static func checkHolding(_ owner: RecordID, level: RepLevel?, adding: Int, in pool: Pool, _ sql: any SQLDatabase,
                             template: BusinessDictionary? = nil) async throws {
        try await sql.lockKeys(["holding:\(owner.rawValue)"])
        guard adding > 0, let limit = pool.rules.holdingLimit.limit(for: level?.rawValue) else { return }
        let kind = if let template { try await pooled(pool, sql, template: template) } else { PooledRecords.Kind.leads }
        let holding = try await PooledRecords(sql, kind).holding(owner, in: pool.id)
        if holding + adding > limit { throw ClaimRefusal.holdingLimit(limit: limit, holding: holding).rapportError }
    }

    /// ``checkHolding(_:level:adding:in:_:)`` for a pool and owner named by id (the owner's level read).
    static func checkHolding(_ owner: RecordID, adding: Int, in poolID: RecordID, _ sql: any SQLDatabase) async throws {
        guard let pool = try await PoolStore(sql).find(poolID), let user = try await UserStore(sql).find(owner) else { return }
        try await checkHolding(owner, level: user.repLevel, adding: adding, in: pool, sql)
    }

    static func leadIDs(_ references: [String]) throws -> [RecordID] {
        guard !references.isEmpty, references.count <= maximumPerRequest else {
            throw RapportError.validation([FieldError(field: "lead_ids", code: "invalid", message: "Name 1 to \(maximumPerRequest) leads.")])
        }
        var ids: [RecordID] = []
        for (index, reference) in references.enumerated() {
            guard let id = RecordID(parsing: reference, prefix: .lead) else {
                throw RapportError.validation([FieldError(field: "lead_ids[\(index)]", code: "invalid", message: "lead_ids[\(index)] is not a lead id.")])
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    /// The named leads, each of which must wait in `pool`.
    func waitingLeads(_ ids: [RecordID], in pool: Pool, _ store: LeadStore) async throws -> [Lead] {
        var leads: [Lead] = []
        for id in ids {
            guard let lead = try await store.find(id), lead.poolID == pool.id else { throw RapportError.notFound("lead in this pool") }
            guard lead.ownerID == nil else { throw RapportError(.alreadyClaimed, "Someone else has just taken this lead.", extra: ["lead_id": id.rawValue]) }
            leads.append(lead)
        }
        return leads
    }

    /// Gives each lead to `owner` if it still waits (exactly one of concurrent takers wins) and logs it.
    func take(_ leads: [Lead], from pool: Pool, to owner: RecordID, team: RecordID?, kind: LeadAssignment.Kind, reason: String? = nil,
              by caller: Caller, at now: Date, _ sql: any SQLDatabase) async throws -> [Lead] {
        let store = LeadStore(sql)
        let protectedUntil = now.addingTimeInterval(Double(pool.rules.protectionDays) * 86_400)
        var result: [Lead] = []
        for var lead in leads {
            guard try await store.take(lead.id, from: pool.id, owner: owner, team: team, at: now, protectedUntil: protectedUntil) else {
                throw RapportError(.alreadyClaimed, "Someone else has just taken this lead.", extra: ["lead_id": lead.id.rawValue])
            }
            lead.ownerID = owner
            lead.teamID = team
            lead.assignedAt = now
            lead.protectedUntil = protectedUntil
            lead.updatedAt = now
            lead.version += 1
            result.append(lead)
        }
        try await store.log(result.map { lead in
            LeadAssignment(id: rapport.ids.next(.assignment, at: now), leadID: lead.id, kind: kind, poolID: pool.id, from: nil, to: owner,
                           reason: reason, by: caller.actorID, at: now)
        })
        try await rapport.recordLeadsAssigned(result.map { ($0.id, owner) }, at: now, in: sql)
        return result
    }
}
