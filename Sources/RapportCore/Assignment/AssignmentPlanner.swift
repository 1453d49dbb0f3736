import Foundation

/// A user who may receive leads from a rule, as the planner sees them.
public struct AssignmentCandidate: Sendable, Equatable {
    public var userID: RecordID
    public var teamID: RecordID?
    public var level: String?
    /// Active and not on leave now.
    public var available: Bool

    public init(userID: RecordID, teamID: RecordID?, level: String?, available: Bool) {
        self.userID = userID
        self.teamID = teamID
        self.level = level
        self.available = available
    }
}

/// Where one incoming lead goes.
public enum AssignmentPlacement: Sendable, Equatable {
    /// To a user (their team), by a rule.
    case user(RecordID, team: RecordID?, rule: RecordID)
    /// Into a pool, unowned, by a rule.
    case pool(RecordID, rule: RecordID)
    /// No rule could place it: it stays where it arrived.
    case unchanged
}

/// Routes incoming leads through the ordered rules — pure: everything it needs (rules, team
/// members, who is available, what each holds, each pool's limits, the turn-taking credits) is
/// handed in, and it returns the placements and the credits to keep. One planner places a whole
/// batch, counting what it hands out, so no rep passes a holding limit within the batch either.
public struct AssignmentPlanner: Sendable {
    /// One lead to place.
    public struct Incoming: Sendable, Equatable {
        public var facts: AssignmentFacts
        /// The pool it arrived in (its holding limits apply to whoever gets it).
        public var poolID: RecordID?
        /// Whether it counts towards holding (its status is an open one).
        public var isOpen: Bool

        public init(facts: AssignmentFacts, poolID: RecordID?, isOpen: Bool = true) {
            self.facts = facts
            self.poolID = poolID
            self.isOpen = isOpen
        }
    }

    /// A user's open leads in one pool.
    public struct HoldingKey: Hashable, Sendable {
        public var user: RecordID
        public var pool: RecordID
        public init(user: RecordID, pool: RecordID) {
            self.user = user
            self.pool = pool
        }
    }

    /// A user's turn-taking credit under one rule (smooth weighted round robin).
    public struct CreditKey: Hashable, Sendable {
        public var rule: RecordID
        public var user: RecordID
        public init(rule: RecordID, user: RecordID) {
            self.rule = rule
            self.user = user
        }
    }

    let rules: [AssignmentRule]
    let users: [RecordID: AssignmentCandidate]
    let members: [RecordID: [RecordID]]
    let pools: [RecordID: PoolRules]
    public private(set) var holding: [HoldingKey: Int]
    public private(set) var credits: [CreditKey: Int64]
    /// Credits changed by this planner (to be written back).
    public private(set) var changedCredits: Set<CreditKey> = []

    /// - Parameters:
    ///   - rules: every rule; inactive ones are ignored, the rest tried by position, then id.
    ///   - users: every user a rule may name (user targets and team members).
    ///   - members: each team target's users (the team and its sub-teams), any order.
    ///   - pools: the active lead pools and their rules; a pool target not listed is skipped.
    ///   - holding: open leads each candidate holds per pool (absent = 0).
    ///   - credits: the kept credits (absent = 0).
    public init(rules: [AssignmentRule], users: [RecordID: AssignmentCandidate], members: [RecordID: [RecordID]],
                pools: [RecordID: PoolRules], holding: [HoldingKey: Int], credits: [CreditKey: Int64]) {
        self.rules = rules.filter(\.active).sorted { ($0.position, $0.id.rawValue) < ($1.position, $1.id.rawValue) }
        self.users = users
        self.members = members.mapValues { $0.sorted { $0.rawValue < $1.rawValue } }
        self.pools = pools
        self.holding = holding
        self.credits = credits
    }

    /// The rules that match `facts`, in order (what a lead may be routed by).
    public func matching(_ facts: AssignmentFacts) -> [AssignmentRule] {
        rules.filter { $0.matches(facts) }
    }

    /// Places one lead: the first matching rule that can place it wins; a rule whose reps are all
    /// unavailable or at their limit passes the lead on to the next.
    public mutating func place(_ lead: Incoming) -> AssignmentPlacement {
        for rule in rules where rule.matches(lead.facts) {
            switch rule.target {
            case .pool(let pool):
                if pools[pool] != nil { return .pool(pool, rule: rule.id) }
            case .user(let user):
                if let candidate = users[user], eligible(candidate, for: lead) {
                    take(candidate, lead)
                    return .user(user, team: candidate.teamID, rule: rule.id)
                }
            case .team(let team, let strategy, let weights):
                let open = (members[team] ?? []).compactMap { users[$0] }.filter { eligible($0, for: lead) }
                    .map { ($0, strategy == .weighted ? max(0, weights[$0.level ?? ""] ?? 1) : 1) }.filter { $0.1 > 0 }
                guard !open.isEmpty else { continue }
                let pool = strategy == .leastLoaded ? lightest(open, in: lead.poolID) : open
                let chosen = turn(pool, rule: rule.id)
                take(chosen, lead)
                return .user(chosen.userID, team: chosen.teamID, rule: rule.id)
            }
        }
        return .unchanged
    }

    /// Available and below the lead's pool's holding limit for their level.
    func eligible(_ candidate: AssignmentCandidate, for lead: Incoming) -> Bool {
        guard candidate.available else { return false }
        guard lead.isOpen, let pool = lead.poolID, let limit = pools[pool]?.holdingLimit.limit(for: candidate.level) else { return true }
        return holding[HoldingKey(user: candidate.userID, pool: pool), default: 0] < limit
    }

    /// Those holding the fewest open leads of the pool.
    func lightest(_ weighted: [(AssignmentCandidate, Int)], in pool: RecordID?) -> [(AssignmentCandidate, Int)] {
        guard let pool else { return weighted }
        let load = { (candidate: AssignmentCandidate) in self.holding[HoldingKey(user: candidate.userID, pool: pool), default: 0] }
        let least = weighted.map { load($0.0) }.min()!
        return weighted.filter { load($0.0) == least }
    }

    /// Smooth weighted round robin: each gains its weight, the richest is chosen and pays the
    /// total. Equal weights take plain turns; weights 3:1 give 3:1, evenly interleaved.
    mutating func turn(_ weighted: [(AssignmentCandidate, Int)], rule: RecordID) -> AssignmentCandidate {
        let total = Int64(weighted.reduce(0) { $0 + $1.1 })
        var best: (AssignmentCandidate, Int64)?
        for (candidate, weight) in weighted {
            let key = CreditKey(rule: rule, user: candidate.userID)
            let credit = credits[key, default: 0] + Int64(weight)
            credits[key] = credit
            changedCredits.insert(key)
            if best == nil || credit > best!.1 { best = (candidate, credit) }
        }
        credits[CreditKey(rule: rule, user: best!.0.userID)]! -= total
        return best!.0
    }

    mutating func take(_ candidate: AssignmentCandidate, _ lead: Incoming) {
        guard lead.isOpen, let pool = lead.poolID else { return }
        holding[HoldingKey(user: candidate.userID, pool: pool), default: 0] += 1
    }
}
