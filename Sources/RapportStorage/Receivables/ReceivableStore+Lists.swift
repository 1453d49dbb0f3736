import Foundation
import RapportCore
import SQLKit

extension ReceivableStore {
    public typealias Row = ReceivableRow

    /// What the receivables list asks for.
    public struct ListFilter: Sendable, Equatable {
        /// Only instalments not yet settled.
        public var openOnly = true
        /// Only those due before this day (overdue on it).
        public var dueBefore: CalendarDate?
        public var ownerID: RecordID?
        public var teamID: RecordID?
        public var customerID: RecordID?

        public init() {}
    }

    /// Instalments by due date (then order and number), of orders in `scope`.
    public func list(_ filter: ListFilter, page: PageRequest, in scope: ScopeFilter) async throws -> Page<Row> {
        var query = sql.select()
            .columns(SQLColumn("order_id", table: "i"), SQLColumn("number", table: "i"), SQLColumn("due_date", table: "i"),
                     SQLColumn("amount_minor", table: "i"), SQLColumn("paid_minor", table: "i"), SQLColumn("waived_minor", table: "i"))
            .column(SQLColumn("title", table: "orders"), as: "order_title").column(SQLColumn("customer_id", table: "orders"))
            .column(SQLColumn("owner_id", table: "orders")).column(SQLColumn("currency", table: "orders"))
            .from(SQLAlias(SQLIdentifier("installments"), as: SQLIdentifier("i")))
            .join("orders", on: SQLColumn("id", table: "orders"), .equal, SQLColumn("order_id", table: "i"))
        query = scope.apply(to: query)
        if filter.openOnly { query = query.where(SQLColumn("settled", table: "i"), .equal, SQLBind(0)) }
        if let day = filter.dueBefore { query = query.where(SQLColumn("due_date", table: "i"), .lessThan, SQLBind(day.description)) }
        if let owner = filter.ownerID { query = query.where(SQLColumn("owner_id", table: "orders"), .equal, SQLBind(owner.rawValue)) }
        if let team = filter.teamID { query = query.where(SQLColumn("team_id", table: "orders"), .equal, SQLBind(team.rawValue)) }
        if let customer = filter.customerID { query = query.where(SQLColumn("customer_id", table: "orders"), .equal, SQLBind(customer.rawValue)) }
        if let after = page.cursor?.after {
            let parts = after.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 3, let number = Int(parts[2]) {
                let (due, order) = (parts[0], parts[1])
                query = query.where(SQLQueryString("""
                        (i.due_date > \(bind: due) OR (i.due_date = \(bind: due) AND (i.order_id > \(bind: order) \
                        OR (i.order_id = \(bind: order) AND i.number > \(bind: number)))))
                        """))
            }
        }
        let rows = try await query.orderBy(SQLColumn("due_date", table: "i")).orderBy(SQLColumn("order_id", table: "i"))
            .orderBy(SQLColumn("number", table: "i")).limit(page.limit + 1).all()
        let items = try rows.map(Self.row)
        return Page(fetched: items, limit: page.limit) { "\($0.installment.dueDate)|\($0.orderID.rawValue)|\($0.installment.number)" }
    }

    /// Unsettled instalments due before `today` whose owner was not yet told (at most `limit`),
    /// for the daily overdue alert.
    public func unalertedOverdue(before today: CalendarDate, limit: Int) async throws -> [Row] {
        try await sql.raw("""
            SELECT i.order_id, i.number, i.due_date, i.amount_minor, i.paid_minor, i.waived_minor, o.title AS order_title, o.customer_id, o.owner_id, \
            o.currency FROM installments i JOIN orders o ON o.id = i.order_id \
            WHERE i.settled = 0 AND i.due_date < \(bind: today.description) AND i.alerted_on IS NULL \
            ORDER BY i.due_date, i.order_id, i.number LIMIT \(bind: limit)
            """).all().map(Self.row)
    }

    static func row(_ row: any SQLRow) throws -> Row {
        guard let due = CalendarDate(try row.text("due_date")) else { throw CorruptRow(table: "installments", column: "due_date") }
        return Row(orderID: try row.id("order_id"), orderTitle: try row.text("order_title"), customerID: try row.id("customer_id"),
                   ownerID: try row.id("owner_id"), currency: try row.text("currency"),
                   installment: Installment(number: Int(try row.int("number")), dueDate: due, amountMinor: try row.int("amount_minor")),
                   paidMinor: try row.int("paid_minor"), waivedMinor: try row.int("waived_minor"))
    }

    /// Marks an instalment's owner told on `day`.
    public func markAlerted(order: RecordID, installment: Int, on day: CalendarDate) async throws {
        try await sql.update("installments").set("alerted_on", to: SQLBind(day.description))
            .where("order_id", .equal, order.rawValue).where("number", .equal, installment).run()
    }
}
