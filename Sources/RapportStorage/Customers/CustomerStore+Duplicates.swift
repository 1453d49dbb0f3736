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
    /// ordered by kind and value. The cursor is an offset (`o:N`), so it never carries a contact value.
    public func duplicateGroups(page: PageRequest, in scope: ScopeFilter) async throws -> Page<DuplicateGroup> {
        let kinds = ContactPoint.Kind.allCases.filter(\.isDedupKey).map { SQLBind($0.rawValue) }
        let query = sql.select().column(SQLColumn("kind", table: "cc")).column(SQLColumn("value", table: "cc"))
            .from(SQLAlias(SQLIdentifier("customer_contacts"), as: SQLIdentifier("cc")))
            .join("customers", on: SQLColumn("customer_id", table: "cc"), .equal, SQLColumn("id", table: "customers"))
            .where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null)
            .where(SQLColumn("kind", table: "cc"), .in, SQLGroupExpression(kinds))
        var offset = 0
        if let cursor = page.cursor {
            guard cursor.after.hasPrefix("o:"), let parsed = Int(cursor.after.dropFirst(2)), parsed >= 0 else {
                throw RapportError.validation([FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this server issued.")])
            }
            offset = parsed
        }
        let grouped = scope.apply(to: query)
            .groupBy(SQLColumn("kind", table: "cc")).groupBy(SQLColumn("value", table: "cc"))
            .having(SQLFunction("count", args: SQLDistinct(SQLColumn("customer_id", table: "cc"))), .greaterThan, SQLLiteral.numeric("1"))
            .orderBy(SQLColumn("kind", table: "cc")).orderBy(SQLColumn("value", table: "cc"))
            .limit(page.limit + 1).offset(offset)
        var groups: [DuplicateGroup] = []
        for row in try await grouped.all() {
            guard let kind = ContactPoint.Kind(rawValue: try row.text("kind")) else { continue }
            groups.append(DuplicateGroup(kind: kind, value: try row.text("value"), customers: []))
        }
        let more = groups.count > page.limit
        var items = Array(groups.prefix(page.limit))
        let next = more ? PageCursor(after: "o:\(offset + page.limit)") : nil
        for index in items.indices {
            let members = sql.select().column(SQLColumn("id", table: "customers")).from("customers")
                .join(SQLAlias(SQLIdentifier("customer_contacts"), as: SQLIdentifier("cc")),
                      on: SQLColumn("customer_id", table: "cc"), .equal, SQLColumn("id", table: "customers"))
                .where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null)
                .where(SQLColumn("kind", table: "cc"), .equal, SQLBind(items[index].kind.rawValue))
                .where(SQLColumn("value", table: "cc"), .equal, SQLBind(items[index].value))
            items[index].customers = try await scope.apply(to: members).orderBy(SQLColumn("id", table: "customers")).all().map { try $0.id("id") }
        }
        return Page(items: items, nextCursor: next)
    }
}
