import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension Pool.Object {
    /// The access kind of the records the pool holds.
    var objectKind: ObjectKind { self == .lead ? .lead : .customer }
}

extension PoolUseCases {
    /// The pooled-record kind of a pool: leads, or customers whose stages the customer dictionary
    /// calls open (held: open, and won unless the pool's rules exclude won customers).
    static func pooled(_ pool: Pool, _ sql: any SQLDatabase, template: BusinessDictionary) async throws -> PooledRecords.Kind {
        guard pool.object == .customer else { return .leads }
        let stages = try await DictionaryUseCases.load(.customer, sql, template: template).stages
        let open = stages.filter { $0.category == .open }.map(\.key)
        let won = stages.filter { $0.category == .won }.map(\.key)
        return .customers(openStages: open, heldStages: pool.rules.excludeWon ? open : open + won)
    }

    func pooled(_ pool: Pool, _ sql: any SQLDatabase) async throws -> PooledRecords.Kind {
        try await Self.pooled(pool, sql, template: rapport.settings.dictionaryTemplate)
    }

    /// Appends owner changes (record, the owner before or after, reason) to the pool's kind of log.
    func logOwnerChanges(_ changes: [(record: RecordID, owner: RecordID, reason: String?)], kind: OwnershipChange, in pool: Pool,
                         by caller: Caller, at now: Date, _ sql: any SQLDatabase) async throws {
        let gives = kind == .claim || kind == .assign
        switch pool.object {
        case .lead:
            try await LeadStore(sql).log(changes.map { change in
                LeadAssignment(id: rapport.ids.next(.assignment, at: now), record: change.record, kind: kind, poolID: pool.id,
                               from: gives ? nil : change.owner, to: gives ? change.owner : nil, ruleID: nil, reason: change.reason,
                               by: caller.actorID, at: now)
            })
        case .customer:
            try await CustomerStore(sql).log(changes.map { change in
                CustomerAssignment(id: rapport.ids.next(.customerAssignment, at: now), record: change.record, kind: kind, poolID: pool.id,
                                   from: gives ? nil : change.owner, to: gives ? change.owner : nil, reason: change.reason, by: caller.actorID, at: now)
            })
        }
    }

    func customerPool(_ reference: String, _ sql: any SQLDatabase) async throws -> Pool {
        let pool = try await require(reference, sql)
        guard pool.object == .customer, !pool.archived else { throw RapportError.notFound("customer pool") }
        return pool
    }

