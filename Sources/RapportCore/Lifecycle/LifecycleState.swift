import Foundation

/// Where a record is in its stage machine: the stage and when it entered it. JSON: `{"stage", "entered_at"}`.
public struct LifecycleState: Sendable, Codable, Equatable {
    /// The key of the current stage.
    public var stage: String
    /// When the record entered the current stage.
    public var enteredAt: Date

    public init(stage: String, enteredAt: Date) {
        self.stage = stage
        self.enteredAt = enteredAt
    }

    enum CodingKeys: String, CodingKey {
        case stage
        case enteredAt = "entered_at"
    }
}

/// One recorded stage change: from, to, when, who and why. The history of a record is the list of its
/// changes in time order, starting with its creation (`from` nil).
public struct StageChange: Sendable, Codable, Equatable {
    /// The stage left, nil at creation.
    public var from: String?
    /// The stage entered.
    public var to: String
    /// When the change happened.
    public var at: Date
    /// The user who made the change, nil for the system (rules, imports).
    public var by: RecordID?
    /// Why, in the user's words.
    public var reason: String?

    public init(from: String?, to: String, at: Date, by: RecordID? = nil, reason: String? = nil) {
        self.from = from
        self.to = to
        self.at = at
        self.by = by
        self.reason = reason
    }
}

/// What happens to a record's stage.
public enum LifecycleEvent: Sendable, Equatable {
    /// The record is created in `stage` (nil: the dictionary's initial stage). Any stage that is not
    /// archived may be named; its guards apply.
    case create(stage: String?, at: Date, by: RecordID?)
    /// The record moves to another stage along an allowed transition; the target's guards apply.
    case move(to: String, at: Date, by: RecordID?, reason: String?)
}

/// What a transition asks the application to do or to know, in this order: the change to record,
/// then the category entered, then closing or re-opening, lifecycle progress, and the SLA deadline.
public enum LifecycleEffect: Sendable, Equatable {
    /// Record this change in the stage history (always the first effect).
    case recordChange(StageChange)
    /// The record entered a stage of this category (on every entry).
    case enteredCategory(StageCategory, stage: String)
    /// The record entered a won or lost stage from a stage that is not closed (or was created closed).
    case closed(StageCategory)
    /// The record moved from a closed stage to an open one.
    case reopened(from: String, to: String)
    /// The generic lifecycle moved forward: the entered stage maps to a later generic stage than the
    /// stage left (or the stage left maps to none, as at creation).
    case lifecycleAdvanced(from: GenericLifecycle?, to: GenericLifecycle)
    /// The entered stage has an SLA: the record is expected to leave it by `at`.
    case slaDue(stage: String, at: Date)
}

/// The result of applying an event: the new state and the effects, in order.
public struct LifecycleTransition: Sendable, Equatable {
    public var state: LifecycleState
    public var effects: [LifecycleEffect]

    public init(state: LifecycleState, effects: [LifecycleEffect]) {
        self.state = state
        self.effects = effects
    }

    /// The stage change to record (the first effect).
    public var change: StageChange? {
        guard case .recordChange(let change)? = effects.first else { return nil }
        return change
    }
}
