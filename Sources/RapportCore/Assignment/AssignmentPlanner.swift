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
    let pools: [RecordID: PoolRules]
    /// Every candidate, by index (the planner works on indexes: no hashing per lead).
    let candidates: [AssignmentCandidate]
    let index: [RecordID: Int]
    /// Each team target's members, as candidate indexes in id order.
    let teams: [RecordID: [Int]]
    /// Open leads held, per pool, per candidate index.
    var held: [RecordID: [Int]]
    /// Turn credits, per rule, per candidate index.
    var turns: [RecordID: [Int64]]
    let initialHolding: [HoldingKey: Int]
    let initialCredits: [CreditKey: Int64]

    /// Open leads each candidate holds per pool, counting what this planner handed out.
    public var holding: [HoldingKey: Int] {
        var result = initialHolding
        for (pool, counts) in held {
            for (position, count) in counts.enumerated() { result[HoldingKey(user: candidates[position].userID, pool: pool)] = count }
        }
        return result
    }

    /// The credits after this planner's turns.
    public var credits: [CreditKey: Int64] {
        var result = initialCredits
        for (rule, values) in turns {
            for (position, value) in values.enumerated() { result[CreditKey(rule: rule, user: candidates[position].userID)] = value }
        }
        return result
    }

    /// Credits changed by this planner (to be written back): every member of a team rule it used.
    public var changedCredits: Set<CreditKey> {
        var result: Set<CreditKey> = []
        for (rule, team) in usedTeams {
            for position in teams[team] ?? [] { result.insert(CreditKey(rule: rule, user: candidates[position].userID)) }
        }
        return result
    }
    var usedTeams: [RecordID: RecordID] = [:]

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
        self.pools = pools
        let candidates = users.values.sorted { $0.userID.rawValue < $1.userID.rawValue }
        self.candidates = candidates
        let index = Dictionary(uniqueKeysWithValues: candidates.enumerated().map { ($1.userID, $0) })
        self.index = index
        teams = members.mapValues { ids in ids.compactMap { index[$0] }.sorted() }
        var held: [RecordID: [Int]] = [:]
        for pool in pools.keys { held[pool] = candidates.map { holding[HoldingKey(user: $0.userID, pool: pool), default: 0] } }
        self.held = held
        var turns: [RecordID: [Int64]] = [:]
        for rule in self.rules { turns[rule.id] = candidates.map { credits[CreditKey(rule: rule.id, user: $0.userID), default: 0] } }
        self.turns = turns
        initialHolding = holding
        initialCredits = credits
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
                if let position = index[user], eligible(position, for: lead) {
                    take(position, lead)
                    return .user(user, team: candidates[position].teamID, rule: rule.id)
                }
            case .team(let team, let strategy, let weights):
                var open: [(Int, Int)] = []
                for position in teams[team] ?? [] where eligible(position, for: lead) {
                    let weight = strategy == .weighted ? max(0, weights[candidates[position].level ?? ""] ?? 1) : 1
                    if weight > 0 { open.append((position, weight)) }
                }
                guard !open.isEmpty else { continue }
                let pool = strategy == .leastLoaded ? lightest(open, in: lead.poolID) : open
                let chosen = turn(pool, rule: rule.id)
                usedTeams[rule.id] = team
                take(chosen, lead)
                return .user(candidates[chosen].userID, team: candidates[chosen].teamID, rule: rule.id)
            }
        }
        return .unchanged
    }

    /// Available and below the lead's pool's holding limit for their level.
    func eligible(_ position: Int, for lead: Incoming) -> Bool {
        let candidate = candidates[position]
        guard candidate.available else { return false }
        guard lead.isOpen, let pool = lead.poolID, let limit = pools[pool]?.holdingLimit.limit(for: candidate.level) else { return true }
        return (held[pool]?[position] ?? 0) < limit
    }

    /// Those holding the fewest open leads of the pool.
    func lightest(_ weighted: [(Int, Int)], in pool: RecordID?) -> [(Int, Int)] {
        guard let pool, let counts = held[pool] else { return weighted }
        let least = weighted.map { counts[$0.0] }.min()!
        return weighted.filter { counts[$0.0] == least }
    }

    /// Smooth weighted round robin: each gains its weight, the richest is chosen and pays the
    /// total. Equal weights take plain turns; weights 3:1 give 3:1, evenly interleaved.
    mutating func turn(_ weighted: [(Int, Int)], rule: RecordID) -> Int {
        let total = Int64(weighted.reduce(0) { $0 + $1.1 })
        var credits = turns[rule] ?? [Int64](repeating: 0, count: candidates.count)
        var best = -1
        for (position, weight) in weighted {
            credits[position] += Int64(weight)
            if best < 0 || credits[position] > credits[best] { best = position }
        }
        credits[best] -= total
        turns[rule] = credits
        return best
    }

    mutating func take(_ position: Int, _ lead: Incoming) {
        guard lead.isOpen, let pool = lead.poolID else { return }
        if held[pool] == nil { held[pool] = [Int](repeating: 0, count: candidates.count) }
        held[pool]![position] += 1
    }
}
