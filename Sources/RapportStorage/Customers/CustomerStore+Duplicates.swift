import Foundation
import RapportCore
import SQLKit

extension CustomerStore {
    /// A contact value shared by several live customers within scope.
    public struct DuplicateGroup: Sendable, Equatable {
        public var kind: ContactPoint.Kind
        public var value: String
        public var customers: [RecordID]
    }

    /// Groups of live customers in scope that share a normalised phone, email or unionid,
    /// ordered by kind and value; the cursor is `kind|value` of the last group.
    public func duplicateGroups(page: PageRequest, in scope: ScopeFilter) async throws -> Page<DuplicateGroup> {
        let kinds = ContactPoint.Kind.allCases.filter(\.isDedupKey).map { SQLBind($0.rawValue) }
        let query = sql.select().column(SQLColumn("kind", table: "cc")).column(SQLColumn("value", table: "cc"))
            .from(SQLAlias(SQLIdentifier("customer_contacts"), as: SQLIdentifier("cc")))
            .join("customers", on: SQLColumn("customer_id", table: "cc"), .equal, SQLColumn("id", table: "customers"))
            .where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null)
            .where(SQLColumn("kind", table: "cc"), .in, SQLGroupExpression(kinds))
        if let cursor = page.cursor {
            let parts = cursor.after.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw RapportError.validation([FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this server issued.")])
            }
            query.where(SQLQueryString("(cc.kind > \(bind: parts[0]) OR (cc.kind = \(bind: parts[0]) AND cc.value > \(bind: parts[1])))"))
        }
        let grouped = scope.apply(to: query)
            .groupBy(SQLColumn("kind", table: "cc")).groupBy(SQLColumn("value", table: "cc"))
            .having(SQLFunction("count", args: SQLDistinct(SQLColumn("customer_id", table: "cc"))), .greaterThan, SQLLiteral.numeric("1"))
            .orderBy(SQLColumn("kind", table: "cc")).orderBy(SQLColumn("value", table: "cc"))
            .limit(page.limit + 1)
        var groups: [DuplicateGroup] = []
        for row in try await grouped.all() {
            guard let kind = ContactPoint.Kind(rawValue: try row.text("kind")) else { continue }
            groups.append(DuplicateGroup(kind: kind, value: try row.text("value"), customers: []))
        }
        let result = Page(fetched: groups, limit: page.limit) { "\($0.kind.rawValue)|\($0.value)" }
        var items = result.items
        for index in items.indices {
            let members = sql.select().column(SQLColumn("id", table: "customers")).from("customers")
                .join(SQLAlias(SQLIdentifier("customer_contacts"), as: SQLIdentifier("cc")),
                      on: SQLColumn("customer_id", table: "cc"), .equal, SQLColumn("id", table: "customers"))
                .where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null)
                .where(SQLColumn("kind", table: "cc"), .equal, SQLBind(items[index].kind.rawValue))
                .where(SQLColumn("value", table: "cc"), .equal, SQLBind(items[index].value))
            items[index].customers = try await scope.apply(to: members).orderBy(SQLColumn("id", table: "customers")).all().map { try $0.id("id") }
        }
        return Page(items: items, nextCursor: result.nextCursor)
    }
}
