import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Work reports (日报/月报): a rep drafts today's daily report (or this month's monthly one) —
/// its figures filled from their own records — writes what they did, their plan and the help
/// they need, and submits it to their managers, who comment, return it for rework or mark it
/// reviewed (批阅). Managers also see who has not submitted yesterday's daily report.
///
/// Scope follows the author, applied in SQL: a rep sees their own reports, a manager their team
/// subtree's, administrators and analysts all (analysts read only). Only the author writes and
/// submits a report; only someone else in scope (a manager, an administrator) returns or reviews
/// it. Reports stay with their author: a handover never moves them. Every change is audited.
public struct ReportUseCases: Sendable {
    let rapport: Rapport

    /// A report with the figures to show: the live figures while the author may still change it
    /// (a draft, or returned for rework), the snapshot taken at submission once submitted.
    public struct View: Sendable {
        public var row: ReportRow
        public var figures: ReportFigures
        /// Whether the figures were just computed (true) or are the submission's snapshot.
        public var live: Bool
    }

    func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .report, anchor: .owner(column: "author_id"), table: "reports")
    }

    /// The business day `now` falls on.
    func today() -> CalendarDate { CalendarDate(rapport.clock.now(), in: rapport.settings.businessTimeZone) }

    /// Creates the caller's report of `kind` for `period` (default: today's or this month's), or
    /// returns the one they already have; the figures come filled from their records.
    public func draft(kind: String?, period: String?, by caller: Caller) async throws -> (View, created: Bool) {
        _ = try await filter(caller, .create)
        var check = Validator()
        guard let author = caller.actorID else { throw RapportError(.forbidden, "Only a signed-in user writes a report.") }
        let kind = check.choice(kind ?? WorkReport.Kind.daily.rawValue, field: "kind", of: WorkReport.Kind.self)
        var resolved: ReportPeriod?
        if let kind {
            let today = today()
            if let period {
                resolved = ReportPeriod(period, kind: kind)
                if resolved == nil {
                    check.add("period", "invalid", kind == .daily ? "period is a business day, YYYY-MM-DD." : "period is a business month, YYYY-MM.")
                }
            } else {
                resolved = ReportPeriod(containing: today, kind: kind)
            }
            if let value = resolved {
                if value.firstDay > today {
                    check.add("period", "out_of_range", "period has not started yet.")
                } else if value.lastDay < today.adding(days: -400) {
                    check.add("period", "out_of_range", "period is within the last 400 days.")
                }
            }
        }
        try check.finish()
        guard let resolved else { throw RapportError.validation(check.errors) }
        let now = rapport.clock.now()
        let created: Bool = try await rapport.transaction { sql in
            let store = ReportStore(sql)
            if try await store.find(author: author, period: resolved) != nil { return false }
            let report = WorkReport(id: rapport.ids.next(.report, at: now), kind: resolved.kind, period: resolved, authorID: author,
                                    createdAt: now, updatedAt: now)
            try await store.insert(report)
            try await rapport.record(rapport.event("report.created", by: caller, kind: .report, object: report.id.rawValue,
                                                   details: ["kind": report.kind.rawValue, "period": resolved.description]), in: sql)
            return true
        }
        let view = try await rapport.database.read { sql -> View? in
            guard let report = try await ReportStore(sql).find(author: author, period: resolved) else { return nil }
            return try await self.view(report.id, in: ScopeFilter(caller.effectivePrincipal, .all, kind: .report, anchor: .owner(column: "author_id"),
                                                                   table: "reports"), sql)
        }
        guard let view else { throw RapportError.notFound("report") }
        return (view, created)
    }

    /// One report within the caller's scope (`not_found` otherwise), with its figures.
    public func get(_ id: String, by caller: Caller) async throws -> View {
        let scope = try await filter(caller, .read)
        guard let id = RecordID(parsing: id, prefix: .report),
              let view = try await rapport.database.read({ sql in try await self.view(id, in: scope, sql) })
        else { throw RapportError.notFound("report") }
        return view
    }

    func view(_ id: RecordID, in scope: ScopeFilter, _ sql: any SQLDatabase) async throws -> View? {
        guard let row = try await ReportStore(sql).find(id, in: scope) else { return nil }
        if !row.report.status.isEditable, let snapshot = row.report.figures { return View(row: row, figures: snapshot, live: false) }
        return View(row: row, figures: try await figures(of: row.report, sql), live: true)
    }

    /// The figures of a report's author and period from the records, as of now.
    func figures(of report: WorkReport, _ sql: any SQLDatabase) async throws -> ReportFigures {
        let (from, to) = report.period.instants(in: rapport.settings.businessTimeZone)
        let range = PerformanceStore.Range(from: from, to: to, firstDay: report.period.firstDay, lastDay: report.period.lastDay)
        return ReportFigures.fold(try await ReportFiguresStore(sql).entries(author: report.authorID, range: range, asOf: rapport.clock.now()))
    }

    /// A report's words as sent. Absent fields are nil; a field sent as null (or empty) clears it.
    public struct TextInput: Sendable {
        public var summary: String??
        public var plan: String??
        public var problems: String??

        public init(summary: String?? = nil, plan: String?? = nil, problems: String?? = nil) {
            self.summary = summary
            self.plan = plan
            self.problems = problems
        }
    }

    /// Changes the words of the caller's own draft (or returned) report.
    public func updateText(_ id: String, _ input: TextInput, expectedVersion: Int64?, by caller: Caller) async throws -> View {
        let existing = try await loadOwn(id, by: caller)
        guard existing.status.isEditable else {
            throw RapportError(.conflict, "The report is \(existing.status.rawValue); only a draft or a returned report can be changed.")
        }
        var check = Validator()
        var report = existing
        func text(_ value: String??, _ field: String) -> String?? {
            guard let value else { return nil }
            guard let value else { return .some(nil) }
            let checked = check.text(value, field: field, maxLength: WorkReport.maximumTextLength, multiline: true)
            return .some(checked.isEmpty ? nil : checked)
        }
        if let value = text(input.summary, "summary") { report.summary = value }
        if let value = text(input.plan, "plan") { report.plan = value }
        if let value = text(input.problems, "problems") { report.problems = value }
        try check.finish()
        let changed = [report.summary != existing.summary ? "summary" : nil, report.plan != existing.plan ? "plan" : nil,
                       report.problems != existing.problems ? "problems" : nil].compactMap { $0 }
        return try await change(report, from: existing, expectedVersion: expectedVersion, action: "report.updated", by: caller,
                                details: ["fields": changed.joined(separator: ",")])
    }

    /// Loads a report the caller may change and wrote themselves.
    func loadOwn(_ id: String, by caller: Caller) async throws -> WorkReport {
        let report = try await load(id, by: caller, .update)
        guard report.authorID == caller.actorID else {
            throw RapportError(.forbidden, "Only the author writes and submits a report.")
        }
        return report
    }

    /// Loads a report the caller may take `action` on (`not_found` otherwise).
    func load(_ id: String, by caller: Caller, _ action: AccessAction) async throws -> WorkReport {
        let scope = try await filter(caller, action)
        guard let id = RecordID(parsing: id, prefix: .report),
              let row = try await rapport.database.read({ sql in try await ReportStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("report") }
        return row.report
    }

    /// Saves a changed report (at `expectedVersion`, default the loaded one), audits it, runs
    /// `then` in the same transaction and reads it back.
    func change(
        _ report: WorkReport, from existing: WorkReport, expectedVersion: Int64?, action: String, by caller: Caller, details: [String: String] = [:],
        then: @Sendable (WorkReport, any SQLDatabase) async throws -> Void = { _, _ in }
    ) async throws -> View {
        var report = report
        report.updatedAt = rapport.clock.now()
        let saved = report
        return try await rapport.transaction { sql in
            guard try await ReportStore(sql).replace(saved, expectedVersion: expectedVersion ?? existing.version) else {
                throw RapportError(.preconditionFailed, "The report was changed by someone else; fetch it again and retry.")
            }
            var details = details
            if existing.status != saved.status {
                details["from"] = existing.status.rawValue
                details["to"] = saved.status.rawValue
            }
            try await rapport.record(rapport.event(action, by: caller, kind: .report, object: saved.id.rawValue, details: details), in: sql)
            try await then(saved, sql)
            let all = ScopeFilter(caller.effectivePrincipal, .all, kind: .report, anchor: .owner(column: "author_id"), table: "reports")
            guard let view = try await view(saved.id, in: all, sql) else { throw RapportError.notFound("report") }
            return view
        }
    }
}

extension Rapport {
    public var reports: ReportUseCases { ReportUseCases(rapport: self) }
}
