import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Routes incoming (ownerless) leads through the assignment rules inside the caller's
/// transaction: every door that brings leads in — the API, web forms, imports, applying the rules
/// to a pool — uses it. It locks what it decides on (the rules' turns, then each candidate's
/// holding, both in sorted order, after the same holding lock claims take), so no rep passes a
/// holding limit and no turn is given twice under any concurrency.
struct LeadRouter {
    let rapport: Rapport
    let sql: any SQLDatabase
    let now: Date

    /// A routed lead: its placement and the rule's name (for the log and the notification).
    struct Routed {
        var placement: AssignmentPlacement
        var ruleName: String?
        /// For a lead given to a user: the end of its protection (its pool's protection period).
        var protectedUntil: Date?
    }

    /// Plans placements for `leads` (each with whether it counts towards holding), saves the
    /// rules' turns, and returns the placements in order. Nothing is written to the leads.
    /// With `saving` false (a dry run) nothing is locked or written.
    func plan<L: RoutableLead>(_ leads: [(L, isOpen: Bool)], saving: Bool = true) async throws -> [Routed] {
        let rules = try await AssignmentStore(sql).all().filter(\.active)
        guard !rules.isEmpty, !leads.isEmpty else { return leads.map { _ in Routed(placement: .unchanged) } }
        let pools = Dictionary(uniqueKeysWithValues: try await PoolStore(sql).all(object: .lead).map { ($0.id, $0.rules) })
        let incoming = leads.map { lead, isOpen in AssignmentPlanner.Incoming(facts: lead.assignmentFacts, poolID: lead.poolID, isOpen: isOpen) }

        // What may be used: the matching rules of every lead, their users and team members.
        let probe = AssignmentPlanner(rules: rules, users: [:], members: [:], pools: pools, holding: [:], credits: [:])
        var used: [RecordID: AssignmentRule] = [:]
        for lead in incoming { for rule in probe.matching(lead.facts) { used[rule.id] = rule } }
        guard !used.isEmpty else { return leads.map { _ in Routed(placement: .unchanged) } }
        if saving { try await sql.lockKeys(used.keys.map { "assignment-rule:\($0.rawValue)" }) }
        let store = AssignmentStore(sql)
        var users: [RecordID: AssignmentCandidate] = [:]
        var members: [RecordID: [RecordID]] = [:]
        let named = used.values.compactMap { rule -> RecordID? in if case .user(let id) = rule.target { id } else { nil } }
        for candidate in try await store.candidates(named, at: now) { users[candidate.userID] = candidate }
        for team in Set(used.values.compactMap { rule -> RecordID? in if case .team(let id, _, _) = rule.target { id } else { nil } }) {
            guard let path = try await TeamStore(sql).find(team)?.path else { continue }
            let found = try await store.members(ofTeamAt: path, at: now)
            members[team] = found.map(\.userID)
            for candidate in found { users[candidate.userID] = candidate }
        }
        let candidateIDs = users.keys.sorted { $0.rawValue < $1.rawValue }
        if saving { try await sql.lockKeys(candidateIDs.map { "holding:\($0.rawValue)" }) }
        let leadPools = Array(Set(leads.compactMap(\.0.poolID)))
        let holding = try await LeadStore(sql).holdings(users: candidateIDs, pools: leadPools)
        let credits = try await store.credits(rules: Array(used.keys))

        var planner = AssignmentPlanner(rules: Array(used.values), users: users, members: members, pools: pools, holding: holding, credits: credits)
        let placed = incoming.map { planner.place($0) }
        if saving { try await store.save(credits: planner.credits.filter { planner.changedCredits.contains($0.key) }) }
        return zip(leads, placed).map { lead, placement in
            switch placement {
            case .user(_, _, let rule):
                let days = lead.0.poolID.flatMap { pools[$0]?.protectionDays } ?? 0
                return Routed(placement: placement, ruleName: used[rule]?.name, protectedUntil: now.addingTimeInterval(Double(days) * 86_400))
            case .pool(_, let rule): return Routed(placement: placement, ruleName: used[rule]?.name)
            case .unchanged: return Routed(placement: placement)
            }
        }
    }

    /// Applies a placement to a lead not yet stored (a lead being created).
    func apply(_ routed: Routed, to lead: inout Lead) {
        switch routed.placement {
        case .user(let user, let team, _):
            lead.ownerID = user
            lead.teamID = team
            lead.assignedAt = now
            lead.protectedUntil = routed.protectedUntil
        case .pool(let pool, _):
            lead.poolID = pool
        case .unchanged:
            break
        }
    }

