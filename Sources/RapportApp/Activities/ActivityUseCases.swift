import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Activities on the one timeline every role shares, with the contact-frequency cap across reps.
public struct ActivityUseCases: Sendable {
    let rapport: Rapport

    /// What logging an activity takes.
    public struct NewActivity: Sendable {
        public var customerID: String
        public var type: String
        /// Default: outbound for touches, internal for notes.
        public var direction: String?
        public var subject: String?
        public var body: String?
        /// Default: now.
        public var occurredAt: Date?
        public var durationSeconds: Int?
        public var outcome: String?
        public var place: String?
        public var relatedKind: String?
        public var relatedID: String?

        public init(customerID: String, type: String, direction: String? = nil, subject: String? = nil, body: String? = nil,
                    occurredAt: Date? = nil, durationSeconds: Int? = nil, outcome: String? = nil, place: String? = nil,
                    relatedKind: String? = nil, relatedID: String? = nil) {
            self.customerID = customerID
            self.type = type
            self.direction = direction
            self.subject = subject
            self.body = body
            self.occurredAt = occurredAt
            self.durationSeconds = durationSeconds
            self.outcome = outcome
            self.place = place
            self.relatedKind = relatedKind
            self.relatedID = relatedID
        }
    }

    /// A logged activity and where the customer stands against the frequency cap.
    public struct Logged: Sendable {
        public var activity: Activity
        /// Outbound touches in the cap's window, including this one when it is outbound.
        public var outboundInWindow: Int
        public var cap: ContactFrequencyCap
    }

