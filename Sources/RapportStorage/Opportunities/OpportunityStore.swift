import Foundation
import RapportCore
import SQLKit

/// Opportunities in storage, with their lines and collaborators (the `record_grants` rows of kind
/// `opportunity`). Every read that returns opportunities to a person takes a ``ScopeFilter``.
public struct OpportunityStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "name", "customer_id", "pipeline", "stage", "status_category", "stage_entered_at", "amount_minor", "currency",
        "expected_close_date", "owner_id", "team_id", "source", "loss_reason", "competitors", "custom_fields", "probability",
        "closed_at", "version", "created_by", "created_at", "updated_at", "external_ref",
    ]

    var qualifiedColumns: [SQLColumn] { Self.columns.map { SQLColumn($0, table: "opportunities") } }

    static func row(_ opportunity: Opportunity) -> [BulkValue] {
        func date(_ value: Date?) -> BulkValue { BulkValue(value?.microsSinceEpoch) }
        return [
            .text(opportunity.id.rawValue), .text(opportunity.name), BulkValue(opportunity.customerID?.rawValue), .text(opportunity.pipeline),
            .text(opportunity.stage), .text(opportunity.statusCategory.rawValue), date(opportunity.stageEnteredAt),
            BulkValue(opportunity.amount?.amountMinor), BulkValue(opportunity.amount?.currency), BulkValue(opportunity.expectedCloseDate),
            .text(opportunity.ownerID.rawValue), BulkValue(opportunity.teamID?.rawValue), BulkValue(opportunity.source),
            BulkValue(opportunity.lossReason), .text(JSONText.encode(opportunity.competitors)),
            .text(opportunity.customFields.isEmpty ? "{}" : JSONText.encode(opportunity.customFields)),
            BulkValue(opportunity.probabilityOverride.map(Int64.init)), date(opportunity.closedAt), .integer(opportunity.version),
            BulkValue(opportunity.createdBy?.rawValue), date(opportunity.createdAt), date(opportunity.updatedAt), BulkValue(opportunity.externalRef),
        ]
    }

    // MARK: Writes

    /// Inserts opportunities with their lines (multi-row statements: imports write thousands).
    public func insert(_ opportunities: [Opportunity]) async throws {
        try await sql.insertRows(into: "opportunities", columns: Self.columns, rows: opportunities.map(Self.row))
        try await writeLines(opportunities)
    }

    /// The opportunities already imported under these external references, by reference.
    public func ids(externalRefs refs: [String]) async throws -> [String: RecordID] {
        var result: [String: RecordID] = [:]
        for chunk in Array(Set(refs)).sorted().chunked(into: 500) where !chunk.isEmpty {
            for row in try await sql.select().columns("id", "external_ref").from("opportunities")
                .where("external_ref", .in, SQLGroupExpression(chunk.map { SQLBind($0) })).all() {
                result[try row.text("external_ref")] = try row.id("id")
            }
        }
        return result
    }

    /// Writes every column of `opportunity` (and its lines) if the stored version is
    /// `expectedVersion`, bumping the version; false on a version mismatch.
    public func replace(_ opportunity: Opportunity, expectedVersion: Int64) async throws -> Bool {
        var updated = opportunity
        updated.version = expectedVersion + 1
        let query = sql.update("opportunities")
        for (column, value) in zip(Self.columns, Self.row(updated)) where column != "id" {
            query.set(SQLIdentifier(column), to: value.sqlExpression)
        }
        let row = try await query.where("id", .equal, opportunity.id.rawValue).where("version", .equal, expectedVersion).returning("id").first()
        guard row != nil else { return false }
        try await sql.delete(from: "opportunity_lines").where("opportunity_id", .equal, opportunity.id.rawValue).run()
        try await writeLines([opportunity])
        return true
    }

    private func writeLines(_ opportunities: [Opportunity]) async throws {
        try await sql.insertRows(
            into: "opportunity_lines", columns: ["opportunity_id", "position", "sku", "quantity", "unit_price_minor", "currency"],
            rows: opportunities.flatMap { opportunity in
                opportunity.lines.enumerated().map { position, line in
                    [.text(opportunity.id.rawValue), .integer(Int64(position)), .text(line.sku), .integer(line.quantity),
                     .integer(line.unitPrice.amountMinor), .text(line.unitPrice.currency)]
                }
            })
    }

    /// Gives `user` `access` to an opportunity (adds or changes the grant).
    public func share(_ id: RecordID, with user: RecordID, access: OpportunityCollaborator.Access, at now: Date) async throws {
        try await unshare(id, with: user)
        try await sql.insert(into: "record_grants").columns("object_kind", "record_id", "user_id", "access", "created_at")
            .values(SQLBind(ObjectKind.opportunity.rawValue), SQLBind(id.rawValue), SQLBind(user.rawValue), SQLBind(access.rawValue),
                    SQLBind(now.microsSinceEpoch))
            .run()
    }

    /// Takes `user`'s grant on an opportunity away; false when there was none.
    @discardableResult
    public func unshare(_ id: RecordID, with user: RecordID) async throws -> Bool {
        try await sql.delete(from: "record_grants").where("object_kind", .equal, ObjectKind.opportunity.rawValue)
            .where("record_id", .equal, id.rawValue).where("user_id", .equal, user.rawValue).returning("user_id").first() != nil
    }

    // MARK: Reads

    /// One opportunity within scope, with its lines.
    public func find(_ id: RecordID, in scope: ScopeFilter) async throws -> Opportunity? {
        let query = sql.select().columns(qualifiedColumns).from("opportunities")
            .where(SQLColumn("id", table: "opportunities"), .equal, SQLBind(id.rawValue))
        guard let found = try await scope.apply(to: query).first().map(Self.decode) else { return nil }
        return try await withLines([found]).first
    }

    /// One opportunity regardless of scope (jobs, the system).
    public func find(_ id: RecordID) async throws -> Opportunity? {
        guard let found = try await sql.select().columns(Self.columns).from("opportunities").where("id", .equal, id.rawValue).first()
            .map(Self.decode)
        else { return nil }
        return try await withLines([found]).first
    }

    /// The collaborators of an opportunity, in the order they were added.
    public func collaborators(of id: RecordID) async throws -> [OpportunityCollaborator] {
        try await collaborators(of: [id])[id] ?? []
    }

    /// The collaborators of several opportunities (a page of a list), by opportunity.
    public func collaborators(of ids: [RecordID]) async throws -> [RecordID: [OpportunityCollaborator]] {
        guard !ids.isEmpty else { return [:] }
        var result: [RecordID: [OpportunityCollaborator]] = [:]
        let rows = try await sql.select().columns("record_id", "user_id", "access", "created_at").from("record_grants")
            .where("object_kind", .equal, ObjectKind.opportunity.rawValue).where(sql.idIn(SQLColumn("record_id"), ids))
            .orderBy("created_at").orderBy("user_id").all()
        for row in rows {
            guard let access = OpportunityCollaborator.Access(rawValue: try row.text("access")) else {
                throw CorruptRow(table: "record_grants", column: "access")
            }
            result[try row.id("record_id"), default: []].append(
                OpportunityCollaborator(userID: try row.id("user_id"), access: access, addedAt: try row.date("created_at")))
        }
        return result
    }

    /// `opportunities` with their lines filled in.
    func withLines(_ opportunities: [Opportunity]) async throws -> [Opportunity] {
        guard !opportunities.isEmpty else { return [] }
        let rows = try await sql.select().columns("opportunity_id", "sku", "quantity", "unit_price_minor", "currency").from("opportunity_lines")
            .where(sql.idIn(SQLColumn("opportunity_id"), opportunities.map(\.id))).orderBy("opportunity_id").orderBy("position").all()
        var lines: [RecordID: [OpportunityLine]] = [:]
        for row in rows {
            lines[try row.id("opportunity_id"), default: []].append(
                OpportunityLine(sku: try row.text("sku"), quantity: try row.int("quantity"),
                                unitPrice: Money(try row.int("unit_price_minor"), try row.text("currency"))))
        }
        return opportunities.map { opportunity in
            var filled = opportunity
            filled.lines = lines[opportunity.id] ?? []
            return filled
        }
    }

    /// Stage keys opportunities and their history name, per pipeline (what a dictionary revision keeps).
    public func stagesInUse() async throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        let current = try await sql.raw("SELECT DISTINCT pipeline, stage FROM opportunities").all()
        let history = try await sql.raw("""
            SELECT DISTINCT o.pipeline, h.to_stage AS stage FROM stage_history h JOIN opportunities o ON o.id = h.record_id \
            WHERE h.object = 'opportunity'
            """).all()
        for row in current + history { result[try row.text("pipeline"), default: []].insert(try row.text("stage")) }
        return result
    }

    /// Whether any opportunity holds a custom value.
    public func anyCustomValues() async throws -> Bool {
        try await sql.raw("SELECT id FROM opportunities WHERE custom_fields <> '{}' LIMIT 1").first() != nil
    }

    static func decode(_ row: any SQLRow) throws -> Opportunity {
        guard let category = StageCategory(rawValue: try row.text("status_category")) else {
            throw CorruptRow(table: "opportunities", column: "status_category")
        }
        let amount: Money? = try row.optionalInt("amount_minor").flatMap { minor in try row.optionalText("currency").map { Money(minor, $0) } }
        return Opportunity(
            id: try row.id("id"), name: try row.text("name"), customerID: try row.optionalID("customer_id"), pipeline: try row.text("pipeline"),
            stage: try row.text("stage"), statusCategory: category, stageEnteredAt: try row.date("stage_entered_at"), amount: amount,
            expectedCloseDate: try row.optionalText("expected_close_date"), ownerID: try row.id("owner_id"), teamID: try row.optionalID("team_id"),
            source: try row.optionalText("source"), lossReason: try row.optionalText("loss_reason"),
            competitors: try JSONText.decode([String].self, from: try row.text("competitors")),
            customFields: JSONText.decodeObject(try row.text("custom_fields")),
            probabilityOverride: try row.optionalInt("probability").map { Int($0) }, closedAt: try row.optionalDate("closed_at"),
            version: try row.int("version"), createdBy: try row.optionalID("created_by"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"), externalRef: try row.optionalText("external_ref"))
    }
}
