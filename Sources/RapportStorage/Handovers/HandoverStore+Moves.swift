import Foundation
import RapportCore
import SQLKit

extension HandoverStore {
    /// One lead a departing user owns: what a plan deals out and a preview counts.
    public struct OwnedLead: Sendable, Equatable {
        public var id: RecordID
        public var poolID: RecordID?
        /// Whether its status is in an open category (what holding limits count).
        public var isOpen: Bool
    }

    /// Every lead `user` owns, by id (open or closed: the history moves with its owner).
    public func ownedLeads(of user: RecordID) async throws -> [OwnedLead] {
        try await sql.select().columns("id", "pool_id", "status_category").from("leads").where("owner_id", .equal, user.rawValue)
            .orderBy("id").all().map { row in
                OwnedLead(id: try row.id("id"), poolID: try row.optionalID("pool_id"), isOpen: try row.text("status_category") == StageCategory.open.rawValue)
            }
    }

    /// Every live customer `user` owns, by id, and how many merged ones (never moved) they still own.
    public func ownedCustomers(of user: RecordID) async throws -> (live: [RecordID], merged: Int) {
        let rows = try await sql.select().columns("id", "merged_into").from("customers").where("owner_id", .equal, user.rawValue).orderBy("id").all()
        var live: [RecordID] = []
        var merged = 0
        for row in rows {
            if try row.optionalText("merged_into") == nil { live.append(try row.id("id")) } else { merged += 1 }
        }
        return (live, merged)
    }

    /// Moves the leads named by a handover's items from `user` to each item's recipient (owner, the
    /// recipient's team, assigned now, protected per `protection` by pool) or to its pool (owner
    /// none, released now). Status and history stay; the departing user becomes the previous owner.
    /// One statement; returns how many leads moved (each only if `user` still owned it).
    public func moveLeads(of handover: RecordID, from user: RecordID, protection: [RecordID: Date], at now: Date) async throws -> Int {
        let at = now.microsSinceEpoch
        var protectedUntil: SQLQueryString = "CAST(NULL AS BIGINT)"  // a bare NULL would be text to PostgreSQL
        if !protection.isEmpty {
            protectedUntil = "CASE leads.pool_id"
            for (pool, until) in protection.sorted(by: { $0.key < $1.key }) {
                protectedUntil.appendInterpolation(" WHEN \(bind: pool.rawValue) THEN \(bind: until.microsSinceEpoch)" as SQLQueryString)
            }
            protectedUntil.appendLiteral(" ELSE NULL END")
        }
        var query: SQLQueryString = """
            UPDATE leads SET owner_id = i.to_user_id, \
            team_id = CASE WHEN i.to_user_id IS NULL THEN leads.team_id ELSE u.team_id END, \
            pool_id = COALESCE(i.pool_id, leads.pool_id), previous_owner_id = leads.owner_id, \
            assigned_at = CASE WHEN i.to_user_id IS NULL THEN NULL ELSE \(bind: at) END, \
            released_at = CASE WHEN i.to_user_id IS NULL THEN \(bind: at) ELSE leads.released_at END, \
            protected_until = CASE WHEN i.to_user_id IS NULL THEN NULL ELSE 
            """
        query.appendInterpolation(protectedUntil)
        query.appendInterpolation("""
             END, updated_at = \(bind: at), version = leads.version + 1 \
            FROM handover_items i LEFT JOIN users u ON u.id = i.to_user_id \
            WHERE i.handover_id = \(bind: handover.rawValue) AND i.object_kind = \(bind: ObjectKind.lead.rawValue) \
            AND i.object_id = leads.id AND leads.owner_id = \(bind: user.rawValue) RETURNING leads.id
            """ as SQLQueryString)
        return try await sql.raw(query).all().count
    }

    /// Moves the live customers named by a handover's items from `user` to each item's recipient
    /// (and the recipient's team, assigned now) or into its customer pool (owner none, released
    /// now). The stage and its history stay; the departing user becomes the previous owner. One
    /// statement; returns how many moved.
    public func moveCustomers(of handover: RecordID, from user: RecordID, at now: Date) async throws -> Int {
        let at = now.microsSinceEpoch
        return try await sql.raw("""
            UPDATE customers SET owner_id = i.to_user_id, \
            team_id = CASE WHEN i.to_user_id IS NULL THEN customers.team_id ELSE u.team_id END, \
            pool_id = COALESCE(i.pool_id, customers.pool_id), previous_owner_id = customers.owner_id, \
            assigned_at = CASE WHEN i.to_user_id IS NULL THEN NULL ELSE \(bind: at) END, \
            released_at = CASE WHEN i.to_user_id IS NULL THEN \(bind: at) ELSE customers.released_at END, \
            protected_until = CASE WHEN i.to_user_id IS NULL THEN NULL ELSE customers.protected_until END, \
            updated_at = \(bind: at), version = customers.version + 1 \
            FROM handover_items i LEFT JOIN users u ON u.id = i.to_user_id \
            WHERE i.handover_id = \(bind: handover.rawValue) AND i.object_kind = \(bind: ObjectKind.customer.rawValue) \
            AND i.object_id = customers.id AND customers.owner_id = \(bind: user.rawValue) AND customers.merged_into IS NULL \
            RETURNING customers.id
            """).all().count
    }
}
