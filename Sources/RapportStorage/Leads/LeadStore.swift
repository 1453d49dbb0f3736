import Foundation
import RapportCore
import SQLKit

/// Leads in storage. Every read that returns leads to a person takes a ``ScopeFilter``; pool
/// views read the leads of a pool, which the use cases mask.
public struct LeadStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "name", "company", "title", "phone", "email", "wechat_unionid", "source", "campaign", "utm_source", "utm_medium",
        "utm_campaign", "utm_term", "utm_content", "referrer", "interest", "region", "score", "custom_fields", "status",
        "status_category", "status_entered_at", "owner_id", "team_id", "pool_id", "assigned_at", "protected_until",
        "last_follow_up_at", "last_progress_at", "previous_owner_id", "released_at", "converted_customer_id", "converted_at",
        "marketing_consent", "version", "created_by", "created_at", "updated_at", "external_id",
    ]

    var qualifiedColumns: [SQLColumn] { Self.columns.map { SQLColumn($0, table: "leads") } }

    /// A lead as a row of ``columns``; `category` is its status's dictionary category.
    static func row(_ lead: Lead, category: StageCategory) -> [BulkValue] {
        func date(_ value: Date?) -> BulkValue { BulkValue(value?.microsSinceEpoch) }
        return [
            .text(lead.id.rawValue), .text(lead.name), BulkValue(lead.company), BulkValue(lead.title), BulkValue(lead.phone),
            BulkValue(lead.email), BulkValue(lead.wechatUnionid), BulkValue(lead.source), BulkValue(lead.campaign),
            BulkValue(lead.utm.source), BulkValue(lead.utm.medium), BulkValue(lead.utm.campaign), BulkValue(lead.utm.term),
            BulkValue(lead.utm.content), BulkValue(lead.referrer), BulkValue(lead.interest), BulkValue(lead.region), BulkValue(lead.score),
            .text(lead.customFields.isEmpty ? "{}" : JSONText.encode(lead.customFields)), .text(lead.status), .text(category.rawValue),
            date(lead.statusEnteredAt), BulkValue(lead.ownerID?.rawValue), BulkValue(lead.teamID?.rawValue), BulkValue(lead.poolID?.rawValue),
            date(lead.assignedAt), date(lead.protectedUntil), date(lead.lastFollowUpAt), date(lead.lastProgressAt),
            BulkValue(lead.previousOwnerID?.rawValue), date(lead.releasedAt), BulkValue(lead.convertedCustomerID?.rawValue),
            date(lead.convertedAt), BulkValue(lead.marketingConsent.map { $0 ? 1 : 0 }), .integer(lead.version),
            BulkValue(lead.createdBy?.rawValue), date(lead.createdAt), date(lead.updatedAt), BulkValue(lead.externalID),
        ]
    }

    // MARK: Writes

    /// Inserts leads (one or many; imports use multi-row statements).
    public func insert(_ leads: [(Lead, StageCategory)]) async throws {
        try await sql.insertRows(into: "leads", columns: Self.columns, rows: leads.map { Self.row($0.0, category: $0.1) })
    }

    /// Writes every column of `lead` if the stored version is `expectedVersion`, bumping the
    /// version; false on a version mismatch.
    public func replace(_ lead: Lead, category: StageCategory, expectedVersion: Int64) async throws -> Bool {
        var updated = lead
        updated.version = expectedVersion + 1
        let query = sql.update("leads")
        for (column, value) in zip(Self.columns, Self.row(updated, category: category)) where column != "id" {
            query.set(SQLIdentifier(column), to: value.sqlExpression)
        }
        let row = try await query.where("id", .equal, lead.id.rawValue).where("version", .equal, expectedVersion).returning("id").first()
        return row != nil
    }

    /// Gives a waiting lead of `pool` to `owner` — only if it still waits there (no owner): of
    /// several claims of one lead, exactly one changes a row. Returns whether this one did.
    public func take(_ id: RecordID, from pool: RecordID, owner: RecordID, team: RecordID?, at now: Date, protectedUntil: Date) async throws -> Bool {
        let row = try await sql.update("leads")
            .set("owner_id", to: SQLBind(owner.rawValue)).set("team_id", to: SQLBind(team?.rawValue))
            .set("assigned_at", to: SQLBind(now.microsSinceEpoch)).set("protected_until", to: SQLBind(protectedUntil.microsSinceEpoch))
            .set("updated_at", to: SQLBind(now.microsSinceEpoch))
            .set("version", to: SQLRaw("version + 1"))
            .where("id", .equal, id.rawValue).where("pool_id", .equal, pool.rawValue).where("owner_id", .is, SQLLiteral.null)
            .returning("id").first()
        return row != nil
    }

    /// Appends entries to the assignment log.
    public func log(_ entries: [LeadAssignment]) async throws {
        try await sql.insertRows(
            into: "lead_assignments", columns: ["id", "lead_id", "kind", "pool_id", "from_user_id", "to_user_id", "rule_id", "reason", "by_user_id", "at"],
            rows: entries.map { entry in
                [.text(entry.id.rawValue), .text(entry.leadID.rawValue), .text(entry.kind.rawValue), BulkValue(entry.poolID?.rawValue),
                 BulkValue(entry.from?.rawValue), BulkValue(entry.to?.rawValue), BulkValue(entry.ruleID), BulkValue(entry.reason),
                 BulkValue(entry.by?.rawValue), .integer(entry.at.microsSinceEpoch)]
            })
    }

    // MARK: Reads

    /// One lead within scope.
    public func find(_ id: RecordID, in scope: ScopeFilter) async throws -> Lead? {
        let query = sql.select().columns(qualifiedColumns).from("leads").where(SQLColumn("id", table: "leads"), .equal, SQLBind(id.rawValue))
        return try await scope.apply(to: query).first().map(Self.decode)
    }

    /// One lead regardless of scope (pools, jobs, the system).
    public func find(_ id: RecordID) async throws -> Lead? {
        try await sql.select().columns(Self.columns).from("leads").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// Open leads of `pool` that `owner` holds (what the holding limit counts).
    public func holding(_ owner: RecordID, in pool: RecordID) async throws -> Int {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("leads")
            .where("owner_id", .equal, owner.rawValue).where("pool_id", .equal, pool.rawValue)
            .where("status_category", .equal, StageCategory.open.rawValue).first()
        return Int(try row?.int("n") ?? 0)
    }

    /// How many leads `user` claimed from `pool` since `since`.
    public func claims(by user: RecordID, in pool: RecordID, since: Date) async throws -> Int {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("lead_assignments")
            .where("to_user_id", .equal, user.rawValue).where("pool_id", .equal, pool.rawValue)
            .where("kind", .equal, LeadAssignment.Kind.claim.rawValue).where("at", .greaterThanOrEqual, since.microsSinceEpoch).first()
        return Int(try row?.int("n") ?? 0)
    }

    /// The assignment log of one lead, oldest first.
    public func assignments(of lead: RecordID) async throws -> [LeadAssignment] {
        try await sql.select().columns("id", "lead_id", "kind", "pool_id", "from_user_id", "to_user_id", "rule_id", "reason", "by_user_id", "at")
            .from("lead_assignments").where("lead_id", .equal, lead.rawValue).orderBy("at").orderBy("id").all().map { row in
                guard let kind = LeadAssignment.Kind(rawValue: try row.text("kind")) else { throw CorruptRow(table: "lead_assignments", column: "kind") }
                return LeadAssignment(id: try row.id("id"), leadID: try row.id("lead_id"), kind: kind, poolID: try row.optionalID("pool_id"),
                                      from: try row.optionalID("from_user_id"), to: try row.optionalID("to_user_id"), ruleID: try row.optionalText("rule_id"),
                                      reason: try row.optionalText("reason"), by: try row.optionalID("by_user_id"), at: try row.date("at"))
            }
    }

    /// Leads (any owner, any pool) with any of the given normalised contact values (dedup).
    public func matches(phone: String?, email: String?, unionid: String?, externalID: String? = nil, excluding: RecordID? = nil) async throws -> [RecordID] {
        var ids: Set<RecordID> = []
        for (column, value) in [("phone", phone), ("email", email), ("wechat_unionid", unionid), ("external_id", externalID)] {
            guard let value else { continue }
            let query = sql.select().column("id").from("leads").where(SQLIdentifier(column), .equal, SQLBind(value))
            if let excluding { query.where("id", .notEqual, excluding.rawValue) }
            for row in try await query.all() { ids.insert(try row.id("id")) }
        }
        return ids.sorted()
    }

    static func decode(_ row: any SQLRow) throws -> Lead {
        let consent = try row.optionalInt("marketing_consent")
        return Lead(
            id: try row.id("id"), name: try row.text("name"), company: try row.optionalText("company"), title: try row.optionalText("title"),
            phone: try row.optionalText("phone"), email: try row.optionalText("email"), wechatUnionid: try row.optionalText("wechat_unionid"),
            source: try row.optionalText("source"), campaign: try row.optionalText("campaign"),
            utm: UTM(source: try row.optionalText("utm_source"), medium: try row.optionalText("utm_medium"), campaign: try row.optionalText("utm_campaign"),
                     term: try row.optionalText("utm_term"), content: try row.optionalText("utm_content")),
            referrer: try row.optionalText("referrer"), interest: try row.optionalText("interest"), region: try row.optionalText("region"),
            score: try row.optionalInt("score"), customFields: JSONText.decodeObject(try row.text("custom_fields")),
            status: try row.text("status"), statusEnteredAt: try row.date("status_entered_at"), ownerID: try row.optionalID("owner_id"),
            teamID: try row.optionalID("team_id"), poolID: try row.optionalID("pool_id"), assignedAt: try row.optionalDate("assigned_at"),
            protectedUntil: try row.optionalDate("protected_until"), lastFollowUpAt: try row.optionalDate("last_follow_up_at"),
            lastProgressAt: try row.date("last_progress_at"), previousOwnerID: try row.optionalID("previous_owner_id"),
            releasedAt: try row.optionalDate("released_at"), convertedCustomerID: try row.optionalID("converted_customer_id"),
            convertedAt: try row.optionalDate("converted_at"), marketingConsent: consent.map { $0 != 0 },
            externalID: try row.optionalText("external_id"), version: try row.int("version"),
            createdBy: try row.optionalID("created_by"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
