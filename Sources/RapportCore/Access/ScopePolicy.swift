/// The access rules: for each role and object kind, the data scope (or none) and the actions allowed.
///
/// Defaults come from ``ScopePolicy/standard``; an administrator may override the scope per role
/// and object kind (grants only add access within what the role's actions allow). The policy is a
/// value: the use cases load it and ask it; stores turn the resulting scope into SQL.
public struct ScopePolicy: Sendable, Equatable {
    /// Role → object kind → scope. A missing entry means no access at all.
    public private(set) var scopes: [Role: [ObjectKind: DataScope]]
    /// Role → object kind → allowed actions.
    public private(set) var actions: [Role: [ObjectKind: Set<AccessAction>]]

    public init(scopes: [Role: [ObjectKind: DataScope]], actions: [Role: [ObjectKind: Set<AccessAction>]]) {
        self.scopes = scopes
        self.actions = actions
    }

    /// The scope `role` has on `kind`, or nil when it may not see that kind at all.
    public func scope(_ role: Role, _ kind: ObjectKind) -> DataScope? { scopes[role]?[kind] }

    /// Whether the principal may take `action` on `kind` at all (scope decides which records).
    public func allows(_ principal: Principal, _ action: AccessAction, _ kind: ObjectKind) -> Bool {
        guard scope(principal.role, kind) != nil, actions[principal.role]?[kind]?.contains(action) == true else {
            return false
        }
        switch action {
        case .read: return principal.tokenScopes.contains(.read) || principal.tokenScopes.contains(.write)
        case .create, .update, .delete: return principal.tokenScopes.contains(.write)
        }
    }

    /// Sets the scope of one role on one kind (an administrator's override).
    public mutating func setScope(_ scope: DataScope?, role: Role, kind: ObjectKind) {
        scopes[role, default: [:]][kind] = scope
    }

    /// Object kinds this policy speaks of.
    public var kinds: [ObjectKind] {
        Array(Set(scopes.values.flatMap(\.keys)).union(actions.values.flatMap(\.keys))).sorted()
    }

    /// Registers a business object kind with a scope and actions per role (used by later areas).
    public mutating func register(_ kind: ObjectKind, _ rules: [Role: (DataScope, Set<AccessAction>)]) {
        for (role, rule) in rules {
            scopes[role, default: [:]][kind] = rule.0
            actions[role, default: [:]][kind] = rule.1
        }
    }

