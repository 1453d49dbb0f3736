import Foundation

/// When a playbook step is due, counted from the run's start in the business time zone: "within
/// 2 h", "day 1 at 10:00", "day 3" (by the end of that day). Day 0 is the start's own day. Pure:
/// the time zone is passed in, and wall-clock times that a daylight-saving change skips move
/// forward, as calendars do.
public enum StepOffset: Sendable, Equatable, Hashable, Codable {
    /// Within `minutes` of the start.
    case within(minutes: Int)
    /// On day `day` at `hour`:`minute` local time (never before the start).
    case dayAt(day: Int, hour: Int, minute: Int)
    /// By the end of day `day` (23:59:59 local time).
    case day(Int)

    /// The most days a step may wait.
    public static let maximumDays = 366

    /// When the step is due for a run started at `start`.
    public func due(after start: Date, in zone: TimeZone) -> Date {
        switch self {
        case .within(let minutes):
            return start.addingTimeInterval(TimeInterval(minutes) * 60)
        case .dayAt(let day, let hour, let minute):
            return max(start, Self.local(CalendarDate(start, in: zone).adding(days: day), hour: hour, minute: minute, second: 0, zone))
        case .day(let day):
            return max(start, Self.local(CalendarDate(start, in: zone).adding(days: day), hour: 23, minute: 59, second: 59, zone))
        }
    }

    /// The instant of a local wall-clock time on `date` in `zone`.
    public static func local(_ date: CalendarDate, hour: Int, minute: Int, second: Int, _ zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: second)
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: TimeInterval(date.dayNumber) * 86_400)
    }

    /// What is wrong with the offset, if anything.
    public func problem(field: String) -> FieldError? {
        switch self {
        case .within(let minutes) where !(0...(Self.maximumDays * 1_440)).contains(minutes):
            FieldError(field: field, code: "out_of_range", message: "A step is due within 0 to \(Self.maximumDays) days.")
        case .dayAt(let day, let hour, let minute) where !(0...Self.maximumDays).contains(day) || !(0...23).contains(hour) || !(0...59).contains(minute):
            FieldError(field: field, code: "out_of_range", message: "A step's day is 0 to \(Self.maximumDays) and its time 00:00 to 23:59.")
        case .day(let day) where !(0...Self.maximumDays).contains(day):
            FieldError(field: field, code: "out_of_range", message: "A step's day is 0 to \(Self.maximumDays).")
        default: nil
        }
    }
}
