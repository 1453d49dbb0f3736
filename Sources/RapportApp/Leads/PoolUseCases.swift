import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Pools (公海): administrators define them; member reps claim from them within their holding
/// limit and daily cap; managers and pool administrators assign from them.
public struct PoolUseCases: Sendable {
    let rapport: Rapport

    /// What creating or changing a pool takes.
    public struct Input: Sendable {
        public var key: String?
        public var name: String?
        public var object: String?
        /// Team ids or keys whose reps (and sub-teams') may claim; empty: every team.
        public var memberTeams: [String]?
        public var admins: [String]?
        public var rules: PoolRules?
        public var archived: Bool?

        public init(key: String? = nil, name: String? = nil, object: String? = nil, memberTeams: [String]? = nil, admins: [String]? = nil,
                    rules: PoolRules? = nil, archived: Bool? = nil) {
            self.key = key
            self.name = name
            self.object = object
            self.memberTeams = memberTeams
            self.admins = admins
            self.rules = rules
            self.archived = archived
        }
    }

    /// A pool by id (`pool_…`) or key.
    static func find(_ reference: String, _ sql: any SQLDatabase) async throws -> Pool? {
        if let id = RecordID(parsing: reference, prefix: .pool) { return try await PoolStore(sql).find(id) }
        return try await PoolStore(sql).find(key: reference)
    }

    func require(_ reference: String, _ sql: any SQLDatabase) async throws -> Pool {
        guard let pool = try await Self.find(reference, sql) else { throw RapportError.notFound("pool") }
        return pool
    }

