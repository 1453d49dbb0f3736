import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Customers: create (with dedup), read (masked), list and search (scoped in SQL), change.
public struct CustomerUseCases: Sendable {
    let rapport: Rapport

    /// What a create or import did with its input.
    public enum Outcome: Sendable, Equatable {
        case created
        /// The input matched an existing customer and was folded into it (merge policy).
        case mergedInto(RecordID)
        /// Created, although it matches other customers (flag policy): they show in the duplicates report.
        case flagged([RecordID])
    }

    func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .customer, anchor: .owner(column: "owner_id"), table: "customers")
    }

    /// Creates a customer, deduplicating on normalised phone, email and unionid by the policy for
    /// the caller's channel (or `policy` when given, e.g. by an import).
    public func create(_ input: CustomerInput, policy: DedupPolicy? = nil, by caller: Caller) async throws -> (Customer, Outcome) {
        _ = try await filter(caller, .create)
        let readScope = try await filter(caller, .read)
        let editScope = try await filter(caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await create(input, policy: policy, by: caller, readScope: readScope, editScope: editScope, at: now, sql)
        }
    }

    /// The create in the caller's transaction (a lead's conversion creates its customer so).
    func create(_ input: CustomerInput, policy: DedupPolicy?, by caller: Caller, readScope: ScopeFilter, editScope: ScopeFilter, at now: Date,
                _ sql: any SQLDatabase) async throws -> (Customer, Outcome) {
        let settings = try await CustomerSettings.load(sql)
        let dictionary = try await DictionaryUseCases.load(.customer, sql, template: rapport.settings.dictionaryTemplate)
        let normaliser = CustomerNormaliser(settings: settings, dictionary: dictionary, ids: rapport.ids, now: now)
        var customer = Customer(id: rapport.ids.next(.customer, at: now), kind: .person, name: "", stage: dictionary.initialStage,
                                stageEnteredAt: now, createdBy: caller.actorID, createdAt: now, updatedAt: now)
        var check = Validator()
        normaliser.apply(input, to: &customer, creating: true, check: &check)
        try await resolveOwnership(input, of: &customer, creating: true, by: caller, check: &check, sql)
        try check.finish()
        let engine = LifecycleEngine(dictionary)
        let transition = try engine.applyChecked(.create(stage: input.stage, at: now, by: caller.actorID), to: nil, filled: customer.filledFields)
        customer.stage = transition.state.stage
        customer.stageEnteredAt = transition.state.enteredAt
        customer.lifecycle = dictionary.stage(customer.stage)?.lifecycle

        let keys = customer.contacts.filter(\.kind.isDedupKey).map { ($0.kind, $0.value) }
        try await sql.lockKeys(keys.map { "dedup:\($0.0.rawValue):\($0.1)" } + (customer.externalRef.map { ["dedup:external_ref:\($0)"] } ?? []))
        let store = CustomerStore(sql)
        var matches = try await store.matches(keys)
        if let ref = customer.externalRef, let id = try await store.matches(externalRefs: [ref])[ref] {
            matches.append(DuplicateMatch(customerID: id, key: "external_ref", value: ref))
        }
        let matched = Array(Set(matches.map(\.customerID))).sorted()
        let chosen = policy ?? settings.dedup.policy(for: caller.channel)
        if !matched.isEmpty {
            let visible = try await store.visible(matched, in: readScope)
            switch chosen {
            case .block:
                throw Self.duplicateError(matches, visible: visible)
            case .merge:
                let editable = try await store.visible(matched, in: editScope)
                guard let target = matched.first(where: editable.contains) else { throw Self.duplicateError(matches, visible: visible) }
                let merged = try await fold(customer, into: target, by: caller, at: now, sql)
                return (merged.masked(), .mergedInto(target))
            case .flag:
                break
            }
        }
        try await store.insert(customer)
        try await rapport.recordTransition(transition, object: .customer, of: customer.id, owner: customer.ownerID, at: now, in: sql)
        try await rapport.recordCustomerChange(from: nil, to: customer, at: now, in: sql)
        try await rapport.record(rapport.event("customer.created", by: caller, kind: .customer, object: customer.id.rawValue,
                                               details: matched.isEmpty ? [:] : ["flagged_duplicates": String(matched.count)]), in: sql)
        return (customer.masked(), matched.isEmpty ? .created : .flagged(matched))
    }

    /// A `duplicate` error naming the first match the caller may see (and only such a match).
    static func duplicateError(_ matches: [DuplicateMatch], visible: Set<RecordID>) -> RapportError {
        let kinds = Set(matches.map(\.key)).sorted().joined(separator: ", ")
        var extra: [String: String] = ["matched_on": kinds]
        if let shown = matches.first(where: { visible.contains($0.customerID) }) { extra["duplicate_of"] = shown.customerID.rawValue }
        return RapportError(.duplicate, "A customer with the same \(kinds) already exists.", extra: extra)
    }

    /// Folds new input into an existing customer (merge policy): adds contacts and tags it lacks,
    /// fills fields it leaves empty, never overwrites what is there.
    func fold(_ incoming: Customer, into target: RecordID, by caller: Caller, at now: Date, _ sql: any SQLDatabase) async throws -> Customer {
        let store = CustomerStore(sql)
        guard let found = try await store.find(target) else { throw RapportError.notFound("customer") }
        let before = found.version
        var existing = found.absorbing(incoming)
        existing.updatedAt = now
        guard try await store.replace(existing, expectedVersion: before) else {
            throw RapportError(.conflict, "The matching customer was changed at the same time; try again.")
        }
        existing.version = before + 1
        try await rapport.record(rapport.event("customer.input_merged", by: caller, kind: .customer, object: target.rawValue), in: sql)
        return existing
    }

    /// Resolves owner and team: reps own what they create; managers and admins may name an
    /// active user within their scope; the team defaults to the owner's.
    func resolveOwnership(_ input: CustomerInput, of customer: inout Customer, creating: Bool, by caller: Caller, check: inout Validator, _ sql: any SQLDatabase) async throws {
        if creating, input.owner == nil { customer.ownerID = caller.principal?.userID }
        if let owner = input.owner {
            if let owner {
                guard let id = RecordID(parsing: owner, prefix: .user) else {
                    check.add("owner_id", "invalid", "owner_id is not a user id.")
                    return
                }
                let userScope = try await rapport.scope(caller, .read, .user, anchor: .userTable, table: "users")
                let mayAssign = caller.principal == nil || caller.principal?.userID == id || [.admin, .manager].contains(caller.principal!.role)
                guard mayAssign, let user = try await UserStore(sql).find(id, in: userScope), user.status == .active else {
                    check.add("owner_id", "invalid", "owner_id must be an active user you may assign customers to.")
                    return
                }
                customer.ownerID = id
                if input.team == nil { customer.teamID = user.teamID }
            } else {
                guard caller.principal == nil || caller.principal?.role == .admin else {
                    check.add("owner_id", "forbidden", "Only administrators may leave a customer without an owner.")
                    return
                }
                customer.ownerID = nil
            }
        } else if creating, let me = caller.principal?.userID, input.team == nil {
            customer.teamID = try await UserStore(sql).find(me)?.teamID
        }
        if let team = input.team {
            let role = caller.principal?.role
            guard role == nil || role == .admin || role == .manager else {
                check.add("team_id", "forbidden", "Only managers and administrators may set a customer's team.")
                return
            }
            if let team {
                let teamScope = try await rapport.scope(caller, .read, .team, anchor: .teamTable, table: "teams")
                let found = try await TeamUseCases.referenced(team, field: "team_id", in: TeamStore(sql))
                guard try await TeamStore(sql).find(found.id, in: teamScope) != nil else {
                    check.add("team_id", "invalid", "team_id must be a team you may assign customers to.")
                    return
                }
                customer.teamID = found.id
            } else {
                customer.teamID = nil
            }
        }
    }

    /// Stage-history rows for the effects of a transition.
    static func history(_ transition: LifecycleTransition, object: DictionaryObject = .customer, of record: RecordID, ids: any IDGenerating, at now: Date)
        -> [(object: DictionaryObject, record: RecordID, change: StageChange, id: RecordID)] {
        transition.effects.compactMap { effect in
            if case .recordChange(let change) = effect { return (object, record, change, ids.next(.stageChange, at: now)) }
            return nil
        }
    }

    /// One customer, masked; `not_found` outside the caller's scope.
    public func get(_ id: String, by caller: Caller) async throws -> Customer {
        try await load(id, by: caller, .read).masked()
    }

    /// One customer unmasked, for use cases that need the real values (never returned as is).
    func load(_ id: String, by caller: Caller, _ action: AccessAction) async throws -> Customer {
        let filter = try await filter(caller, action)
        guard let id = RecordID(parsing: id, prefix: .customer),
              let customer = try await rapport.database.read({ sql in try await CustomerStore(sql).find(id, in: filter) })
        else { throw RapportError.notFound("customer") }
        return customer
    }

    /// What a list request asks for, as the caller sent it.
    public struct ListQuery: Sendable {
        public var owner: String?
        public var team: String?
        public var stage: String?
        public var source: String?
        public var tag: String?
        public var kind: String?
        public var doNotContact: Bool?
        /// Free text: a full phone number or email finds by exact normalised match (without
        /// revealing it); other text searches name and company.
        public var q: String?

        public init(owner: String? = nil, team: String? = nil, stage: String? = nil, source: String? = nil, tag: String? = nil,
                    kind: String? = nil, doNotContact: Bool? = nil, q: String? = nil) {
            self.owner = owner
            self.team = team
            self.stage = stage
            self.source = source
            self.tag = tag
            self.kind = kind
            self.doNotContact = doNotContact
            self.q = q
        }
    }

    /// A page of customers in scope, newest first, masked.
    public func list(_ query: ListQuery, page: PageRequest, by caller: Caller) async throws -> Page<Customer> {
        var (scope, filter) = try await listFilter(query, by: caller)
        let found = try await rapport.database.read { sql in try await CustomerStore(sql).list(filter, page: page, in: scope) }
        // Text shaped like a WeChat id is tried as a unionid first, then as a name.
        if found.items.isEmpty, page.cursor == nil, let (kind, value) = filter.contact, kind == .wechatUnionid {
            filter.contact = nil
            filter.text = value
            return try await rapport.database.read { sql in try await CustomerStore(sql).list(filter, page: page, in: scope) }.map { $0.masked() }
        }
        return found.map { $0.masked() }
    }

    /// How many customers in scope a list would return, counted in one query.
    public func count(_ query: ListQuery, by caller: Caller) async throws -> Int {
        let (scope, filter) = try await listFilter(query, by: caller)
        return try await rapport.database.read { sql in try await CustomerStore(sql).count(filter, in: scope) }
    }

    func listFilter(_ query: ListQuery, by caller: Caller) async throws -> (ScopeFilter, CustomerStore.ListFilter) {
        let scope = try await filter(caller, .read)
        var filter = CustomerStore.ListFilter()
        var check = Validator()
        if let owner = query.owner {
            filter.ownerID = RecordID(parsing: owner, prefix: .user)
            if filter.ownerID == nil { check.add("owner_id", "invalid", "owner_id is not a user id.") }
        }
        if let team = query.team {
            filter.teamID = RecordID(parsing: team, prefix: .team)
            if filter.teamID == nil { check.add("team_id", "invalid", "team_id is not a team id.") }
        }
        if let kind = query.kind {
            filter.kind = Customer.Kind(rawValue: kind)
            if filter.kind == nil { check.add("kind", "invalid", "kind must be person or organisation.") }
        }
        filter.stage = query.stage.map { String($0.prefix(64)) }
        filter.source = query.source.map { String($0.prefix(64)) }
        filter.tag = query.tag.map { String($0.prefix(50)) }
        filter.doNotContact = query.doNotContact
        try check.finish()
        if let q = query.q?.trimmingWhitespace(), !q.isEmpty {
            let q = String(q.prefix(200))
            let region = try await rapport.database.read { sql in try await CustomerSettings.load(sql) }.defaultRegion
            if let contact = Self.contactQuery(q, region: region) { filter.contact = contact } else { filter.text = q }
        }
        return (scope, filter)
    }

    /// Search text that names a contact value exactly — a full email, a phone number (read in
    /// `region`), or something shaped like a WeChat unionid — in its normalised form; nil for a name.
    static func contactQuery(_ q: String, region: String) -> (ContactPoint.Kind, String)? {
        if q.contains("@"), let email = EmailAddress.normalise(q) { return (.email, email) }
        if looksLikePhone(q), let phone = PhoneNumber.e164(q, defaultRegion: region) { return (.phone, phone) }
        if q.hasPrefix("o"), q.utf8.count >= 6, q.utf8.count <= 128,
           q.utf8.allSatisfy({ $0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }) {
            return (.wechatUnionid, q)
        }
        return nil
    }

    /// Text that is only digits and phone punctuation, with enough digits to be a number.
    static func looksLikePhone(_ text: String) -> Bool {
        let digits = text.unicodeScalars.filter { $0.properties.numericType != nil }.count
        return digits >= 6 && text.unicodeScalars.allSatisfy { $0.properties.numericType != nil || " +-().".unicodeScalars.contains($0) }
    }
}
