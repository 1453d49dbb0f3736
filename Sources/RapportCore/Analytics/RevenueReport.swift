import Foundation

/// Revenue and collections per period (业绩与回款): contracts signed (booked), opportunities won,
/// money received (回款), refunded and written off, per currency — the figures a sales operations
/// manager reconciles each month, and later sets targets against. A pure fold over aggregates the
/// store has already grouped by business day.
public enum RevenueReport {
    /// What an aggregate counts.
    public enum Measure: String, Sendable, CaseIterable, Codable {
        /// Orders signed (their totals), cancelled ones left out.
        case booked
        /// Opportunities won (their amounts).
        case won
        /// Payments received.
        case received
        /// Refunds paid out.
        case refunded
        /// Dues cancelled with no money moving (减免, bad debts).
        case cancelled
    }

    /// One aggregate: a measure on a business day in a currency.
    public struct Entry: Sendable, Equatable {
        public var measure: Measure
        public var day: CalendarDate
        public var currency: String
        public var count: Int64
        public var amountMinor: Int64

        public init(measure: Measure, day: CalendarDate, currency: String, count: Int64, amountMinor: Int64) {
            self.measure = measure
            self.day = day
            self.currency = currency
            self.count = count
            self.amountMinor = amountMinor
        }
    }

    /// A count and an amount.
    public struct Figure: Sendable, Equatable {
        public var count: Int64 = 0
        public var amountMinor: Int64 = 0

        public init(count: Int64 = 0, amountMinor: Int64 = 0) {
            self.count = count
            self.amountMinor = amountMinor
        }
    }

    /// The figures of one period (nil: the whole range) in one currency.
    public struct Row: Sendable, Equatable {
        public var period: CalendarDate?
        public var currency: String
        public var figures: [Measure: Figure] = [:]

        public init(period: CalendarDate?, currency: String) {
            self.period = period
            self.currency = currency
        }

        public subscript(_ measure: Measure) -> Figure { figures[measure] ?? Figure() }
        /// Received less refunded.
        public var collectedMinor: Int64 { self[.received].amountMinor - self[.refunded].amountMinor }
    }

    /// The first day of the period holding `day`: itself, its week's Monday, its month's first day.
    public static func periodStart(_ day: CalendarDate, _ interval: AnalyticsInterval) -> CalendarDate? {
        switch interval {
        case .none: nil
        case .day: day
        case .week: day.adding(days: -((day.dayNumber % 7 + 10) % 7))  // 1970-01-01 was a Thursday
        case .month: CalendarDate(year: day.year, month: day.month, day: 1)
        }
    }

    /// Adds the entries up per period and currency (periods in order, then currencies), and per
    /// currency over the whole range.
    public static func fold(_ entries: [Entry], interval: AnalyticsInterval) -> (rows: [Row], totals: [Row]) {
        struct Key: Hashable { var period: CalendarDate?, currency: String }
        var rows: [Key: Row] = [:]
        var totals: [String: Row] = [:]
        for entry in entries {
            let key = Key(period: periodStart(entry.day, interval), currency: entry.currency)
            rows[key, default: Row(period: key.period, currency: key.currency)].add(entry)
            totals[entry.currency, default: Row(period: nil, currency: entry.currency)].add(entry)
        }
        let ordered = rows.values.sorted { ($0.period ?? CalendarDate(dayNumber: 0), $0.currency) < ($1.period ?? CalendarDate(dayNumber: 0), $1.currency) }
        return (interval == .none ? [] : ordered, totals.values.sorted { $0.currency < $1.currency })
    }
}

extension RevenueReport.Row {
    mutating func add(_ entry: RevenueReport.Entry) {
        var figure = self[entry.measure]
        figure.count += entry.count
        figure.amountMinor += entry.amountMinor
        figures[entry.measure] = figure
    }
}
