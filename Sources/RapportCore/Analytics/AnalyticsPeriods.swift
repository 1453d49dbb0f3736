import Foundation

/// How a report splits time: by day, ISO week (starting Monday), month, or not at all.
public enum AnalyticsInterval: String, Sendable, CaseIterable, Codable {
    case day, week, month, none
}

/// The periods of a report in one time zone: which period an instant falls in.
public struct AnalyticsPeriods: Sendable {
    public let interval: AnalyticsInterval
    public let timeZone: TimeZone
    let calendar: Calendar

    public init(_ interval: AnalyticsInterval, timeZone: TimeZone) {
        self.interval = interval
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        self.calendar = calendar
    }

    /// The start of the period holding `date`; nil when the report is not split.
    public func start(of date: Date) -> Date? {
        switch interval {
        case .none: nil
        case .day: calendar.startOfDay(for: date)
        case .week: calendar.dateInterval(of: .weekOfYear, for: date)?.start
        case .month: calendar.dateInterval(of: .month, for: date)?.start
        }
    }
}
