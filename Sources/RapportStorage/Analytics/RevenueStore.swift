import Foundation
import RapportCore
import SQLKit

/// The reads behind the revenue and collections report: per business day and currency, orders
/// signed, opportunities won, payments received, refunds and cancelled dues — aggregated in SQL,
/// scoped on the owner of the order (or opportunity) through `users scope_rep`.
public struct RevenueStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Which records the report reads.
    public struct Filter: Sendable {
        public var ownerID: RecordID?
        public var teamID: RecordID?
        public var currency: String?
        /// The instants [from, to) for what happens at an instant (signing, winning).
        public var from: Date
        public var to: Date
        /// The business days [firstDay, lastDay] for what happens on a day (payments, refunds, cancellations).
        public var firstDay: CalendarDate
        public var lastDay: CalendarDate
        /// The business time zone the instants are cut into days in.
        public var timeZone: TimeZone
        /// The reps whose orders the caller sees (users aliased `scope_rep`); nil = everyone's.
        public var orderReps: ScopeFilter?
        /// The reps whose opportunities the caller sees; nil = everyone's.
        public var opportunityReps: ScopeFilter?

        public init(ownerID: RecordID?, teamID: RecordID?, currency: String?, from: Date, to: Date, timeZone: TimeZone,
                    orderReps: ScopeFilter?, opportunityReps: ScopeFilter?) {
            self.ownerID = ownerID
            self.teamID = teamID
            self.currency = currency
            self.from = from
            self.to = to
            self.timeZone = timeZone
            self.firstDay = CalendarDate(from, in: timeZone)
            self.lastDay = CalendarDate(to.addingTimeInterval(-0.000_001), in: timeZone)
            self.orderReps = orderReps
            self.opportunityReps = opportunityReps
        }

        /// Owner, team, currency and scope on a table aliased `alias`.
        func people(_ alias: String, reps: ScopeFilter?) -> SQLQueryString {
            var query: SQLQueryString = "1 = 1"
            if let ownerID { query += " AND \(unsafeRaw: alias).owner_id = \(bind: ownerID.rawValue)" as SQLQueryString }
            if let teamID { query += " AND \(unsafeRaw: alias).team_id = \(bind: teamID.rawValue)" as SQLQueryString }
            if let currency { query += " AND \(unsafeRaw: alias).currency = \(bind: currency)" as SQLQueryString }
            if let reps, let predicate = reps.predicate() {
                query += " AND \(unsafeRaw: alias).owner_id IN (SELECT scope_rep.id FROM users scope_rep WHERE \(predicate))" as SQLQueryString
            }
            return query
        }
    }

    /// Every measure's aggregates over the filter's range.
    public func entries(_ filter: Filter) async throws -> [RevenueReport.Entry] {
        let from = filter.from.microsSinceEpoch, to = filter.to.microsSinceEpoch
        // 15-minute slots, so that any time zone's business days can be cut from them.
        let booked: SQLQueryString = """
            SELECT o.signed_at / 900000000 AS slot, o.currency, count(*) AS n, CAST(sum(o.total_minor) AS BIGINT) AS amount
            FROM orders o WHERE o.signed_at >= \(bind: from) AND o.signed_at < \(bind: to) AND o.status <> 'cancelled'
              AND \(filter.people("o", reps: filter.orderReps))
            GROUP BY o.signed_at / 900000000, o.currency
            """
        let won: SQLQueryString = """
            SELECT o.closed_at / 900000000 AS slot, o.currency, count(*) AS n, CAST(sum(o.amount_minor) AS BIGINT) AS amount
            FROM opportunities o WHERE o.status_category = 'won' AND o.closed_at >= \(bind: from) AND o.closed_at < \(bind: to)
              AND o.currency IS NOT NULL AND o.amount_minor IS NOT NULL AND \(filter.people("o", reps: filter.opportunityReps))
            GROUP BY o.closed_at / 900000000, o.currency
            """
        var entries = try await slotted(.booked, booked, filter.timeZone) + slotted(.won, won, filter.timeZone)
        for (measure, table, day) in [(RevenueReport.Measure.received, "payments", "received_on"), (.refunded, "refunds", "refunded_on"),
                                      (.cancelled, "receivable_cancellations", "cancelled_on")] {
            let query: SQLQueryString = """
                SELECT m.\(unsafeRaw: day) AS day, m.currency, count(*) AS n, CAST(sum(m.amount_minor) AS BIGINT) AS amount
                FROM \(unsafeRaw: table) m JOIN orders o ON o.id = m.order_id
                WHERE m.\(unsafeRaw: day) >= \(bind: filter.firstDay.description) AND m.\(unsafeRaw: day) <= \(bind: filter.lastDay.description)
                  AND \(filter.people("o", reps: filter.orderReps))
                GROUP BY m.\(unsafeRaw: day), m.currency
                """
            entries += try await sql.raw(query).all().map { row in
                guard let date = CalendarDate(try row.text("day")) else { throw CorruptRow(table: table, column: day) }
                return RevenueReport.Entry(measure: measure, day: date, currency: try row.text("currency"), count: try row.int("n"), amountMinor: try row.int("amount"))
            }
        }
        return entries
    }

    func slotted(_ measure: RevenueReport.Measure, _ query: SQLQueryString, _ zone: TimeZone) async throws -> [RevenueReport.Entry] {
        try await sql.raw(query).all().map { row in
            RevenueReport.Entry(measure: measure, day: CalendarDate(Date(microsSinceEpoch: try row.int("slot") * 900_000_000), in: zone),
                                currency: try row.text("currency"), count: try row.int("n"), amountMinor: try row.int("amount"))
        }
    }
}
