import Foundation

/// A pool (公海 / 线索池): records nobody owns, waiting to be claimed by the reps of its member
/// teams or handed out by its administrators, with the rules that keep leads turning over.
public struct Pool: Sendable, Equatable {
    /// What a pool holds.
    public enum Object: String, Sendable, Codable, CaseIterable {
        case lead, customer
    }

    public var id: RecordID
    /// A short unique key (`default`, `east-leads`).
    public var key: String
    public var name: String
    public var object: Object
    /// Reps of these teams (and their sub-teams) may claim from the pool; empty means every team.
    public var memberTeamIDs: [RecordID]
    /// Users who may assign from the pool besides managers and administrators.
    public var adminIDs: [RecordID]
    public var rules: PoolRules
    public var archived: Bool
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, key: String, name: String, object: Object, memberTeamIDs: [RecordID] = [], adminIDs: [RecordID] = [],
                rules: PoolRules = PoolRules(), archived: Bool = false, version: Int64 = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.key = key
        self.name = name
        self.object = object
        self.memberTeamIDs = memberTeamIDs
        self.adminIDs = adminIDs
        self.rules = rules
        self.archived = archived
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether a rep of the team at `teamPath` (`/root/…/team/`) is a member.
    public func admits(teamPath: String?) -> Bool {
        guard !memberTeamIDs.isEmpty else { return true }
        guard let teamPath else { return false }
        return memberTeamIDs.contains { teamPath.contains("/" + $0.rawValue + "/") }
    }
}

/// A limit that depends on the rep's level (`junior`, `senior`…), with a default for other levels.
/// Nil means no limit.
public struct LevelLimits: Sendable, Equatable, Codable {
    public var standard: Int?
    public var byLevel: [String: Int]

    public init(_ standard: Int?, byLevel: [String: Int] = [:]) {
        self.standard = standard
        self.byLevel = byLevel
    }

    enum CodingKeys: String, CodingKey {
        case standard = "default"
        case byLevel = "by_level"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        standard = try container.decodeIfPresent(Int.self, forKey: .standard)
        byLevel = try container.decodeIfPresent([String: Int].self, forKey: .byLevel) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(standard, forKey: .standard)
        try container.encode(byLevel, forKey: .byLevel)
    }

    /// The limit for a rep of `level`.
    public func limit(for level: String?) -> Int? {
        if let level, let specific = byLevel[level] { return specific }
        return standard
    }
}

/// When records go back to the pool by themselves (回收), evaluated nightly.
public struct ReclaimRules: Sendable, Equatable, Codable {
    /// No touch (activity) by anyone for this many days.
    public var noFollowUpDays: Int?
    /// No stage change for this many days.
    public var noProgressDays: Int?
    /// Not converted this many days after the owner received it.
    public var notConvertedDays: Int?
    /// The owner's account is disabled or frozen.
    public var ownerDisabled: Bool
    /// Warn the owner this many days before a reclaim.
    public var warningDays: Int

    public init(noFollowUpDays: Int? = nil, noProgressDays: Int? = nil, notConvertedDays: Int? = nil, ownerDisabled: Bool = true, warningDays: Int = 2) {
        self.noFollowUpDays = noFollowUpDays
        self.noProgressDays = noProgressDays
        self.notConvertedDays = notConvertedDays
        self.ownerDisabled = ownerDisabled
        self.warningDays = warningDays
    }

    enum CodingKeys: String, CodingKey {
        case noFollowUpDays = "no_follow_up_days", noProgressDays = "no_progress_days", notConvertedDays = "not_converted_days"
        case ownerDisabled = "owner_disabled", warningDays = "warning_days"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        noFollowUpDays = try container.decodeIfPresent(Int.self, forKey: .noFollowUpDays)
        noProgressDays = try container.decodeIfPresent(Int.self, forKey: .noProgressDays)
        notConvertedDays = try container.decodeIfPresent(Int.self, forKey: .notConvertedDays)
        ownerDisabled = try container.decodeIfPresent(Bool.self, forKey: .ownerDisabled) ?? true
        warningDays = try container.decodeIfPresent(Int.self, forKey: .warningDays) ?? 2
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(noFollowUpDays, forKey: .noFollowUpDays)
        try container.encode(noProgressDays, forKey: .noProgressDays)
        try container.encode(notConvertedDays, forKey: .notConvertedDays)
        try container.encode(ownerDisabled, forKey: .ownerDisabled)
        try container.encode(warningDays, forKey: .warningDays)
    }
}
