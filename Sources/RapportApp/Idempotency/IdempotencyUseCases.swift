import Foundation
import RapportCore
import RapportStorage

/// `Idempotency-Key` on POST: the same key and body give the same response and one effect.
public struct IdempotencyUseCases: Sendable {
    let rapport: Rapport

    /// What to do with a request that carries a key.
    public enum Decision: Sendable, Equatable {
        /// First time: run the request, then ``complete(_:key:response:)`` or ``release(_:key:)``.
        case proceed
        /// Seen before with the same body: send this response again.
        case replay(IdempotencyStore.StoredResponse)
    }

    /// Whether `key` may be an idempotency key: 1 to 255 visible ASCII characters (the header's
    /// rule, and the rule of keys sent in a body, such as an entitlement consumption's).
    public static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 255 && key.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F }
    }

    /// Claims `key` for this principal and request, or says how to answer.
    ///
    /// Throws `idempotency_key_reused` (422) for the same key with another request, and
    /// `idempotency_in_progress` (409) while the first request with the key is still running.
    public func begin(principal: RecordID, key: String, requestHash: String) async throws -> Decision {
        guard Self.isValidKey(key) else {
            throw RapportError.validation([FieldError(field: "Idempotency-Key", code: "invalid", message: "Idempotency-Key must be 1 to 255 visible ASCII characters.")])
        }
        let now = rapport.clock.now()
        let settings = rapport.settings
        do {
            return try await decide(principal: principal, key: key, requestHash: requestHash, at: now, settings: settings)
        } catch let error where rapport.database.isUniqueViolation(error) {
            // Two requests with the same key raced to claim it: the other one is running.
            throw RapportError(.idempotencyInProgress, "A request with this Idempotency-Key is still being processed.", retryAfterSeconds: 1)
        }
    }

    private func decide(principal: RecordID, key: String, requestHash: String, at now: Date, settings: RapportSettings) async throws -> Decision {
        try await rapport.database.write { sql in
            let store = IdempotencyStore(sql)
            var found = try await store.find(principal: principal.rawValue, key: key)
            if let expired = found, expired.expiresAt <= now {
                // Past its lifetime the key is forgotten, whatever housekeeping has done yet.
                try await store.release(principal: principal.rawValue, key: key)
                found = nil
            }
            if let existing = found {
                guard existing.requestHash == requestHash else {
                    throw RapportError(.idempotencyKeyReused, "This Idempotency-Key was used with a different request.")
                }
                if let response = existing.response { return .replay(response) }
                if now.timeIntervalSince(existing.createdAt) < settings.idempotencyAbandonedAfter {
                    throw RapportError(.idempotencyInProgress, "A request with this Idempotency-Key is still being processed.", retryAfterSeconds: 1)
                }
                try await store.reclaim(principal: principal.rawValue, key: key, at: now)
                return .proceed
            }
            try await store.claim(principal: principal.rawValue, key: key, requestHash: requestHash, at: now, expiresAt: now.addingTimeInterval(settings.idempotencyLifetime))
            return .proceed
        }
    }

    /// Stores the response to replay for the key.
    public func complete(_ principal: RecordID, key: String, response: IdempotencyStore.StoredResponse) async throws {
        try await rapport.database.write { sql in try await IdempotencyStore(sql).complete(principal: principal.rawValue, key: key, response: response) }
    }

    /// Forgets the key (the request failed in a way that may be retried).
    public func release(_ principal: RecordID, key: String) async throws {
        try await rapport.database.write { sql in try await IdempotencyStore(sql).release(principal: principal.rawValue, key: key) }
    }
}
