import Foundation
import RapportCore
import SQLKit

/// Administrators' overrides of the default data scopes (``ScopePolicy/standard``).
public struct PolicyStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The standard policy with every stored override applied.
    public func load(base: ScopePolicy) async throws -> ScopePolicy {
        var policy = base
        for row in try await sql.select().columns("role", "object_kind", "scope").from("role_scopes").all() {
            guard let role = Role(rawValue: try row.text("role")) else { continue }
            let kind = ObjectKind(rawValue: try row.text("object_kind"))
            let scopeText = try row.text("scope")
            policy.setScope(scopeText == "none" ? nil : DataScope(rawValue: scopeText), role: role, kind: kind)
        }
        return policy
    }

    /// Stores one override (nil scope means no access).
    public func set(_ scope: DataScope?, role: Role, kind: ObjectKind, at now: Date) async throws {
        try await sql.delete(from: "role_scopes").where("role", .equal, role.rawValue).where("object_kind", .equal, kind.rawValue).run()
        try await sql.insert(into: "role_scopes").columns("role", "object_kind", "scope", "updated_at")
            .values(SQLBind(role.rawValue), SQLBind(kind.rawValue), SQLBind(scope?.rawValue ?? "none"), SQLBind(now.microsSinceEpoch))
            .run()
    }
}
