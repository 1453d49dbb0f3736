import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// The team tree: administrators shape it; everyone sees the part their scope allows.
public struct TeamUseCases: Sendable {
    let rapport: Rapport

    public struct NewTeam: Sendable {
        public var key: String
        public var name: String
        /// The parent team's id or key; nil for a root team.
        public var parent: String?

        public init(key: String, name: String, parent: String? = nil) {
            self.key = key
            self.name = name
            self.parent = parent
        }
    }

    public struct Patch: Sendable {
        public var key: String?
        public var name: String?
        /// `.some(nil)` makes the team a root; `.some(x)` moves it under x.
        public var parent: String??

        public init(key: String? = nil, name: String? = nil, parent: String?? = nil) {
            self.key = key
            self.name = name
            self.parent = parent
        }
    }

    private func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .team, anchor: .teamTable, table: "teams")
    }

    public func create(_ input: NewTeam, by caller: Caller) async throws -> Team {
        guard try await rapport.allows(caller, .create, .team) else {
            throw RapportError(.forbidden, "Only administrators may create teams.")
        }
        var check = Validator()
        let key = check.require(input.key, field: "key", maxLength: 64)
        if check.isValid, !Team.isValidKey(key) { check.add("key", "invalid", "key must be lowercase letters, digits, - and _, starting with a letter.") }
        let name = check.require(input.name, field: "name")
        try check.finish()
        let now = rapport.clock.now()
        let id = rapport.ids.next(.team, at: now)
        return try await rapport.transaction { sql in
            let store = TeamStore(sql)
            var parentPath: String?
            var parentID: RecordID?
            if let reference = input.parent {
                let parent = try await Self.referenced(reference, field: "parent_id", in: store)
                guard TeamPath.depth(parent.path) < TeamPath.maximumDepth else {
                    throw RapportError.validation([FieldError(field: "parent_id", code: "too_deep", message: "teams nest at most \(TeamPath.maximumDepth) levels.")])
                }
                parentPath = parent.path
                parentID = parent.id
            }
            if try await store.find(key: key) != nil {
                throw RapportError(.conflict, "A team with that key already exists.", fieldErrors: [FieldError(field: "key", code: "taken", message: "key is already in use.")])
            }
            let team = Team(id: id, key: key, name: name, parentID: parentID, path: TeamPath.child(of: parentPath, id: id), version: 1, createdAt: now, updatedAt: now)
            try await store.insert(team)
            try await rapport.record(rapport.event("team.created", by: caller, kind: .team, object: id.rawValue, details: ["parent": parentID?.rawValue ?? ""]), in: sql)
            return team
        }
    }

    public func get(_ id: String, by caller: Caller) async throws -> Team {
        let filter = try await filter(caller, .read)
        guard let id = RecordID(parsing: id, prefix: .team),
              let team = try await rapport.database.read({ sql in try await TeamStore(sql).find(id, in: filter) })
        else { throw RapportError.notFound("team") }
        return team
    }

    public func list(parent: String?, page: PageRequest, by caller: Caller) async throws -> Page<Team> {
        let filter = try await filter(caller, .read)
        var parentID: RecordID?
        if let parent {
            guard let id = RecordID(parsing: parent, prefix: .team) else {
                throw RapportError.validation([FieldError(field: "parent_id", code: "invalid", message: "parent_id is not a team id.")])
            }
            parentID = id
        }
        return try await rapport.database.read { sql in try await TeamStore(sql).list(parent: parentID, page: page, in: filter) }
    }

    /// Renames or moves a team; moving rewrites its subtree's paths and so changes data scopes.
    /// `expectedVersion` nil means "whatever is current" (`If-Match: *`).
    public func update(_ id: String, _ patch: Patch, expectedVersion: Int64?, by caller: Caller) async throws -> Team {
        let existing = try await get(id, by: caller)
        let expectedVersion = expectedVersion ?? existing.version
        guard try await rapport.allows(caller, .update, .team) else {
            throw RapportError(.forbidden, "Only administrators may change teams.")
        }
        var check = Validator()
        var key: String?
        if let newKey = patch.key {
            key = check.text(newKey, field: "key", maxLength: 64, allowEmpty: false)
            if let key, check.isValid, !Team.isValidKey(key) { check.add("key", "invalid", "key must be lowercase letters, digits, - and _, starting with a letter.") }
        }
        let name = patch.name.map { check.text($0, field: "name", allowEmpty: false) }
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction(changesAccess: patch.parent != nil) { sql in
            let store = TeamStore(sql)
            var move: (id: RecordID?, path: String)?
            if let parentReference = patch.parent {
                if let reference = parentReference {
                    let parent = try await Self.referenced(reference, field: "parent_id", in: store)
                    if TeamPath.isWithin(parent.path, subtreeOf: existing.path) {
                        throw RapportError.validation([FieldError(field: "parent_id", code: "cycle", message: "a team cannot move under itself or its own subteams.")])
                    }
                    // The whole subtree moves: its deepest team must stay within the limit.
                    let below = try await store.subtreePaths(of: existing.path).map(TeamPath.depth).max() ?? TeamPath.depth(existing.path)
                    let deepest = TeamPath.depth(parent.path) + 1 + (below - TeamPath.depth(existing.path))
                    guard deepest <= TeamPath.maximumDepth else {
                        throw RapportError.validation([FieldError(field: "parent_id", code: "too_deep", message: "teams nest at most \(TeamPath.maximumDepth) levels; this move would make \(deepest).")])
                    }
                    move = (parent.id, TeamPath.child(of: parent.path, id: existing.id))
                } else {
                    move = (nil, TeamPath.child(of: nil, id: existing.id))
                }
            }
            if let key, key != existing.key, try await store.find(key: key) != nil {
                throw RapportError(.conflict, "A team with that key already exists.", fieldErrors: [FieldError(field: "key", code: "taken", message: "key is already in use.")])
            }
            guard try await store.update(existing, expectedVersion: expectedVersion, name: name, key: key, newParent: move, at: now) else {
                throw RapportError(.preconditionFailed, "The team was changed by someone else; fetch it again and retry.")
            }
            var details: [String: String] = [:]
            if let move { details["parent"] = move.id?.rawValue ?? "" }
            if name != nil { details["name"] = "changed" }
            if key != nil { details["key"] = "changed" }
            try await rapport.record(rapport.event(move == nil ? "team.updated" : "team.moved", by: caller, kind: .team, object: existing.id.rawValue, details: details), in: sql)
            guard let updated = try await store.find(existing.id) else { throw RapportError.notFound("team") }
            return updated
        }
    }

    /// Deletes an empty team (no subteams, no members); otherwise `conflict`.
    public func delete(_ id: String, by caller: Caller) async throws {
        let existing = try await get(id, by: caller)
        guard try await rapport.allows(caller, .delete, .team) else {
            throw RapportError(.forbidden, "Only administrators may delete teams.")
        }
        try await rapport.transaction(changesAccess: true) { sql in
            if try await TeamStore(sql).countChildren(of: existing.id) > 0 {
                throw RapportError(.conflict, "The team has subteams; move or delete them first.")
            }
            if try await UserStore(sql).countMembers(of: existing.id) > 0 {
                throw RapportError(.conflict, "The team has members; move them to another team first.")
            }
            guard try await TeamStore(sql).delete(existing.id) else { throw RapportError.notFound("team") }
            try await rapport.record(rapport.event("team.deleted", by: caller, kind: .team, object: existing.id.rawValue), in: sql)
        }
    }

    /// The team a request names by id or key, or a field error naming `field`.
    static func referenced(_ reference: String, field: String, in store: TeamStore) async throws -> Team {
        guard let team = try await store.find(reference: reference) else {
            throw RapportError.validation([FieldError(field: field, code: "not_found", message: "\(field) names no team.")])
        }
        return team
    }
}
