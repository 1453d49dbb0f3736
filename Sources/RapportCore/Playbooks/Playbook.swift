import Foundation

/// A playbook (SOP): when its trigger fires on a record, a run starts and each step becomes a task
/// for the record's owner, due at its offset, with its script rendered for the rep. A run ends
/// early on an exit condition. Playbooks are versioned: a run keeps the version it started with,
/// so scripts can be compared version against version.
public struct Playbook: Sendable, Equatable, Codable {
    public var id: RecordID
    /// Stable across versions (`trial_follow_up`).
    public var key: String
    public var version: Int
    public var name: String
    public var trigger: PlaybookTrigger
    public var steps: [PlaybookStep]
    public var exits: [PlaybookExit]
    public var active: Bool

    public init(id: RecordID, key: String, version: Int = 1, name: String, trigger: PlaybookTrigger, steps: [PlaybookStep],
                exits: [PlaybookExit] = PlaybookExit.allCases, active: Bool = true) {
        self.id = id
        self.key = key
        self.version = version
        self.name = name
        self.trigger = trigger
        self.steps = steps
        self.exits = exits
        self.active = active
    }

    /// The most steps a playbook has.
    public static let maximumSteps = 50

    /// Everything wrong with the playbook, each problem named by its field; `variables` are those
    /// the trigger's record can give (a script using another is refused).
    public func problems(variables: Set<String>) -> [FieldError] {
        var check = Validator()
        if key.isEmpty || key.count > 64 || !key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
            check.add("key", "invalid", "key is 1 to 64 characters of a-z, 0-9 and _.")
        }
        _ = check.text(name, field: "name", maxLength: 200, allowEmpty: false)
        if steps.isEmpty || steps.count > Self.maximumSteps { check.add("steps", "out_of_range", "A playbook has 1 to \(Self.maximumSteps) steps.") }
        for (index, step) in steps.enumerated() {
            let field = "steps[\(index)]"
            _ = check.text(step.title, field: "\(field).title", maxLength: 200, allowEmpty: false)
            _ = check.text(step.script, field: "\(field).script", maxLength: 4_000, multiline: true)
            if !PlaybookStep.channels.contains(step.channel) {
                check.add("\(field).channel", "invalid", "channel is one of: \(PlaybookStep.channels.sorted().joined(separator: ", ")).")
            }
            if let problem = step.offset.problem(field: "\(field).offset") { check.add(problem.field, problem.code, problem.message) }
            for name in ScriptTemplate(step.script).variables where !variables.contains(name) {
                check.add("\(field).script", "unknown_variable", "{{\(name)}} is not a variable of this playbook's record.")
            }
        }
        switch trigger {
        case .stageEntered(_, let stage) where stage.isEmpty: check.add("trigger.stage", "required", "The trigger needs a stage.")
        case .tagAdded(_, let tag) where tag.isEmpty: check.add("trigger.tag", "required", "The trigger needs a tag.")
        case .dateReached(_, let field, let days) where field.isEmpty || abs(days) > StepOffset.maximumDays:
            check.add("trigger.days", "out_of_range", "The trigger needs a date field and −\(StepOffset.maximumDays) to \(StepOffset.maximumDays) days.")
        case .dateReached(let object, let field, _) where PlaybookDateFields.available(for: object)[field] == nil:
            let fields = PlaybookDateFields.available(for: object).keys.sorted()
            check.add("trigger.field", "invalid", "A \(object.rawValue)'s date fields are: \(fields.joined(separator: ", ")).")
        case .entitlementExpiring(let days) where !(0...StepOffset.maximumDays).contains(days):
            check.add("trigger.days", "out_of_range", "The trigger's days are 0 to \(StepOffset.maximumDays).")
        default: break
        }
        return check.errors
    }
}

/// One step of a playbook: what to do, through which channel, when, and the script to say.
public struct PlaybookStep: Sendable, Equatable, Codable {
    public var title: String
    public var channel: String
    public var offset: StepOffset
    public var script: String

    public init(title: String, channel: String, offset: StepOffset, script: String = "") {
        self.title = title
        self.channel = channel
        self.offset = offset
        self.script = script
    }

    /// The channels a step goes through (the task types).
    public static let channels: Set<String> = ["call", "wechat", "visit", "email", "sms", "other"]
}

/// What ends a run early.
public enum PlaybookExit: String, Sendable, Equatable, Codable, CaseIterable {
    /// The record reached a won stage (a converted lead, a won deal, a paying customer).
    case converted
    /// The record reached a lost stage.
    case lost
    /// The record may no longer be contacted.
    case doNotContact = "do_not_contact"

    /// Whether `change` (on the run's record) is this exit.
    public func matches(_ event: RecordChange.Event) -> Bool {
        switch (self, event) {
        case (.converted, .stageEntered(_, .won)), (.lost, .stageEntered(_, .lost)), (.doNotContact, .doNotContact): true
        default: false
        }
    }
}
