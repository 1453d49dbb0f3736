import Foundation

/// One change of a lead's owner, kept forever: who had it, who got it, why, and by which rule.
/// Claims per day, cooldowns, turnover metrics and handover reports are read from this log.
public struct LeadAssignment: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A rep took it from a pool.
        case claim
        /// A manager, a pool administrator or a rule gave it to someone.
        case assign
        /// The owner gave it back to the pool.
        case release
        /// The reclaim job returned it to the pool.
        case reclaim
        /// Moved at a handover.
        case handover
        /// Created already owned (by its creator or an owner named on create).
        case create
    }

    public var id: RecordID
    public var leadID: RecordID
    public var kind: Kind
    public var poolID: RecordID?
    public var from: RecordID?
    public var to: RecordID?
    /// The assignment rule that made it, if any.
    public var ruleID: String?
    public var reason: String?
    public var by: RecordID?
    public var at: Date

    public init(id: RecordID, leadID: RecordID, kind: Kind, poolID: RecordID? = nil, from: RecordID? = nil, to: RecordID? = nil,
                ruleID: String? = nil, reason: String? = nil, by: RecordID? = nil, at: Date) {
        self.id = id
        self.leadID = leadID
        self.kind = kind
        self.poolID = poolID
        self.from = from
        self.to = to
        self.ruleID = ruleID
        self.reason = reason
        self.by = by
        self.at = at
    }
}
