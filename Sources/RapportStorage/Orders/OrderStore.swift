import Foundation
import RapportCore
import SQLKit

/// Orders in storage, with their lines. Every read that returns orders to a person takes a
/// ``ScopeFilter`` (owner column `owner_id`, table `orders`).
public struct OrderStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "title", "customer_id", "opportunity_id", "quote_id", "currency", "total_minor", "status", "status_entered_at", "signed_at",
        "effective_from", "effective_to", "owner_id", "team_id", "status_reason", "approved_by", "version", "created_by", "created_at", "updated_at",
    ]

    static let lineColumns = [
        "id", "order_id", "position", "product_id", "sku", "product_name", "quantity", "unit_price_minor", "discount_minor", "total_minor", "currency",
    ]

    var qualifiedColumns: [SQLColumn] { Self.columns.map { SQLColumn($0, table: "orders") } }

    static func row(_ order: Order) -> [BulkValue] {
        func date(_ value: Date?) -> BulkValue { BulkValue(value?.microsSinceEpoch) }
        return [
            .text(order.id.rawValue), .text(order.title), .text(order.customerID.rawValue), BulkValue(order.opportunityID?.rawValue),
            BulkValue(order.quoteID), .text(order.currency), .integer(order.total.amountMinor), .text(order.status.rawValue),
            date(order.statusEnteredAt), date(order.signedAt), date(order.effectiveFrom), date(order.effectiveTo), .text(order.ownerID.rawValue),
            BulkValue(order.teamID?.rawValue), BulkValue(order.statusReason), BulkValue(order.approvedBy?.rawValue), .integer(order.version),
            BulkValue(order.createdBy?.rawValue), date(order.createdAt), date(order.updatedAt),
        ]
    }

    // MARK: Writes

    /// Inserts an order with its lines.
    public func insert(_ order: Order) async throws {
        try await sql.insertRows(into: "orders", columns: Self.columns, rows: [Self.row(order)])
        try await writeLines(order)
    }

    /// Writes every column of `order` if the stored version is `expectedVersion`, bumping the
    /// version; false on a mismatch. With `lines`, the lines are replaced too (drafts only).
    public func replace(_ order: Order, expectedVersion: Int64, lines: Bool) async throws -> Bool {
        var updated = order
        updated.version = expectedVersion + 1
        let query = sql.update("orders")
        for (column, value) in zip(Self.columns, Self.row(updated)) where column != "id" {
            query.set(SQLIdentifier(column), to: value.sqlExpression)
        }
        guard try await query.where("id", .equal, order.id.rawValue).where("version", .equal, expectedVersion).returning("id").first() != nil else {
            return false
        }
        if lines {
            try await sql.delete(from: "order_lines").where("order_id", .equal, order.id.rawValue).run()
            try await writeLines(order)
        }
        return true
    }

    private func writeLines(_ order: Order) async throws {
        try await sql.insertRows(into: "order_lines", columns: Self.lineColumns, rows: order.lines.enumerated().map { position, line in
            [.text(line.id.rawValue), .text(order.id.rawValue), .integer(Int64(position)), .text(line.productID.rawValue), .text(line.sku),
             .text(line.productName), .integer(line.quantity), .integer(line.unitPrice.amountMinor), .integer(line.discount.amountMinor),
             .integer(line.total.amountMinor), .text(order.currency)]
        })
    }

    // MARK: Reads

    /// One order within scope, with its lines.
    public func find(_ id: RecordID, in scope: ScopeFilter) async throws -> Order? {
        let query = sql.select().columns(qualifiedColumns).from("orders").where(SQLColumn("id", table: "orders"), .equal, SQLBind(id.rawValue))
        guard let found = try await scope.apply(to: query).first().map(Self.decode) else { return nil }
        return try await withLines([found]).first
    }

    /// One order regardless of scope (jobs, the system).
    public func find(_ id: RecordID) async throws -> Order? {
        guard let found = try await sql.select().columns(Self.columns).from("orders").where("id", .equal, id.rawValue).first().map(Self.decode) else {
            return nil
        }
        return try await withLines([found]).first
    }

    /// The order an order line belongs to.
    public func order(ofLine line: RecordID) async throws -> RecordID? {
        try await sql.select().column("order_id").from("order_lines").where("id", .equal, line.rawValue).first().map { try $0.id("order_id") }
    }

    /// The orders made from an opportunity that are not cancelled.
    public func live(fromOpportunity id: RecordID) async throws -> [RecordID] {
        try await sql.select().column("id").from("orders").where("opportunity_id", .equal, id.rawValue)
            .where("status", .notEqual, OrderStatus.cancelled.rawValue).orderBy("id").all().map { try $0.id("id") }
    }

    /// The orders made from a quote (of `opportunity`, whose index finds them) that are not cancelled.
    public func live(fromQuote quote: String, opportunity: RecordID) async throws -> [RecordID] {
        try await sql.select().column("id").from("orders").where("opportunity_id", .equal, opportunity.rawValue).where("quote_id", .equal, quote)
            .where("status", .notEqual, OrderStatus.cancelled.rawValue).orderBy("id").all().map { try $0.id("id") }
    }

    /// What an order list asks for, already checked.
    public struct ListFilter: Sendable, Equatable {
        public var customerID: RecordID?
        public var opportunityID: RecordID?
        public var ownerID: RecordID?
        public var status: OrderStatus?

        public init(customerID: RecordID? = nil, opportunityID: RecordID? = nil, ownerID: RecordID? = nil, status: OrderStatus? = nil) {
            self.customerID = customerID
            self.opportunityID = opportunityID
            self.ownerID = ownerID
            self.status = status
        }
    }

    /// A page of orders in scope, newest first, with their lines.
    public func list(_ filter: ListFilter, page: PageRequest, in scope: ScopeFilter) async throws -> Page<Order> {
        let query = sql.select().columns(qualifiedColumns).from("orders")
        func equal(_ column: String, _ value: String?) {
            if let value { query.where(SQLColumn(column, table: "orders"), .equal, SQLBind(value)) }
        }
        equal("customer_id", filter.customerID?.rawValue)
        equal("opportunity_id", filter.opportunityID?.rawValue)
        equal("owner_id", filter.ownerID?.rawValue)
        equal("status", filter.status?.rawValue)
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "orders"), .lessThan, SQLBind(cursor.after)) }
        let fetched = try await scope.apply(to: query).orderBy(SQLColumn("id", table: "orders"), SQLDirection.descending).limit(page.limit + 1).all()
            .map(Self.decode)
        let result = Page(fetched: fetched, limit: page.limit, key: \.id.rawValue)
        return Page(items: try await withLines(result.items), nextCursor: result.nextCursor)
    }

    /// Ids of orders in `status` whose `column` (`effective_from` or `effective_to`) is at or
    /// before `now` (`effective_from` also when unset), oldest first, at most `limit`.
    public func due(_ status: OrderStatus, _ column: String, at now: Date, limit: Int) async throws -> [RecordID] {
        let query = sql.select().column("id").from("orders").where("status", .equal, status.rawValue)
        if column == "effective_from" {
            query.where(group: { $0.where(SQLIdentifier(column), .lessThanOrEqual, SQLBind(now.microsSinceEpoch)).orWhere(SQLIdentifier(column), .is, SQLLiteral.null) })
        } else {
            query.where(SQLIdentifier(column), .lessThanOrEqual, SQLBind(now.microsSinceEpoch))
        }
        return try await query.orderBy("id").limit(limit).all().map { try $0.id("id") }
    }

    /// `orders` with their lines filled in.
    func withLines(_ orders: [Order]) async throws -> [Order] {
        guard !orders.isEmpty else { return [] }
        let rows = try await sql.select().columns(Self.lineColumns).from("order_lines").where(sql.idIn(SQLColumn("order_id"), orders.map(\.id)))
            .orderBy("order_id").orderBy("position").all()
        var lines: [RecordID: [OrderLine]] = [:]
        for row in rows {
            let currency = try row.text("currency")
            lines[try row.id("order_id"), default: []].append(OrderLine(
                id: try row.id("id"), productID: try row.id("product_id"), sku: try row.text("sku"), productName: try row.text("product_name"),
                quantity: try row.int("quantity"), unitPrice: Money(try row.int("unit_price_minor"), currency),
                discount: Money(try row.int("discount_minor"), currency), total: Money(try row.int("total_minor"), currency)))
        }
        return orders.map { order in
            var filled = order
            filled.lines = lines[order.id] ?? []
            return filled
        }
    }

    static func decode(_ row: any SQLRow) throws -> Order {
        guard let status = OrderStatus(rawValue: try row.text("status")) else { throw CorruptRow(table: "orders", column: "status") }
        let currency = try row.text("currency")
        return Order(
            id: try row.id("id"), title: try row.text("title"), customerID: try row.id("customer_id"), opportunityID: try row.optionalID("opportunity_id"),
            quoteID: try row.optionalText("quote_id"), currency: currency, total: Money(try row.int("total_minor"), currency), status: status,
            statusEnteredAt: try row.date("status_entered_at"), signedAt: try row.optionalDate("signed_at"),
            effectiveFrom: try row.optionalDate("effective_from"), effectiveTo: try row.optionalDate("effective_to"), ownerID: try row.id("owner_id"),
            teamID: try row.optionalID("team_id"), statusReason: try row.optionalText("status_reason"), approvedBy: try row.optionalID("approved_by"),
            version: try row.int("version"), createdBy: try row.optionalID("created_by"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}
