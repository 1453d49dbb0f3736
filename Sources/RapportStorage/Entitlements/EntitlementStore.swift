import Foundation
import RapportCore
import SQLKit

/// Who may see which entitlements: whoever can read the customer, or the order that granted it.
/// Either filter with scope `all` lets every entitlement through.
public struct EntitlementScope: Sendable {
    public let customers: ScopeFilter
    public let orders: ScopeFilter

    /// `customers` must qualify columns with table `customers`, `orders` with `orders`.
    public init(customers: ScopeFilter, orders: ScopeFilter) {
        self.customers = customers
        self.orders = orders
    }

    func apply(to query: SQLSelectBuilder) -> SQLSelectBuilder {
        guard let byCustomer = customers.predicate(), let byOrder = orders.predicate() else { return query }
        return query.where(SQLQueryString("""
            (entitlements.customer_id IN (SELECT customers.id FROM customers WHERE \(byCustomer)) \
            OR entitlements.order_id IN (SELECT orders.id FROM orders WHERE \(byOrder)))
            """))
    }
}

/// Entitlements (`entitlements`) and their consumptions (`entitlement_consumptions`).
public struct EntitlementStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "customer_id", "order_id", "order_line_id", "product_id", "sku", "unit", "granted", "consumed", "revoked", "balance", "status",
        "starts_at", "expires_at", "renewal_opportunity_id", "version", "created_at", "updated_at",
    ]

    static func row(_ entitlement: Entitlement) -> [BulkValue] {
        [
            .text(entitlement.id.rawValue), .text(entitlement.customerID.rawValue), .text(entitlement.orderID.rawValue),
            .text(entitlement.orderLineID.rawValue), .text(entitlement.productID.rawValue), .text(entitlement.sku), .text(entitlement.unit),
            .integer(entitlement.granted), .integer(entitlement.consumed), .integer(entitlement.revoked), .integer(entitlement.balance),
            .text(entitlement.status.rawValue), .integer(entitlement.startsAt.microsSinceEpoch), BulkValue(entitlement.expiresAt?.microsSinceEpoch),
            BulkValue(entitlement.renewalOpportunityID?.rawValue), .integer(entitlement.version), .integer(entitlement.createdAt.microsSinceEpoch),
            .integer(entitlement.updatedAt.microsSinceEpoch),
        ]
    }

    /// Inserts entitlements.
    public func insert(_ entitlements: [Entitlement]) async throws {
        try await sql.insertRows(into: "entitlements", columns: Self.columns, rows: entitlements.map(Self.row))
    }

    /// Writes every changing column if the stored version is `expectedVersion`; false otherwise.
    public func replace(_ entitlement: Entitlement, expectedVersion: Int64) async throws -> Bool {
        var updated = entitlement
        updated.version = expectedVersion + 1
        let query = sql.update("entitlements")
        for (column, value) in zip(Self.columns, Self.row(updated)) where column != "id" {
            query.set(SQLIdentifier(column), to: value.sqlExpression)
        }
        return try await query.where("id", .equal, entitlement.id.rawValue).where("version", .equal, expectedVersion).returning("id").first() != nil
    }

    /// One entitlement regardless of scope.
    public func find(_ id: RecordID) async throws -> Entitlement? {
        try await sql.select().columns(Self.columns).from("entitlements").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// One entitlement the scope lets through.
    public func find(_ id: RecordID, in scope: EntitlementScope) async throws -> Entitlement? {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "entitlements") }).from("entitlements")
            .where(SQLColumn("id", table: "entitlements"), .equal, SQLBind(id.rawValue))
        return try await scope.apply(to: query).first().map(Self.decode)
    }

    /// The entitlements granted by one order line (at most one) or one order.
    public func granted(byOrder order: RecordID) async throws -> [Entitlement] {
        try await sql.select().columns(Self.columns).from("entitlements").where("order_id", .equal, order.rawValue).orderBy("id").all().map(Self.decode)
    }

    public func granted(byOrderLine line: RecordID) async throws -> Entitlement? {
        try await sql.select().columns(Self.columns).from("entitlements").where("order_line_id", .equal, line.rawValue).first().map(Self.decode)
    }

    /// What an entitlement list asks for, already checked.
    public struct ListFilter: Sendable, Equatable {
        public var customerID: RecordID?
        public var orderID: RecordID?
        public var status: EntitlementStatus?
        /// Expiring before this instant (and so having an expiry).
        public var expiringBefore: Date?

        public init(customerID: RecordID? = nil, orderID: RecordID? = nil, status: EntitlementStatus? = nil, expiringBefore: Date? = nil) {
            self.customerID = customerID
            self.orderID = orderID
            self.status = status
            self.expiringBefore = expiringBefore
        }
    }

    /// A page of entitlements in scope, newest first.
    public func list(_ filter: ListFilter, page: PageRequest, in scope: EntitlementScope) async throws -> Page<Entitlement> {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "entitlements") }).from("entitlements")
        if let customer = filter.customerID { query.where(SQLColumn("customer_id", table: "entitlements"), .equal, SQLBind(customer.rawValue)) }
        if let order = filter.orderID { query.where(SQLColumn("order_id", table: "entitlements"), .equal, SQLBind(order.rawValue)) }
        if let status = filter.status { query.where(SQLColumn("status", table: "entitlements"), .equal, SQLBind(status.rawValue)) }
        if let before = filter.expiringBefore {
            query.where(SQLColumn("expires_at", table: "entitlements"), .lessThan, SQLBind(before.microsSinceEpoch))
        }
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "entitlements"), .lessThan, SQLBind(cursor.after)) }
        let fetched = try await scope.apply(to: query).orderBy(SQLColumn("id", table: "entitlements"), SQLDirection.descending)
            .limit(page.limit + 1).all().map(Self.decode)
        return Page(fetched: fetched, limit: page.limit, key: \.id.rawValue)
    }

    /// Ids of active or exhausted entitlements whose expiry is at or before `now`, at most `limit`.
    public func dueToExpire(at now: Date, limit: Int) async throws -> [RecordID] {
        try await sql.select().column("id").from("entitlements")
            .where("status", .in, SQLGroupExpression([SQLBind(EntitlementStatus.active.rawValue), SQLBind(EntitlementStatus.exhausted.rawValue)]))
            .where("expires_at", .lessThanOrEqual, SQLBind(now.microsSinceEpoch)).orderBy("id").limit(limit).all().map { try $0.id("id") }
    }

    /// Active or exhausted entitlements without a renewal yet that expire by `expiringBy` or whose
    /// balance is below `percent` % of what was granted, after `cursor`, at most `limit`.
    public func renewalCandidates(expiringBy: Date, percent: Int, after cursor: RecordID?, limit: Int) async throws -> [Entitlement] {
        let query = sql.select().columns(Self.columns).from("entitlements")
            .where("status", .in, SQLGroupExpression([SQLBind(EntitlementStatus.active.rawValue), SQLBind(EntitlementStatus.exhausted.rawValue)]))
            .where("renewal_opportunity_id", .is, SQLLiteral.null)
            .where(SQLQueryString("(expires_at <= \(bind: expiringBy.microsSinceEpoch) OR balance * 100 < granted * \(literal: percent))"))
        if let cursor { query.where("id", .greaterThan, cursor.rawValue) }
        return try await query.orderBy("id").limit(limit).all().map(Self.decode)
    }

    // MARK: Consumptions

    public func insert(_ consumption: EntitlementConsumption) async throws {
        try await sql.insertRows(
            into: "entitlement_consumptions",
            columns: ["id", "entitlement_id", "quantity", "note", "occurred_at", "recorded_at", "recorded_by", "idempotency_key", "request_hash"],
            rows: [[.text(consumption.id.rawValue), .text(consumption.entitlementID.rawValue), .integer(consumption.quantity), BulkValue(consumption.note),
                    .integer(consumption.occurredAt.microsSinceEpoch), .integer(consumption.recordedAt.microsSinceEpoch),
                    BulkValue(consumption.recordedBy?.rawValue), .text(consumption.idempotencyKey), .text(consumption.requestHash)]])
    }

    /// The consumption recorded under `key` on an entitlement, if any.
    public func consumption(of entitlement: RecordID, key: String) async throws -> EntitlementConsumption? {
        try await consumptions.where("entitlement_id", .equal, entitlement.rawValue).where("idempotency_key", .equal, key).first()
            .map(Self.decodeConsumption)
    }

    /// An entitlement's consumptions, oldest first, a page at a time.
    public func consumptions(of entitlement: RecordID, page: PageRequest) async throws -> Page<EntitlementConsumption> {
        let query = consumptions.where("entitlement_id", .equal, entitlement.rawValue)
        if let cursor = page.cursor { query.where("id", .greaterThan, cursor.after) }
        let fetched = try await query.orderBy("id").limit(page.limit + 1).all().map(Self.decodeConsumption)
        return Page(fetched: fetched, limit: page.limit, key: \.id.rawValue)
    }

    private var consumptions: SQLSelectBuilder {
        sql.select().columns("id", "entitlement_id", "quantity", "note", "occurred_at", "recorded_at", "recorded_by", "idempotency_key", "request_hash")
            .from("entitlement_consumptions")
    }

    static func decodeConsumption(_ row: any SQLRow) throws -> EntitlementConsumption {
        EntitlementConsumption(
            id: try row.id("id"), entitlementID: try row.id("entitlement_id"), quantity: try row.int("quantity"), note: try row.optionalText("note"),
            occurredAt: try row.date("occurred_at"), recordedAt: try row.date("recorded_at"), recordedBy: try row.optionalID("recorded_by"),
            idempotencyKey: try row.text("idempotency_key"), requestHash: try row.text("request_hash"))
    }

    static func decode(_ row: any SQLRow) throws -> Entitlement {
        guard let status = EntitlementStatus(rawValue: try row.text("status")) else { throw CorruptRow(table: "entitlements", column: "status") }
        return Entitlement(
            id: try row.id("id"), customerID: try row.id("customer_id"), orderID: try row.id("order_id"), orderLineID: try row.id("order_line_id"),
            productID: try row.id("product_id"), sku: try row.text("sku"), unit: try row.text("unit"), granted: try row.int("granted"),
            consumed: try row.int("consumed"), revoked: try row.int("revoked"), status: status, startsAt: try row.date("starts_at"),
            expiresAt: try row.optionalDate("expires_at"), renewalOpportunityID: try row.optionalID("renewal_opportunity_id"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
