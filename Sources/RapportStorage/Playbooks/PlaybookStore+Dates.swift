import Foundation
import RapportCore
import SQLKit

extension PlaybookStore {
    /// The table a kind of record lives in (for the date triggers).
    static func table(_ object: DictionaryObject) -> String? {
        switch object {
        case .lead: "leads"
        case .customer: "customers"
        case .opportunity: "opportunities"
        case .order: "orders"
        default: nil
        }
    }

    /// The records of `object` whose instant `column` falls in [`from`, `to`), with their owners.
    public func records(_ object: DictionaryObject, instant column: String, from: Date, to: Date) async throws -> [(record: RecordID, owner: RecordID?)] {
        guard let table = Self.table(object), PlaybookDateFields.available(for: object)[column] == .instant else { return [] }
        return try await sql.select().columns("id", "owner_id").from(table)
            .where(SQLColumn(column), .greaterThanOrEqual, SQLBind(from.microsSinceEpoch)).where(SQLColumn(column), .lessThan, SQLBind(to.microsSinceEpoch))
            .orderBy("id").all().map(Self.owned)
    }

    /// The records of `object` whose calendar-date `column` is `date` (`YYYY-MM-DD`), with their owners.
    public func records(_ object: DictionaryObject, date column: String, on date: String) async throws -> [(record: RecordID, owner: RecordID?)] {
        guard let table = Self.table(object), PlaybookDateFields.available(for: object)[column] == .date else { return [] }
        return try await sql.select().columns("id", "owner_id").from(table).where(SQLColumn(column), .equal, SQLBind(date)).orderBy("id").all().map(Self.owned)
    }

    /// The customers with an active entitlement expiring in [`from`, `to`), with their owners (once each).
    public func customersWithEntitlementsExpiring(from: Date, to: Date) async throws -> [(record: RecordID, owner: RecordID?)] {
        try await sql.raw("""
            SELECT DISTINCT c.id AS id, c.owner_id AS owner_id FROM entitlements e JOIN customers c ON c.id = e.customer_id
            WHERE e.status = 'active' AND e.expires_at >= \(bind: from.microsSinceEpoch) AND e.expires_at < \(bind: to.microsSinceEpoch) ORDER BY c.id
            """).all().map(Self.owned)
    }

    static func owned(_ row: any SQLRow) throws -> (record: RecordID, owner: RecordID?) {
        (try row.id("id"), try row.optionalText("owner_id").map(RecordID.init(trusted:)))
    }
}