    /// Creates a pool (administrators).
    public func create(_ input: Input, by caller: Caller) async throws -> Pool {
        _ = try await rapport.scope(caller, .create, .pool, anchor: .teamTable, table: "teams")
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            var pool = Pool(id: rapport.ids.next(.pool, at: now), key: "", name: "", object: .lead, createdAt: now, updatedAt: now)
            try await apply(input, to: &pool, creating: true, sql)
            guard try await PoolStore(sql).find(key: pool.key) == nil else {
                throw RapportError(.conflict, "A pool with key \(pool.key) already exists.", extra: ["field": "key"])
            }
            try await PoolStore(sql).insert(pool)
            try await rapport.record(rapport.event("pool.created", by: caller, kind: .pool, object: pool.id.rawValue), in: sql)
            return pool
        }
    }

    /// Changes a pool (administrators).
    public func update(_ reference: String, _ input: Input, expectedVersion: Int64?, by caller: Caller) async throws -> Pool {
        _ = try await rapport.scope(caller, .update, .pool, anchor: .teamTable, table: "teams")
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            var pool = try await require(reference, sql)
            let version = expectedVersion ?? pool.version
            try await apply(input, to: &pool, creating: false, sql)
            if let other = try await PoolStore(sql).find(key: pool.key), other.id != pool.id {
                throw RapportError(.conflict, "A pool with key \(pool.key) already exists.", extra: ["field": "key"])
            }
            pool.updatedAt = now
            guard try await PoolStore(sql).replace(pool, expectedVersion: version) else {
                throw RapportError(.preconditionFailed, "The pool was changed by someone else; fetch it again and retry.")
            }
            pool.version = version + 1
            try await rapport.record(rapport.event("pool.updated", by: caller, kind: .pool, object: pool.id.rawValue), in: sql)
            return pool
        }
    }

    func apply(_ input: Input, to pool: inout Pool, creating: Bool, _ sql: any SQLDatabase) async throws {
        var check = Validator()
        if let key = input.key {
            let text = key.trimmingWhitespace()
            if text.isEmpty || text.count > 64 || !text.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || "_-".unicodeScalars.contains($0) }) {
                check.add("key", "invalid", "key must be 1–64 ASCII letters, digits, '_' or '-'.")
            } else if text.hasPrefix("pool_") {
                check.add("key", "invalid", "key must not start with pool_ (that is how ids start).")
            }
            pool.key = text.lowercased()
        } else if creating { check.add("key", "required", "key is required.") }
        if let name = input.name { pool.name = check.text(name, field: "name", maxLength: 100, allowEmpty: false) } else if creating {
            check.add("name", "required", "name is required.")
        }
        if let object = input.object {
            if !creating, object != pool.object.rawValue { check.add("object", "read_only", "A pool's object cannot change.") }
            if let parsed = Pool.Object(rawValue: object) { pool.object = parsed } else { check.add("object", "invalid", "object must be lead or customer.") }
        }
        if let rules = input.rules {
            for error in rules.validate() { check.add(error.field, error.code, error.message) }
            pool.rules = rules
        }
        if let archived = input.archived { pool.archived = archived }
        if let teams = input.memberTeams {
            var ids: [RecordID] = []
            for (index, reference) in teams.enumerated() {
                if let team = try? await TeamUseCases.referenced(reference, field: "member_teams[\(index)]", in: TeamStore(sql)) { ids.append(team.id) } else {
                    check.add("member_teams[\(index)]", "invalid", "member_teams[\(index)] is not a team.")
                }
            }
            pool.memberTeamIDs = ids
        }
        if let admins = input.admins {
            var ids: [RecordID] = []
            for (index, reference) in admins.enumerated() {
                if let id = RecordID(parsing: reference, prefix: .user), try await UserStore(sql).find(id) != nil { ids.append(id) } else {
                    check.add("admins[\(index)]", "invalid", "admins[\(index)] is not a user.")
                }
            }
            pool.adminIDs = ids
        }
        try check.finish()
    }

    /// Every pool (everyone may see which pools exist and their rules).
    public func list(object: Pool.Object? = nil, includeArchived: Bool = false, by caller: Caller) async throws -> [Pool] {
        _ = try await rapport.scope(caller, .read, .pool, anchor: .teamTable, table: "teams")
        return try await rapport.database.read { sql in try await PoolStore(sql).all(object: object, includeArchived: includeArchived) }
    }

    /// The pools the caller may look into and claim from (members see theirs; pool
    /// administrators, managers and administrators see all).
    public func viewable(object: Pool.Object? = nil, by caller: Caller) async throws -> [Pool] {
        try await list(object: object, by: caller).filter { (try? Self.mayView($0, caller)) != nil }
    }

    /// One pool.
    public func get(_ reference: String, by caller: Caller) async throws -> Pool {
        _ = try await rapport.scope(caller, .read, .pool, anchor: .teamTable, table: "teams")
        return try await rapport.database.read { sql in try await require(reference, sql) }
    }

    /// The leads waiting in a pool, newest first, contact details masked (until claimed). Members,
    /// the pool's administrators, managers and administrators may look.
    public func waiting(_ reference: String, query: LeadUseCases.ListQuery = .init(), page: PageRequest, by caller: Caller) async throws -> Page<Lead> {
        _ = try await rapport.scope(caller, .read, .lead, anchor: .owner(column: "owner_id"), table: "leads")
        return try await rapport.database.read { sql in
            let pool = try await require(reference, sql)
            try Self.mayView(pool, caller)
            var filter = try await LeadUseCases.listFilter(query, now: rapport.clock.now(), sql)
            filter.poolID = pool.id
            filter.waiting = true
            filter.ownerID = nil
            return try await LeadStore(sql).list(filter, page: page, in: nil).map { $0.masked() }
        }
    }

    static func mayView(_ pool: Pool, _ caller: Caller) throws {
        guard let principal = caller.principal else { return }
        if principal.role == .admin || principal.role == .manager || pool.adminIDs.contains(principal.userID) { return }
        guard pool.admits(teamPath: principal.teamPath) else { throw RapportError(.forbidden, "You are not a member of this pool.") }
    }

    /// Where the caller stands in a pool: what they hold against the limit, and claims left today.
    public struct Standing: Sendable, Equatable {
        public var holding: Int
        public var holdingLimit: Int?
        public var claimedToday: Int
        public var claimsPerDay: Int?
        public var claimsLeftToday: Int?

        public init(holding: Int, holdingLimit: Int?, claimedToday: Int, claimsPerDay: Int?, claimsLeftToday: Int?) {
            self.holding = holding
            self.holdingLimit = holdingLimit
            self.claimedToday = claimedToday
            self.claimsPerDay = claimsPerDay
            self.claimsLeftToday = claimsLeftToday
        }
    }

    public func standing(_ reference: String, by caller: Caller) async throws -> Standing {
        guard let principal = caller.principal else { throw RapportError(.forbidden, "Only a user has a standing in a pool.") }
        let now = rapport.clock.now()
        return try await rapport.database.read { sql in
            let pool = try await require(reference, sql)
            try Self.mayView(pool, caller)
            let records = PooledRecords(sql, try await pooled(pool, sql))
            let holding = try await records.holding(principal.userID, in: pool.id)
            let claimed = try await records.claims(by: principal.userID, in: pool.id, since: pool.rules.dayStart(containing: now))
            let cap = pool.rules.claimsPerDay.limit(for: principal.repLevel?.rawValue)
            return Standing(holding: holding, holdingLimit: pool.rules.holdingLimit.limit(for: principal.repLevel?.rawValue), claimedToday: claimed,
                            claimsPerDay: cap, claimsLeftToday: cap.map { max(0, $0 - claimed) })
        }
    }
}
