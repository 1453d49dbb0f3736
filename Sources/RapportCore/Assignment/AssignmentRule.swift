import Foundation

/// One ordered rule that routes an incoming lead: when every condition holds, the lead goes to
/// the rule's target — a pool, a user, or a team whose reps share leads by a strategy.
public struct AssignmentRule: Sendable, Equatable {
    public var id: RecordID
    public var name: String
    /// Rules are tried in ascending position (then by id); the first that can place a lead wins.
    public var position: Int
    public var active: Bool
    /// All must hold; none = every lead.
    public var conditions: [AssignmentCondition]
    public var target: AssignmentTarget
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, name: String, position: Int, active: Bool = true, conditions: [AssignmentCondition] = [],
                target: AssignmentTarget, version: Int64 = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.position = position
        self.active = active
        self.conditions = conditions
        self.target = target
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether every condition holds for `facts`.
    public func matches(_ facts: AssignmentFacts) -> Bool {
        conditions.allSatisfy { $0.holds(for: facts) }
    }

    /// The most rules a company keeps (they are all evaluated for every incoming lead).
    public static let maximumCount = 500
    /// The most conditions one rule has.
    public static let maximumConditions = 20
}

/// How a team's reps share the leads a rule sends to the team.
public enum AssignmentStrategy: String, Sendable, Codable, CaseIterable {
    /// In turn, one each.
    case roundRobin = "round_robin"
    /// In turn, in proportion to each rep's level weight (a senior with weight 3 gets three leads
    /// for a junior's one).
    case weighted
    /// To the rep holding the fewest open leads of the lead's pool; ties in turn.
    case leastLoaded = "least_loaded"
}

/// Where a rule sends a lead.
public enum AssignmentTarget: Sendable, Equatable {
    /// Into a lead pool, unowned, for its members to claim.
    case pool(RecordID)
    /// To one user.
    case user(RecordID)
    /// To the active reps of a team and its sub-teams, by a strategy; `weights` by rep level
    /// (a level not named weighs 1) count for ``AssignmentStrategy/weighted``.
    case team(RecordID, strategy: AssignmentStrategy, weights: [String: Int])
}

extension AssignmentTarget: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, poolID = "pool_id", userID = "user_id", teamID = "team_id", strategy, weights
    }

    enum Kind: String, Codable {
        case pool, user, team
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func id(_ key: CodingKeys, _ prefix: IDPrefix) throws -> RecordID {
            let text = try container.decode(String.self, forKey: key)
            guard let id = RecordID(parsing: text, prefix: prefix) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(key.rawValue) is not a valid id.")
            }
            return id
        }
        switch try container.decode(Kind.self, forKey: .kind) {
        case .pool: self = .pool(try id(.poolID, .pool))
        case .user: self = .user(try id(.userID, .user))
        case .team:
            self = .team(try id(.teamID, .team), strategy: try container.decodeIfPresent(AssignmentStrategy.self, forKey: .strategy) ?? .roundRobin,
                         weights: try container.decodeIfPresent([String: Int].self, forKey: .weights) ?? [:])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .pool(let id):
            try container.encode(Kind.pool, forKey: .kind)
            try container.encode(id.rawValue, forKey: .poolID)
        case .user(let id):
            try container.encode(Kind.user, forKey: .kind)
            try container.encode(id.rawValue, forKey: .userID)
        case .team(let id, let strategy, let weights):
            try container.encode(Kind.team, forKey: .kind)
            try container.encode(id.rawValue, forKey: .teamID)
            try container.encode(strategy, forKey: .strategy)
            try container.encode(weights, forKey: .weights)
        }
    }

    /// Every problem with the target's shape (ids are checked against the database elsewhere).
    public func validate() -> [FieldError] {
        guard case .team(_, _, let weights) = self else { return [] }
        return weights.keys.sorted().compactMap { level in
            if !RepLevel.isValidKey(level) {
                return FieldError(field: "target.weights.\(level)", code: "invalid", message: "Weights are keyed by rep level.")
            }
            if let weight = weights[level], !(0...100).contains(weight) {
                return FieldError(field: "target.weights.\(level)", code: "out_of_range", message: "A weight is between 0 (never) and 100.")
            }
            return nil
        }
    }
}

extension IDPrefix {
    public static let assignmentRule = IDPrefix(rawValue: "arule")
}
