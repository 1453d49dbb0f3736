import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension OpportunityUseCases {
    /// What an opportunity list asks for, as the caller sent it.
    public struct ListQuery: Sendable {
        public var pipeline: String?
        public var stage: String?
        public var owner: String?
        public var team: String?
        public var customer: String?
        /// A stage category: `open`, `won` or `lost`.
        public var status: String?
        /// Expected to close on or after / on or before (`YYYY-MM-DD`, inclusive).
        public var closeFrom: String?
        public var closeTo: String?
        /// The start of the name.
        public var q: String?

        public init(
            pipeline: String? = nil, stage: String? = nil, owner: String? = nil, team: String? = nil, customer: String? = nil,
            status: String? = nil, closeFrom: String? = nil, closeTo: String? = nil, q: String? = nil
        ) {
            self.pipeline = pipeline
            self.stage = stage
            self.owner = owner
            self.team = team
            self.customer = customer
            self.status = status
            self.closeFrom = closeFrom
            self.closeTo = closeTo
            self.q = q
        }
    }

    /// A page of opportunities in the caller's scope, newest first.
    public func list(_ query: ListQuery, page: PageRequest, by caller: Caller) async throws -> Page<Item> {
        let scope = try await filter(caller, .read)
        let filter = try Self.listFilter(query)
        return try await rapport.database.read { sql in
            let dictionary = try await dictionary(sql)
            let found = try await OpportunityStore(sql).list(filter, page: page, in: scope)
            let collaborators = try await OpportunityStore(sql).collaborators(of: found.items.map(\.id))
            return Page(items: found.items.map { Self.item($0, in: dictionary, collaborators: collaborators[$0.id] ?? []) }, nextCursor: found.nextCursor)
        }
    }

    /// The store's filter from a query, with a field error for each bad value.
    static func listFilter(_ query: ListQuery) throws -> OpportunityStore.ListFilter {
        var filter = OpportunityStore.ListFilter()
        var check = Validator()
        func key(_ value: String?, _ field: String) -> String? {
            guard let value else { return nil }
            if !DictionaryKey.isValid(value) { check.add(field, "invalid", "\(field) is a key: a lowercase letter, then a-z, 0-9 and _.") }
            return value
        }
        func id(_ value: String?, _ field: String, _ prefix: IDPrefix) -> RecordID? {
            guard let value else { return nil }
            guard let id = RecordID(parsing: value, prefix: prefix) else {
                check.add(field, "invalid", "\(field) is not a \(prefix.rawValue)_ id.")
                return nil
            }
            return id
        }
        func date(_ value: String?, _ field: String) -> String? {
            guard let value else { return nil }
            if !CustomFieldValidation.isCalendarDate(value) { check.add(field, "invalid", "\(field) is a date, YYYY-MM-DD.") }
            return value
        }
        filter.pipeline = key(query.pipeline, "pipeline")
        filter.stage = key(query.stage, "stage")
        filter.ownerID = id(query.owner, "owner_id", .user)
        filter.teamID = id(query.team, "team_id", .team)
        filter.customerID = id(query.customer, "customer_id", .customer)
        if let status = query.status {
            if let category = StageCategory(rawValue: status), category != .dormant { filter.statusCategory = category } else {
                check.add("status", "invalid", "status is open, won or lost.")
            }
        }
        filter.closeFrom = date(query.closeFrom, "expected_close_from")
        filter.closeTo = date(query.closeTo, "expected_close_to")
        if let q = query.q?.trimmingWhitespace(), !q.isEmpty { filter.text = String(q.prefix(200)) }
        try check.finish()
        return filter
    }
}
