import Foundation
import RapportCore

extension ActivityUseCases {
    /// The fields of a touch or note as sent, shared by customer activities and lead follow-ups.
    struct Fields {
        var type: String
        var direction: String?
        var subject: String?
        var body: String?
        var occurredAt: Date?
        var durationSeconds: Int?
        var outcome: String?
        var place: String?
    }

    /// The fields checked and normalised (errors go to `check`; `type` is nil when invalid).
    struct Checked {
        var type: Activity.ActivityType?
        var direction: Activity.Direction
        var subject: String?
        var body: String?
        var occurredAt: Date
        var durationSeconds: Int64?
        var outcome: String?
        var place: String?
    }

    /// Checks a touch or note: the type and a direction that suits it (outbound by default for
    /// touches, internal for notes), lengths, a duration only for calls, meetings and visits, a
    /// place only for visits and meetings, and a time neither in the future nor over five years ago.
    static func validate(_ input: Fields, now: Date, check: inout Validator) -> Checked {
        let type = Activity.ActivityType(rawValue: input.type)
        if type == nil { check.add("type", "invalid", "type must be one of: \(Activity.ActivityType.allCases.map(\.rawValue).joined(separator: ", ")).") }
        var direction: Activity.Direction = type?.isTouch == false ? .internal : .outbound
        if let text = input.direction {
            if let parsed = Activity.Direction(rawValue: text) { direction = parsed } else {
                check.add("direction", "invalid", "direction must be outbound, inbound or internal.")
            }
        }
        if type == .note, direction != .internal { check.add("direction", "invalid", "A note is internal.") }
        if let type, type.isTouch, direction == .internal { check.add("direction", "invalid", "A \(type.rawValue) is outbound or inbound.") }
        let subject = input.subject.map { check.text($0, field: "subject", maxLength: 200) }.flatMap { $0.isEmpty ? nil : $0 }
        let body = input.body.map { check.text($0, field: "body", maxLength: 10_000, multiline: true) }.flatMap { $0.isEmpty ? nil : $0 }
        let outcome = input.outcome.map { check.text($0, field: "outcome", maxLength: 64) }.flatMap { $0.isEmpty ? nil : $0 }
        let place = input.place.map { check.text($0, field: "place", maxLength: 300) }.flatMap { $0.isEmpty ? nil : $0 }
        if let duration = input.durationSeconds, !(0...86_400).contains(duration) {
            check.add("duration_seconds", "out_of_range", "duration_seconds must be from 0 to 86400.")
        }
        if input.durationSeconds != nil, type != .call, type != .meeting, type != .visit {
            check.add("duration_seconds", "invalid", "duration_seconds is for calls, meetings and visits.")
        }
        if input.place != nil, type != .visit, type != .meeting { check.add("place", "invalid", "place is for visits and meetings.") }
        let occurredAt = input.occurredAt ?? now
        if occurredAt > now.addingTimeInterval(300) { check.add("occurred_at", "invalid", "occurred_at must not be in the future.") }
        if occurredAt < now.addingTimeInterval(-5 * 365 * 86_400) { check.add("occurred_at", "out_of_range", "occurred_at is more than five years ago.") }
        return Checked(type: type, direction: direction, subject: subject, body: body, occurredAt: occurredAt,
                       durationSeconds: input.durationSeconds.map(Int64.init), outcome: outcome, place: place)
    }
}
