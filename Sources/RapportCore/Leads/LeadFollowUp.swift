import Foundation

/// A touch or note logged on a lead before it becomes a customer: a call, a message, a visit.
/// Touches keep the lead's last follow-up time (what "no follow-up for N days" reclaims on); at
/// conversion every follow-up joins the customer's timeline.
public struct LeadFollowUp: Sendable, Equatable {
    public var id: RecordID
    public var leadID: RecordID
    public var type: Activity.ActivityType
    public var direction: Activity.Direction
    public var subject: String?
    public var body: String?
    public var occurredAt: Date
    public var durationSeconds: Int64?
    public var outcome: String?
    public var actorID: RecordID?
    public var createdAt: Date

    public init(id: RecordID, leadID: RecordID, type: Activity.ActivityType, direction: Activity.Direction, subject: String? = nil, body: String? = nil,
                occurredAt: Date, durationSeconds: Int64? = nil, outcome: String? = nil, actorID: RecordID?, createdAt: Date) {
        self.id = id
        self.leadID = leadID
        self.type = type
        self.direction = direction
        self.subject = subject
        self.body = body
        self.occurredAt = occurredAt
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.actorID = actorID
        self.createdAt = createdAt
    }

    /// The same touch on a customer's timeline, related to the lead it was logged on.
    public func activity(on customer: RecordID, id: RecordID) -> Activity {
        Activity(id: id, customerID: customer, type: type, direction: direction, subject: subject, body: body, occurredAt: occurredAt,
                 durationSeconds: durationSeconds, outcome: outcome, relatedKind: "lead", relatedID: leadID.rawValue, actorID: actorID,
                 createdAt: createdAt)
    }
}
