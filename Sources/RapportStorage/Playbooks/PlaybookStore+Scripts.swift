import Foundation
import RapportCore
import SQLKit

extension PlaybookStore {
    /// The values a script's variables take on records of one kind — the record's own fields and
    /// its customer's (`customer.name`, `lead.source`, `opportunity.amount`, …) — by record id, a
    /// thousand records per query. A field with no value is left out, so the template shows nothing
    /// for it. Records of a kind without script variables get none.
    public func scriptValues(object: DictionaryObject, records: [RecordID]) async throws -> [RecordID: [String: String]] {
        // The table, its text columns by variable, its amount column (with `currency`) and whether it has a customer.
        let table: String
        let fields: [(column: String, variable: String)]
        var money: (column: String, variable: String)?
        var joinsCustomer = true
        switch object {
        case .lead:
            (table, fields, joinsCustomer) = ("leads", [("name", "lead.name"), ("source", "lead.source"), ("status", "lead.stage"), ("company", "lead.company")], false)
        case .customer:
            (table, fields, joinsCustomer) = ("customers", [("name", "customer.name"), ("stage", "customer.stage"), ("company", "customer.company")], false)
        case .opportunity:
            (table, fields) = ("opportunities", [("name", "opportunity.name"), ("stage", "opportunity.stage"), ("expected_close_date", "opportunity.expected_close_date")])
            money = ("amount_minor", "opportunity.amount")
        case .order:
            (table, fields, money) = ("orders", [("title", "order.title")], ("total_minor", "order.total"))
        default:
            return [:]
        }
        let customerFields = joinsCustomer ? [("name", "customer.name"), ("stage", "customer.stage"), ("company", "customer.company")] : []
        let ids = Array(Set(records)).sorted { $0.rawValue < $1.rawValue }
        var result: [RecordID: [String: String]] = [:]
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let chunk = Array(ids[start..<min(start + 1_000, ids.count)])
            let query = sql.select().column(SQLColumn("id", table: table))
            for field in fields { query.column(SQLAlias(SQLColumn(field.column, table: table), as: SQLIdentifier("v_\(field.column)"))) }
            if let money { query.column(SQLColumn(money.column, table: table)).column(SQLColumn("currency", table: table)) }
            for field in customerFields { query.column(SQLAlias(SQLColumn(field.0, table: "customers"), as: SQLIdentifier("c_\(field.0)"))) }
            if joinsCustomer {
                query.join("customers", method: SQLJoinMethod.left, on: SQLColumn("id", table: "customers"), .equal, SQLColumn("customer_id", table: table))
            }
            for row in try await query.from(table).where(sql.idIn(SQLColumn("id", table: table), chunk)).all() {
                var values: [String: String] = [:]
                for field in fields { values[field.variable] = try row.optionalText("v_\(field.column)") }
                for field in customerFields { values[field.1] = try row.optionalText("c_\(field.0)") }
                if let money, let minor = try row.optionalInt(money.column), let currency = try row.optionalText("currency") {
                    values[money.variable] = "\(Money(minor, currency).plainText) \(currency)"
                }
                result[try row.id("id")] = values
            }
        }
        return result
    }
}
