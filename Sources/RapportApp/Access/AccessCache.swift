import Foundation
import RapportCore
import Synchronization

/// Remembers authenticated credentials and the loaded access policy, so the hot path of every
/// request costs no query, and forgets all of it the moment access changes anywhere.
///
/// Correctness rests on generations: a lookup notes the generation *before* it reads the
/// database, and an entry is only ever used while the generation is unchanged. A change bumps the
/// generation after its transaction commits, so a read that raced with it can never be served.
public final class AccessCache: Sendable {
    private struct Entry {
        var principal: Principal
        var expiresAt: Date
        var generation: UInt64
        var lastTouched: Date?
    }

    private struct State {
        var generation: UInt64 = 1
        var externalStamp: UInt64 = 0
        var principals: [String: Entry] = [:]
        var policy: (ScopePolicy, UInt64)?
        var users: [RecordID: (User, UInt64)] = [:]
    }

    private let state = Mutex(State())
    private let signal: any AccessChangeSignal
    /// At most this many credentials are remembered; beyond it the cache starts afresh.
    public let capacity: Int

    public init(signal: any AccessChangeSignal, capacity: Int = 10_000) {
        self.signal = signal
        self.capacity = capacity
    }

    /// The current generation, after taking in any change announced by another process.
    public func generation() -> UInt64 {
        let stamp = signal.externalStamp()
        return state.withLock { state in
            if stamp != state.externalStamp {
                state.externalStamp = stamp
                state.generation &+= 1
                state.principals.removeAll(keepingCapacity: true)
                state.users.removeAll(keepingCapacity: true)
                state.policy = nil
            }
            return state.generation
        }
    }

    /// A remembered principal for a secret hash, if still valid at `now`.
    public func principal(forSecretHash hash: String, at now: Date) -> Principal? {
        let current = generation()
        return state.withLock { state in
            guard let entry = state.principals[hash], entry.generation == current, entry.expiresAt > now else { return nil }
            return entry.principal
        }
    }

    /// Remembers a principal read at `generation` (ignored if access changed since).
    public func remember(_ principal: Principal, secretHash: String, expiresAt: Date, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.principals.count >= capacity { state.principals.removeAll(keepingCapacity: true) }
            state.principals[secretHash] = Entry(principal: principal, expiresAt: expiresAt, generation: generation)
        }
    }

    /// Whether a token's last use should be written now (at most once per `interval`).
    public func shouldTouch(secretHash: String, lastUsed: Date?, at now: Date, interval: TimeInterval) -> Bool {
        state.withLock { state in
            let known = state.principals[secretHash]?.lastTouched ?? lastUsed
            if let known, now.timeIntervalSince(known) < interval { return false }
            state.principals[secretHash]?.lastTouched = now
            return true
        }
    }

    /// A remembered user record (for `/me`), if still valid.
    public func user(_ id: RecordID) -> User? {
        let current = generation()
        return state.withLock { state in
            guard let (user, generation) = state.users[id], generation == current else { return nil }
            return user
        }
    }

    public func remember(_ user: User, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.users.count >= capacity { state.users.removeAll(keepingCapacity: true) }
            state.users[user.id] = (user, generation)
        }
    }

    /// The remembered policy, if still valid.
    public func policy() -> ScopePolicy? {
        let current = generation()
        return state.withLock { state in
            guard let (policy, generation) = state.policy, generation == current else { return nil }
            return policy
        }
    }

    public func remember(_ policy: ScopePolicy, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            state.policy = (policy, generation)
        }
    }

    /// Forgets everything: called after a transaction that changed access has committed.
    public func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.principals.removeAll(keepingCapacity: true)
            state.users.removeAll(keepingCapacity: true)
            state.policy = nil
        }
        signal.committed()
    }

    /// Drops the knowledge of another process's change (used by signals that push news in).
    public var changeSignal: any AccessChangeSignal { signal }
}
