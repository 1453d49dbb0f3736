import Foundation

/// A rep's daily or monthly work report (日报/月报): the figures of their own activity in the
/// period, drafted automatically, plus their own words; submitted to their managers, who comment,
/// return it for rework or mark it reviewed (批阅). A report stays with its author for good — it
/// is the author's record of their work, so a handover never moves it.
public struct WorkReport: Sendable, Equatable {
    /// Daily (日报) or monthly (月报).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case daily, monthly
    }

    /// Where a report stands: draft → submitted (→ returned for rework → submitted again) → reviewed.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case draft, submitted, returned, reviewed

        /// Whether the author may still change the words (a draft, or a report sent back).
        public var isEditable: Bool { self == .draft || self == .returned }

        /// Whether the report may go from this status to `next`.
        public func allows(_ next: Status) -> Bool {
            switch (self, next) {
            case (.draft, .submitted), (.returned, .submitted), (.submitted, .returned), (.submitted, .reviewed): true
            default: false
            }
        }
    }

    public var id: RecordID
    public var kind: Kind
    public var period: ReportPeriod
    public var authorID: RecordID
    public var status: Status
    /// What was done (工作总结).
    public var summary: String?
    /// The plan for tomorrow / next month (明日计划/下月计划).
    public var plan: String?
    /// Problems and help needed (问题与需要的支持).
    public var problems: String?
    /// The figures as they were at the last submission (nil while never submitted).
    public var figures: ReportFigures?
    public var submittedAt: Date?
    public var returnedAt: Date?
    public var reviewedAt: Date?
    public var reviewedBy: RecordID?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, kind: Kind, period: ReportPeriod, authorID: RecordID, status: Status = .draft, summary: String? = nil,
                plan: String? = nil, problems: String? = nil, figures: ReportFigures? = nil, submittedAt: Date? = nil, returnedAt: Date? = nil,
                reviewedAt: Date? = nil, reviewedBy: RecordID? = nil, version: Int64 = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.kind = kind
        self.period = period
        self.authorID = authorID
        self.status = status
        self.summary = summary
        self.plan = plan
        self.problems = problems
        self.figures = figures
        self.submittedAt = submittedAt
        self.returnedAt = returnedAt
        self.reviewedAt = reviewedAt
        self.reviewedBy = reviewedBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The longest summary, plan or problems text, in characters.
    public static let maximumTextLength = 5_000
    /// The longest comment, in characters.
    public static let maximumCommentLength = 2_000
}

/// A comment on a report, by its author or one of their managers.
public struct ReportComment: Sendable, Equatable {
    public var id: RecordID
    public var reportID: RecordID
    public var authorID: RecordID
    /// The commenter's name (as lists show it).
    public var authorName: String
    public var body: String
    public var createdAt: Date

    public init(id: RecordID, reportID: RecordID, authorID: RecordID, authorName: String, body: String, createdAt: Date) {
        self.id = id
        self.reportID = reportID
        self.authorID = authorID
        self.authorName = authorName
        self.body = body
        self.createdAt = createdAt
    }
}

/// The period of a report: a business day (`2026-11-30`) for a daily report, a business month
/// (`2026-11`) for a monthly one, both in the business time zone.
public enum ReportPeriod: Sendable, Hashable, CustomStringConvertible {
    case day(CalendarDate)
    case month(BusinessMonth)

    /// Parses the period of a report of `kind`: `YYYY-MM-DD` for daily, `YYYY-MM` for monthly.
    public init?(_ text: String, kind: WorkReport.Kind) {
        switch kind {
        case .daily:
            guard text.count == 10, let day = CalendarDate(text), day.description == text else { return nil }
            self = .day(day)
        case .monthly:
            guard let month = BusinessMonth(text) else { return nil }
            self = .month(month)
        }
    }

    /// The period holding `day` for a report of `kind` (today's daily report, this month's monthly one).
    public init(containing day: CalendarDate, kind: WorkReport.Kind) {
        self = kind == .daily ? .day(day) : .month(BusinessMonth(day))
    }

    public var kind: WorkReport.Kind {
        switch self {
        case .day: .daily
        case .month: .monthly
        }
    }

    public var description: String {
        switch self {
        case .day(let day): day.description
        case .month(let month): month.description
        }
    }

    /// The first business day of the period.
    public var firstDay: CalendarDate {
        switch self {
        case .day(let day): day
        case .month(let month): month.firstDay
        }
    }

    /// The business day after the period.
    public var endDay: CalendarDate {
        switch self {
        case .day(let day): day.adding(days: 1)
        case .month(let month): month.adding(months: 1).firstDay
        }
    }

    /// The last business day of the period.
    public var lastDay: CalendarDate { endDay.adding(days: -1) }

    /// The instants [from, to) of the period in `zone`: from its first day's midnight to the next
    /// period's (a day in Shanghai is 16:00 UTC the day before to 16:00 UTC that day).
    public func instants(in zone: TimeZone) -> (from: Date, to: Date) {
        (Self.midnight(firstDay, in: zone), Self.midnight(endDay, in: zone))
    }

    /// The instant a business day starts in `zone`.
    public static func midnight(_ day: CalendarDate, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: day.year, month: day.month, day: day.day)
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400)
    }
}

extension IDPrefix {
    public static let report = IDPrefix(rawValue: "rpt")
    public static let reportComment = IDPrefix(rawValue: "rpc")
}

extension ObjectKind {
    public static let report = ObjectKind(rawValue: "report")
}

/// A report as lists and pages show it: with its author's name.
public struct ReportRow: Sendable, Equatable {
    public var report: WorkReport
    public var authorName: String

    public init(report: WorkReport, authorName: String) {
        self.report = report
        self.authorName = authorName
    }
}
