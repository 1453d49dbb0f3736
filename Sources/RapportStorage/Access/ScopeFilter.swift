import RapportCore
import SQLKit

/// Turns a principal's data scope into a SQL predicate, so that queries never fetch rows the
/// principal may not see. Every store that returns records takes one.
///
/// ```swift
/// let filter = ScopeFilter(principal, .all, kind: .user, anchor: .userTable, table: "users")
/// var query = sql.select().column("*").from("users")
/// filter.apply(to: &query)
/// ```
public struct ScopeFilter: Sendable {
    /// How a table's rows relate to people and teams.
    public enum Anchor: Sendable, Equatable {
        /// Business records with an owner column (a user id); collaborators widen access via grants.
        case owner(column: String)
        /// The users table itself: a user's own row; the users of the team subtree.
        case userTable
        /// The teams table itself: the user's team; the team subtree.
        case teamTable
    }

    public let principal: Principal
    public let scope: DataScope
    public let kind: ObjectKind
    public let anchor: Anchor
    /// The table name or alias that qualifies the columns.
    public let table: String
    /// When true, collaborator grants count only if they allow editing.
    public let forEditing: Bool

    public init(
        _ principal: Principal, _ scope: DataScope, kind: ObjectKind, anchor: Anchor, table: String,
        forEditing: Bool = false
    ) {
        self.principal = principal
        self.scope = scope
        self.kind = kind
        self.anchor = anchor
        self.table = table
        self.forEditing = forEditing
    }

    /// The same filter for a write (collaborators need edit access).
    public func editing() -> ScopeFilter {
        ScopeFilter(principal, scope, kind: kind, anchor: anchor, table: table, forEditing: true)
    }

    /// The predicate, or nil when the scope is `all`.
    public func predicate() -> (any SQLExpression)? {
        let me = principal.userID.rawValue
        let subtree = scope == .subtree ? principal.teamPath : nil
        switch anchor {
        case .owner(let column):
            var parts: [SQLQueryString] = ["\(ident: table).\(ident: column) = \(bind: me)"]
            if let path = subtree {
                parts.append("""
                    \(ident: table).\(ident: column) IN (SELECT scope_u.id FROM users scope_u \
                    JOIN teams scope_t ON scope_t.id = scope_u.team_id WHERE \(Self.prefix("scope_t.path", path)))
                    """)
            }
            let access: SQLQueryString = forEditing ? " AND scope_g.access = 'edit'" : ""
            parts.append("""
                \(ident: table).\(ident: "id") IN (SELECT scope_g.record_id FROM record_grants scope_g \
                WHERE scope_g.object_kind = \(bind: kind.rawValue) AND scope_g.user_id = \(bind: me)\(access))
                """)
            return scope == .all ? nil : Self.any(parts)
        case .userTable:
            guard scope != .all else { return nil }
            var parts: [SQLQueryString] = ["\(ident: table).\(ident: "id") = \(bind: me)"]
            if let path = subtree {
                parts.append("\(ident: table).\(ident: "team_id") IN (SELECT scope_t.id FROM teams scope_t WHERE \(Self.prefix("scope_t.path", path)))")
            }
            return Self.any(parts)
        case .teamTable:
            guard scope != .all else { return nil }
            if let path = subtree {
                return Self.prefix("\(table).path", path)
            }
            guard let team = principal.teamID else { return SQLQueryString("1 = 0") }
            return SQLQueryString("\(ident: table).\(ident: "id") = \(bind: team.rawValue)")
        }
    }

    /// The predicate as alternatives whose OR is ``predicate()``: what the principal owns (or their
    /// subtree owns), and what is shared with them. A list can run one query per alternative, each
    /// walking an index in order, and merge them — an OR of both makes engines collect and sort
    /// every owned row before taking a page. Nil for scope `all` and for the non-owner anchors.
    ///
    /// `unindexedOwner` (SQLite only) keeps a subtree's owner test off the owner indexes (a unary
    /// `+`), for a list that finds its page sooner by walking the table in id order and testing
    /// each row (common search text): otherwise SQLite collects every row of the subtree's owners
    /// and sorts them (0.8 s for a manager at 1M customers instead of 1 ms). One owner's rows are
    /// few enough to collect, so a rep's own list keeps the index.
    public func alternatives(unindexedOwner: Bool = false) -> [any SQLExpression]? {
        guard case .owner(let column) = anchor, scope != .all else { return nil }
        let me = principal.userID.rawValue
        let owner: SQLQueryString = unindexedOwner && scope == .subtree ? "+\(ident: table).\(ident: column)" : "\(ident: table).\(ident: column)"
        var owned: SQLQueryString = "\(owner) = \(bind: me)"
        if scope == .subtree, let path = principal.teamPath {
            owned = """
                \(owner) IN (SELECT scope_u.id FROM users scope_u \
                JOIN teams scope_t ON scope_t.id = scope_u.team_id WHERE \(Self.prefix("scope_t.path", path)) UNION SELECT \(bind: me))
                """
        }
        let access: SQLQueryString = forEditing ? " AND scope_g.access = 'edit'" : ""
        let shared: SQLQueryString = """
            \(ident: table).\(ident: "id") IN (SELECT scope_g.record_id FROM record_grants scope_g \
            WHERE scope_g.object_kind = \(bind: kind.rawValue) AND scope_g.user_id = \(bind: me)\(access))
            """
        return [owned, shared]
    }

    /// Adds the predicate to a query (no-op for scope `all`).
    public func apply<Builder: SQLPredicateBuilder>(to builder: Builder) -> Builder {
        if let predicate = predicate() { return builder.where(predicate) }
        return builder
    }

    /// `column` starts with `path`: an exact prefix test that works the same on both engines
    /// (LIKE would treat the `_` in ids as a wildcard).
    static func prefix(_ column: String, _ path: String) -> SQLQueryString {
        "substr(\(unsafeRaw: column), 1, \(unsafeRaw: String(path.utf8.count))) = \(bind: path)"
    }

    private static func any(_ parts: [SQLQueryString]) -> SQLQueryString {
        var result: SQLQueryString = "("
        for (index, part) in parts.enumerated() {
            if index > 0 { result.appendLiteral(" OR ") }
            result.appendInterpolation(part)
        }
        result.appendLiteral(")")
        return result
    }
}
