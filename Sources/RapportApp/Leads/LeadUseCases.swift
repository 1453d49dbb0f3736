import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Leads: create (deduplicated against leads and customers), read (masked), list (scoped in
/// SQL), change, move through the lead stage machine, and release to the pool.
public struct LeadUseCases: Sendable {
    let rapport: Rapport

    func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .lead, anchor: .owner(column: "owner_id"), table: "leads")
    }

    func dictionary(_ sql: any SQLDatabase) async throws -> ObjectDictionary {
        try await DictionaryUseCases.load(.lead, sql, template: rapport.settings.dictionaryTemplate)
    }

    /// The dictionary category of a lead's status (open unless the dictionary says otherwise).
    static func category(of status: String, in dictionary: ObjectDictionary) -> StageCategory {
        dictionary.stage(status)?.category ?? .open
    }

    /// Creates a lead. A lead whose phone, email or unionid matches another lead or a customer is
    /// refused with `duplicate` under the block policy (the API's default), folded into the
    /// matching lead under merge (imports), or created and reported under flag. A lead created
    /// owned counts towards its owner's holding limit in its pool, as a claim would; one left
    /// without an owner is routed by the assignment rules.
    public func create(_ input: LeadInput, policy: DedupPolicy? = nil, by caller: Caller) async throws -> (Lead, CustomerUseCases.Outcome) {
        _ = try await filter(caller, .create)
        let readScope = try await filter(caller, .read)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let settings = try await CustomerSettings.load(sql)
            let dictionary = try await dictionary(sql)
            var lead = Lead(id: rapport.ids.next(.lead, at: now), name: "", status: dictionary.initialStage, statusEnteredAt: now,
                            lastProgressAt: now, createdBy: caller.actorID, createdAt: now, updatedAt: now)
            var check = Validator()
            LeadNormaliser(settings: settings, dictionary: dictionary, ids: rapport.ids, now: now).apply(input, to: &lead, creating: true, check: &check)
            try await resolveOwnership(input, of: &lead, by: caller, check: &check, sql)
            try check.finish()
            let transition = try LifecycleEngine(dictionary).applyChecked(.create(stage: input.status, at: now, by: caller.actorID), to: nil, filled: lead.filledFields)
            lead.status = transition.state.stage
            lead.statusEnteredAt = transition.state.enteredAt

            let keys = [("phone", lead.phone), ("email", lead.email), ("wechat_unionid", lead.wechatUnionid), ("external_id", lead.externalID)].compactMap { key, value in value.map { "dedup:\(key):\($0)" } }
            try await sql.lockKeys(keys)
            let leadMatches = try await LeadStore(sql).matches(phone: lead.phone, email: lead.email, unionid: lead.wechatUnionid, externalID: lead.externalID)
            let contactKeys: [(ContactPoint.Kind, String)] = [(.phone, lead.phone), (.email, lead.email), (.wechatUnionid, lead.wechatUnionid)].compactMap { kind, value in value.map { (kind, $0) } }
            let customerMatches = try await CustomerStore(sql).matches(contactKeys)
            let chosen = policy ?? settings.dedup.policy(for: caller.channel)
            if !leadMatches.isEmpty || !customerMatches.isEmpty {
                switch chosen {
                case .block:
                    var extra: [String: String] = [:]
                    if let visible = try await leadMatches.asyncFirst(where: { try await LeadStore(sql).find($0, in: readScope) != nil }) {
                        extra["duplicate_of"] = visible.rawValue
                    }
                    if !customerMatches.isEmpty { extra["matches_customer"] = "true" }
                    throw RapportError(.duplicate, "A lead or customer with the same contact details already exists.", extra: extra)
                case .merge:
                    if let target = leadMatches.first {
                        return (try await fold(lead, into: target, by: caller, at: now, dictionary: dictionary, sql).masked(), .mergedInto(target))
                    }
                case .flag:
                    break
                }
            }
            if let owner = lead.ownerID, let poolID = lead.poolID {
                try await PoolUseCases.checkHolding(owner, adding: Self.category(of: lead.status, in: dictionary) == .open ? 1 : 0, in: poolID, sql)
            }
            // A lead left without an owner goes through the assignment rules.
            let router = LeadRouter(rapport: rapport, sql: sql, now: now)
            let routed = lead.ownerID == nil ? try await router.plan([(lead, Self.category(of: lead.status, in: dictionary) == .open)]).first : nil
            if let routed { router.apply(routed, to: &lead) }
            try await LeadStore(sql).insert([(lead, Self.category(of: lead.status, in: dictionary))])
            if let routed {
                try await router.record([(lead, routed)], by: caller.actorID)
            }
            try await rapport.recordTransition(transition, object: .lead, of: lead.id, owner: lead.ownerID, at: now, in: sql)
            if routed == nil, let owner = lead.ownerID {
                try await LeadStore(sql).log([LeadAssignment(id: rapport.ids.next(.assignment, at: now), leadID: lead.id, kind: .create,
                                                             poolID: lead.poolID, to: owner, by: caller.actorID, at: now)])
                try await rapport.recordLeadsAssigned([(lead.id, owner)], at: now, in: sql)
            }
            let flagged = leadMatches + customerMatches.map(\.customerID)
            try await rapport.record(rapport.event("lead.created", by: caller, kind: .lead, object: lead.id.rawValue,
                                                   details: flagged.isEmpty ? [:] : ["flagged_duplicates": String(flagged.count)]), in: sql)
            return (lead.masked(), flagged.isEmpty ? .created : .flagged(flagged))
        }
    }

    /// Folds new input into an existing lead: fills what it leaves empty, never overwrites.
    func fold(_ incoming: Lead, into target: RecordID, by caller: Caller, at now: Date, dictionary: ObjectDictionary, _ sql: any SQLDatabase) async throws -> Lead {
        let store = LeadStore(sql)
        guard let found = try await store.find(target) else { throw RapportError.notFound("lead") }
        let before = found.version
        var lead = found.absorbing(incoming)
        lead.updatedAt = now
        guard try await store.replace(lead, category: Self.category(of: lead.status, in: dictionary), expectedVersion: before) else {
            throw RapportError(.conflict, "The matching lead was changed at the same time; try again.")
        }
        lead.version = before + 1
        try await rapport.record(rapport.event("lead.input_merged", by: caller, kind: .lead, object: target.rawValue), in: sql)
        return lead
    }

    /// Owner and pool on create: reps own what they create; managers and administrators may name
    /// an owner or leave the lead waiting in a pool. The pool defaults to the `default` lead pool.
    func resolveOwnership(_ input: LeadInput, of lead: inout Lead, by caller: Caller, check: inout Validator, _ sql: any SQLDatabase) async throws {
        let role = caller.principal?.role
        let mayAssign = role == nil || role == .admin || role == .manager
        if let pool = input.pool {
            if let pool {
                guard let found = try await PoolUseCases.find(pool, sql), found.object == .lead, !found.archived else {
                    check.add("pool_id", "invalid", "pool_id must be an active lead pool.")
                    return
                }
                lead.poolID = found.id
            }
        } else {
            lead.poolID = try await PoolStore(sql).find(key: "default").flatMap { $0.object == .lead && !$0.archived ? $0.id : nil }
        }
        switch input.owner {
        case .none:
            if let me = caller.principal?.userID, !(mayAssign && input.pool != nil) {
                lead.ownerID = me
                lead.teamID = caller.principal?.teamID
            }
        case .some(.none):
            guard mayAssign else { return check.add("owner_id", "forbidden", "Only managers and administrators may leave a lead in a pool.") }
            guard lead.poolID != nil else { return check.add("pool_id", "required", "A lead without an owner waits in a pool: name pool_id.") }
        case .some(.some(let owner)):
            guard let id = RecordID(parsing: owner, prefix: .user) else { return check.add("owner_id", "invalid", "owner_id is not a user id.") }
            guard let user = try await rapport.assignableOwner(id, mayAssign: mayAssign, by: caller, sql) else {
                return check.add("owner_id", "invalid", "owner_id must be an active user you may assign leads to.")
            }
            lead.ownerID = id
            lead.teamID = user.teamID
        }
        if lead.ownerID != nil { lead.assignedAt = lead.createdAt }
    }

    /// One lead, masked; `not_found` outside the caller's scope.
    public func get(_ id: String, by caller: Caller) async throws -> Lead {
        try await load(id, by: caller, .read).masked()
    }

    func load(_ id: String, by caller: Caller, _ action: AccessAction) async throws -> Lead {
        let scope = try await filter(caller, action)
        guard let id = RecordID(parsing: id, prefix: .lead),
              let lead = try await rapport.database.read({ sql in try await LeadStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("lead") }
        return lead
    }

    /// What a lead list asks for, as the caller sent it.
    public struct ListQuery: Sendable {
        public var owner: String?
        public var pool: String?
        public var status: String?
        public var source: String?
        /// A full phone number or email (exact, normalised), else the start of a name or company.
        public var q: String?
        /// Created at or after `createdFrom` and before `createdBefore`.
        public var createdFrom: Date?
        public var createdBefore: Date?
        /// No follow-up for this many days (1…3650): the last touch — or, never touched, the
        /// assignment or the creation — is older.
        public var quietDays: Int?

        public init(owner: String? = nil, pool: String? = nil, status: String? = nil, source: String? = nil, q: String? = nil,
                    createdFrom: Date? = nil, createdBefore: Date? = nil, quietDays: Int? = nil) {
            self.owner = owner
            self.pool = pool
            self.status = status
            self.source = source
            self.q = q
            self.createdFrom = createdFrom
            self.createdBefore = createdBefore
            self.quietDays = quietDays
        }
    }

    /// A page of leads in the caller's scope, newest first, masked.
    public func list(_ query: ListQuery, page: PageRequest, by caller: Caller) async throws -> Page<Lead> {
        let scope = try await filter(caller, .read)
        return try await rapport.database.read { sql in
            let filter = try await Self.listFilter(query, now: rapport.clock.now(), sql)
            return try await LeadStore(sql).list(filter, page: page, in: scope).map { $0.masked() }
        }
    }

    static func listFilter(_ query: ListQuery, now: Date, _ sql: any SQLDatabase) async throws -> LeadStore.ListFilter {
        var filter = LeadStore.ListFilter()
        var check = Validator()
        if let owner = query.owner {
            filter.ownerID = RecordID(parsing: owner, prefix: .user)
            if filter.ownerID == nil { check.add("owner_id", "invalid", "owner_id is not a user id.") }
        }
        if let pool = query.pool {
            filter.poolID = try await PoolUseCases.find(pool, sql)?.id
            if filter.poolID == nil { check.add("pool_id", "invalid", "pool_id is not a pool.") }
        }
        filter.status = query.status.map { String($0.prefix(64)) }
        filter.source = query.source.map { String($0.prefix(64)) }
        filter.createdFrom = query.createdFrom
        filter.createdBefore = query.createdBefore
        if let days = query.quietDays {
            if (1...3650).contains(days) { filter.quietSince = now.addingTimeInterval(-TimeInterval(days) * 86_400) } else {
                check.add("quiet_days", "invalid", "quiet_days is a number of days from 1 to 3650.")
            }
        }
        try check.finish()
        if let q = query.q?.trimmingWhitespace(), !q.isEmpty {
            let q = String(q.prefix(200))
            let region = try await CustomerSettings.load(sql).defaultRegion
            switch CustomerUseCases.contactQuery(q, region: region) {
            case (.email, let email)?: filter.email = email
            case (.phone, let phone)?: filter.phone = phone
            default: filter.text = q  // unionid-shaped text may be a name ("olivia"): searched as text
            }
        }
        return filter
    }
}

extension Array {
    /// The first element for which an asynchronous predicate holds.
    func asyncFirst(where predicate: (Element) async throws -> Bool) async rethrows -> Element? {
        for element in self where try await predicate(element) { return element }
        return nil
    }
}
