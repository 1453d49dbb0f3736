import Foundation

/// One change of a customer's owner, kept forever in `customer_assignments`: handovers today,
/// customer pools (claims, releases, reclaims) later — the same kinds as a lead's log.
public struct CustomerAssignment: Sendable, Equatable, OwnershipLogEntry {
    public typealias Kind = OwnershipChange

    public var id: RecordID
    public var customerID: RecordID
    public var kind: Kind
    public var poolID: RecordID?
    public var from: RecordID?
    public var to: RecordID?
    public var ruleID: String?
    public var reason: String?
    public var by: RecordID?
    public var at: Date

    public var recordID: RecordID { customerID }

    public init(id: RecordID, record: RecordID, kind: Kind, poolID: RecordID? = nil, from: RecordID? = nil, to: RecordID? = nil,
                ruleID: String? = nil, reason: String? = nil, by: RecordID? = nil, at: Date) {
        (self.id, customerID, self.kind, self.poolID, self.from, self.to) = (id, record, kind, poolID, from, to)
        (self.ruleID, self.reason, self.by, self.at) = (ruleID, reason, by, at)
    }
}

extension IDPrefix {
    /// Entries of the customer owner-change log.
    public static let customerAssignment = IDPrefix(rawValue: "casg")
}
