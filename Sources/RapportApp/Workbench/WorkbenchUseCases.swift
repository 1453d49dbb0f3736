import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// The rep's workbench (工作台): what is new, what is about to go back to the pool, who still
/// waits for a first call, and what they did lately — all within the caller's own scope.
public struct WorkbenchUseCases: Sendable {
    let rapport: Rapport

    /// A lead or customer about to be reclaimed, and the whole days left.
    public struct Warning: Sendable, Equatable {
        public var notice: Notice
        public var due: Date
        public var daysLeft: Int
    }

    public struct Today: Sendable {
        public var now: Date
        public var unread: Int
        /// Unread assignments (a rule, a manager or a pool administrator gave them to the caller).
        public var newAssignments: [Notice]
        /// Unread reclaim warnings still in the future, soonest first.
        public var warnings: [Warning]
        /// The caller's open leads never followed up, longest waiting first (masked).
        public var awaitingFirstTouch: [Lead]
        /// The caller's leads and customers due for a follow-up: touched before, longest
        /// untouched first (at most 10 of each kind, merged).
        public var dueForFollowUp: [Due]
        /// What the caller logged lately on customers and leads, newest first.
        public var recent: [Touch]
    }

    /// A lead or customer the caller followed up before, and when they last did.
    public struct Due: Sendable, Equatable {
        public var kind: ObjectKind
        public var id: RecordID
        public var name: String
        public var lastTouchAt: Date
        /// Whole days since the last touch.
        public var daysSince: Int
    }

    /// One thing the caller logged: on a customer's timeline or on a lead.
    public struct Touch: Sendable, Equatable {
        public var type: Activity.ActivityType
        public var subject: String?
        public var outcome: String?
        public var occurredAt: Date
        public var onLead: Bool
    }

    /// The caller's workbench now. Only users have one.
    public func today(by caller: Caller) async throws -> Today {
        guard let principal = caller.principal else { throw RapportError(.forbidden, "Only a user has a workbench.") }
        let now = rapport.clock.now()
        let leadScope = try await rapport.scope(caller, .read, .lead, anchor: .owner(column: "owner_id"), table: "leads")
        let unread = try await rapport.notifications.list(unreadOnly: true, page: PageRequest(limit: 200), by: caller).items
        let assignments = unread.filter { $0.kind == "lead.assigned" || $0.kind == "customer.assigned" || $0.kind == "handover.received" }
        let warnings = unread.filter { $0.kind.hasSuffix(".reclaim_warning") }.compactMap { notice -> Warning? in
            guard let text = notice.details["due"], let due = RFC3339.parse(text), due > now else { return nil }
            return Warning(notice: notice, due: due, daysLeft: Int((due.timeIntervalSince(now) / 86_400).rounded(.up)))
        }.sorted { $0.due < $1.due }
        let waiting = try await rapport.database.read { sql in
            try await LeadStore(sql).awaitingFirstTouch(owner: principal.userID, limit: 20, in: leadScope).map { $0.masked() }
        }
        let customerScope = try await rapport.scope(caller, .read, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        let due = try await rapport.database.read { sql in
            let leads = try await LeadStore(sql).longestUntouched(owner: principal.userID, limit: 10, in: leadScope)
            let customers = try await CustomerStore(sql).longestUntouched(owner: principal.userID, limit: 10, in: customerScope)
            return (leads.compactMap { lead in lead.lastFollowUpAt.map { Due(kind: .lead, id: lead.id, name: lead.name, lastTouchAt: $0, daysSince: 0) } }
                + customers.map { Due(kind: .customer, id: $0.id, name: $0.name, lastTouchAt: $0.lastTouchAt, daysSince: 0) })
                .sorted { $0.lastTouchAt < $1.lastTouchAt }
                .map { item in
                    var item = item
                    item.daysSince = max(0, Int(now.timeIntervalSince(item.lastTouchAt) / 86_400))
                    return item
                }
        }
        let activities = try await rapport.activities.list(customer: nil, actor: principal.userID.rawValue, type: nil, page: PageRequest(limit: 10), by: caller)
        let followUps = try await rapport.database.read { sql in try await LeadStore(sql).followUps(by: principal.userID, limit: 10) }
        let recent = (activities.items.map { Touch(type: $0.type, subject: $0.subject, outcome: $0.outcome, occurredAt: $0.occurredAt, onLead: false) }
            + followUps.map { Touch(type: $0.type, subject: $0.subject, outcome: $0.outcome, occurredAt: $0.occurredAt, onLead: true) })
            .sorted { $0.occurredAt > $1.occurredAt }.prefix(10)
        return Today(now: now, unread: try await rapport.notifications.unread(by: caller), newAssignments: Array(assignments.prefix(20)),
                     warnings: warnings, awaitingFirstTouch: waiting, dueForFollowUp: due, recent: Array(recent))
    }
}
