import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension HandoverUseCases {
    /// Handovers of users in the caller's scope, newest first (optionally of one user).
    public func list(user: String? = nil, page: PageRequest, by caller: Caller) async throws -> Page<Handover> {
        let scope = try await scope(caller, .read, table: "u")
        var userID: RecordID?
        if let user {
            userID = RecordID(parsing: user, prefix: .user)
            if userID == nil { throw RapportError.validation([FieldError(field: "user_id", code: "invalid", message: "user_id is not a user id.")]) }
        }
        return try await rapport.database.read { sql in try await HandoverStore(sql).list(user: userID, page: page, in: scope) }
    }

    /// One handover report; `not_found` when its user is outside the caller's scope.
    public func get(_ id: String, by caller: Caller) async throws -> Handover {
        let scope = try await scope(caller, .read, table: "u")
        guard let id = RecordID(parsing: id, prefix: .handover),
              let handover = try await rapport.database.read({ sql in try await HandoverStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("handover") }
        return handover
    }

    /// A page of what a handover moved, by object id: one kind (`lead`, `customer`) or all.
    public func items(_ id: String, kind: String? = nil, page: PageRequest, by caller: Caller) async throws -> Page<HandoverItem> {
        var objectKind: ObjectKind?
        if let kind {
            guard let parsed = HandoverKind(objectKind: ObjectKind(rawValue: kind)) else {
                let kinds = HandoverKind.allCases.map(\.objectKind.rawValue).joined(separator: ", ")
                throw RapportError.validation([FieldError(field: "kind", code: "invalid", message: "kind is one of: \(kinds).")])
            }
            objectKind = parsed.objectKind
        }
        let handover = try await get(id, by: caller)
        return try await rapport.database.read { sql in try await HandoverStore(sql).items(of: handover.id, kind: objectKind, page: page) }
    }
}