    func customerScope(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .customer, anchor: .owner(column: "owner_id"), table: "customers")
    }

    /// Logs an activity on a customer the caller may see. An outbound touch past the cap is
    /// refused (`rate_limited`) in block mode, or logged with a warning in warn mode; a customer
    /// marked do-not-contact takes no outbound touches at all.
    public func log(_ input: NewActivity, by caller: Caller) async throws -> Logged {
        // Logging is a change to the customer's record: the caller needs edit access to it.
        let scope = try await customerScope(caller, .update)
        let now = rapport.clock.now()
        var check = Validator()
        let fields = Self.validate(Fields(type: input.type, direction: input.direction, subject: input.subject, body: input.body, occurredAt: input.occurredAt,
                                          durationSeconds: input.durationSeconds, outcome: input.outcome, place: input.place), now: now, check: &check)
        let (type, direction, subject, body, occurredAt, outcome, place) = (fields.type, fields.direction, fields.subject, fields.body, fields.occurredAt, fields.outcome, fields.place)
        if (input.relatedKind == nil) != (input.relatedID == nil) {
            check.add("related_id", "invalid", "related_kind and related_id go together.")
        }
        let relatedKind = input.relatedKind.map { check.text($0, field: "related_kind", maxLength: 32) }
        let relatedID = input.relatedID.map { check.text($0, field: "related_id", maxLength: 64) }
        guard let customerID = RecordID(parsing: input.customerID, prefix: .customer) else {
            check.add("customer_id", "invalid", "customer_id is not a customer id.")
            try check.finish()
            throw RapportError.notFound("customer")
        }
        try check.finish()

        return try await rapport.transaction { sql in
            guard let customer = try await CustomerStore(sql).find(customerID, in: scope) else { throw RapportError.notFound("customer") }
            if direction == .outbound, customer.doNotContact {
                throw RapportError(.conflict, "This customer asked not to be contacted.", extra: ["reason": "do_not_contact"])
            }
            if direction == .outbound, let channel = Self.consentChannel(type!),
               customer.consents.contains(where: { $0.channel == channel && $0.purpose == .sales && $0.status == .withdrawn }) {
                throw RapportError(.conflict, "This customer withdrew consent to sales contact by \(channel.rawValue).",
                                   extra: ["reason": "consent_withdrawn"])
            }
            let cap = try await CustomerSettings.load(sql).frequencyCap
            // Serialise touches of one customer so concurrent reps cannot both slip under the cap.
            try await sql.lockKeys(["touch:\(customerID.rawValue)"])
            let counted = try await ActivityStore(sql).outboundCount(customer: customerID, after: cap.windowStart(for: occurredAt), upTo: occurredAt)
            let decision = cap.decide(direction, outboundInWindow: counted)
            if case .block(let count) = decision {
                // The next touch fits once the oldest touch in the window leaves it.
                let oldest = try await ActivityStore(sql).oldestOutbound(customer: customerID, after: cap.windowStart(for: occurredAt), upTo: occurredAt)
                let retry = oldest.map { max(1, Int(($0.addingTimeInterval(Double(cap.periodDays) * 86_400).timeIntervalSince(occurredAt)).rounded(.up))) }
                throw RapportError(.rateLimited, "This customer has had \(count - 1) outbound touches in \(cap.periodDays) days (the limit is \(cap.limit)).",
                                   retryAfterSeconds: retry, extra: ["reason": "contact_frequency_cap"])
            }
            var warned = false
            if case .warn = decision { warned = true }
            let activity = Activity(
                id: rapport.ids.next(.activity, at: now), customerID: customerID, type: type!, direction: direction, subject: subject,
                body: body, occurredAt: occurredAt, durationSeconds: fields.durationSeconds, outcome: outcome, place: place,
                relatedKind: relatedKind, relatedID: relatedID, actorID: caller.actorID, capWarning: warned, createdAt: now)
            try await ActivityStore(sql).insert([activity])
            if direction != .internal { try await CustomerStore(sql).touch(customerID, at: occurredAt) }
            return Logged(activity: activity, outboundInWindow: counted + (direction == .outbound ? 1 : 0), cap: cap)
        }
    }

    /// The consent channel an outbound touch of this type uses.
    static func consentChannel(_ type: Activity.ActivityType) -> Consent.Channel? {
        switch type {
        case .call: .phone
        case .sms: .sms
        case .wechat: .wechat
        case .email: .email
        case .visit, .meeting: .visit
        case .note: nil
        }
    }

    /// One activity, if its customer is within the caller's scope.
    public func get(_ id: String, by caller: Caller) async throws -> Activity {
        let scope = try await customerScope(caller, .read)
        guard let id = RecordID(parsing: id, prefix: .activity),
              let activity = try await rapport.database.read({ sql in try await ActivityStore(sql).find(id, customersIn: scope) })
        else { throw RapportError.notFound("activity") }
        return activity
    }

    /// Activities of customers within scope, newest first; with a customer, that customer's timeline.
    public func list(customer: String?, actor: String?, type: String?, page: PageRequest, by caller: Caller) async throws -> Page<Activity> {
        let scope = try await customerScope(caller, .read)
        var filter = ActivityStore.ListFilter()
        var check = Validator()
        if let customer {
            filter.customerID = RecordID(parsing: customer, prefix: .customer)
            if filter.customerID == nil { check.add("customer_id", "invalid", "customer_id is not a customer id.") }
        }
        if let actor {
            filter.actorID = RecordID(parsing: actor, prefix: .user)
            if filter.actorID == nil { check.add("actor_id", "invalid", "actor_id is not a user id.") }
        }
        if let type {
            filter.type = Activity.ActivityType(rawValue: type)
            if filter.type == nil { check.add("type", "invalid", "type is not an activity type.") }
        }
        try check.finish()
        return try await rapport.database.read { sql in try await ActivityStore(sql).list(filter, page: page, customersIn: scope) }
    }

    /// One customer's timeline: `not_found` when the customer is outside the caller's scope.
    public func timeline(_ customer: String, page: PageRequest, by caller: Caller) async throws -> Page<Activity> {
        let scope = try await customerScope(caller, .read)
        guard let id = RecordID(parsing: customer, prefix: .customer) else { throw RapportError.notFound("customer") }
        return try await rapport.database.read { sql in
            guard try await CustomerStore(sql).visible([id], in: scope).contains(id) else { throw RapportError.notFound("customer") }
            return try await ActivityStore(sql).list(ActivityStore.ListFilter(customerID: id), page: page, customersIn: scope)
        }
    }
}
