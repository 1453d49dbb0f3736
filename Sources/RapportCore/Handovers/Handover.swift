import Foundation

/// The kinds of record a handover (离职交接) moves. Each kind is moved as a whole to one target;
/// later kinds (open tasks, playbook runs) are added here and in the use case's one switch over
/// kinds. Opportunities move while open; won and lost ones stay with the departing user, who
/// closed them. Open tasks move too: a task about a record the handover moves follows that record
/// to its new owner; the others go to the tasks' own target (never a pool).
public enum HandoverKind: String, Sendable, Codable, CaseIterable, Comparable {
    case leads
    case customers
    case opportunities
    case tasks

    /// The lifecycle object whose playbook runs follow the records (nil: tasks, which have none).
    public var playbookObject: DictionaryObject? {
        switch self {
        case .leads: .lead
        case .customers: .customer
        case .opportunities: .opportunity
        case .tasks: nil
        }
    }

    /// The object kind of the records (`handover_items.object_kind`).
    public var objectKind: ObjectKind {
        switch self {
        case .leads: .lead
        case .customers: .customer
        case .opportunities: .opportunity
        case .tasks: .task
        }
    }

    public init?(objectKind: ObjectKind) {
        guard let kind = Self.allCases.first(where: { $0.objectKind == objectKind }) else { return nil }
        self = kind
    }

    public static func < (lhs: HandoverKind, rhs: HandoverKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where one kind of a departing user's records goes.
public enum HandoverTarget: Sendable, Equatable {
    /// Round-robin over these users, in this order.
    case users([RecordID])
    /// Round-robin over the team's active members (sub-teams included), ordered by id.
    case team(RecordID)
    /// Back to a pool, owned by nobody.
    case pool(RecordID)

    /// `users`, `team` or `pool`, as the API names it.
    public var name: String {
        switch self {
        case .users: "users"
        case .team: "team"
        case .pool: "pool"
        }
    }
}

/// A finished handover: whose records, by whom, why, when, and what moved where.
public struct Handover: Sendable, Equatable {
    public var id: RecordID
    /// The departing user (frozen by the handover).
    public var userID: RecordID
    public var byUserID: RecordID?
    public var reason: String
    public var at: Date
    public var summary: HandoverSummary

    public init(id: RecordID, userID: RecordID, byUserID: RecordID?, reason: String, at: Date, summary: HandoverSummary) {
        self.id = id
        self.userID = userID
        self.byUserID = byUserID
        self.reason = reason
        self.at = at
        self.summary = summary
    }
}

/// What a handover did, kept with it as JSON: per kind, where the records went and how many.
public struct HandoverSummary: Sendable, Equatable, Codable {
    /// Per kind (`leads`, `customers`, `opportunities`): every kind is reported, moved or not.
    public var kinds: [String: KindSummary]
    /// Tokens and sessions of the departing user the handover revoked.
    public var revokedCredentials: Int

    public init(kinds: [String: KindSummary] = [:], revokedCredentials: Int = 0) {
        self.kinds = kinds
        self.revokedCredentials = revokedCredentials
    }

    enum CodingKeys: String, CodingKey {
        case kinds
        case revokedCredentials = "revoked_credentials"
    }

    /// One kind's outcome.
    public struct KindSummary: Sendable, Equatable, Codable {
        /// `users`, `team`, `pool`, or `none` (the kind was not moved).
        public var to: String
        public var teamID: RecordID?
        public var poolID: RecordID?
        /// Records moved.
        public var moved: Int
        /// Records left with the departing user because the kind was not moved.
        public var kept: Int
        /// Records never moved by a handover (customers merged into others, won or lost opportunities).
        public var skipped: Int
        /// Per recipient, in round-robin order: how many each received.
        public var recipients: [Share]

        public init(to: String, teamID: RecordID? = nil, poolID: RecordID? = nil, moved: Int = 0, kept: Int = 0, skipped: Int = 0, recipients: [Share] = []) {
            self.to = to
            self.teamID = teamID
            self.poolID = poolID
            self.moved = moved
            self.kept = kept
            self.skipped = skipped
            self.recipients = recipients
        }

        enum CodingKeys: String, CodingKey {
            case to, moved, kept, skipped, recipients
            case teamID = "team_id", poolID = "pool_id"
        }
    }

    /// How many records one recipient received.
    public struct Share: Sendable, Equatable, Codable {
        public var userID: RecordID
        public var count: Int

        public init(userID: RecordID, count: Int) {
            self.userID = userID
            self.count = count
        }

        enum CodingKeys: String, CodingKey {
            case count
            case userID = "user_id"
        }
    }
}

/// One record a handover moved: the report's pages (`handover_items`).
public struct HandoverItem: Sendable, Equatable {
    public var handoverID: RecordID
    public var objectKind: ObjectKind
    public var objectID: RecordID
    public var from: RecordID?
    /// The recipient; nil when the record went to a pool.
    public var to: RecordID?
    public var poolID: RecordID?

    public init(handoverID: RecordID, objectKind: ObjectKind, objectID: RecordID, from: RecordID?, to: RecordID?, poolID: RecordID?) {
        self.handoverID = handoverID
        self.objectKind = objectKind
        self.objectID = objectID
        self.from = from
        self.to = to
        self.poolID = poolID
    }
}

extension IDPrefix {
    public static let handover = IDPrefix(rawValue: "hnd")
}

extension ObjectKind {
    public static let handover = ObjectKind(rawValue: "handover")
}
