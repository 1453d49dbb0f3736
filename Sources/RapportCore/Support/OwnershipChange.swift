import Foundation

/// Why a record (a lead, a customer, later other owned records) changed owner. One vocabulary for
/// every kind of record, so turnover metrics and handover reports read every log alike.
public enum OwnershipChange: String, Sendable, Codable, CaseIterable {
    /// A rep took it from a pool.
    case claim
    /// A manager, a pool administrator or a rule gave it to someone.
    case assign
    /// The owner gave it back to the pool.
    case release
    /// The reclaim job returned it to the pool.
    case reclaim
    /// Moved at a handover (离职交接).
    case handover
    /// Created already owned (by its creator or an owner named on create).
    case create
}

/// One entry of an owner-change log (`lead_assignments`, `customer_assignments`): who had the
/// record, who got it, why, by which rule, by whom and when. Kept forever.
public protocol OwnershipLogEntry: Sendable {
    var id: RecordID { get }
    /// The record whose owner changed.
    var recordID: RecordID { get }
    var kind: OwnershipChange { get }
    var poolID: RecordID? { get }
    var from: RecordID? { get }
    var to: RecordID? { get }
    /// The assignment rule that made it, if any.
    var ruleID: String? { get }
    var reason: String? { get }
    var by: RecordID? { get }
    var at: Date { get }

    init(id: RecordID, record: RecordID, kind: OwnershipChange, poolID: RecordID?, from: RecordID?, to: RecordID?, ruleID: String?,
         reason: String?, by: RecordID?, at: Date)
}
