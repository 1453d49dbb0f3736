import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Signing in and authenticating requests.
public struct AuthUseCases: Sendable {
    let rapport: Rapport

    /// A credential just issued: the secret is shown this once and never stored.
    public struct IssuedToken: Sendable {
        public var token: APIToken
        public var secret: String
    }

    /// Signs in with email and password and issues an API token.
    ///
    /// Failures are counted per account and per address; past the limits both are locked for a
    /// while (`rate_limited`). The answer never says whether the account exists.
    public func signIn(email: String, password: String, address: String?, channel: String = "api") async throws -> IssuedToken {
        var check = Validator()
        let normalised = Credentials.normaliseEmail(email, into: &check)
        if password.isEmpty { check.add("password", "required", "password is required.") }
        try check.finish()

        let now = rapport.clock.now()
        let buckets = ["account:" + Digest.sha256Hex(normalised)] + (address.map { ["address:" + $0] } ?? [])
        try await refuseIfLocked(buckets, at: now)

        let found = try await rapport.database.read { sql in try await UserStore(sql).findForLogin(email: normalised) }
        let hash: String
        if let stored = found?.1 { hash = stored } else { hash = try await rapport.passwords.dummyHashCached() }
        let passwordMatches = try await rapport.passwords.verify(password, hash: hash)
        guard let (user, storedHash) = found, storedHash != nil, passwordMatches, user.status == .active else {
            let caller = Caller(principal: nil, address: address, channel: channel)
            try await rapport.transaction { sql in
                try await recordFailure(buckets, at: now, in: sql)
                try await rapport.record(
                    rapport.event("auth.login_failed", by: caller, kind: .user, object: found?.0.id.rawValue,
                                  details: ["reason": found == nil ? "unknown_account" : (found?.0.status == .disabled ? "disabled" : "bad_password")]),
                    in: sql)
            }
            throw RapportError(.unauthorized, "The email or password is not right, or the account is disabled.")
        }

        let secret = SecretMaker.make()
        let token = APIToken(
            id: rapport.ids.next(.token, at: now), userID: user.id, name: "Sign-in", kind: .api,
            displayPrefix: String(secret.prefix(10)), scopes: TokenScope.full, createdAt: now,
            expiresAt: now.addingTimeInterval(rapport.settings.loginTokenLifetime), lastUsedAt: nil, revokedAt: nil)
        let caller = Caller(principal: Principal(userID: user.id, role: user.role), address: address, channel: channel)
        // An access change: the user's cached profile (last_login_at) must not outlive the sign-in.
        try await rapport.transaction(changesAccess: true) { sql in
            for bucket in buckets.prefix(1) { try await LoginThrottleStore(sql).clear(bucket) }
            try await TokenStore(sql).insert(token, secretHash: Digest.sha256Hex(secret))
            try await UserStore(sql).recordLogin(user.id, at: now)
            try await rapport.record(rapport.event("auth.login", by: caller, kind: .token, object: token.id.rawValue), in: sql)
        }
        return IssuedToken(token: token, secret: secret)
    }

    /// Refuses (`rate_limited`) while any of the buckets is locked after too many failed password checks.
    func refuseIfLocked(_ buckets: [String], at now: Date) async throws {
        let lockedFor = try await rapport.database.read { sql in
            var longest: TimeInterval = 0
            for bucket in buckets {
                if let until = try await LoginThrottleStore(sql).state(bucket)?.lockedUntil, until > now {
                    longest = max(longest, until.timeIntervalSince(now))
                }
            }
            return longest
        }
        if lockedFor > 0 {
            throw RapportError(.rateLimited, "Too many failed sign-ins; try again later.", retryAfterSeconds: Int(lockedFor.rounded(.up)))
        }
    }

    /// Counts a failed password check in each bucket and locks the buckets past their limits.
    func recordFailure(_ buckets: [String], at now: Date, in sql: any SQLDatabase) async throws {
        let settings = rapport.settings
        let store = LoginThrottleStore(sql)
        for bucket in buckets {
            let state = try await store.recordFailure(bucket, at: now, window: settings.throttleWindow)
            let limit = bucket.hasPrefix("account:") ? settings.accountFailureLimit : settings.addressFailureLimit
            if state.failures >= limit {
                try await store.lock(bucket, until: now.addingTimeInterval(settings.lockoutDuration), at: now)
            }
        }
    }

