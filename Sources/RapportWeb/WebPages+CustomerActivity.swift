import Foundation
import RapportApp
import RapportCore

/// The "log activity" form of a customer's 360 page, as entered (kept when it is refused).
struct CustomerActivityEntry: Sendable {
    var type = "call"
    var direction = ""
    var outcome = ""
    var subject = ""
    var body = ""
    var occurredAt = ""

    init() {}

    init(_ form: WebForm) {
        type = form["type"] ?? "call"
        direction = form["direction"] ?? ""
        outcome = form["outcome"] ?? ""
        subject = form["subject"] ?? ""
        body = form["body"] ?? ""
        occurredAt = form["occurred_at"] ?? ""
    }

    /// The use case's input; a time that is not one answers `validation_failed` naming `occurred_at`.
    func input(customer: String) throws -> ActivityUseCases.NewActivity {
        var when: Date?
        if !occurredAt.isEmpty {
            guard let parsed = Self.localTime(occurredAt) else {
                throw RapportError.validation([FieldError(field: "occurred_at", code: "invalid", message: "occurred_at is not a date and time.")])
            }
            when = parsed
        }
        return ActivityUseCases.NewActivity(customerID: customer, type: type, direction: direction.isEmpty ? nil : direction,
                                            subject: subject.isEmpty ? nil : subject, body: body.isEmpty ? nil : body, occurredAt: when,
                                            outcome: outcome.isEmpty ? nil : outcome)
    }

    /// A `datetime-local` value (`2026-01-05T17:30`, seconds optional) read in the pages' time
    /// zone (China's, as dates are shown).
    static func localTime(_ text: String) -> Date? {
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

/// The "log activity" form as the page shows it: the choices, what was entered, and a refusal
/// in the reader's words.
struct CustomerActivityForm {
    var types: [WebOption]
    var directions: [WebOption]
    var outcomes: [WebOption]
    var subject: String
    var body: String
    var occurredAt: String
    var error: String?
    var details: [String]
    var hasDetails: Bool

    static let outcomeKeys = ["connected", "no_answer", "busy", "wrong_number"]

    init(web: WebContext, entry: CustomerActivityEntry, error: RapportError?, cap: ContactFrequencyCap) {
        types = WebOption.list(Activity.ActivityType.allCases.map { ($0.rawValue, web.text("activity_\($0.rawValue)")) }, chosen: entry.type)
        directions = WebOption.list([("", web.text("direction_default"))] + Activity.Direction.allCases.map { ($0.rawValue, web.text("direction_\($0.rawValue)")) },
                                    chosen: entry.direction)
        outcomes = WebOption.list([("", web.text("outcome_none"))] + Self.outcomeKeys.map { ($0, web.text("outcome_\($0)")) }, chosen: entry.outcome)
        subject = entry.subject
        body = entry.body
        occurredAt = entry.occurredAt
        details = error?.fieldErrors.map { web.fieldError($0, named: web.locale.strings["activity_field_\($0.field)"] ?? $0.field) } ?? []
        hasDetails = !details.isEmpty
        switch (error?.code, error?.extra["reason"]) {
        case (nil, _): self.error = nil
        case (.rateLimited?, _): self.error = web.text("activity_cap_reached", ["limit": String(cap.limit), "days": String(cap.periodDays)])
        case (.conflict?, "do_not_contact"?): self.error = web.text("activity_do_not_contact")
        case (.conflict?, "consent_withdrawn"?): self.error = web.text("activity_consent_withdrawn")
        case (let code?, _): self.error = web.text("error_\(code.rawValue)")
        }
    }
}

extension WebContext {
    /// A field error in the reader's words, naming the field as the page does (the use case's
    /// message when the code has no wording).
    func fieldError(_ error: FieldError, named name: String) -> String {
        locale.strings["field_error_\(error.code)"] == nil ? "\(name): \(error.message)" : text("field_error_\(error.code)", ["field": name])
    }
}
