import Foundation
import RapportCore
import SQLKit

/// Assignment rules, the credits that keep teams' turns, reps' leave, and the candidates and
/// holdings the planner reads.
public struct AssignmentStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "name", "position", "active", "conditions", "target", "version", "created_at", "updated_at"]

    public func insert(_ rule: AssignmentRule) async throws {
        try await sql.insert(into: "assignment_rules").columns(Self.columns)
            .values(SQLBind(rule.id.rawValue), SQLBind(rule.name), SQLBind(Int64(rule.position)), SQLBind(Int64(rule.active ? 1 : 0)),
                    SQLBind(JSONText.encode(rule.conditions)), SQLBind(JSONText.encode(rule.target)), SQLBind(rule.version),
                    SQLBind(rule.createdAt.microsSinceEpoch), SQLBind(rule.updatedAt.microsSinceEpoch))
            .run()
    }

    /// Writes the rule if its stored version is `expectedVersion`; false on a mismatch.
    public func replace(_ rule: AssignmentRule, expectedVersion: Int64) async throws -> Bool {
        try await sql.update("assignment_rules")
            .set("name", to: SQLBind(rule.name)).set("position", to: SQLBind(Int64(rule.position)))
            .set("active", to: SQLBind(Int64(rule.active ? 1 : 0))).set("conditions", to: SQLBind(JSONText.encode(rule.conditions)))
            .set("target", to: SQLBind(JSONText.encode(rule.target))).set("version", to: SQLBind(expectedVersion + 1))
            .set("updated_at", to: SQLBind(rule.updatedAt.microsSinceEpoch))
            .where("id", .equal, rule.id.rawValue).where("version", .equal, expectedVersion).returning("id").first() != nil
    }

    /// Deletes a rule and its credits; false when there was none.
    public func delete(_ id: RecordID) async throws -> Bool {
        try await sql.delete(from: "assignment_credits").where("rule_id", .equal, id.rawValue).run()
        return try await sql.delete(from: "assignment_rules").where("id", .equal, id.rawValue).returning("id").first() != nil
    }

    public func find(_ id: RecordID) async throws -> AssignmentRule? {
        try await load(sql.select().columns(Self.columns).from("assignment_rules").where("id", .equal, id.rawValue)).first
    }

    /// Every rule, in the order they are tried.
    public func all() async throws -> [AssignmentRule] {
        try await load(sql.select().columns(Self.columns).from("assignment_rules").orderBy("position").orderBy("id"))
    }

    func load(_ query: SQLSelectBuilder) async throws -> [AssignmentRule] {
        try await query.all().map { row in
            AssignmentRule(id: try row.id("id"), name: try row.text("name"), position: Int(try row.int("position")),
                           active: try row.int("active") != 0,
                           conditions: try JSONText.decode([AssignmentCondition].self, from: try row.text("conditions")),
                           target: try JSONText.decode(AssignmentTarget.self, from: try row.text("target")),
                           version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
        }
    }

    // MARK: Credits

    /// The kept credits of the given rules.
    public func credits(rules: [RecordID]) async throws -> [AssignmentPlanner.CreditKey: Int64] {
        guard !rules.isEmpty else { return [:] }
        var credits: [AssignmentPlanner.CreditKey: Int64] = [:]
        for row in try await sql.select().columns("rule_id", "user_id", "credit").from("assignment_credits")
            .where("rule_id", .in, SQLGroupExpression(rules.map { SQLBind($0.rawValue) })).all() {
            credits[.init(rule: try row.id("rule_id"), user: try row.id("user_id"))] = try row.int("credit")
        }
        return credits
    }

    /// Writes credits (inserted or replaced).
    public func save(credits: [AssignmentPlanner.CreditKey: Int64]) async throws {
        let sorted = credits.sorted { ($0.key.rule.rawValue, $0.key.user.rawValue) < ($1.key.rule.rawValue, $1.key.user.rawValue) }
        for chunk in stride(from: 0, to: sorted.count, by: 500).map({ sorted[$0..<min($0 + 500, sorted.count)] }) {
            let insert = sql.insert(into: "assignment_credits").columns("rule_id", "user_id", "credit")
            for (key, credit) in chunk { insert.values(SQLBind(key.rule.rawValue), SQLBind(key.user.rawValue), SQLBind(credit)) }
            try await insert.onConflict(with: ["rule_id", "user_id"]) { $0.set(excludedValueOf: "credit") }.run()
        }
    }

    // MARK: Candidates

    /// Users by id, as candidates: available = active and not on leave at `now`.
    public func candidates(_ ids: [RecordID], at now: Date) async throws -> [AssignmentCandidate] {
        guard !ids.isEmpty else { return [] }
        return try await candidates(sql.select().where(SQLColumn("id", table: "u"), .in, SQLGroupExpression(ids.map { SQLBind($0.rawValue) })), at: now)
    }

    /// The reps of a team and its sub-teams, as candidates.
    public func members(ofTeamAt path: String, at now: Date) async throws -> [AssignmentCandidate] {
        try await candidates(sql.select().where(SQLQueryString("u.team_id IN (SELECT t.id FROM teams t WHERE \(ScopeFilter.prefix("t.path", path)))"))
            .where(SQLColumn("role", table: "u"), .equal, SQLBind(Role.rep.rawValue)), at: now)
    }

    func candidates(_ query: SQLSelectBuilder, at now: Date) async throws -> [AssignmentCandidate] {
        let rows = try await query.column(SQLColumn("id", table: "u")).column(SQLColumn("team_id", table: "u"))
            .column(SQLColumn("rep_level", table: "u")).column(SQLColumn("status", table: "u"))
            .column(SQLAlias(SQLQueryString("""
                CASE WHEN EXISTS (SELECT 1 FROM user_leaves l WHERE l.user_id = u.id AND l.starts_at <= \(bind: now.microsSinceEpoch) \
                AND l.ends_at > \(bind: now.microsSinceEpoch)) THEN 1 ELSE 0 END
                """), as: SQLIdentifier("on_leave")))
            .from(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u"))).orderBy(SQLColumn("id", table: "u")).all()
        return try rows.map { row in
            let onLeave = try row.int("on_leave") != 0
            return AssignmentCandidate(userID: try row.id("id"), teamID: try row.optionalID("team_id"), level: try row.optionalText("rep_level"),
                                       available: try row.text("status") == User.Status.active.rawValue && !onLeave)
        }
    }

    // MARK: Leave

    public func insert(_ leave: UserLeave) async throws {
        try await sql.insert(into: "user_leaves").columns("id", "user_id", "starts_at", "ends_at", "note", "created_by", "created_at")
            .values(SQLBind(leave.id.rawValue), SQLBind(leave.userID.rawValue), SQLBind(leave.startsAt.microsSinceEpoch),
                    SQLBind(leave.endsAt.microsSinceEpoch), SQLBind(leave.note), SQLBind(leave.createdBy?.rawValue),
                    SQLBind(leave.createdAt.microsSinceEpoch))
            .run()
    }

    /// A user's leave periods that end after `since`, soonest first.
    public func leaves(of user: RecordID, endingAfter since: Date) async throws -> [UserLeave] {
        try await sql.select().columns("id", "user_id", "starts_at", "ends_at", "note", "created_by", "created_at").from("user_leaves")
            .where("user_id", .equal, user.rawValue).where("ends_at", .greaterThan, since.microsSinceEpoch).orderBy("starts_at").limit(500).all()
            .map { row in
                UserLeave(id: try row.id("id"), userID: try row.id("user_id"), startsAt: try row.date("starts_at"), endsAt: try row.date("ends_at"),
                          note: try row.optionalText("note"), createdBy: try row.optionalID("created_by"), createdAt: try row.date("created_at"))
            }
    }

    /// Deletes one leave period of a user; false when there was none.
    public func deleteLeave(_ id: RecordID, of user: RecordID) async throws -> Bool {
        try await sql.delete(from: "user_leaves").where("id", .equal, id.rawValue).where("user_id", .equal, user.rawValue)
            .returning("id").first() != nil
    }
}
