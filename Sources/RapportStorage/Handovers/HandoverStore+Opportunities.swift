import Foundation
import RapportCore
import SQLKit

extension HandoverStore {
    /// One opportunity a departing user owns, as a preview lists it.
    public struct OwnedOpportunity: Sendable, Equatable {
        public var id: RecordID
        public var name: String
        public var stage: String
        /// Whether it is still open (only open opportunities move; won and lost stay with who closed them).
        public var isOpen: Bool
    }

    /// Every opportunity `user` owns, by id.
    public func ownedOpportunities(of user: RecordID) async throws -> [OwnedOpportunity] {
        try await sql.select().columns("id", "name", "stage", "status_category").from("opportunities").where("owner_id", .equal, user.rawValue)
            .orderBy("id").all().map { row in
                OwnedOpportunity(id: try row.id("id"), name: try row.text("name"), stage: try row.text("stage"),
                                 isOpen: try row.text("status_category") == StageCategory.open.rawValue)
            }
    }

    /// Moves the open opportunities named by a handover's items from `user` to each item's
    /// recipient (and the recipient's team). Stage, amounts and history stay. One statement;
    /// returns how many moved (each only if `user` still owned it and it was still open).
    public func moveOpportunities(of handover: RecordID, from user: RecordID, at now: Date) async throws -> Int {
        let at = now.microsSinceEpoch
        return try await sql.raw("""
            UPDATE opportunities SET owner_id = i.to_user_id, team_id = u.team_id, \
            updated_at = \(bind: at), version = opportunities.version + 1 \
            FROM handover_items i JOIN users u ON u.id = i.to_user_id \
            WHERE i.handover_id = \(bind: handover.rawValue) AND i.object_kind = \(bind: ObjectKind.opportunity.rawValue) \
            AND i.object_id = opportunities.id AND opportunities.owner_id = \(bind: user.rawValue) \
            AND opportunities.status_category = \(bind: StageCategory.open.rawValue) \
            RETURNING opportunities.id
            """).all().count
    }
}
