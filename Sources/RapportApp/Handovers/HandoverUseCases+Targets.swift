import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension HandoverUseCases {
    /// Checks every kind's target: recipients must be active users in the caller's scope other than
    /// the departing user; a team must be in scope and have such members; a pool must be an active
    /// pool of that kind's records. All field errors are reported together; nothing is changed.
    func destinations(_ targets: [HandoverKind: TargetInput], departing: User, scope: ScopeFilter,
                      _ sql: any SQLDatabase) async throws -> [HandoverKind: Destination] {
        var check = Validator()
        var result: [HandoverKind: Destination] = [:]
        for kind in targets.keys.sorted() {
            guard let input = targets[kind] else { continue }
            if let destination = try await destination(input, kind: kind, departing: departing, scope: scope, check: &check, sql) {
                result[kind] = destination
            }
        }
        try check.finish()
        return result
    }

    func destination(_ input: TargetInput, kind: HandoverKind, departing: User, scope: ScopeFilter, check: inout Validator,
                     _ sql: any SQLDatabase) async throws -> Destination? {
        let field = kind.rawValue
        switch input.to {
        case "users":
            let references = input.userIDs ?? []
            guard !references.isEmpty, references.count <= Self.maximumRecipients else {
                check.add("\(field).user_ids", "required", "Name 1 to \(Self.maximumRecipients) users to receive the \(field).")
                return nil
            }
            var users: [User] = []
            for (index, reference) in references.enumerated() {
                guard let id = RecordID(parsing: reference, prefix: .user), let user = try await UserStore(sql).find(id, in: scope),
                      user.status == .active, user.id != departing.id
                else {
                    check.add("\(field).user_ids[\(index)]", "invalid", "\(field).user_ids[\(index)] must be another active user you may hand records to.")
                    continue
                }
                if !users.contains(where: { $0.id == user.id }) { users.append(user) }
            }
            return Destination(target: .users(users.map(\.id)), recipients: users)
        case "team":
            let teamScope = ScopeFilter(scope.principal, scope.scope, kind: .handover, anchor: .teamTable, table: "teams")
            guard let reference = input.team, let found = try await TeamStore(sql).find(reference: reference),
                  let team = try await TeamStore(sql).find(found.id, in: teamScope)
            else {
                check.add("\(field).team_id", "invalid", "\(field).team_id must be a team you may hand records to.")
                return nil
            }
            let members = try await UserStore(sql).activeMembers(ofSubtree: team.path).filter { $0.id != departing.id }
            guard !members.isEmpty else {
                check.add("\(field).team_id", "no_members", "The team has no other active members to receive the \(field).")
                return nil
            }
            return Destination(target: .team(team.id), recipients: members)
        case "pool":
            guard kind != .opportunities, kind != .tasks else {
                check.add("\(field).to", "invalid", "\(kind == .tasks ? "Tasks" : "Opportunities") go to users or a team, not to a pool.")
                return nil
            }
            guard let reference = input.pool, let pool = try await PoolUseCases.find(reference, sql) else {
                check.add("\(field).pool_id", "invalid", "\(field).pool_id must be a pool.")
                return nil
            }
            guard pool.object == (kind == .customers ? .customer : .lead), !pool.archived else {
                check.add("\(field).pool_id", "wrong_pool", "\(field).pool_id must be an active pool of \(field).")
                return nil
            }
            return Destination(target: .pool(pool.id), recipients: [], pool: pool)
        default:
            check.add("\(field).to", input.to == nil ? "required" : "invalid", "\(field).to must be users, team or pool.")
            return nil
        }
    }
}
