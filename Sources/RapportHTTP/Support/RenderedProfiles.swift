import Foundation
import RapportCore
import Synchronization

/// Remembers the rendered `/me` body per user: every client asks for it on every start and page,
/// and it changes only when the user record or the credential's scopes do. An entry is reused
/// only while both are identical to what it was rendered from, so it can never be stale.
final class RenderedProfiles: Sendable {
    private struct Entry {
        var user: User
        var scopes: [String]
        var body: [UInt8]
    }

    private let entries = Mutex<[RecordID: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    func body(for user: User, scopes: [String], render: () throws -> [UInt8]) rethrows -> [UInt8] {
        if let entry = entries.withLock({ $0[user.id] }), entry.user == user, entry.scopes == scopes { return entry.body }
        let body = try render()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[user.id] = Entry(user: user, scopes: scopes, body: body)
        }
        return body
    }
}
