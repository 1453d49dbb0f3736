import Foundation
import RapportCore
import SQLKit

/// Monthly targets (`targets`): one row per month, subject (a user or a team), metric and
/// currency ('' for counts).
public struct TargetStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "month", "subject_kind", "subject_id", "metric", "currency", "amount", "version", "set_by", "created_at", "updated_at"]

    public func find(_ id: RecordID) async throws -> Target? {
        try await sql.select().columns(Self.columns).from("targets").where("id", .equal, SQLBind(id.rawValue)).first().map(Self.decode)
    }

    /// The target of a subject on a metric (and currency) in a month.
    public func find(month: BusinessMonth, subject: Target.Subject, key: Performance.Key) async throws -> Target? {
        try await sql.select().columns(Self.columns).from("targets")
            .where("month", .equal, SQLBind(month.description)).where("subject_id", .equal, SQLBind(subject.id.rawValue))
            .where("metric", .equal, SQLBind(key.metric.rawValue)).where("currency", .equal, SQLBind(key.currency ?? ""))
            .first().map(Self.decode)
    }

    public func insert(_ target: Target) async throws {
        try await sql.insert(into: "targets").columns(Self.columns).values(Self.values(target)).run()
    }

    /// Writes the amount and the new version when the row is still at `expectedVersion`; false otherwise.
    public func update(_ target: Target, expectedVersion: Int64) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE targets SET amount = \(bind: target.amount), version = \(bind: target.version), set_by = \(bind: target.setBy?.rawValue),
              updated_at = \(bind: target.updatedAt.microsSinceEpoch)
            WHERE id = \(bind: target.id.rawValue) AND version = \(bind: expectedVersion) RETURNING id
            """).all()
        return !rows.isEmpty
    }

    public func delete(_ id: RecordID) async throws {
        try await sql.delete(from: "targets").where("id", .equal, SQLBind(id.rawValue)).run()
    }

    /// The targets of `months` whose subject the caller sees: users within `people`, teams within
    /// `teams`; optionally one user's or one team's (and, with `teamPath`, its subtree's people and teams).
    public func list(months: [BusinessMonth], people: PerformanceStore.People, teams: ScopeFilter?) async throws -> [Target] {
        guard !months.isEmpty else { return [] }
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.columns.joined(separator: ", ")) FROM targets WHERE month IN ("
        for (index, month) in months.enumerated() { query += index == 0 ? "\(bind: month.description)" : ", \(bind: month.description)" }
        query += ") AND ((subject_kind = 'user' AND subject_id IN (SELECT scope_rep.id FROM users scope_rep WHERE \(people.predicate())))"
        var teamPredicate: SQLQueryString = "1 = 1"
        if let predicate = teams?.predicate() { teamPredicate += " AND \(predicate)" as SQLQueryString }
        if let path = people.teamPath { teamPredicate += " AND \(ScopeFilter.prefix("scope_team.path", path))" as SQLQueryString }
        if people.userID != nil { teamPredicate = "1 = 0" }
        query += " OR (subject_kind = 'team' AND subject_id IN (SELECT scope_team.id FROM teams scope_team WHERE \(teamPredicate))))"
        query += " ORDER BY month, subject_kind DESC, subject_id, metric, currency"
        return try await sql.raw(query).all().map(Self.decode)
    }

    static func values(_ target: Target) -> [any SQLExpression] {
        let kind: String
        switch target.subject {
        case .user: kind = "user"
        case .team: kind = "team"
        }
        return [SQLBind(target.id.rawValue), SQLBind(target.month.description), SQLBind(kind), SQLBind(target.subject.id.rawValue),
                SQLBind(target.metric.rawValue), SQLBind(target.currency ?? ""), SQLBind(target.amount), SQLBind(target.version),
                SQLBind(target.setBy?.rawValue), SQLBind(target.createdAt.microsSinceEpoch), SQLBind(target.updatedAt.microsSinceEpoch)]
    }

    static func decode(_ row: any SQLRow) throws -> Target {
        guard let month = BusinessMonth(try row.text("month")) else { throw CorruptRow(table: "targets", column: "month") }
        guard let metric = TargetMetric(rawValue: try row.text("metric")) else { throw CorruptRow(table: "targets", column: "metric") }
        let subjectID = try row.id("subject_id")
        let subject: Target.Subject
        switch try row.text("subject_kind") {
        case "user": subject = .user(subjectID)
        case "team": subject = .team(subjectID)
        default: throw CorruptRow(table: "targets", column: "subject_kind")
        }
        let currency = try row.text("currency")
        return Target(id: try row.id("id"), month: month, subject: subject, metric: metric, currency: currency.isEmpty ? nil : currency,
                      amount: try row.int("amount"), version: try row.int("version"), setBy: try row.optionalID("set_by"),
                      createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
