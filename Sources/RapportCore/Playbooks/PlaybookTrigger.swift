import Foundation

/// What starts a playbook run on a record: a lead assigned, a stage entered on any lifecycle
/// object, an order signed, an entitlement about to expire, a date field N days away (before or
/// after), or a tag added. Matching is exact on the trigger's key, so the engine finds the
/// playbooks a change starts with one dictionary lookup (``PlaybookIndex``).
public enum PlaybookTrigger: Sendable, Equatable, Hashable, Codable {
    /// A lead given to a rep (claimed, assigned by a rule, handed over).
    case leadAssigned
    /// A record of `object` entered `stage`.
    case stageEntered(object: DictionaryObject, stage: String)
    /// An order became signed.
    case orderSigned
    /// An entitlement expires in `days` days (its renewal window opens).
    case entitlementExpiring(days: Int)
    /// A date field of a record of `object` is `days` away: negative before it, positive after it
    /// (e.g. −7 = a week before a trial class; +30 = a month after the enrolment date).
    case dateReached(object: DictionaryObject, field: String, days: Int)
    /// A tag added to a record of `object`.
    case tagAdded(object: DictionaryObject, tag: String)

    /// The lookup key: a change and a trigger match when their keys are equal.
    public var key: String {
        switch self {
        case .leadAssigned: "lead.assigned"
        case .stageEntered(let object, let stage): "\(object.rawValue).stage:\(stage)"
        case .orderSigned: "order.signed"
        case .entitlementExpiring(let days): "entitlement.expiring:\(days)"
        case .dateReached(let object, let field, let days): "\(object.rawValue).date:\(field):\(days)"
        case .tagAdded(let object, let tag): "\(object.rawValue).tag:\(tag)"
        }
    }

    /// The kind of record a run of this trigger is on.
    public var object: DictionaryObject {
        switch self {
        case .leadAssigned: .lead
        case .stageEntered(let object, _), .dateReached(let object, _, _), .tagAdded(let object, _): object
        case .orderSigned: .order
        case .entitlementExpiring: .customer
        }
    }
}

/// Something that happened to a record, as the playbook engine sees it. The use cases describe
/// each change they make (in the transaction that makes it); the daily job describes the dates
/// reached and the entitlements about to expire.
public struct RecordChange: Sendable, Equatable {
    /// What happened, in the same terms as ``PlaybookTrigger``.
    public enum Event: Sendable, Equatable {
        case assigned(to: RecordID)
        case stageEntered(String, category: StageCategory)
        case signed
        case expiring(days: Int)
        case dateReached(field: String, days: Int)
        case tagAdded(String)
        /// The record may no longer be contacted (do-not-contact, opted out).
        case doNotContact
    }

    public var object: DictionaryObject
    public var recordID: RecordID
    public var event: Event
    public var at: Date

    public init(object: DictionaryObject, recordID: RecordID, event: Event, at: Date) {
        self.object = object
        self.recordID = recordID
        self.event = event
        self.at = at
    }

    /// The trigger key this change matches (nil: it starts nothing, e.g. do-not-contact).
    public var triggerKey: String? {
        switch event {
        case .assigned: object == .lead ? PlaybookTrigger.leadAssigned.key : nil
        case .stageEntered(let stage, _): PlaybookTrigger.stageEntered(object: object, stage: stage).key
        case .signed: object == .order ? PlaybookTrigger.orderSigned.key : nil
        case .expiring(let days): PlaybookTrigger.entitlementExpiring(days: days).key
        case .dateReached(let field, let days): PlaybookTrigger.dateReached(object: object, field: field, days: days).key
        case .tagAdded(let tag): PlaybookTrigger.tagAdded(object: object, tag: tag).key
        case .doNotContact: nil
        }
    }
}

/// The active playbooks by trigger key: which playbooks a change starts, in one lookup.
public struct PlaybookIndex: Sendable {
    let byKey: [String: [Playbook]]

    public init(_ playbooks: [Playbook]) {
        byKey = Dictionary(grouping: playbooks.filter(\.active), by: \.trigger.key)
    }

    /// The playbooks `change` starts (their current versions), in key order.
    public func triggered(by change: RecordChange) -> [Playbook] {
        guard let key = change.triggerKey else { return [] }
        return byKey[key] ?? []
    }
}
