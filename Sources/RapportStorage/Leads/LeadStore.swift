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
        try await PooledRecords(sql, .leads).take([id], from: pool, owner: owner, team: team, at: now, protectedUntil: protectedUntil).count == 1
    }

    /// Appends entries to the assignment log.
    public func log(_ entries: [LeadAssignment]) async throws {
        try await AssignmentLog<LeadAssignment>(sql: sql, table: "lead_assignments", recordColumn: "lead_id").append(entries)
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
        try await PooledRecords(sql, .leads).holding(owner, in: pool)
    }

    /// How many leads `user` claimed from `pool` since `since`.
    public func claims(by user: RecordID, in pool: RecordID, since: Date) async throws -> Int {
        try await PooledRecords(sql, .leads).claims(by: user, in: pool, since: since)
    }

    /// The assignment log of one lead, oldest first.
    public func assignments(of lead: RecordID) async throws -> [LeadAssignment] {
        try await AssignmentLog<LeadAssignment>(sql: sql, table: "lead_assignments", recordColumn: "lead_id").entries(of: lead)
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

extension LeadStore {
    /// Open leads each of `users` holds in each of `pools` (what holding limits count), for the
    /// assignment planner; pairs holding none are absent.
    public func holdings(users: [RecordID], pools: [RecordID]) async throws -> [AssignmentPlanner.HoldingKey: Int] {
        guard !users.isEmpty, !pools.isEmpty else { return [:] }
        var result: [AssignmentPlanner.HoldingKey: Int] = [:]
        let rows = try await sql.select().column("owner_id").column("pool_id").column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("leads")
            .where("owner_id", .in, SQLGroupExpression(users.map { SQLBind($0.rawValue) }))
            .where("pool_id", .in, SQLGroupExpression(pools.map { SQLBind($0.rawValue) }))
            .where("status_category", .equal, StageCategory.open.rawValue)
            .groupBy("owner_id").groupBy("pool_id").all()
        for row in rows {
            result[.init(user: try row.id("owner_id"), pool: try row.id("pool_id"))] = Int(try row.int("n"))
        }
        return result
    }

    /// Gives still-waiting leads of `pool` to `owner` at once (a rule's batch); returns those it
    /// took (a rep may have claimed one meanwhile).
    public func take(_ ids: [RecordID], from pool: RecordID, owner: RecordID, team: RecordID?, at now: Date, protectedUntil: Date) async throws -> [RecordID] {
        try await PooledRecords(sql, .leads).take(ids, from: pool, owner: owner, team: team, at: now, protectedUntil: protectedUntil)
    }

    /// Moves still-waiting leads of `from` into the pool `to`; returns those it moved.
    public func move(_ ids: [RecordID], from: RecordID, to: RecordID, at now: Date) async throws -> [RecordID] {
        guard !ids.isEmpty else { return [] }
        return try await sql.update("leads")
            .set("pool_id", to: SQLBind(to.rawValue)).set("updated_at", to: SQLBind(now.microsSinceEpoch)).set("version", to: SQLRaw("version + 1"))
            .where(sql.idIn(SQLColumn("id"), ids))
            .where("pool_id", .equal, from.rawValue).where("owner_id", .is, SQLLiteral.null)
            .returning("id").all().map { try $0.id("id") }
    }

    /// An incoming lead as the assignment rules see it: what routing needs, not the whole lead.
    public struct IncomingLead: Sendable, Equatable {
        public var id: RecordID
        public var name: String
        public var poolID: RecordID?
        public var status: String
        public var facts: AssignmentFacts
    }

    /// Waiting leads of `pool` that were never assigned (no entry in the assignment log), oldest
    /// first, after `after`: what applying the rules to a pool routes.
    public func incoming(in pool: RecordID, after: RecordID?, limit: Int) async throws -> [IncomingLead] {
        let columns = ["id", "name", "pool_id", "status", "source", "campaign", "region", "interest", "score", "utm_source", "utm_medium", "utm_campaign", "custom_fields"]
        let query = sql.select().columns(columns.map { SQLColumn($0, table: "leads") }).from("leads")
            .where(SQLColumn("pool_id", table: "leads"), .equal, SQLBind(pool.rawValue))
            .where(SQLColumn("owner_id", table: "leads"), .is, SQLLiteral.null)
            .where(SQLQueryString("NOT EXISTS (SELECT 1 FROM lead_assignments a WHERE a.lead_id = leads.id)"))
        if let after { query.where(SQLColumn("id", table: "leads"), .greaterThan, SQLBind(after.rawValue)) }
        return try await query.orderBy(SQLColumn("id", table: "leads")).limit(limit).all().map { row in
            let custom = try row.text("custom_fields")
            return IncomingLead(
                id: try row.id("id"), name: try row.text("name"), poolID: try row.optionalID("pool_id"), status: try row.text("status"),
                facts: AssignmentFacts(source: try row.optionalText("source"), campaign: try row.optionalText("campaign"), region: try row.optionalText("region"),
                                       interest: try row.optionalText("interest"), score: try row.optionalInt("score"),
                                       utmSource: try row.optionalText("utm_source"), utmMedium: try row.optionalText("utm_medium"),
                                       utmCampaign: try row.optionalText("utm_campaign"), poolID: try row.optionalID("pool_id"),
                                       customFields: custom == "{}" ? [:] : try JSONText.decode([String: JSONValue].self, from: custom)))
        }
    }
}