    /// The principal a presented secret stands for, or `unauthorized`.
    ///
    /// Served from the access cache when possible (no query); the cache forgets everything as soon
    /// as any user, token, role or scope changes, in this process or another.
    public func authenticate(secret: String, address: String?) async throws -> Principal {
        guard SecretMaker.looksValid(secret) else { throw Self.rejected }
        let hash = Digest.sha256Hex(secret)
        let now = rapport.clock.now()
        if let principal = rapport.access.principal(forSecretHash: hash, at: now) { return principal }
        let generation = rapport.access.generation()
        guard let credential = try await rapport.database.read({ sql in try await TokenStore(sql).credential(secretHash: hash) }),
              credential.userStatus == .active, credential.token.isUsable(at: now)
        else { throw Self.rejected }
        rapport.access.remember(credential.principal, secretHash: hash, expiresAt: credential.token.expiresAt, generation: generation)
        if rapport.access.shouldTouch(secretHash: hash, lastUsed: credential.token.lastUsedAt, at: now, interval: rapport.settings.tokenUseInterval) {
            let caller = Caller(principal: credential.principal, address: address, channel: "api")
            try await rapport.transaction { sql in
                try await TokenStore(sql).touch(credential.token.id, at: now)
                try await rapport.record(rapport.event("auth.token_used", by: caller, kind: .token, object: credential.token.id.rawValue), in: sql)
            }
        }
        return credential.principal
    }

    /// The principal of a browser session (a sign-in token's secret in a cookie), refused once it
    /// has been idle for `idle` seconds (then it is revoked). Reads the token each time and records
    /// its use at most every five minutes, so the idle clock is exact to that.
    public func authenticateSession(secret: String, address: String?, idle: TimeInterval) async throws -> Principal {
        guard SecretMaker.looksValid(secret) else { throw Self.rejected }
        let hash = Digest.sha256Hex(secret)
        let now = rapport.clock.now()
        guard let credential = try await rapport.database.read({ sql in try await TokenStore(sql).credential(secretHash: hash) }),
              credential.userStatus == .active, credential.token.isUsable(at: now)
        else { throw Self.rejected }
        let lastUsed = credential.token.lastUsedAt ?? credential.token.createdAt
        if now.timeIntervalSince(lastUsed) > idle {
            try await rapport.transaction(changesAccess: true) { sql in
                _ = try await TokenStore(sql).revoke(credential.token.id, at: now)
                try await rapport.record(rapport.event("auth.session_expired", by: Caller(principal: credential.principal, address: address, channel: "web"),
                                                       kind: .token, object: credential.token.id.rawValue), in: sql)
            }
            throw Self.rejected
        }
        if now.timeIntervalSince(lastUsed) > 300 {
            try await rapport.transaction { sql in try await TokenStore(sql).touch(credential.token.id, at: now) }
        }
        return credential.principal
    }

    /// Ends a browser session: revokes its token.
    public func signOut(secret: String, address: String?) async throws {
        guard SecretMaker.looksValid(secret) else { return }
        let hash = Digest.sha256Hex(secret)
        let now = rapport.clock.now()
        guard let credential = try await rapport.database.read({ sql in try await TokenStore(sql).credential(secretHash: hash) }) else { return }
        try await rapport.transaction(changesAccess: true) { sql in
            if try await TokenStore(sql).revoke(credential.token.id, at: now) {
                try await rapport.record(rapport.event("auth.signed_out", by: Caller(principal: credential.principal, address: address, channel: "web"),
                                                       kind: .token, object: credential.token.id.rawValue), in: sql)
            }
        }
    }

    static let rejected = RapportError(.unauthorized, "The credential is missing, expired, revoked, or its user is disabled.")
}

extension PasswordHasher {
    /// A hash of nothing anyone knows, made once per cost (off the async threads), checked when an
    /// account does not exist so that a failed sign-in takes as long either way.
    func dummyHashCached() async throws -> String {
        if let known = DummyHashes.shared.hashes.withLock({ $0[cost] }) { return known }
        let made = try await hash("rapport-no-such-account")
        DummyHashes.shared.hashes.withLock { $0[cost] = made }
        return made
    }
}

import Synchronization

private final class DummyHashes: Sendable {
    static let shared = DummyHashes()
    let hashes = Mutex<[UInt8: String]>([:])
}
