import Foundation

/// What a sales target (目标) measures, and what its actual (业绩) counts.
///
/// - `won_revenue`: amounts of opportunities won (closed as won) in the period, per currency.
/// - `signed_revenue`: totals of orders signed in the period (cancelled orders left out), per currency.
/// - `collections`: money received less money refunded in the period (回款), on the order owner's books.
/// - `new_customers`: customers created in the period, counted for their current owner (merged ones left out).
/// - `calls`, `visits`: activities of that type that happened in the period, counted for the rep who did them.
public enum TargetMetric: String, Sendable, CaseIterable, Codable, Comparable {
    case wonRevenue = "won_revenue"
    case signedRevenue = "signed_revenue"
    case collections
    case newCustomers = "new_customers"
    case calls
    case visits

    /// Money metrics have a currency and amounts in minor units; the others are counts.
    public var isMoney: Bool {
        switch self {
        case .wonRevenue, .signedRevenue, .collections: true
        case .newCustomers, .calls, .visits: false
        }
    }

    public static func < (lhs: TargetMetric, rhs: TargetMetric) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A business month, `YYYY-MM`, in the business calendar (time zone).
public struct BusinessMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...12).contains(month), (1970...9999).contains(year) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM` exactly.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 7, parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        self.init(year: year, month: month)
    }

    /// The month holding `day`.
    public init(_ day: CalendarDate) {
        self.year = day.year
        self.month = day.month
    }

    public var firstDay: CalendarDate { CalendarDate(year: year, month: month, day: 1)! }
    public func adding(months count: Int) -> BusinessMonth { BusinessMonth(firstDay.adding(months: count)) }
    public var description: String { String(format: "%04d-%02d", year, month) }
    public static func < (lhs: BusinessMonth, rhs: BusinessMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}

/// The period of a leaderboard or a performance view: a month (`2026-03`), a quarter
/// (`2026-Q1`) or a year (`2026`), as business months.
public struct PerformancePeriod: Sendable, Hashable, CustomStringConvertible {
    /// The first month and how many months.
    public let first: BusinessMonth
    public let length: Int
    public let description: String

    public init(month: BusinessMonth) {
        first = month
        length = 1
        description = month.description
    }

    init(first: BusinessMonth, length: Int, description: String) {
        self.first = first
        self.length = length
        self.description = description
    }

    public init?(_ text: String) {
        let digits = { (part: Substring) in !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } }
        if let month = BusinessMonth(text) {
            self.init(month: month)
        } else if text.count == 4, digits(Substring(text)), let year = Int(text), let month = BusinessMonth(year: year, month: 1) {
            self.init(first: month, length: 12, description: text)
        } else if text.count == 7, text.dropFirst(4).hasPrefix("-Q"), digits(text.suffix(1)), let quarter = Int(text.suffix(1)), (1...4).contains(quarter),
                  digits(text.prefix(4)), let year = Int(text.prefix(4)), let month = BusinessMonth(year: year, month: quarter * 3 - 2) {
            self.init(first: month, length: 3, description: text)
        } else {
            return nil
        }
    }

    /// Every month of the period, in order.
    public var months: [BusinessMonth] { (0..<length).map { first.adding(months: $0) } }
    public var firstDay: CalendarDate { first.firstDay }
    /// The day after the period.
    public var endDay: CalendarDate { first.adding(months: length).firstDay }
}

/// A target set for a month: for a user or a team, on a metric, in a currency for money metrics.
public struct Target: Sendable, Equatable {
    /// Whom a target is for.
    public enum Subject: Sendable, Hashable {
        case user(RecordID)
        case team(RecordID)

        public var id: RecordID {
            switch self {
            case .user(let id), .team(let id): id
            }
        }
    }

    public var id: RecordID
    public var month: BusinessMonth
    public var subject: Subject
    public var metric: TargetMetric
    /// ISO 4217 for money metrics; nil for counts.
    public var currency: String?
    /// Minor units for money metrics; a count otherwise.
    public var amount: Int64
    public var version: Int64
    public var setBy: RecordID?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, month: BusinessMonth, subject: Subject, metric: TargetMetric, currency: String?, amount: Int64, version: Int64,
                setBy: RecordID?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.month = month
        self.subject = subject
        self.metric = metric
        self.currency = currency
        self.amount = amount
        self.version = version
        self.setBy = setBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var key: Performance.Key { Performance.Key(metric: metric, currency: currency) }
}

extension IDPrefix {
    public static let target = IDPrefix(rawValue: "tgt")
}

extension ObjectKind {
    /// Monthly targets: the scope on them also decides whose actuals and attainment one sees.
    public static let target = ObjectKind(rawValue: "target")
}
