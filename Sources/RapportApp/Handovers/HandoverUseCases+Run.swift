import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension HandoverUseCases {
    /// Hands over a user's records, all in one transaction: freezes the user (disabled, every token
    /// and session revoked, every cache told), moves each kind named to its target set-based
    /// (stages and history untouched, the departing user recorded as previous owner, an entry in
    /// each record's owner log), writes the report, tells each recipient, and audits it.
    public func handOver(_ request: Request, by caller: Caller) async throws -> Handover {
        let reason = try Self.validReason(request.reason)
        let scope = try await scope(caller, .create)
        let now = rapport.clock.now()
        return try await rapport.transaction(changesAccess: true) { sql in
            let user = try await departing(request.user, by: caller, scope: scope, sql)
            // Claims, assignments and creates that give this user leads wait for us, and see them frozen.
            try await sql.lockKeys(["holding:\(user.id.rawValue)"])
            let destinations = try await destinations(request.targets, departing: user, scope: scope, sql)
            let revoked = if user.status == .active {
                try await rapport.users.applyStatus(user, .disabled, by: caller, at: now, sql)
            } else {
                try await TokenStore(sql).revokeAll(of: user.id, at: now)
            }
            let holdings = try await holdings(of: user.id, sql)
            let id = rapport.ids.next(.handover, at: now)
            var summary = HandoverSummary(revokedCredentials: revoked)
            var dealt: [HandoverKind: [(id: RecordID, to: RecordID?, pool: RecordID?)]] = [:]
            for kind in HandoverKind.allCases {
                let skipped = holdings.skipped(kind)
                if kind == .tasks {
                    // Tasks follow their records; the rest go to the tasks' target, if any.
                    let deal = holdings.dealTasks(following: dealt, to: destinations[kind])
                    dealt[kind] = deal
                    var teamID: RecordID?
                    if case .team(let team) = destinations[kind]?.target { teamID = team }
                    summary.kinds[kind.rawValue] = .init(to: destinations[kind]?.target.name ?? "none", teamID: teamID, moved: deal.count,
                                                         kept: holdings.count(kind) - deal.count, recipients: Holdings.shares(deal))
                    continue
                }
                guard let destination = destinations[kind] else {
                    summary.kinds[kind.rawValue] = .init(to: "none", kept: holdings.count(kind), skipped: skipped)
                    continue
                }
                let deal = holdings.deal(kind, to: destination)
                dealt[kind] = deal
                var teamID: RecordID?
                if case .team(let team) = destination.target { teamID = team }
                let shares = zip(destination.recipients, RoundRobin.shares(deal.count, among: destination.recipients.count))
                summary.kinds[kind.rawValue] = .init(to: destination.target.name, teamID: teamID, poolID: destination.pool?.id, moved: deal.count,
                                                     skipped: skipped, recipients: shares.map { .init(userID: $0.0.id, count: $0.1) })
            }
            let handover = Handover(id: id, userID: user.id, byUserID: caller.actorID, reason: reason, at: now, summary: summary)
            let store = HandoverStore(sql)
            try await store.insert(handover)
            for (kind, deal) in dealt.sorted(by: { $0.key < $1.key }) where !deal.isEmpty {
                try await store.insertItems(deal.map { HandoverItem(handoverID: id, objectKind: kind.objectKind, objectID: $0.id, from: user.id, to: $0.to, poolID: $0.pool) })
                try await move(kind, deal, of: handover, sql)
            }
            try await rapport.playbooks.followHandover(dealt.flatMap { kind, deal in
                kind.playbookObject.map { object in deal.map { (object, $0.id, $0.to) } } ?? []
            }, at: now, in: sql)
            try await notify(handover, summary, sql)
            try await rapport.record(rapport.event("handover.completed", by: caller, kind: .handover, object: id.rawValue, details: [
                "user_id": user.id.rawValue, "leads": String(dealt[.leads]?.count ?? 0), "customers": String(dealt[.customers]?.count ?? 0),
                "opportunities": String(dealt[.opportunities]?.count ?? 0), "tasks": String(dealt[.tasks]?.count ?? 0),
                "revoked_credentials": String(revoked),
            ]), in: sql)
            return handover
        }
    }

    /// Moves one kind's dealt records and logs each change. A record that changed owner meanwhile
    /// makes the whole handover fail (and roll back) rather than report a move that did not happen.
    func move(_ kind: HandoverKind, _ deal: [(id: RecordID, to: RecordID?, pool: RecordID?)], of handover: Handover, _ sql: any SQLDatabase) async throws {
        let store = HandoverStore(sql)
        let at = handover.at
        let moved: Int
        switch kind {
        case .leads:
            moved = try await store.moveLeads(of: handover.id, from: handover.userID, protection: try await protection(deal, at: at, sql), at: at)
            try await LeadStore(sql).log(deal.map { record in
                LeadAssignment(id: rapport.ids.next(.assignment, at: at), leadID: record.id, kind: .handover, poolID: record.pool,
                               from: handover.userID, to: record.to, reason: handover.reason, by: handover.byUserID, at: at)
            })
        case .customers:
            moved = try await store.moveCustomers(of: handover.id, from: handover.userID, at: at)
            try await CustomerStore(sql).log(deal.map { record in
                CustomerAssignment(id: rapport.ids.next(.customerAssignment, at: at), record: record.id, kind: .handover, poolID: record.pool,
                                   from: handover.userID, to: record.to, reason: handover.reason, by: handover.byUserID, at: at)
            })
        case .opportunities:
            moved = try await store.moveOpportunities(of: handover.id, from: handover.userID, at: at)
        case .tasks:
            moved = try await store.moveTasks(of: handover.id, from: handover.userID, at: at)
        }
        guard moved == deal.count else {
            throw RapportError(.conflict, "Some of the user's \(kind.rawValue) changed owner during the handover; try again.")
        }
    }

    /// Until when a lead given to a recipient is protected from reclaim, per pool: as an
    /// assignment from that pool would protect it.
    func protection(_ deal: [(id: RecordID, to: RecordID?, pool: RecordID?)], at now: Date, _ sql: any SQLDatabase) async throws -> [RecordID: Date] {
        guard deal.contains(where: { $0.to != nil }) else { return [:] }
        var result: [RecordID: Date] = [:]
        for pool in try await PoolStore(sql).all(object: .lead, includeArchived: true) {
            result[pool.id] = now.addingTimeInterval(Double(pool.rules.protectionDays) * 86_400)
        }
        return result
    }

    /// Tells each recipient what they received, in the handover's transaction.
    func notify(_ handover: Handover, _ summary: HandoverSummary, _ sql: any SQLDatabase) async throws {
        var received: [RecordID: [String: Int]] = [:]
        var order: [RecordID] = []
        for (kind, outcome) in summary.kinds.sorted(by: { $0.key < $1.key }) {
            for share in outcome.recipients where share.count > 0 {
                if received[share.userID] == nil { order.append(share.userID) }
                received[share.userID, default: [:]][kind] = share.count
            }
        }
        let notices = rapport.notifications
        try await notices.send(order.map { user in
            var details = ["handover_id": handover.id.rawValue, "from_user_id": handover.userID.rawValue]
            for kind in HandoverKind.allCases { details[kind.rawValue] = String(received[user]?[kind.rawValue] ?? 0) }
            return notices.make(user, "handover.received", details: details, about: (.handover, handover.id.rawValue),
                                dedupKey: "handover:\(handover.id.rawValue)")
        }, in: sql)
    }
}
