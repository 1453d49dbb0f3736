import Foundation
import RapportCore
import SQLKit

/// Per-owner counts for a team's holding levels: what each of a page of people holds, claimed
/// today, and has never followed up. One grouped query each; owners outside the result hold none.
extension PooledRecords {
    /// Records each of `owners` holds (the kind's held predicate), in `pool` or in any pool.
    public func held(by owners: [RecordID], in pool: RecordID?) async throws -> [RecordID: Int] {
        var result: [RecordID: Int] = [:]
        for chunk in owners.chunked(into: 500) where !chunk.isEmpty {
            var query: SQLQueryString = "SELECT r.owner_id, count(*) AS n FROM \(ident: kind.table) r WHERE \(kind.held) AND "
            query.appendInterpolation(sql.idIn(SQLColumn("owner_id", table: "r"), Array(chunk)))
            if let pool { query.appendInterpolation(" AND r.pool_id = \(bind: pool.rawValue)" as SQLQueryString) }
            query.appendLiteral(" GROUP BY r.owner_id")
            for row in try await sql.raw(query).all() { result[try row.id("owner_id")] = Int(try row.int("n")) }
        }
        return result
    }

    /// How many records each of `owners` claimed from `pool` since `since`.
    public func claims(by owners: [RecordID], in pool: RecordID, since: Date) async throws -> [RecordID: Int] {
        var result: [RecordID: Int] = [:]
        for chunk in owners.chunked(into: 500) where !chunk.isEmpty {
            var query: SQLQueryString = """
                SELECT a.to_user_id, count(*) AS n FROM \(ident: kind.logTable) a WHERE a.pool_id = \(bind: pool.rawValue) \
                AND a.kind = \(bind: OwnershipChange.claim.rawValue) AND a.at >= \(bind: since.microsSinceEpoch) AND 
                """
            query.appendInterpolation(sql.idIn(SQLColumn("to_user_id", table: "a"), Array(chunk)))
            query.appendLiteral(" GROUP BY a.to_user_id")
            for row in try await sql.raw(query).all() { result[try row.id("to_user_id")] = Int(try row.int("n")) }
        }
        return result
    }
}

extension LeadStore {
    /// Open leads each of `owners` holds that were never followed up.
    public func awaitingFirstTouch(owners: [RecordID]) async throws -> [RecordID: Int] {
        var result: [RecordID: Int] = [:]
        for chunk in owners.chunked(into: 500) where !chunk.isEmpty {
            var query: SQLQueryString = """
                SELECT r.owner_id, count(*) AS n FROM leads r WHERE r.status_category = \(bind: StageCategory.open.rawValue) \
                AND r.last_follow_up_at IS NULL AND 
                """
            query.appendInterpolation(sql.idIn(SQLColumn("owner_id", table: "r"), Array(chunk)))
            query.appendLiteral(" GROUP BY r.owner_id")
            for row in try await sql.raw(query).all() { result[try row.id("owner_id")] = Int(try row.int("n")) }
        }
        return result
    }
}
