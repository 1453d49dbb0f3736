import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Managing users: administrators manage everyone; everyone sees themselves and what their scope allows.
public struct UserUseCases: Sendable {
    let rapport: Rapport

    /// What creating a user takes.
    public struct NewUser: Sendable {
        public var email: String
        public var name: String
        public var role: String
        public var repLevel: String?
        /// A team id (`team_…`) or key.
        public var team: String?
        public var locale: String?
        public var password: String?

        public init(email: String, name: String, role: String, repLevel: String? = nil, team: String? = nil, locale: String? = nil, password: String? = nil) {
            self.email = email
            self.name = name
            self.role = role
            self.repLevel = repLevel
            self.team = team
            self.locale = locale
            self.password = password
        }
    }

    /// A change to a user. `nil` leaves a field alone; `.some(nil)` clears a clearable field.
    public struct Patch: Sendable {
        public var name: String?
        public var email: String?
        public var role: String?
        public var repLevel: String??
        public var team: String??
        public var locale: String??
        public var password: String?

        public init(name: String? = nil, email: String? = nil, role: String? = nil, repLevel: String?? = nil, team: String?? = nil, locale: String?? = nil, password: String? = nil) {
            self.name = name
            self.email = email
            self.role = role
            self.repLevel = repLevel
            self.team = team
            self.locale = locale
            self.password = password
        }
    }

