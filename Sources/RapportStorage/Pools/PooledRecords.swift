import Foundation
import RapportCore
import SQLKit

/// The pool mechanics shared by every kind of record that can wait in a pool (leads, customers):
/// what a rep holds, how many they claimed today, the race-free take, and the reclaim scan and
/// move. One piece of SQL serves both tables; each kind names its table, its owner-change log,
/// its progress clock, and which of its records are open.
public struct PooledRecords: Sendable {
    /// A kind of pooled record.
    public struct Kind: Sendable {
        public let table: String
        public let logTable: String
        /// The column of the record's last stage progress (reclaim's no-progress clock).
        public let progressColumn: String
        /// Open records (held against the limit, reclaimable), on the table aliased `r`.
        public let open: SQLQueryString
        /// Records held against the limit (open, and for customers won ones unless excluded).
        public let held: SQLQueryString

        /// Leads: their stored status category.
        public static let leads = Kind(table: "leads", logTable: "lead_assignments", progressColumn: "last_progress_at",
                                       open: "r.status_category = 'open'", held: "r.status_category = 'open'")

        /// Customers (not merged away) whose stage is one of `openStages` (held: or of `heldStages`).
        public static func customers(openStages: [String], heldStages: [String]) -> Kind {
            Kind(table: "customers", logTable: "customer_assignments", progressColumn: "stage_entered_at",
                 open: stageIn(openStages), held: stageIn(heldStages))
        }

        static func stageIn(_ stages: [String]) -> SQLQueryString {
            guard !stages.isEmpty else { return "1 = 0" }
            var predicate: SQLQueryString = "(r.merged_into IS NULL AND r.stage IN ("
            for (index, stage) in stages.enumerated() {
                predicate.appendInterpolation((index == 0 ? "\(bind: stage)" : ", \(bind: stage)") as SQLQueryString)
            }
            predicate.appendLiteral("))")
            return predicate
        }
    }

    let sql: any SQLDatabase
    let kind: Kind

    public init(_ sql: any SQLDatabase, _ kind: Kind) {
        self.sql = sql
        self.kind = kind
    }

    /// Records of `pool` that `owner` holds (what the holding limit counts).
    public func holding(_ owner: RecordID, in pool: RecordID) async throws -> Int {
        let query: SQLQueryString = """
            SELECT count(*) AS n FROM \(ident: kind.table) r WHERE r.owner_id = \(bind: owner.rawValue) AND r.pool_id = \(bind: pool.rawValue) AND \(kind.held)
            """
        return Int(try await sql.raw(query).first()?.int("n") ?? 0)
    }

    /// How many records `user` claimed from `pool` since `since`.
    public func claims(by user: RecordID, in pool: RecordID, since: Date) async throws -> Int {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(kind.logTable)
            .where("to_user_id", .equal, user.rawValue).where("pool_id", .equal, pool.rawValue)
            .where("kind", .equal, OwnershipChange.claim.rawValue).where("at", .greaterThanOrEqual, since.microsSinceEpoch).first()
        return Int(try row?.int("n") ?? 0)
    }

    /// Gives still-waiting records of `pool` to `owner` — each only if it still waits there: of
    /// several takers of one record exactly one changes its row. Returns those taken.
    public func take(_ ids: [RecordID], from pool: RecordID, owner: RecordID, team: RecordID?, at now: Date, protectedUntil: Date) async throws -> [RecordID] {
        guard !ids.isEmpty else { return [] }
        return try await sql.update(kind.table)
            .set("owner_id", to: SQLBind(owner.rawValue)).set("team_id", to: SQLBind(team?.rawValue))
            .set("assigned_at", to: SQLBind(now.microsSinceEpoch)).set("protected_until", to: SQLBind(protectedUntil.microsSinceEpoch))
            .set("updated_at", to: SQLBind(now.microsSinceEpoch)).set("version", to: SQLRaw("version + 1"))
            .where(sql.idIn(SQLColumn("id"), ids))
            .where("pool_id", .equal, pool.rawValue).where("owner_id", .is, SQLLiteral.null)
            .returning("id").all().map { try $0.id("id") }
    }

