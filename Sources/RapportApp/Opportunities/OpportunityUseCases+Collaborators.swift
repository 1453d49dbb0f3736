import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension OpportunityUseCases {
    /// Shares an opportunity with a colleague (`read` or `edit`), or changes their access. Whoever
    /// may change the opportunity may share it; the colleague must be an active user other than the
    /// owner. The colleague then sees it in lists, the board and by id (and may change it with `edit`).
    public func addCollaborator(_ id: String, user: String, access: String, by caller: Caller) async throws -> Item {
        var check = Validator()
        let userID = RecordID(parsing: user, prefix: .user)
        if userID == nil { check.add("user_id", "invalid", "user_id is not a user id.") }
        let level = OpportunityCollaborator.Access(rawValue: access)
        if level == nil { check.add("access", "invalid", "access is read or edit.") }
        try check.finish()
        guard let userID, let level else { throw RapportError.validation([]) }
        let existing = try await load(id, by: caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            guard let colleague = try await UserStore(sql).find(userID), colleague.status == .active else {
                throw RapportError.validation([FieldError(field: "user_id", code: "invalid", message: "user_id must be an active user.")])
            }
            if colleague.id == existing.ownerID {
                throw RapportError.validation([FieldError(field: "user_id", code: "invalid", message: "The owner needs no share of their own opportunity.")])
            }
            try await OpportunityStore(sql).share(existing.id, with: colleague.id, access: level, at: now)
            try await rapport.record(rapport.event("opportunity.collaborator_added", by: caller, kind: .opportunity, object: existing.id.rawValue,
                                                   details: ["user_id": colleague.id.rawValue, "access": level.rawValue]), in: sql)
            return Self.item(existing, in: try await dictionary(sql), collaborators: try await OpportunityStore(sql).collaborators(of: existing.id))
        }
    }

    /// Stops sharing an opportunity with a colleague; `not_found` when they were not a collaborator.
    public func removeCollaborator(_ id: String, user: String, by caller: Caller) async throws {
        let existing = try await load(id, by: caller, .update)
        guard let userID = RecordID(parsing: user, prefix: .user) else { throw RapportError.notFound("collaborator") }
        try await rapport.transaction { sql in
            guard try await OpportunityStore(sql).unshare(existing.id, with: userID) else { throw RapportError.notFound("collaborator") }
            try await rapport.record(rapport.event("opportunity.collaborator_removed", by: caller, kind: .opportunity, object: existing.id.rawValue,
                                                   details: ["user_id": userID.rawValue]), in: sql)
        }
    }
}