    /// Customers waiting in a customer pool, newest first, contact details masked. Members, the
    /// pool's administrators, managers and administrators may look.
    public func waitingCustomers(_ reference: String, page: PageRequest, by caller: Caller) async throws -> Page<Customer> {
        _ = try await rapport.scope(caller, .read, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        return try await rapport.database.read { sql in
            let pool = try await customerPool(reference, sql)
            try Self.mayView(pool, caller)
            return try await CustomerStore(sql).waiting(in: pool.id, page: page).map { $0.masked() }
        }
    }

    /// Claims waiting customers of a customer pool for the caller, all or none, under the same
    /// rules and locks as lead claims: the holding limit (open customers, and won ones unless
    /// excluded), the daily cap, the ex-owner cooldown; exactly one of concurrent claimers wins.
    public func claimCustomers(_ reference: String, customers: [String], by caller: Caller) async throws -> [Customer] {
        guard let principal = caller.principal else { throw RapportError(.forbidden, "Only a user claims customers.") }
        _ = try await rapport.scope(caller, .update, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        let ids = try Self.recordIDs(customers, field: "customer_ids", prefix: .customer)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let pool = try await customerPool(reference, sql)
            guard principal.role == .admin || pool.admits(teamPath: principal.teamPath) else {
                throw RapportError(.forbidden, "You are not a member of this pool.")
            }
            try await sql.lockKeys(["holding:\(principal.userID.rawValue)"])
            let waiting = try await waitingCustomers(ids, in: pool, sql)
            let records = PooledRecords(sql, try await pooled(pool, sql))
            let holding = try await records.holding(principal.userID, in: pool.id)
            let claimed = try await records.claims(by: principal.userID, in: pool.id, since: pool.rules.dayStart(containing: now))
            for state in waiting {
                if let refusal = pool.rules.refusal(holding: holding, claimedToday: claimed, claiming: waiting.count, level: principal.repLevel?.rawValue,
                                                    rep: principal.userID, previousOwner: state.previousOwnerID, releasedAt: state.releasedAt, now: now) {
                    throw refusal.rapportError
                }
            }
            let result = try await take(waiting, from: pool, to: principal.userID, team: principal.teamID, kind: .claim, reason: nil, by: caller, at: now, sql)
            try await rapport.record(rapport.event("pool.claimed", by: caller, kind: .pool, object: pool.id.rawValue,
                                                   details: ["customers": String(result.count)]), in: sql)
            return result
        }
    }

    /// Assigns waiting customers of a customer pool to a user (managers within their subtree,
    /// administrators, the pool's administrators), within the assignee's holding limit.
    public func assignCustomers(_ reference: String, customers: [String], to user: String, reason: String?, by caller: Caller) async throws -> [Customer] {
        let ids = try Self.recordIDs(customers, field: "customer_ids", prefix: .customer)
        let now = rapport.clock.now()
        let userScope = try await rapport.scope(caller, .read, .user, anchor: .userTable, table: "users")
        return try await rapport.transaction { sql in
            let pool = try await customerPool(reference, sql)
            let (assignee, reason) = try await assignee(user, reason: reason, for: pool, userScope: userScope, by: caller, sql)
            let waiting = try await waitingCustomers(ids, in: pool, sql)
            try await Self.checkHolding(assignee.id, level: assignee.repLevel, adding: waiting.count, in: pool, sql, template: rapport.settings.dictionaryTemplate)
            let result = try await take(waiting, from: pool, to: assignee.id, team: assignee.teamID, kind: .assign, reason: reason, by: caller, at: now, sql)
            if assignee.id != caller.principal?.userID {
                let notices = rapport.notifications
                try await notices.send(result.map { customer in
                    notices.make(assignee.id, "customer.assigned", details: ["pool_id": pool.id.rawValue, "by": caller.actorID?.rawValue ?? "system"],
                                 about: (.customer, customer.id.rawValue))
                }, in: sql)
            }
            try await rapport.record(rapport.event("pool.assigned", by: caller, kind: .pool, object: pool.id.rawValue,
                                                   details: ["customers": String(result.count), "to": assignee.id.rawValue]), in: sql)
            return result
        }
    }

    /// The named customers, each of which must wait in `pool`.
    func waitingCustomers(_ ids: [RecordID], in pool: Pool, _ sql: any SQLDatabase) async throws -> [CustomerStore.PoolState] {
        let states = Dictionary(uniqueKeysWithValues: try await CustomerStore(sql).poolStates(ids).map { ($0.id, $0) })
        return try ids.map { id in
            guard let state = states[id], state.poolID == pool.id else { throw RapportError.notFound("customer in this pool") }
            guard state.ownerID == nil else { throw RapportError(.alreadyClaimed, "Someone else has just taken this customer.", extra: ["customer_id": id.rawValue]) }
            return state
        }
    }

    /// Gives waiting customers to `owner` (all or none: a customer taken meanwhile fails the whole
    /// request), logs it, and returns them masked.
    func take(_ waiting: [CustomerStore.PoolState], from pool: Pool, to owner: RecordID, team: RecordID?, kind: OwnershipChange, reason: String?,
              by caller: Caller, at now: Date, _ sql: any SQLDatabase) async throws -> [Customer] {
        let ids = waiting.map(\.id)
        let protectedUntil = now.addingTimeInterval(Double(pool.rules.protectionDays) * 86_400)
        let taken = Set(try await PooledRecords(sql, try await pooled(pool, sql)).take(ids, from: pool.id, owner: owner, team: team, at: now,
                                                                                        protectedUntil: protectedUntil))
        if let lost = ids.first(where: { !taken.contains($0) }) {
            throw RapportError(.alreadyClaimed, "Someone else has just taken this customer.", extra: ["customer_id": lost.rawValue])
        }
        try await logOwnerChanges(ids.map { ($0, owner, reason) }, kind: kind, in: pool, by: caller, at: now, sql)
        return try await CustomerStore(sql).find(ids).map { $0.masked() }
    }

    static func recordIDs(_ references: [String], field: String, prefix: IDPrefix) throws -> [RecordID] {
        guard !references.isEmpty, references.count <= maximumPerRequest else {
            throw RapportError.validation([FieldError(field: field, code: "invalid", message: "Name 1 to \(maximumPerRequest) records.")])
        }
        var ids: [RecordID] = []
        for (index, reference) in references.enumerated() {
            guard let id = RecordID(parsing: reference, prefix: prefix) else {
                throw RapportError.validation([FieldError(field: "\(field)[\(index)]", code: "invalid", message: "\(field)[\(index)] is not a valid id.")])
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}