    /// One owned record a reclaim run looks at.
    public struct ReclaimCandidate: Sendable, Equatable {
        public var id: RecordID
        public var ownerID: RecordID
        public var facts: ReclaimFacts
    }

    /// The open, owned records of `pool` that some rule could reclaim or warn about at `now`: a
    /// superset chosen in SQL from each clock's cutoff, decided exactly by ``ReclaimRules/decide``.
    public func reclaimCandidates(in pool: RecordID, rules: ReclaimRules, at now: Date, after cursor: RecordID? = nil, limit: Int = 5_000) async throws -> [ReclaimCandidate] {
        let cutoffs = rules.earliestCutoffs(now: now)
        var clauses: [SQLQueryString] = []
        if rules.ownerDisabled { clauses.append("u.status <> 'active'") }
        if let cutoff = cutoffs.followUp?.microsSinceEpoch {
            clauses.append("(r.last_follow_up_at IS NULL OR r.last_follow_up_at <= \(bind: cutoff))")
        }
        if let cutoff = cutoffs.progress?.microsSinceEpoch { clauses.append("r.\(unsafeRaw: kind.progressColumn) <= \(bind: cutoff)") }
        if let cutoff = cutoffs.assigned?.microsSinceEpoch { clauses.append("COALESCE(r.assigned_at, r.created_at) <= \(bind: cutoff)") }
        guard !clauses.isEmpty else { return [] }
        var any: SQLQueryString = "("
        for (index, clause) in clauses.enumerated() {
            if index > 0 { any.appendLiteral(" OR ") }
            any.appendInterpolation(clause)
        }
        any.appendLiteral(")")
        var query: SQLQueryString = """
            SELECT r.id, r.owner_id, r.assigned_at, r.created_at, r.last_follow_up_at, r.\(unsafeRaw: kind.progressColumn) AS progress_at, \
            r.protected_until, u.status AS owner_status
            FROM \(ident: kind.table) r JOIN users u ON u.id = r.owner_id
            WHERE r.pool_id = \(bind: pool.rawValue) AND \(kind.open) AND
            """
        query.appendInterpolation(any)
        if let cursor { query.appendInterpolation(" AND r.id > \(bind: cursor.rawValue)" as SQLQueryString) }
        query.appendInterpolation(" ORDER BY r.id LIMIT \(literal: limit)" as SQLQueryString)
        return try await sql.raw(query).all().map { row in
            ReclaimCandidate(
                id: try row.id("id"), ownerID: try row.id("owner_id"),
                facts: ReclaimFacts(isOpen: true, ownerActive: try row.text("owner_status") == "active",
                                    assignedAt: try row.optionalDate("assigned_at") ?? row.date("created_at"),
                                    lastFollowUpAt: try row.optionalDate("last_follow_up_at"), lastProgressAt: try row.date("progress_at"),
                                    protectedUntil: try row.optionalDate("protected_until")))
        }
    }

    /// Returns records to their pool, each only if its owner (the pair's second) still holds it,
    /// in one statement; returns the ids that moved.
    public func reclaim(_ pairs: [(record: RecordID, owner: RecordID)], at now: Date) async throws -> Set<RecordID> {
        guard !pairs.isEmpty else { return [] }
        let at = now.microsSinceEpoch
        var query: SQLQueryString = """
            UPDATE \(ident: kind.table) SET previous_owner_id = owner_id, owner_id = NULL, released_at = \(bind: at), assigned_at = NULL, \
            protected_until = NULL, updated_at = \(bind: at), version = version + 1 WHERE (id, owner_id) IN (VALUES 
            """
        for (index, pair) in pairs.enumerated() {
            query.appendInterpolation((index == 0 ? "(\(bind: pair.record.rawValue), \(bind: pair.owner.rawValue))"
                                                  : ", (\(bind: pair.record.rawValue), \(bind: pair.owner.rawValue))") as SQLQueryString)
        }
        query.appendLiteral(") RETURNING id")
        return Set(try await sql.raw(query).all().map { try $0.id("id") })
    }
}
