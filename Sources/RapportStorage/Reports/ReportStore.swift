import Foundation
import RapportCore
import SQLKit

/// Work reports and their comments. Reads are scoped by the author (a filter anchored on
/// `reports.author_id`).
public struct ReportStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "kind", "period", "period_start", "author_id", "status", "summary", "plan", "problems", "figures", "submitted_at", "returned_at",
        "reviewed_at", "reviewed_by", "version", "created_at", "updated_at",
    ]

    static func row(_ report: WorkReport) throws -> [BulkValue] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let figures = try report.figures.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        return [.text(report.id.rawValue), .text(report.kind.rawValue), .text(report.period.description), .text(report.period.firstDay.description),
                .text(report.authorID.rawValue), .text(report.status.rawValue), BulkValue(report.summary), BulkValue(report.plan),
                BulkValue(report.problems), BulkValue(figures), BulkValue(report.submittedAt?.microsSinceEpoch),
                BulkValue(report.returnedAt?.microsSinceEpoch), BulkValue(report.reviewedAt?.microsSinceEpoch), BulkValue(report.reviewedBy?.rawValue),
                .integer(report.version), .integer(report.createdAt.microsSinceEpoch), .integer(report.updatedAt.microsSinceEpoch)]
    }

    public func insert(_ report: WorkReport) async throws {
        try await sql.insertRows(into: "reports", columns: Self.columns, rows: [try Self.row(report)])
    }

    /// Writes `report` over the stored row if that row is still at `expectedVersion`; the stored
    /// version becomes `expectedVersion + 1`. False when someone else changed it first.
    public func replace(_ report: WorkReport, expectedVersion: Int64) async throws -> Bool {
        var updated = report
        updated.version = expectedVersion + 1
        let query = sql.update("reports")
        for (column, value) in zip(Self.columns, try Self.row(updated)) where column != "id" {
            query.set(SQLIdentifier(column), to: value.sqlExpression)
        }
        return try await query.where("id", .equal, report.id.rawValue).where("version", .equal, expectedVersion).returning("id").first() != nil
    }

    func selectRows() -> SQLSelectBuilder {
        sql.select().columns(Self.columns.map { SQLColumn($0, table: "reports") }).column(SQLColumn("name", table: "report_author"), as: "author_name")
            .from("reports").join(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("report_author")), on: SQLColumn("author_id", table: "reports"),
                                  .equal, SQLColumn("id", table: "report_author"))
    }

    /// One report whose author is within `scope` (nil when there is none or it is outside).
    public func find(_ id: RecordID, in scope: ScopeFilter) async throws -> ReportRow? {
        let query = selectRows().where(SQLColumn("id", table: "reports"), .equal, SQLBind(id.rawValue))
        return try await scope.apply(to: query).first().map(Self.decodeRow)
    }

    /// The author's report of a kind and period, whoever asks.
    public func find(author: RecordID, period: ReportPeriod) async throws -> WorkReport? {
        try await sql.select().columns(Self.columns).from("reports").where("author_id", .equal, author.rawValue)
            .where("kind", .equal, period.kind.rawValue).where("period", .equal, period.description).first().map(Self.decode)
    }

    /// What a report search asks for.
    public struct Filter: Sendable, Equatable {
        public var authorID: RecordID?
        /// Authors whose team is in this subtree (a team's path).
        public var teamPath: String?
        public var kind: WorkReport.Kind?
        /// Periods starting on or after / on or before these business days.
        public var from: CalendarDate?
        public var to: CalendarDate?
        public var statuses: [WorkReport.Status] = []
        /// Words in the summary, plan or problems (case-insensitive, wildcards taken literally).
        public var text: String?

        public init(authorID: RecordID? = nil, teamPath: String? = nil, kind: WorkReport.Kind? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil,
                    statuses: [WorkReport.Status] = [], text: String? = nil) {
            self.authorID = authorID
            self.teamPath = teamPath
            self.kind = kind
            self.from = from
            self.to = to
            self.statuses = statuses
            self.text = text
        }
    }

    /// Reports of authors within scope, newest period first (then by id, newest first). The cursor is `period_start|id`.
    public func search(_ filter: Filter, page: PageRequest, in scope: ScopeFilter) async throws -> Page<ReportRow> {
        let query = selectRows()
        let column = { (name: String) in SQLColumn(name, table: "reports") }
        if let author = filter.authorID { query.where(column("author_id"), .equal, SQLBind(author.rawValue)) }
        if let path = filter.teamPath {
            query.where(SQLQueryString("report_author.team_id IN (SELECT report_team.id FROM teams report_team WHERE \(ScopeFilter.prefix("report_team.path", path)))"))
        }
        if let kind = filter.kind { query.where(column("kind"), .equal, SQLBind(kind.rawValue)) }
        if let from = filter.from { query.where(column("period_start"), .greaterThanOrEqual, SQLBind(from.description)) }
        if let to = filter.to { query.where(column("period_start"), .lessThanOrEqual, SQLBind(to.description)) }
        if !filter.statuses.isEmpty { query.where(column("status"), .in, SQLGroupExpression(filter.statuses.map { SQLBind($0.rawValue) })) }
        if let text = filter.text, !text.isEmpty {
            let pattern = "%" + SQLText.escapeLike(text.lowercased()) + "%"
            query.where(SQLQueryString("""
                (lower(reports.summary) LIKE \(bind: pattern) ESCAPE '\\' OR lower(reports.plan) LIKE \(bind: pattern) ESCAPE '\\' \
                OR lower(reports.problems) LIKE \(bind: pattern) ESCAPE '\\')
                """))
        }
        if let cursor = page.cursor {
            let parts = cursor.after.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, CalendarDate(String(parts[0])) != nil, RecordID(parsing: String(parts[1]), prefix: .report) != nil else {
                throw RapportError.validation([FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this server issued.")])
            }
            let start = String(parts[0]), id = String(parts[1])
            query.where(SQLQueryString("(reports.period_start < \(bind: start) OR (reports.period_start = \(bind: start) AND reports.id < \(bind: id)))"))
        }
        let rows = try await scope.apply(to: query)
            .orderBy(column("period_start"), SQLDirection.descending).orderBy(column("id"), SQLDirection.descending)
            .limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decodeRow), limit: page.limit) { "\($0.report.period.firstDay)|\($0.report.id.rawValue)" }
    }

    /// Of `authors`, those whose report of `period` has been submitted (submitted or reviewed; a
    /// report returned for rework counts as not submitted).
    public func submittedAuthors(_ period: ReportPeriod, among authors: [RecordID]) async throws -> Set<RecordID> {
        var result: Set<RecordID> = []
        for chunk in authors.chunked(into: 500) where !chunk.isEmpty {
            let rows = try await sql.select().column("author_id").from("reports").where("kind", .equal, period.kind.rawValue)
                .where("period", .equal, period.description)
                .where("status", .in, SQLGroupExpression([WorkReport.Status.submitted, .reviewed].map { SQLBind($0.rawValue) }))
                .where("author_id", .in, SQLGroupExpression(chunk.map { SQLBind($0.rawValue) })).all()
            for row in rows { result.insert(try row.id("author_id")) }
        }
        return result
    }

    // MARK: Comments

    public func addComment(_ comment: ReportComment) async throws {
        try await sql.insertRows(into: "report_comments", columns: ["id", "report_id", "author_id", "body", "created_at"], rows: [[
            .text(comment.id.rawValue), .text(comment.reportID.rawValue), .text(comment.authorID.rawValue), .text(comment.body),
            .integer(comment.createdAt.microsSinceEpoch),
        ]])
    }

    /// A report's comments, oldest first.
    public func comments(_ reportID: RecordID) async throws -> [ReportComment] {
        try await sql.raw("""
            SELECT c.id, c.report_id, c.author_id, u.name AS author_name, c.body, c.created_at FROM report_comments c
            JOIN users u ON u.id = c.author_id WHERE c.report_id = \(bind: reportID.rawValue) ORDER BY c.created_at, c.id
            """).all().map { row in
            ReportComment(id: try row.id("id"), reportID: try row.id("report_id"), authorID: try row.id("author_id"),
                          authorName: try row.text("author_name"), body: try row.text("body"), createdAt: try row.date("created_at"))
        }
    }

    /// Everyone who has commented on a report.
    public func commenters(_ reportID: RecordID) async throws -> Set<RecordID> {
        Set(try await sql.select().column("author_id").distinct().from("report_comments").where("report_id", .equal, reportID.rawValue).all()
            .map { try $0.id("author_id") })
    }

    // MARK: Decoding

    static func decodeRow(_ row: any SQLRow) throws -> ReportRow {
        ReportRow(report: try decode(row), authorName: try row.text("author_name"))
    }

    static func decode(_ row: any SQLRow) throws -> WorkReport {
        guard let kind = WorkReport.Kind(rawValue: try row.text("kind")), let status = WorkReport.Status(rawValue: try row.text("status")),
              let period = ReportPeriod(try row.text("period"), kind: kind)
        else { throw CorruptRow(table: "reports", column: "kind") }
        let figures = try row.optionalText("figures").map { try JSONDecoder().decode(ReportFigures.self, from: Data($0.utf8)) }
        return WorkReport(
            id: try row.id("id"), kind: kind, period: period, authorID: try row.id("author_id"), status: status, summary: try row.optionalText("summary"),
            plan: try row.optionalText("plan"), problems: try row.optionalText("problems"), figures: figures, submittedAt: try row.optionalDate("submitted_at"),
            returnedAt: try row.optionalDate("returned_at"), reviewedAt: try row.optionalDate("reviewed_at"), reviewedBy: try row.optionalID("reviewed_by"),
            version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