    /// Writes placements of stored leads waiting in `pool` (set-based: one update per assignee or
    /// target pool), then logs and notifies. A lead someone claimed meanwhile is left alone.
    func write<L: RoutableLead>(_ routed: [(L, Routed)], from pool: RecordID, by caller: Caller) async throws -> (assigned: Int, moved: Int) {
        var groups: [PlacementGroup: [RecordID]] = [:]
        for (lead, route) in routed {
            switch route.placement {
            case .user(let user, let team, _): groups[PlacementGroup(owner: user, team: team, protectedUntil: route.protectedUntil), default: []].append(lead.id)
            case .pool(let target, _) where target != pool: groups[PlacementGroup(pool: target), default: []].append(lead.id)
            case .pool, .unchanged: break
            }
        }
        var done: Set<RecordID> = []
        let store = LeadStore(sql)
        for (group, ids) in groups.sorted(by: { $0.value[0].rawValue < $1.value[0].rawValue }) {
            if let owner = group.owner {
                done.formUnion(try await store.take(ids, from: pool, owner: owner, team: group.team, at: now, protectedUntil: group.protectedUntil ?? now))
            } else if let target = group.pool {
                done.formUnion(try await store.move(ids, from: pool, to: target, at: now))
            }
        }
        var written: [(L, Routed)] = []
        var assigned = 0
        var moved = 0
        for (lead, route) in routed {
            switch route.placement {
            case .user where done.contains(lead.id):
                assigned += 1
                written.append((lead, route))
            case .pool(let target, _) where target == pool || done.contains(lead.id):
                moved += target == pool ? 0 : 1
                written.append((lead, route))
            default: break
            }
        }
        try await record(written, by: caller.actorID)
        return (assigned, moved)
    }

    /// Logs what the rules did (who got which lead by which rule, or which pool it went to) and
    /// tells each assignee, for leads now stored; leads given to a rep start the "lead assigned"
    /// playbooks unless `startPlaybooks` is false (an import that did not ask for it).
    func record<L: RoutableLead>(_ routed: [(L, Routed)], by actor: RecordID?, startPlaybooks: Bool = true) async throws {
        var log: [LeadAssignment] = []
        var notices: [Notice] = []
        let notifications = rapport.notifications
        for (lead, route) in routed {
            switch route.placement {
            case .user(let user, _, let rule):
                log.append(LeadAssignment(id: rapport.ids.next(.assignment, at: now), leadID: lead.id, kind: .assign, poolID: lead.poolID,
                                          to: user, ruleID: rule.rawValue, reason: route.ruleName, by: actor, at: now))
                notices.append(notifications.make(user, "lead.assigned", details: ["rule_id": rule.rawValue, "rule": route.ruleName ?? "", "name": lead.name],
                                                  about: (.lead, lead.id.rawValue)))
            case .pool(let pool, let rule):
                log.append(LeadAssignment(id: rapport.ids.next(.assignment, at: now), leadID: lead.id, kind: .assign, poolID: pool,
                                          ruleID: rule.rawValue, reason: route.ruleName, by: actor, at: now))
            case .unchanged:
                break
            }
        }
        try await LeadStore(sql).log(log)
        try await notifications.send(notices, in: sql)
        if startPlaybooks { try await rapport.recordLeadsAssigned(log.compactMap { entry in entry.to.map { (entry.leadID, $0) } }, at: now, in: sql) }
    }
}

/// The leads of one update when placements are written: the same owner and team and protection,
/// or the same target pool.
private struct PlacementGroup: Hashable {
    var owner: RecordID?
    var team: RecordID?
    var pool: RecordID?
    var protectedUntil: Date?
}

/// What the router needs of a lead: a whole one being created, or an incoming one read for
/// routing (``LeadStore/IncomingLead``).
protocol RoutableLead {
    var id: RecordID { get }
    /// For the assignee's notification.
    var name: String { get }
    var poolID: RecordID? { get }
    var assignmentFacts: AssignmentFacts { get }
}

extension LeadStore.IncomingLead: RoutableLead {
    var assignmentFacts: AssignmentFacts { facts }
}

extension Lead: RoutableLead {
    /// What assignment rules look at.
    var assignmentFacts: AssignmentFacts {
        AssignmentFacts(source: source, campaign: campaign, region: region, interest: interest, score: score, utmSource: utm.source,
                        utmMedium: utm.medium, utmCampaign: utm.campaign, poolID: poolID, customFields: customFields)
    }
}
