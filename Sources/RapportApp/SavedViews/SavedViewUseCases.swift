import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Saved views: each user keeps their own named filter sets for a list (leads, customers) and
/// nobody else sees, opens or deletes them. A view stores the list's query string, reduced to the
/// list's filter keys; what it finds is decided when it is opened, within the opener's scope.
public struct SavedViewUseCases: Sendable {
    let rapport: Rapport

    /// What saving a view takes, as the caller sent it.
    public struct NewView: Sendable {
        public var object: String?
        public var name: String?
        /// The list's url-encoded filters (`status=new&q=wang`); unknown keys are dropped.
        public var query: String?

        public init(object: String?, name: String?, query: String?) {
            self.object = object
            self.name = name
            self.query = query
        }
    }

    /// The caller's own user: only a signed-in user keeps views.
    func me(_ caller: Caller, writing: Bool) throws -> RecordID {
        guard let principal = caller.principal else { throw RapportError(.forbidden, "Only a user keeps saved views.") }
        if writing, !principal.tokenScopes.contains(.write) { throw RapportError(.forbidden, "This token may only read.") }
        return principal.userID
    }

    static func object(_ text: String?, field: String = "object", check: inout Validator) -> SavedView.Object? {
        guard let text else {
            check.add(field, "required", "\(field) is required: lead or customer.")
            return nil
        }
        guard let object = SavedView.Object(rawValue: text) else {
            check.add(field, "invalid", "\(field) must be lead or customer.")
            return nil
        }
        return object
    }

    /// The caller's views, of one list (`object`) or of all, in saved order.
    public func list(object: String? = nil, by caller: Caller) async throws -> [SavedView] {
        let user = try me(caller, writing: false)
        var check = Validator()
        let parsed = object.map { Self.object($0, check: &check) } ?? nil
        try check.finish()
        return try await rapport.database.read { sql in try await SavedViewStore(sql).list(of: user, object: parsed) }
    }

    /// Saves the caller's current filters of a list under a name (at most 60 characters, unique
    /// among the caller's views of that list: `duplicate` otherwise), placed after their others;
    /// at most ``SavedView/maximumPerList`` per list.
    public func create(_ input: NewView, by caller: Caller) async throws -> SavedView {
        let user = try me(caller, writing: true)
        var check = Validator()
        let object = Self.object(input.object, check: &check)
        let name = check.require(input.name, field: "name", maxLength: SavedView.maximumNameLength)
        let raw = input.query ?? ""
        if raw.count > 4_000 { check.add("query", "too_long", "query must be at most 4000 characters.") }
        try check.finish()
        guard let object else { throw RapportError.validation(check.errors) }
        let query = SavedView.normalise(raw, for: object)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await sql.lockKeys(["saved_views:\(user.rawValue):\(object.rawValue)"])
            let store = SavedViewStore(sql)
            if try await store.find(named: name, object: object, of: user) != nil {
                throw RapportError(.duplicate, "You already have a view of this list with that name.",
                                   fieldErrors: [FieldError(field: "name", code: "duplicate", message: "You already have a view named \(name).")])
            }
            let tally = try await store.tally(of: user, object: object)
            guard tally.count < SavedView.maximumPerList else {
                throw RapportError.validation([FieldError(field: "object", code: "too_many",
                                                          message: "Keep at most \(SavedView.maximumPerList) views per list; delete one first.")])
            }
            let view = SavedView(id: rapport.ids.next(.savedView, at: now), userID: user, object: object, name: name, query: query,
                                 position: tally.nextPosition, createdAt: now)
            try await store.insert(view)
            return view
        }
    }

    /// Deletes one of the caller's views; anyone else's (or none) is `not_found`.
    public func delete(_ id: String, by caller: Caller) async throws {
        let user = try me(caller, writing: true)
        guard let viewID = RecordID(parsing: id, prefix: .savedView) else { throw RapportError.notFound("saved view") }
        let deleted = try await rapport.transaction { sql in try await SavedViewStore(sql).delete(viewID, of: user) }
        if !deleted { throw RapportError.notFound("saved view") }
    }
}
