import Foundation

/// A playbook's trigger, steps and exits as JSON, the shape the API and the web editor use:
///
/// ```json
/// {"trigger": {"type": "stage_entered", "object": "lead", "stage": "trial_booked"},
///  "steps": [{"title": "Call", "channel": "call", "offset": {"within_minutes": 120}, "script": "您好 {{lead.name}}"},
///            {"title": "WeChat", "channel": "wechat", "offset": {"day": 1, "at": "10:00"}},
///            {"title": "Visit", "channel": "visit", "offset": {"day": 3}}],
///  "exits": ["converted", "lost", "do_not_contact"]}
/// ```
///
/// Reading collects every problem by field (`trigger.type`, `steps[1].offset`) instead of stopping at the first.
public enum PlaybookWire {
    /// The trigger types, as sent.
    public static let triggerTypes = ["lead_assigned", "stage_entered", "order_signed", "entitlement_expiring", "date_reached", "tag_added"]
    /// The objects a stage, date or tag trigger may name.
    public static let objects: [DictionaryObject] = [.lead, .customer, .opportunity, .order]

    // MARK: Reading

    /// The trigger in `value` (field `trigger`), or nil with its problems added to `check`.
    public static func trigger(_ value: JSONValue?, check: inout Validator) -> PlaybookTrigger? {
        guard case .object(let fields)? = value else {
            check.add("trigger", value == nil ? "required" : "type_mismatch", "trigger is an object with a type: \(triggerTypes.joined(separator: ", ")).")
            return nil
        }
        let type = string(fields["type"])
        func object() -> DictionaryObject? {
            guard let name = string(fields["object"]), let object = DictionaryObject(rawValue: name), objects.contains(object) else {
                check.add("trigger.object", "invalid", "trigger.object is one of: \(objects.map(\.rawValue).joined(separator: ", ")).")
                return nil
            }
            return object
        }
        func text(_ key: String) -> String? {
            guard let text = string(fields[key])?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, text.count <= 100 else {
                check.add("trigger.\(key)", "required", "trigger.\(key) is 1 to 100 characters.")
                return nil
            }
            return text
        }
        func days() -> Int? {
            guard case .integer(let days)? = fields["days"], abs(days) <= Int64(StepOffset.maximumDays) else {
                check.add("trigger.days", "out_of_range", "trigger.days is a whole number from −\(StepOffset.maximumDays) to \(StepOffset.maximumDays).")
                return nil
            }
            return Int(days)
        }
        switch type {
        case "lead_assigned": return .leadAssigned
        case "order_signed": return .orderSigned
        case "stage_entered":
            let (object, stage) = (object(), text("stage"))
            guard let object, let stage else { return nil }
            return .stageEntered(object: object, stage: stage)
        case "entitlement_expiring":
            guard let days = days() else { return nil }
            return .entitlementExpiring(days: days)
        case "date_reached":
            let (object, field, days) = (object(), text("field"), days())
            guard let object, let field, let days else { return nil }
            return .dateReached(object: object, field: field, days: days)
        case "tag_added":
            let (object, tag) = (object(), text("tag"))
            guard let object, let tag else { return nil }
            return .tagAdded(object: object, tag: tag)
        default:
            check.add("trigger.type", "invalid", "trigger.type is one of: \(triggerTypes.joined(separator: ", ")).")
            return nil
        }
    }

    /// The steps in `value` (field `steps`); a step with problems is left out and its problems added.
    public static func steps(_ value: JSONValue?, check: inout Validator) -> [PlaybookStep] {
        guard case .array(let items)? = value else {
            check.add("steps", value == nil ? "required" : "type_mismatch", "steps is an array of steps.")
            return []
        }
        var steps: [PlaybookStep] = []
        for (index, item) in items.enumerated() {
            let field = "steps[\(index)]"
            guard case .object(let fields) = item else {
                check.add(field, "type_mismatch", "\(field) is an object with title, channel, offset and script.")
                continue
            }
            let offset = self.offset(fields["offset"], field: "\(field).offset", check: &check)
            guard let title = string(fields["title"]) else {
                check.add("\(field).title", "required", "\(field).title is required.")
                continue
            }
            guard let offset else { continue }
            steps.append(PlaybookStep(title: title, channel: string(fields["channel"]) ?? "call", offset: offset, script: string(fields["script"]) ?? ""))
        }
        return steps
    }

