import Foundation
import RapportCore
import SQLKit

extension PlaybookStore {
    /// The values a script's variables take on records of one kind — the record's own fields and
    /// its customer's (`customer.name`, `lead.source`, `opportunity.amount`, …) — by record id, a
    /// thousand records per query. A field with no value is left out, so the template shows nothing
    /// for it. Records of a kind without script variables get none.
    public func scriptValues(object: DictionaryObject, records: [RecordID]) async throws -> [RecordID: [String: String]] {
        let table: String
        let fields: [(column: String, variable: String)]
        switch object {
        case .lead: (table, fields) = ("leads", [("name", "lead.name"), ("source", "lead.source"), ("status", "lead.stage"), ("company", "lead.company")])
        case .customer: (table, fields) = ("customers", [("name", "customer.name"), ("stage", "customer.stage"), ("company", "customer.company")])
        case .opportunity:
            (table, fields) = ("opportunities", [("name", "opportunity.name"), ("stage", "opportunity.stage"),
                                                 ("expected_close_date", "opportunity.expected_close_date")])
        case .order: (table, fields) = ("orders", [("title", "order.title")])
        default: return [:]
        }
        let ids = Array(Set(records)).sorted { $0.rawValue < $1.rawValue }
        let joinsCustomer = object == .opportunity || object == .order
        var result: [RecordID: [String: String]] = [:]
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let chunk = Array(ids[start..<min(start + 1_000, ids.count)])
            let query = sql.select().column(SQLColumn("id", table: table))
            for field in fields { query.column(SQLAlias(SQLColumn(field.column, table: table), as: SQLIdentifier("v_\(field.column)"))) }
            switch object {
            case .opportunity:
                query.column(SQLColumn("amount_minor", table: table)).column(SQLColumn("currency", table: table))
            case .order:
                query.column(SQLColumn("total_minor", table: table)).column(SQLColumn("currency", table: table))
            default: break
            }
            if joinsCustomer {
                query.column(SQLAlias(SQLColumn("name", table: "customers"), as: SQLIdentifier("c_name")))
                    .column(SQLAlias(SQLColumn("stage", table: "customers"), as: SQLIdentifier("c_stage")))
                    .column(SQLAlias(SQLColumn("company", table: "customers"), as: SQLIdentifier("c_company")))
                    .join("customers", method: SQLJoinMethod.left, on: SQLColumn("id", table: "customers"), .equal, SQLColumn("customer_id", table: table))
            }
            for row in try await query.from(table).where(sql.idIn(SQLColumn("id", table: table), chunk)).all() {
                var values: [String: String] = [:]
                for field in fields { values[field.variable] = try row.optionalText("v_\(field.column)") }
                switch object {
                case .opportunity:
                    if let minor = try row.optionalInt("amount_minor"), let currency = try row.optionalText("currency") {
                        values["opportunity.amount"] = "\(Money(minor, currency).plainText) \(currency)"
                    }
                case .order:
                    if let minor = try row.optionalInt("total_minor"), let currency = try row.optionalText("currency") {
                        values["order.total"] = "\(Money(minor, currency).plainText) \(currency)"
                    }
                default: break
                }
                if joinsCustomer {
                    values["customer.name"] = try row.optionalText("c_name")
                    values["customer.stage"] = try row.optionalText("c_stage")
                    values["customer.company"] = try row.optionalText("c_company")
                }
                result[try row.id("id")] = values
            }
        }
        return result
    }
}
