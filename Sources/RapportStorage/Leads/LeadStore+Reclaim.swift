import Foundation
import RapportCore
import SQLKit

extension LeadStore {
    /// One owned lead a reclaim run looks at.
    public struct ReclaimCandidate: Sendable, Equatable {
        public var id: RecordID
        public var ownerID: RecordID
        public var facts: ReclaimFacts
    }

    /// The open, owned leads of `pool` that some rule could reclaim or warn about at `now`: a
    /// superset chosen in SQL from each clock's cutoff, decided exactly by ``ReclaimRules/decide``.
    public func reclaimCandidates(in pool: RecordID, rules: ReclaimRules, at now: Date, after cursor: RecordID? = nil, limit: Int = 5_000) async throws -> [ReclaimCandidate] {
        let cutoffs = rules.earliestCutoffs(now: now)
        var clauses: [SQLQueryString] = []
        if rules.ownerDisabled { clauses.append("u.status <> 'active'") }
        if let cutoff = cutoffs.followUp?.microsSinceEpoch {
            clauses.append("(l.last_follow_up_at IS NULL OR l.last_follow_up_at <= \(bind: cutoff))")
        }
        if let cutoff = cutoffs.progress?.microsSinceEpoch { clauses.append("l.last_progress_at <= \(bind: cutoff)") }
        if let cutoff = cutoffs.assigned?.microsSinceEpoch { clauses.append("COALESCE(l.assigned_at, l.created_at) <= \(bind: cutoff)") }
        guard !clauses.isEmpty else { return [] }
        var any: SQLQueryString = "("
        for (index, clause) in clauses.enumerated() {
            if index > 0 { any.appendLiteral(" OR ") }
            any.appendInterpolation(clause)
        }
        any.appendLiteral(")")
        var query: SQLQueryString = """
            SELECT l.id, l.owner_id, l.assigned_at, l.created_at, l.last_follow_up_at, l.last_progress_at, l.protected_until, u.status AS owner_status
            FROM leads l JOIN users u ON u.id = l.owner_id
            WHERE l.pool_id = \(bind: pool.rawValue) AND l.status_category = 'open' AND
            """
        query.appendInterpolation(any)
        if let cursor { query.appendInterpolation(" AND l.id > \(bind: cursor.rawValue)" as SQLQueryString) }
        query.appendInterpolation(" ORDER BY l.id LIMIT \(literal: limit)" as SQLQueryString)
        return try await sql.raw(query).all().map { row in
            ReclaimCandidate(
                id: try row.id("id"), ownerID: try row.id("owner_id"),
                facts: ReclaimFacts(isOpen: true, ownerActive: try row.text("owner_status") == "active",
                                    assignedAt: try row.optionalDate("assigned_at") ?? row.date("created_at"),
                                    lastFollowUpAt: try row.optionalDate("last_follow_up_at"), lastProgressAt: try row.date("last_progress_at"),
                                    protectedUntil: try row.optionalDate("protected_until")))
        }
    }

    /// Returns leads to their pool, each only if its owner (the pair's second) still holds it, in
    /// one statement; returns the ids that moved.
    public func reclaim(_ pairs: [(lead: RecordID, owner: RecordID)], at now: Date) async throws -> Set<RecordID> {
        guard !pairs.isEmpty else { return [] }
        let at = now.microsSinceEpoch
        var query: SQLQueryString = """
            UPDATE leads SET previous_owner_id = owner_id, owner_id = NULL, released_at = \(bind: at), assigned_at = NULL, \
            protected_until = NULL, updated_at = \(bind: at), version = version + 1 WHERE (id, owner_id) IN (VALUES 
            """
        for (index, pair) in pairs.enumerated() {
            query.appendInterpolation((index == 0 ? "(\(bind: pair.lead.rawValue), \(bind: pair.owner.rawValue))"
                                                  : ", (\(bind: pair.lead.rawValue), \(bind: pair.owner.rawValue))") as SQLQueryString)
        }
        query.appendLiteral(") RETURNING id")
        return Set(try await sql.raw(query).all().map { try $0.id("id") })
    }
}
