import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ReportUseCases {
    /// What a report search asks for, as sent.
    public struct SearchQuery: Sendable {
        public var author: String?
        /// A team id: authors in that team's subtree.
        public var team: String?
        public var kind: String?
        /// Periods starting on or after / on or before: a day (`YYYY-MM-DD`) or a month (`YYYY-MM`;
        /// as `to`, its last day).
        public var from: String?
        public var to: String?
        /// `draft`, `submitted`, `returned`, `reviewed` (comma-separated for several).
        public var status: String?
        /// Words in the summary, plan or problems.
        public var text: String?

        public init(author: String? = nil, team: String? = nil, kind: String? = nil, from: String? = nil, to: String? = nil, status: String? = nil,
                    text: String? = nil) {
            self.author = author
            self.team = team
            self.kind = kind
            self.from = from
            self.to = to
            self.status = status
            self.text = text
        }
    }

    /// Reports within the caller's scope, newest period first.
    public func search(_ query: SearchQuery, page: PageRequest, by caller: Caller) async throws -> Page<ReportRow> {
        let scope = try await filter(caller, .read)
        var check = Validator()
        var filter = ReportStore.Filter()
        if let author = query.author {
            filter.authorID = RecordID(parsing: author, prefix: .user)
            if filter.authorID == nil { check.add("author_id", "invalid", "author_id is not a user id.") }
        }
        let teamID = query.team.map { RecordID(parsing: $0, prefix: .team) }
        if case .some(.none) = teamID { check.add("team_id", "invalid", "team_id is not a team id.") }
        if let kind = query.kind { filter.kind = check.choice(kind, field: "kind", of: WorkReport.Kind.self) }
        filter.from = Self.day(query.from, field: "from", end: false, check: &check)
        filter.to = Self.day(query.to, field: "to", end: true, check: &check)
        if let status = query.status {
            filter.statuses = status.split(separator: ",", omittingEmptySubsequences: false).compactMap {
                check.choice(String($0), field: "status", of: WorkReport.Status.self)
            }
        }
        if let text = query.text {
            let checked = check.text(text, field: "q", maxLength: 200)
            filter.text = checked.isEmpty ? nil : checked
        }
        return try await rapport.database.read { sql in
            if let teamID = teamID ?? nil {
                if let team = try await TeamStore(sql).find(teamID) { filter.teamPath = team.path } else { check.add("team_id", "invalid", "team_id is not a team.") }
            }
            try check.finish()
            return try await ReportStore(sql).search(filter, page: page, in: scope)
        }
    }

    /// A day or a month as the first (or, with `end`, the last) business day it covers.
    static func day(_ text: String?, field: String, end: Bool, check: inout Validator) -> CalendarDate? {
        guard let text else { return nil }
        if let period = ReportPeriod(text, kind: .daily) ?? ReportPeriod(text, kind: .monthly) { return end ? period.lastDay : period.firstDay }
        check.add(field, "invalid", "\(field) is a day (YYYY-MM-DD) or a month (YYYY-MM).")
        return nil
    }

    /// Someone who has not submitted their daily report.
    public struct Missing: Sendable, Equatable {
        public var userID: RecordID
        public var name: String
        public var teamID: RecordID?
        /// Their report of the day, if they started one (a draft, or returned for rework).
        public var reportID: RecordID?
        public var status: WorkReport.Status?
    }

    /// The active reps and managers the caller oversees (not the caller) who have not submitted
    /// their daily report of `date` (default: yesterday, business time), optionally within one
    /// team's subtree. For managers (their subtree), administrators and analysts (everyone).
    public func missing(date: String?, team: String?, by caller: Caller) async throws -> (day: CalendarDate, people: [Missing]) {
        let scope = try await rapport.scope(caller, .read, .report, anchor: .userTable, table: "scope_rep")
        guard scope.scope != .own else { throw RapportError(.forbidden, "Only managers see who has not submitted a report.") }
        var check = Validator()
        let today = today()
        var day = today.adding(days: -1)
        if let date {
            if case .day(let parsed) = ReportPeriod(date, kind: .daily) {
                day = parsed
                if parsed > today { check.add("date", "out_of_range", "date is not in the future.") }
            } else {
                check.add("date", "invalid", "date is a business day, YYYY-MM-DD.")
            }
        }
        let teamID = team.map { RecordID(parsing: $0, prefix: .team) }
        if case .some(.none) = teamID { check.add("team_id", "invalid", "team_id is not a team id.") }
        let period = ReportPeriod.day(day)
        let people = try await rapport.database.read { sql in
            var filter = PerformanceStore.People(scope: scope.scope == .all ? nil : scope)
            if let teamID = teamID ?? nil {
                if let found = try await TeamStore(sql).find(teamID) { filter.teamPath = found.path } else { check.add("team_id", "invalid", "team_id is not a team.") }
            }
            try check.finish()
            let people = try await PerformanceStore(sql).people(filter)
                .filter { $0.active && ($0.role == .rep || $0.role == .manager) && $0.id != caller.actorID }
            let submitted = try await ReportStore(sql).submittedAuthors(period, among: people.map(\.id))
            var result: [Missing] = []
            for person in people where !submitted.contains(person.id) {
                let started = try await ReportStore(sql).find(author: person.id, period: period)
                result.append(Missing(userID: person.id, name: person.name, teamID: person.teamID, reportID: started?.id, status: started?.status))
            }
            return result
        }
        return (day, people)
    }
}