    /// The defaults: admins see and manage everything; managers see their team subtree; reps and
    /// other front-line roles see their own; analysts read everything; read-only users read their own.
    /// Users and teams are managed by admins only; everyone manages their own tokens.
    public static let standard: ScopePolicy = {
        var policy = ScopePolicy(scopes: [:], actions: [:])
        let all = Set(AccessAction.allCases)
        let read: Set<AccessAction> = [.read]
        policy.register(.user, [
            .admin: (.all, all), .manager: (.subtree, read), .rep: (.own, read), .service: (.own, read),
            .marketer: (.own, read), .partner: (.own, read), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        policy.register(.team, [
            .admin: (.all, all), .manager: (.subtree, read), .rep: (.own, read), .service: (.own, read),
            .marketer: (.own, read), .partner: (.own, read), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        policy.register(.token, [
            .admin: (.all, all), .manager: (.own, all), .rep: (.own, all), .service: (.own, all),
            .marketer: (.own, all), .partner: (.own, all), .analyst: (.own, all), .readOnly: (.own, all),
        ])
        policy.register(.audit, [.admin: (.all, read)])
        policy.register(.role, [.admin: (.all, [.read, .update])])
        let write: Set<AccessAction> = [.read, .create, .update]
        policy.register(ObjectKind(rawValue: "customer"), [
            .admin: (.all, all), .manager: (.subtree, write), .rep: (.own, write), .service: (.own, write),
            .marketer: (.own, write), .partner: (.own, write), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        policy.register(ObjectKind(rawValue: "lead"), [
            .admin: (.all, all), .manager: (.subtree, write), .rep: (.own, write), .service: (.own, write),
            .marketer: (.own, write), .partner: (.own, write), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        policy.register(ObjectKind(rawValue: "opportunity"), [
            .admin: (.all, all), .manager: (.subtree, write), .rep: (.own, write), .service: (.own, write),
            .marketer: (.own, read), .partner: (.own, write), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        // Quotes follow opportunities (and whoever sees a quote's opportunity sees the quote).
        policy.register(ObjectKind(rawValue: "quote"), [
            .admin: (.all, all), .manager: (.subtree, write), .rep: (.own, write), .service: (.own, write),
            .marketer: (.own, read), .partner: (.own, write), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        // Pools: administrators define them; everyone may see them (members claim from them).
        policy.register(ObjectKind(rawValue: "pool"), [
            .admin: (.all, all), .manager: (.all, read), .rep: (.all, read), .service: (.all, read),
            .marketer: (.all, read), .partner: (.all, read), .analyst: (.all, read), .readOnly: (.all, read),
        ])
        // Everyone reads the business dictionary (labels, stages); only administrators change it.
        policy.register(ObjectKind(rawValue: "dictionary"), [
            .admin: (.all, [.read, .update]), .manager: (.all, read), .rep: (.all, read), .service: (.all, read),
            .marketer: (.all, read), .partner: (.all, read), .analyst: (.all, read), .readOnly: (.all, read),
        ])
        // Handovers (离职交接) of a departing user's records: administrators anyone, managers their subtree.
        policy.register(ObjectKind(rawValue: "handover"), [.admin: (.all, [.read, .create]), .manager: (.subtree, [.read, .create])])
        // Exports of customer data: administrators and managers (within their scope).
        policy.register(ObjectKind(rawValue: "export"), [.admin: (.all, [.read, .create]), .manager: (.subtree, [.read, .create])])
        // The catalog, price books and sales policies: everyone reads (and prices quotes); only
        // administrators configure them, unless they give managers a scope on `pricing`.
        policy.register(ObjectKind(rawValue: "product"), [
            .admin: (.all, all), .manager: (.all, read), .rep: (.all, read), .service: (.all, read),
            .marketer: (.all, read), .partner: (.all, read), .analyst: (.all, read), .readOnly: (.all, read),
        ])
        policy.register(ObjectKind(rawValue: "pricing"), [.admin: (.all, all), .manager: (.all, all)])
        // Orders like opportunities; service staff read their own. Entitlements: reading and
        // consuming (update) decided by the customer's or order's scope.
        policy.register(ObjectKind(rawValue: "order"), [
            .admin: (.all, all), .manager: (.subtree, write), .rep: (.own, write), .service: (.own, read),
            .partner: (.own, write), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        policy.register(ObjectKind(rawValue: "entitlement"), [
            .admin: (.all, all), .manager: (.subtree, [.read, .update]), .rep: (.own, [.read, .update]), .service: (.own, [.read, .update]),
            .marketer: (.own, read), .partner: (.own, [.read, .update]), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        // Playbooks (SOPs and scripts): administrators and managers write them; everyone reads them.
        policy.register(ObjectKind(rawValue: "playbook"), [
            .admin: (.all, all), .manager: (.all, write), .rep: (.all, read), .service: (.all, read),
            .marketer: (.all, read), .partner: (.all, read), .analyst: (.all, read), .readOnly: (.all, read),
        ])
        // Tasks (任务): scoped by assignee — reps their own, managers their subtree's, administrators all.
        policy.register(ObjectKind(rawValue: "task"), [
            .admin: (.all, all), .manager: (.subtree, write), .rep: (.own, write), .service: (.own, write),
            .marketer: (.own, write), .partner: (.own, write), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        // Monthly targets: administrators set anyone's, managers their subtree's; everyone reads
        // their own (and their team's), analysts everything.
        policy.register(ObjectKind(rawValue: "target"), [
            .admin: (.all, all), .manager: (.subtree, all), .rep: (.own, read), .service: (.own, read),
            .marketer: (.own, read), .partner: (.own, read), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        // Work reports (日报/月报): scoped by author — reps write their own, managers comment on and
        // review their subtree's, administrators all; analysts read all.
        policy.register(ObjectKind(rawValue: "report"), [
            .admin: (.all, all), .manager: (.subtree, write), .rep: (.own, write), .service: (.own, write),
            .marketer: (.own, write), .partner: (.own, write), .analyst: (.all, read), .readOnly: (.own, read),
        ])
        policy.setScope(nil, role: .manager, kind: ObjectKind(rawValue: "pricing"))
        return policy
    }()
}
