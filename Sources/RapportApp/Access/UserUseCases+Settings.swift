import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension UserUseCases {
    /// What a signed-in person may change about themselves on their settings page.
    public struct OwnSettings: Sendable {
        public var name: String?
        /// `.some(nil)` follows the browser's language; `.some("zh-Hans")` or `.some("en")` fixes it.
        public var locale: String??

        public init(name: String? = nil, locale: String?? = nil) {
            self.name = name
            self.locale = locale
        }
    }

    /// Changes the caller's own name and language (nothing else: no role, team, level or email).
    public func updateOwnSettings(_ settings: OwnSettings, by caller: Caller) async throws -> User {
        guard let principal = caller.principal else { throw AuthUseCases.rejected }
        return try await update(principal.userID.rawValue, Patch(name: settings.name, locale: settings.locale), expectedVersion: nil, by: caller)
    }

    /// Changes the caller's own password, given the current one. The credential in use stays signed
    /// in; every other token and session of the caller is revoked. Wrong current passwords count
    /// towards the account's sign-in lockout, so a borrowed session cannot guess its way in.
    public func changeOwnPassword(current: String, new: String, by caller: Caller) async throws {
        guard let principal = caller.principal else { throw AuthUseCases.rejected }
        var check = Validator()
        if current.isEmpty { check.add("current_password", "required", "current_password is required.") }
        Credentials.validatePassword(new, field: "new_password", into: &check)
        try check.finish()

        let me = try await me(caller)
        let now = rapport.clock.now()
        let buckets = ["account:" + Digest.sha256Hex(me.email)]
        try await rapport.auth.refuseIfLocked(buckets, at: now)
        let stored = try await rapport.database.read { sql in try await UserStore(sql).findForLogin(email: me.email) }
        let hash: String
        if let storedHash = stored?.1 { hash = storedHash } else { hash = try await rapport.passwords.dummyHashCached() }
        guard let (user, storedHash) = stored, storedHash != nil, user.id == principal.userID,
              try await rapport.passwords.verify(current, hash: hash)
        else {
            try await rapport.transaction { sql in
                try await rapport.auth.recordFailure(buckets, at: now, in: sql)
                try await rapport.record(rapport.event("user.password_change_failed", by: caller, kind: .user, object: principal.userID.rawValue), in: sql)
            }
            throw RapportError.validation([FieldError(field: "current_password", code: "incorrect", message: "current_password is not right.")])
        }
        let newHash = try await rapport.passwords.hash(new)
        try await rapport.transaction(changesAccess: true) { sql in
            var changes = UserStore.Changes()
            changes.passwordHash = newHash
            guard try await UserStore(sql).update(user.id, expectedVersion: user.version, changes, at: now) else {
                throw RapportError(.conflict, "Your account was changed at the same time; try again.")
            }
            let revoked = try await TokenStore(sql).revokeAll(of: user.id, except: principal.credentialID, at: now)
            try await LoginThrottleStore(sql).clear(buckets[0])
            try await rapport.record(rapport.event("user.password_changed", by: caller, kind: .user, object: user.id.rawValue,
                                                   details: ["revoked_credentials": String(revoked)]), in: sql)
        }
    }
}
