import Foundation

/// One change of a lead's owner, kept forever: who had it, who got it, why, and by which rule.
/// Claims per day, cooldowns, turnover metrics and handover reports are read from this log.
public struct LeadAssignment: Sendable, Equatable, OwnershipLogEntry {
    /// The kinds of owner change, shared with customers (``CustomerAssignment``).
    public typealias Kind = OwnershipChange

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

    public var recordID: RecordID { leadID }

    public init(id: RecordID, record: RecordID, kind: Kind, poolID: RecordID?, from: RecordID?, to: RecordID?, ruleID: String?, reason: String?,
                by: RecordID?, at: Date) {
        self.init(id: id, leadID: record, kind: kind, poolID: poolID, from: from, to: to, ruleID: ruleID, reason: reason, by: by, at: at)
    }
}
