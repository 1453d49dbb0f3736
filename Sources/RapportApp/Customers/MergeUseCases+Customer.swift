import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// One customer's side of merging: who else in the caller's scope looks like the same person, and
/// the merges into it that could be undone.
extension MergeUseCases {
    /// Live customers in the caller's scope that share a phone, email or WeChat unionid with
    /// customer `id` (masked, by id, at most `limit`); `not_found` when the caller may not see `id`.
    public func duplicates(of id: String, limit: Int = 20, by caller: Caller) async throws -> [Customer] {
        let customer = try await customers.load(id, by: caller, .read)
        let scope = try await customers.filter(caller, .read)
        let keys = customer.contacts.filter(\.kind.isDedupKey).map { ($0.kind, $0.value) }
        return try await rapport.database.read { sql in
            let store = CustomerStore(sql)
            let matched = Array(Set(try await store.matches(keys, excluding: customer.id).map(\.customerID))).sorted()
            let visible = try await store.visible(matched, in: scope)
            return try await store.find(Array(matched.filter(visible.contains).prefix(max(1, limit)))).map { $0.masked() }
        }
    }

    /// The latest merges into customer `id` (undone ones too), newest first; `not_found` when the
    /// caller may not see it.
    public func recent(into id: String, limit: Int = 10, by caller: Caller) async throws -> [MergeStore.Record] {
        let customer = try await customers.load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await MergeStore(sql).list(survivor: customer.id, limit: max(1, min(limit, 100))) }
    }

    /// How many opportunities, orders and entitlements customer `id` has — what a merge of it into
    /// another would move — whoever's scope they are in (counts only); `not_found` when the caller
    /// may not see `id`.
    public func linkedCounts(of id: String, by caller: Caller) async throws -> [CustomerLinkedRecord: Int] {
        let customer = try await customers.load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await CustomerLinkStore(sql).counts(ofCustomer: customer.id) }
    }
}
