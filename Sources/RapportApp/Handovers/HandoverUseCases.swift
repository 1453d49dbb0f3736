import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Handovers (离职交接): a departing user is frozen (disabled, every token and session revoked) and
/// everything they own moves — each kind to chosen users round-robin, to a team's active members,
/// or to a pool (leads and customers) — in one transaction, keeping stages and history, recording the previous owner,
/// and leaving a report. Administrators hand over anyone; managers the users of their team
/// subtree; other roles never.
public struct HandoverUseCases: Sendable {
    let rapport: Rapport

    /// How many records of each kind a preview lists.
    public static let previewRecords = 50
    /// The most users one target may name.
    public static let maximumRecipients = 200

    /// Where one kind goes, as the caller sent it: `to` is `users` (with `userIDs`), `team` (with
    /// `team`, an id or key) or `pool` (with `pool`, an id or key).
    public struct TargetInput: Sendable, Equatable {
        public var to: String?
        public var userIDs: [String]?
        public var team: String?
        public var pool: String?

        public init(to: String?, userIDs: [String]? = nil, team: String? = nil, pool: String? = nil) {
            self.to = to
            self.userIDs = userIDs
            self.team = team
            self.pool = pool
        }
    }

    /// A handover as asked: whose records, why, and where each kind goes (a kind left out stays
    /// with the frozen user and is reported).
    public struct Request: Sendable {
        public var user: String
        public var reason: String?
        public var targets: [HandoverKind: TargetInput]

        public init(user: String, reason: String? = nil, targets: [HandoverKind: TargetInput] = [:]) {
            self.user = user
            self.reason = reason
            self.targets = targets
        }
    }

    /// A kind's target, checked: the recipients in round-robin order, or the pool.
    struct Destination: Sendable {
        var target: HandoverTarget
        var recipients: [User]
        var pool: Pool?
    }

    /// What the departing user owns, read once for a preview or a handover.
    struct Holdings: Sendable {
        var leads: [HandoverStore.OwnedLead]
        var customers: [RecordID]
        var mergedCustomers: Int
        var opportunities: [HandoverStore.OwnedOpportunity]
        /// Open tasks assigned to the user.
        var tasks: [HandoverStore.OwnedTask]

        /// Open opportunities: the ones a handover moves.
        var openOpportunities: [RecordID] { opportunities.filter(\.isOpen).map(\.id) }

        func count(_ kind: HandoverKind) -> Int {
            switch kind {
            case .leads: leads.count
            case .customers: customers.count
            case .opportunities: openOpportunities.count
            case .tasks: tasks.count
            }
        }

        /// Records of `kind` a handover never moves: customers merged into others, closed opportunities.
        func skipped(_ kind: HandoverKind) -> Int {
            switch kind {
            case .leads: 0
            case .customers: mergedCustomers
            case .opportunities: opportunities.count - openOpportunities.count
            case .tasks: 0
            }
        }

        /// Each record of `kind` with its recipient (nil: to the pool) and pool, in id order.
        func deal(_ kind: HandoverKind, to destination: Destination) -> [(id: RecordID, to: RecordID?, pool: RecordID?)] {
            let ids: [RecordID] = switch kind {
            case .leads: leads.map(\.id)
            case .customers: customers
            case .opportunities: openOpportunities
            case .tasks: tasks.map(\.id)
            }
            if let pool = destination.pool { return ids.map { ($0, nil, pool.id) } }
            return RoundRobin.deal(ids, to: destination.recipients.map(\.id)).map { ($0.record, $0.to, nil) }
        }

        /// The open tasks with their new assignee: a task about a record dealt to a user (in
        /// `dealt`, the other kinds' deals) follows it; the others go round-robin over the tasks'
        /// destination, or stay when there is none.
        func dealTasks(following dealt: [HandoverKind: [(id: RecordID, to: RecordID?, pool: RecordID?)]],
                       to destination: Destination?) -> [(id: RecordID, to: RecordID?, pool: RecordID?)] {
            var owners: [RecordID: RecordID] = [:]
            for (_, deal) in dealt { for record in deal { if let to = record.to { owners[record.id] = to } } }
            var result: [(id: RecordID, to: RecordID?, pool: RecordID?)] = []
            var rest: [RecordID] = []
            for task in tasks {
                if let linked = task.linkedID, let owner = owners[linked] { result.append((task.id, owner, nil)) } else { rest.append(task.id) }
            }
            if let destination, !destination.recipients.isEmpty {
                result += RoundRobin.deal(rest, to: destination.recipients.map(\.id)).map { ($0.record, $0.to, nil) }
            }
            return result.sorted { $0.id < $1.id }
        }

        /// Per recipient, in order of first appearance, how many records of a deal they receive.
        static func shares(_ deal: [(id: RecordID, to: RecordID?, pool: RecordID?)]) -> [HandoverSummary.Share] {
            var order: [RecordID] = []
            var counts: [RecordID: Int] = [:]
            for record in deal {
                guard let to = record.to else { continue }
                if counts[to] == nil { order.append(to) }
                counts[to, default: 0] += 1
            }
            return order.map { HandoverSummary.Share(userID: $0, count: counts[$0] ?? 0) }
        }
    }

    /// The scope of handovers for `caller` on the users table (aliased `table`): `forbidden` for
    /// roles that may not hand over.
    func scope(_ caller: Caller, _ action: AccessAction, table: String = "users") async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .handover, anchor: .userTable, table: table)
    }

    /// The departing user, in the caller's scope, never the caller.
    func departing(_ reference: String, by caller: Caller, scope: ScopeFilter, _ sql: any SQLDatabase) async throws -> User {
        guard let id = RecordID(parsing: reference, prefix: .user), let user = try await UserStore(sql).find(id, in: scope) else {
            throw RapportError.notFound("user")
        }
        if caller.principal?.userID == id {
            throw RapportError.validation([FieldError(field: "user_id", code: "self", message: "You cannot hand over your own records.")])
        }
        return user
    }

    static func validReason(_ reason: String?) throws -> String {
        var check = Validator()
        let text = check.text(reason ?? "", field: "reason", maxLength: 500, allowEmpty: false)
        try check.finish()
        return text
    }

    func holdings(of user: RecordID, _ sql: any SQLDatabase) async throws -> Holdings {
        let store = HandoverStore(sql)
        let customers = try await store.ownedCustomers(of: user)
        return Holdings(leads: try await store.ownedLeads(of: user), customers: customers.live, mergedCustomers: customers.merged,
                        opportunities: try await store.ownedOpportunities(of: user), tasks: try await store.ownedTasks(of: user))
    }
}
