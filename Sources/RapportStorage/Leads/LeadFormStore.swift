import Foundation
import RapportCore
import SQLKit

/// Web forms that capture leads.
public struct LeadFormStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "name", "pool_id", "source", "campaign", "redirect_url", "active", "version", "created_at", "updated_at"]

    public func insert(_ form: LeadForm) async throws {
        try await sql.insertRows(into: "lead_forms", columns: Self.columns, rows: [Self.row(form)])
    }

    /// Writes every field if the stored version is `expectedVersion`; false on a mismatch.
    public func replace(_ form: LeadForm, expectedVersion: Int64) async throws -> Bool {
        var updated = form
        updated.version = expectedVersion + 1
        let query = sql.update("lead_forms")
        for (column, value) in zip(Self.columns, Self.row(updated)) where column != "id" { query.set(SQLIdentifier(column), to: value.sqlExpression) }
        return try await query.where("id", .equal, form.id.rawValue).where("version", .equal, expectedVersion).returning("id").first() != nil
    }

    public func find(_ id: RecordID) async throws -> LeadForm? {
        try await sql.select().columns(Self.columns).from("lead_forms").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    public func all() async throws -> [LeadForm] {
        try await sql.select().columns(Self.columns).from("lead_forms").orderBy("id").all().map(Self.decode)
    }

    static func row(_ form: LeadForm) -> [BulkValue] {
        [.text(form.id.rawValue), .text(form.name), .text(form.poolID.rawValue), .text(form.source), BulkValue(form.campaign),
         BulkValue(form.redirectURL), .integer(form.active ? 1 : 0), .integer(form.version), .integer(form.createdAt.microsSinceEpoch),
         .integer(form.updatedAt.microsSinceEpoch)]
    }

    static func decode(_ row: any SQLRow) throws -> LeadForm {
        LeadForm(id: try row.id("id"), name: try row.text("name"), poolID: try row.id("pool_id"), source: try row.text("source"),
                 campaign: try row.optionalText("campaign"), redirectURL: try row.optionalText("redirect_url"), active: try row.int("active") != 0,
                 version: try row.int("version"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
