import Foundation
import RapportApp
import RapportCore

/// A work report as the API shows it (with its figures: live while editable, else the snapshot).
public struct WorkReportDTO: Encodable, Sendable {
    public var id: String
    public var kind: String
    public var period: String
    public var authorId: String
    public var authorName: String
    public var status: String
    @Nullable public var summary: String?
    @Nullable public var plan: String?
    @Nullable public var problems: String?
    @Nullable public var figures: ReportFigures?
    public var figuresLive: Bool
    @Nullable public var submittedAt: Date?
    @Nullable public var returnedAt: Date?
    @Nullable public var reviewedAt: Date?
    @Nullable public var reviewedBy: String?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, period, status, summary, plan, problems, figures, version
        case authorId = "author_id", authorName = "author_name", figuresLive = "figures_live", submittedAt = "submitted_at"
        case returnedAt = "returned_at", reviewedAt = "reviewed_at", reviewedBy = "reviewed_by", createdAt = "created_at", updatedAt = "updated_at"
    }

    /// A report with figures (`view`), or a list row without them.
    init(_ row: ReportRow, figures: ReportFigures?, live: Bool) {
        let report = row.report
        id = report.id.rawValue
        kind = report.kind.rawValue
        period = report.period.description
        authorId = report.authorID.rawValue
        authorName = row.authorName
        status = report.status.rawValue
        summary = report.summary
        plan = report.plan
        problems = report.problems
        self.figures = figures
        figuresLive = live
        submittedAt = report.submittedAt
        returnedAt = report.returnedAt
        reviewedAt = report.reviewedAt
        reviewedBy = report.reviewedBy?.rawValue
        version = report.version
        createdAt = report.createdAt
        updatedAt = report.updatedAt
    }

    init(_ view: ReportUseCases.View) { self.init(view.row, figures: view.figures, live: view.live) }
}

/// A comment on a report.
public struct WorkReportCommentDTO: Encodable, Sendable {
    public var id: String
    public var reportId: String
    public var authorId: String
    public var authorName: String
    public var body: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, body
        case reportId = "report_id", authorId = "author_id", authorName = "author_name", createdAt = "created_at"
    }

    init(_ comment: ReportComment) {
        id = comment.id.rawValue
        reportId = comment.reportID.rawValue
        authorId = comment.authorID.rawValue
        authorName = comment.authorName
        body = comment.body
        createdAt = comment.createdAt
    }
}

/// Who has not submitted their daily report of a day.
public struct MissingReportsDTO: Encodable, Sendable {
    public struct Person: Encodable, Sendable {
        public var userId: String
        public var name: String
        @Nullable public var teamId: String?
        @Nullable public var reportId: String?
        @Nullable public var status: String?

        enum CodingKeys: String, CodingKey {
            case name, status
            case userId = "user_id", teamId = "team_id", reportId = "report_id"
        }
    }

    public var date: String
    public var data: [Person]

    init(day: CalendarDate, people: [ReportUseCases.Missing]) {
        date = day.description
        data = people.map { Person(userId: $0.userID.rawValue, name: $0.name, teamId: $0.teamID?.rawValue, reportId: $0.reportID?.rawValue,
                                    status: $0.status?.rawValue) }
    }
}