    /// A step's offset: `{"within_minutes": 120}`, `{"day": 1, "at": "10:00"}` or `{"day": 3}`.
    public static func offset(_ value: JSONValue?, field: String, check: inout Validator) -> StepOffset? {
        let message = "\(field) is {\"within_minutes\": n}, {\"day\": n, \"at\": \"hh:mm\"} or {\"day\": n}."
        guard case .object(let fields)? = value else {
            check.add(field, "invalid", message)
            return nil
        }
        if case .integer(let minutes)? = fields["within_minutes"], fields.count == 1 {
            return .within(minutes: Int(clamping: minutes))
        }
        guard case .integer(let day)? = fields["day"] else {
            check.add(field, "invalid", message)
            return nil
        }
        guard let at = fields["at"] else {
            if fields.count == 1 { return .day(Int(clamping: day)) }
            check.add(field, "invalid", message)
            return nil
        }
        guard let time = string(at), let (hour, minute) = clock(time), fields.count == 2 else {
            check.add("\(field).at", "invalid", "\(field).at is a local time hh:mm, e.g. 10:00.")
            return nil
        }
        return .dayAt(day: Int(clamping: day), hour: hour, minute: minute)
    }

    /// The exits in `value` (every exit when absent).
    public static func exits(_ value: JSONValue?, check: inout Validator) -> [PlaybookExit] {
        guard let value, value != .null else { return PlaybookExit.allCases }
        guard case .array(let items) = value else {
            check.add("exits", "type_mismatch", "exits is an array of: \(PlaybookExit.allCases.map(\.rawValue).joined(separator: ", ")).")
            return []
        }
        var exits: [PlaybookExit] = []
        for (index, item) in items.enumerated() {
            guard let name = string(item), let exit = PlaybookExit(rawValue: name) else {
                check.add("exits[\(index)]", "invalid", "An exit is one of: \(PlaybookExit.allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            if !exits.contains(exit) { exits.append(exit) }
        }
        return exits
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    /// `hh:mm` (24-hour) as hour and minute.
    static func clock(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return (hour, minute)
    }

    // MARK: Writing

    /// The trigger as sent.
    public static func json(_ trigger: PlaybookTrigger) -> JSONValue {
        switch trigger {
        case .leadAssigned: .object(["type": .string("lead_assigned")])
        case .orderSigned: .object(["type": .string("order_signed")])
        case .stageEntered(let object, let stage): .object(["type": .string("stage_entered"), "object": .string(object.rawValue), "stage": .string(stage)])
        case .entitlementExpiring(let days): .object(["type": .string("entitlement_expiring"), "days": .integer(Int64(days))])
        case .dateReached(let object, let field, let days):
            .object(["type": .string("date_reached"), "object": .string(object.rawValue), "field": .string(field), "days": .integer(Int64(days))])
        case .tagAdded(let object, let tag): .object(["type": .string("tag_added"), "object": .string(object.rawValue), "tag": .string(tag)])
        }
    }

    /// The offset as sent.
    public static func json(_ offset: StepOffset) -> JSONValue {
        switch offset {
        case .within(let minutes): .object(["within_minutes": .integer(Int64(minutes))])
        case .dayAt(let day, let hour, let minute):
            .object(["day": .integer(Int64(day)), "at": .string(String(format: "%02d:%02d", hour, minute))])
        case .day(let day): .object(["day": .integer(Int64(day))])
        }
    }

    /// A step as sent.
    public static func json(_ step: PlaybookStep) -> JSONValue {
        .object(["title": .string(step.title), "channel": .string(step.channel), "offset": json(step.offset), "script": .string(step.script)])
    }
}
