import Foundation
import RapportCore
import SQLKit

extension LeadStore {
    static let followUpColumns = ["id", "lead_id", "type", "direction", "subject", "body", "occurred_at", "duration_seconds", "outcome", "actor_id", "created_at"]

    /// Stores follow-ups and moves each touched lead's last follow-up time forward (never back).
    public func insert(_ followUps: [LeadFollowUp]) async throws {
        try await sql.insertRows(into: "lead_activities", columns: Self.followUpColumns, rows: followUps.map { item in
            [.text(item.id.rawValue), .text(item.leadID.rawValue), .text(item.type.rawValue), .text(item.direction.rawValue), BulkValue(item.subject),
             BulkValue(item.body), .integer(item.occurredAt.microsSinceEpoch), BulkValue(item.durationSeconds), BulkValue(item.outcome),
             BulkValue(item.actorID?.rawValue), .integer(item.createdAt.microsSinceEpoch)]
        })
        for item in followUps where item.type.isTouch {
            try await sql.update("leads").set("last_follow_up_at", to: SQLBind(item.occurredAt.microsSinceEpoch))
                .where("id", .equal, item.leadID.rawValue)
                .where(SQLQueryString("(last_follow_up_at IS NULL OR last_follow_up_at < \(bind: item.occurredAt.microsSinceEpoch))")).run()
        }
    }

    /// A lead's follow-ups, newest first (by when they happened).
    public func followUps(of lead: RecordID, page: PageRequest) async throws -> Page<LeadFollowUp> {
        let query = sql.select().columns(Self.followUpColumns).from("lead_activities").where("lead_id", .equal, lead.rawValue)
        if let cursor = page.cursor {
            let parts = cursor.after.split(separator: "|", maxSplits: 1)
            if parts.count == 2, let at = Int64(parts[0]) {
                query.where(SQLQueryString("(occurred_at < \(bind: at) OR (occurred_at = \(bind: at) AND id < \(bind: String(parts[1]))))"))
            }
        }
        let rows = try await query.orderBy("occurred_at", .descending).orderBy("id", .descending).limit(page.limit + 1).all().map(Self.decodeFollowUp)
        return Page(fetched: rows, limit: page.limit) { "\($0.occurredAt.microsSinceEpoch)|\($0.id.rawValue)" }
    }

    /// Every follow-up of a lead, oldest first (what a conversion copies to the customer's timeline).
    public func allFollowUps(of lead: RecordID) async throws -> [LeadFollowUp] {
        try await sql.select().columns(Self.followUpColumns).from("lead_activities").where("lead_id", .equal, lead.rawValue)
            .orderBy("occurred_at").orderBy("id").all().map(Self.decodeFollowUp)
    }

    static func decodeFollowUp(_ row: any SQLRow) throws -> LeadFollowUp {
        guard let type = Activity.ActivityType(rawValue: try row.text("type")) else { throw CorruptRow(table: "lead_activities", column: "type") }
        guard let direction = Activity.Direction(rawValue: try row.text("direction")) else { throw CorruptRow(table: "lead_activities", column: "direction") }
        return LeadFollowUp(id: try row.id("id"), leadID: try row.id("lead_id"), type: type, direction: direction, subject: try row.optionalText("subject"),
                            body: try row.optionalText("body"), occurredAt: try row.date("occurred_at"), durationSeconds: try row.optionalInt("duration_seconds"),
                            outcome: try row.optionalText("outcome"), actorID: try row.optionalID("actor_id"), createdAt: try row.date("created_at"))
    }
}

extension LeadStore {
    /// `owner`'s open leads never followed up, longest waiting first (within `scope`).
    public func awaitingFirstTouch(owner: RecordID, limit: Int, in scope: ScopeFilter) async throws -> [Lead] {
        let query = sql.select().columns(qualifiedColumns).from("leads")
            .where(SQLColumn("owner_id", table: "leads"), .equal, SQLBind(owner.rawValue))
            .where(SQLColumn("status_category", table: "leads"), .equal, SQLBind(StageCategory.open.rawValue))
            .where(SQLColumn("last_follow_up_at", table: "leads"), .is, SQLLiteral.null)
        return try await scope.apply(to: query).orderBy(SQLColumn("id", table: "leads")).limit(limit).all().map(Self.decode)
    }
}

extension LeadStore {
    /// `owner`'s open leads followed up at least once, longest untouched first (within `scope`).
    public func longestUntouched(owner: RecordID, limit: Int, in scope: ScopeFilter) async throws -> [Lead] {
        let query = sql.select().columns(qualifiedColumns).from("leads")
            .where(SQLColumn("owner_id", table: "leads"), .equal, SQLBind(owner.rawValue))
            .where(SQLColumn("last_follow_up_at", table: "leads"), .isNot, SQLLiteral.null)
            .where(SQLColumn("status_category", table: "leads"), .equal, SQLBind(StageCategory.open.rawValue))
        return try await scope.apply(to: query).orderBy(SQLColumn("last_follow_up_at", table: "leads")).limit(limit).all().map(Self.decode)
    }

    /// The follow-ups `actor` logged lately, newest first.
    public func followUps(by actor: RecordID, limit: Int) async throws -> [LeadFollowUp] {
        try await sql.select().columns(Self.followUpColumns).from("lead_activities").where("actor_id", .equal, actor.rawValue)
            .orderBy("occurred_at", .descending).orderBy("id", .descending).limit(limit).all().map(Self.decodeFollowUp)
    }
}
