import Foundation
import RapportCore
import SQLKit

/// Sales policies (`sales_policies`): each row is one ``SalesPolicy`` with its effect, SKUs, tags
/// and channels as JSON.
public struct SalesPolicyStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "name", "effect", "skus", "currency", "valid_from", "valid_until", "tags_any", "customers", "channels",
                          "minimum_subtotal_minor", "stacking", "priority", "active", "version", "created_at", "updated_at"]

    static func values(_ record: SalesPolicyRecord, version: Int64) -> [BulkValue] {
        let policy = record.policy
        return [
            .text(record.id.rawValue), .text(policy.name), .text(JSONText.encode(PolicyEffect(policy.effect))), .text(JSONText.encode(policy.skus.sorted())),
            BulkValue(policy.currency), BulkValue(policy.validFrom?.microsSinceEpoch), BulkValue(policy.validUntil?.microsSinceEpoch),
            .text(JSONText.encode(policy.tagsAny.sorted())), .text(policy.customers.rawValue), .text(JSONText.encode(policy.channels.sorted())),
            BulkValue(policy.minimumSubtotalMinor), .text(policy.stacking.rawValue), .integer(Int64(policy.priority)),
            .integer(record.active ? 1 : 0), .integer(version), .integer(record.createdAt.microsSinceEpoch), .integer(record.updatedAt.microsSinceEpoch),
        ]
    }

    public func insert(_ record: SalesPolicyRecord) async throws {
        try await sql.insertRows(into: "sales_policies", columns: Self.columns, rows: [Self.values(record, version: record.version)])
    }

    /// Writes every field of `record` if the stored version is `expectedVersion`; false on a mismatch.
    public func replace(_ record: SalesPolicyRecord, expectedVersion: Int64) async throws -> Bool {
        let query = sql.update("sales_policies")
        for (column, value) in zip(Self.columns, Self.values(record, version: expectedVersion + 1)) where column != "id" && column != "created_at" {
            query.set(column, to: value.sqlExpression)
        }
        return try await query.where("id", .equal, record.id.rawValue).where("version", .equal, expectedVersion).returning("id").first() != nil
    }

    public func find(_ id: RecordID) async throws -> SalesPolicyRecord? {
        try await load(sql.select().columns(Self.columns).from("sales_policies").where("id", .equal, id.rawValue)).first
    }

    /// Policies in id (creation) order, a page at a time; `text` is found in the name.
    public func list(text: String?, active: Bool?, page: PageRequest) async throws -> Page<SalesPolicyRecord> {
        let query = sql.select().columns(Self.columns).from("sales_policies")
        if let text = text?.lowercased() {
            query.where(SQLQueryString("lower(name) LIKE \(bind: "%" + SQLText.escapeLike(text) + "%") ESCAPE '\\'"))
        }
        if let active { query.where("active", .equal, Int64(active ? 1 : 0)) }
        if let cursor = page.cursor { query.where("id", .greaterThan, cursor.after) }
        return Page(fetched: try await load(query.orderBy("id").limit(page.limit + 1)), limit: page.limit, key: \.id.rawValue)
    }

    /// Every active policy, in id order: what a quote evaluates.
    public func active() async throws -> [SalesPolicyRecord] {
        try await load(sql.select().columns(Self.columns).from("sales_policies").where("active", .equal, Int64(1)).orderBy("id"))
    }

    func load(_ query: SQLSelectBuilder) async throws -> [SalesPolicyRecord] {
        try await query.all().map { row in
            var check = Validator()
            let document = try JSONText.decode(PolicyEffect.self, from: try row.text("effect"))
            guard let effect = document.effect(into: &check) else { throw CorruptRow(table: "sales_policies", column: "effect") }
            guard let customers = SalesPolicy.CustomerRule(rawValue: try row.text("customers")) else { throw CorruptRow(table: "sales_policies", column: "customers") }
            guard let stacking = SalesPolicy.Stacking(rawValue: try row.text("stacking")) else { throw CorruptRow(table: "sales_policies", column: "stacking") }
            let id = try row.id("id")
            let policy = SalesPolicy(
                id: id.rawValue, name: try row.text("name"), effect: effect, skus: Set(try JSONText.decode([String].self, from: try row.text("skus"))),
                currency: try row.optionalText("currency"), validFrom: try row.optionalDate("valid_from"), validUntil: try row.optionalDate("valid_until"),
                tagsAny: Set(try JSONText.decode([String].self, from: try row.text("tags_any"))), customers: customers,
                channels: Set(try JSONText.decode([String].self, from: try row.text("channels"))),
                minimumSubtotalMinor: try row.optionalInt("minimum_subtotal_minor"), stacking: stacking, priority: Int(try row.int("priority")))
            return SalesPolicyRecord(id: id, policy: policy, active: try row.int("active") != 0, version: try row.int("version"),
                                     createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
        }
    }
}