    private func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .user, anchor: .userTable, table: "users")
    }

    /// The calling user.
    public func me(_ caller: Caller) async throws -> User {
        guard let principal = caller.principal else { throw RapportError(.unauthorized, "No user is signed in.") }
        if let cached = rapport.access.user(principal.userID) { return cached }
        let generation = rapport.access.generation()
        guard let user = try await rapport.database.read({ sql in try await UserStore(sql).find(principal.userID) }) else {
            throw AuthUseCases.rejected
        }
        rapport.access.remember(user, generation: generation)
        return user
    }

    public func create(_ input: NewUser, by caller: Caller) async throws -> User {
        guard try await rapport.allows(caller, .create, .user) else {
            throw RapportError(.forbidden, "Only administrators may create users.")
        }
        var check = Validator()
        let email = Credentials.normaliseEmail(input.email, into: &check)
        let name = check.require(input.name, field: "name")
        let role = Role(rawValue: input.role)
        if role == nil { check.add("role", "invalid", "role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") }
        let level = parseLevel(input.repLevel, into: &check)
        if let locale = input.locale, !User.locales.contains(locale) { check.add("locale", "invalid", "locale must be zh-Hans or en.") }
        if let password = input.password { Credentials.validatePassword(password, into: &check) }
        try check.finish()
        let passwordHash = try await input.password.asyncMap { try await rapport.passwords.hash($0) }

        let now = rapport.clock.now()
        let user = User(
            id: rapport.ids.next(.user, at: now), email: email, name: name, role: role!, repLevel: level, teamID: nil,
            status: .active, locale: input.locale, version: 1, createdAt: now, updatedAt: now, lastLoginAt: nil)
        return try await rapport.transaction(changesAccess: true) { sql in
            var created = user
            created.teamID = try await resolveTeam(input.team, field: "team_id", in: sql)
            if try await UserStore(sql).find(email: email) != nil {
                throw RapportError(.conflict, "A user with that email already exists.", fieldErrors: [FieldError(field: "email", code: "taken", message: "email is already in use.")])
            }
            try await UserStore(sql).insert(created, passwordHash: passwordHash)
            try await rapport.record(rapport.event("user.created", by: caller, kind: .user, object: created.id.rawValue, details: ["role": created.role.rawValue]), in: sql)
            return created
        }
    }

    public func get(_ id: String, by caller: Caller) async throws -> User {
        let filter = try await filter(caller, .read)
        guard let id = RecordID(parsing: id, prefix: .user),
              let user = try await rapport.database.read({ sql in try await UserStore(sql).find(id, in: filter) })
        else { throw RapportError.notFound("user") }
        return user
    }

    public func list(_ listFilter: UserStore.ListFilter, page: PageRequest, by caller: Caller) async throws -> Page<User> {
        let filter = try await filter(caller, .read)
        return try await rapport.database.read { sql in try await UserStore(sql).list(listFilter, page: page, in: filter) }
    }

    /// Changes a user if `expectedVersion` is still current (`precondition_failed` otherwise).
    ///
    /// People may change their own name, locale and password; administrators change anything, but
    /// never demote or disable the last active administrator.
    /// `expectedVersion` nil means "whatever is current" (`If-Match: *`).
    public func update(_ id: String, _ patch: Patch, expectedVersion: Int64?, by caller: Caller) async throws -> User {
        let existing = try await get(id, by: caller)
        let expectedVersion = expectedVersion ?? existing.version
        let isAdmin = try await rapport.allows(caller, .update, .user)
        let isSelf = caller.principal?.userID == existing.id
        guard isAdmin || isSelf else { throw RapportError(.forbidden, "Only administrators may change other users.") }

        var check = Validator()
        if !isAdmin {
            for (field, sent) in [("email", patch.email != nil), ("role", patch.role != nil), ("rep_level", patch.repLevel != nil), ("team_id", patch.team != nil)] where sent {
                check.add(field, "read_only", "\(field) can only be changed by an administrator.")
            }
        }
        var changes = UserStore.Changes()
        if let name = patch.name { changes.name = check.text(name, field: "name", allowEmpty: false) }
        if let email = patch.email { changes.email = Credentials.normaliseEmail(email, into: &check) }
        if let role = patch.role {
            if let parsed = Role(rawValue: role) { changes.role = parsed } else { check.add("role", "invalid", "role is not a known role.") }
        }
        if let level = patch.repLevel { changes.repLevel = .some(parseLevel(level, into: &check)) }
        if let locale = patch.locale {
            if let locale, !User.locales.contains(locale) { check.add("locale", "invalid", "locale must be zh-Hans or en.") }
            changes.locale = .some(locale)
        }
        if let password = patch.password { Credentials.validatePassword(password, into: &check) }
        try check.finish()
        changes.passwordHash = try await patch.password.asyncMap { try await rapport.passwords.hash($0) }

        let now = rapport.clock.now()
        // Every change to a user is an access change: cached principals and profiles are dropped.
        return try await rapport.transaction(changesAccess: true) { sql in
            let store = UserStore(sql)
            if let team = patch.team { changes.teamID = .some(try await resolveTeam(team, field: "team_id", in: sql)) }
            if let email = changes.email, email != existing.email, try await store.find(email: email) != nil {
                throw RapportError(.conflict, "A user with that email already exists.", fieldErrors: [FieldError(field: "email", code: "taken", message: "email is already in use.")])
            }
            if let role = changes.role, existing.role == .admin, role != .admin, existing.status == .active, try await store.countActiveAdmins() <= 1 {
                throw RapportError(.conflict, "The last active administrator cannot lose the admin role.")
            }
            guard try await store.update(existing.id, expectedVersion: expectedVersion, changes, at: now) else {
                throw RapportError(.preconditionFailed, "The user was changed by someone else; fetch it again and retry.")
            }
            if changes.passwordHash != nil {
                // A new password ends every other credential of the user.
                try await TokenStore(sql).revokeAll(of: existing.id, at: now)
                try await rapport.record(rapport.event("user.password_changed", by: caller, kind: .user, object: existing.id.rawValue), in: sql)
            }
            if let role = changes.role, role != existing.role {
                try await rapport.record(rapport.event("user.role_changed", by: caller, kind: .user, object: existing.id.rawValue, details: ["from": existing.role.rawValue, "to": role.rawValue]), in: sql)
            }
            if let team = changes.teamID, team != existing.teamID {
                try await rapport.record(rapport.event("user.team_changed", by: caller, kind: .user, object: existing.id.rawValue, details: ["from": existing.teamID?.rawValue ?? "", "to": team?.rawValue ?? ""]), in: sql)
            }
            var fields = [String]()
            if changes.name != nil { fields.append("name") }
            if changes.email != nil { fields.append("email") }
            if changes.repLevel != nil { fields.append("rep_level") }
            if changes.locale != nil { fields.append("locale") }
            if !fields.isEmpty {
                try await rapport.record(rapport.event("user.updated", by: caller, kind: .user, object: existing.id.rawValue, details: ["fields": fields.joined(separator: ",")]), in: sql)
            }
            guard let updated = try await store.find(existing.id) else { throw RapportError.notFound("user") }
            return updated
        }
    }

    /// Disables a user: every token and session of theirs stops working on the next request.
    public func disable(_ id: String, by caller: Caller) async throws -> User {
        try await setStatus(id, .disabled, by: caller)
    }

    /// Enables a disabled user (their old credentials stay revoked; they sign in again).
    public func enable(_ id: String, by caller: Caller) async throws -> User {
        try await setStatus(id, .active, by: caller)
    }

    /// Finds a user by email within the caller's scope (the command line's way to name a user).
    public func find(email: String, by caller: Caller) async throws -> User {
        var check = Validator()
        let normal = Credentials.normaliseEmail(email, into: &check)
        try check.finish()
        let filter = try await filter(caller, .read)
        guard let user = try await rapport.database.read({ sql in try await UserStore(sql).find(email: normal, in: filter) }) else {
            throw RapportError.notFound("user")
        }
        return user
    }

    private func setStatus(_ id: String, _ status: User.Status, by caller: Caller) async throws -> User {
        let existing = try await get(id, by: caller)
        guard try await rapport.allows(caller, .update, .user) else {
            throw RapportError(.forbidden, "Only administrators may disable or enable users.")
        }
        if existing.status == status { return existing }
        if status == .disabled, caller.principal?.userID == existing.id {
            throw RapportError(.conflict, "You cannot disable yourself.")
        }
        let now = rapport.clock.now()
        return try await rapport.transaction(changesAccess: true) { sql in
            try await applyStatus(existing, status, by: caller, at: now, sql)
            guard let updated = try await UserStore(sql).find(existing.id) else { throw RapportError.notFound("user") }
            return updated
        }
    }

    /// Changes a user's status inside the caller's transaction, which must announce an access
    /// change (`transaction(changesAccess: true)`) so every cache drops the user. Disabling revokes
    /// every token and session and never leaves the system without an active administrator;
    /// returns how many credentials were revoked. Disabling and handovers share it.
    @discardableResult
    func applyStatus(_ existing: User, _ status: User.Status, by caller: Caller, at now: Date, _ sql: any SQLDatabase) async throws -> Int {
        let store = UserStore(sql)
        if status == .disabled, existing.role == .admin, try await store.countActiveAdmins() <= 1 {
            throw RapportError(.conflict, "The last active administrator cannot be disabled.")
        }
        guard try await store.update(existing.id, expectedVersion: existing.version, .init(status: status), at: now) else {
            throw RapportError(.conflict, "The user was changed at the same time; try again.")
        }
        var details: [String: String] = [:]
        var revoked = 0
        if status == .disabled {
            revoked = try await TokenStore(sql).revokeAll(of: existing.id, at: now)
            details["revoked_credentials"] = String(revoked)
        }
        try await rapport.record(rapport.event(status == .disabled ? "user.disabled" : "user.enabled", by: caller, kind: .user, object: existing.id.rawValue, details: details), in: sql)
        return revoked
    }

    /// Deletes a user who owns nothing; otherwise `conflict` (disable them instead).
    public func delete(_ id: String, by caller: Caller) async throws {
        let existing = try await get(id, by: caller)
        guard try await rapport.allows(caller, .delete, .user) else {
            throw RapportError(.forbidden, "Only administrators may delete users.")
        }
        if caller.principal?.userID == existing.id { throw RapportError(.conflict, "You cannot delete yourself.") }
        try await rapport.transaction(changesAccess: true) { sql in
            if existing.role == .admin, existing.status == .active, try await UserStore(sql).countActiveAdmins() <= 1 {
                throw RapportError(.conflict, "The last active administrator cannot be deleted.")
            }
            guard try await UserStore(sql).delete(existing.id) else { throw RapportError.notFound("user") }
            try await rapport.record(rapport.event("user.deleted", by: caller, kind: .user, object: existing.id.rawValue), in: sql)
        }
    }

    private func parseLevel(_ text: String?, into check: inout Validator) -> RepLevel? {
        guard let text else { return nil }
        guard let level = RepLevel(rawValue: text) else {
            check.add("rep_level", "invalid", "rep_level must be a short lowercase key such as junior, senior or expert.")
            return nil
        }
        return level
    }

    /// Resolves a team reference (id or key) to an id, or a field error.
    func resolveTeam(_ reference: String?, field: String, in sql: any SQLDatabase) async throws -> RecordID? {
        guard let reference else { return nil }
        return try await TeamUseCases.referenced(reference, field: field, in: TeamStore(sql)).id
    }
}

extension Optional {
    /// `map` for async transforms.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
