import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Roles and their data scopes per object kind; administrators may widen or narrow a scope.
public struct RoleUseCases: Sendable {
    let rapport: Rapport

    /// One role's access: per object kind, the scope and the allowed actions.
    public struct RoleAccess: Sendable, Equatable {
        public var role: Role
        public var kinds: [(kind: ObjectKind, scope: DataScope?, actions: [AccessAction])]

        public static func == (lhs: RoleAccess, rhs: RoleAccess) -> Bool {
            lhs.role == rhs.role && lhs.kinds.elementsEqual(rhs.kinds) { $0.kind == $1.kind && $0.scope == $1.scope && $0.actions == $1.actions }
        }
    }

    public func list(by caller: Caller) async throws -> [RoleAccess] {
        guard try await rapport.allows(caller, .read, .role) else { throw RapportError(.forbidden, "Only administrators may see role settings.") }
        let policy = try await rapport.policy()
        return Role.allCases.map { role in access(of: role, in: policy) }
    }

    public func get(_ role: String, by caller: Caller) async throws -> RoleAccess {
        guard try await rapport.allows(caller, .read, .role) else { throw RapportError(.forbidden, "Only administrators may see role settings.") }
        guard let role = Role(rawValue: role) else { throw RapportError.notFound("role") }
        return access(of: role, in: try await rapport.policy())
    }

    /// Sets the data scope of `role` on each named object kind (`"none"` removes access).
    public func setScopes(_ role: String, _ scopes: [String: String], by caller: Caller) async throws -> RoleAccess {
        guard try await rapport.allows(caller, .update, .role) else { throw RapportError(.forbidden, "Only administrators may change role settings.") }
        guard let role = Role(rawValue: role) else { throw RapportError.notFound("role") }
        let policy = try await rapport.policy()
        let known = Set(policy.kinds.map(\.rawValue))
        var check = Validator()
        var parsed: [(ObjectKind, DataScope?)] = []
        for (kind, scope) in scopes.sorted(by: { $0.key < $1.key }) {
            guard known.contains(kind) else {
                check.add("scopes.\(kind)", "unknown_field", "\(kind) is not an object kind.")
                continue
            }
            if scope == "none" {
                parsed.append((ObjectKind(rawValue: kind), nil))
            } else if let value = DataScope(rawValue: scope) {
                parsed.append((ObjectKind(rawValue: kind), value))
            } else {
                check.add("scopes.\(kind)", "invalid", "a scope is own, subtree, all or none.")
            }
        }
        if role == .admin { check.add("role", "read_only", "the admin role always has every scope.") }
        try check.finish()
        let now = rapport.clock.now()
        try await rapport.transaction(changesAccess: true) { sql in
            for (kind, scope) in parsed {
                try await PolicyStore(sql).set(scope, role: role, kind: kind, at: now)
                try await rapport.record(rapport.event("role.scope_changed", by: caller, kind: .role, object: role.rawValue, details: [
                    "object_kind": kind.rawValue, "from": policy.scope(role, kind)?.rawValue ?? "none", "to": scope?.rawValue ?? "none",
                ]), in: sql)
            }
        }
        return access(of: role, in: try await rapport.policy())
    }

    private func access(of role: Role, in policy: ScopePolicy) -> RoleAccess {
        RoleAccess(role: role, kinds: policy.kinds.map { kind in
            let scope = policy.scope(role, kind)
            let actions = scope == nil ? [] : (policy.actions[role]?[kind] ?? []).sorted { $0.rawValue < $1.rawValue }
            return (kind, scope, actions)
        })
    }
}
