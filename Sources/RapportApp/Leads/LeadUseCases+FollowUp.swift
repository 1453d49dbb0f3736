import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension LeadUseCases {
    /// What logging a follow-up on a lead takes.
    public struct NewFollowUp: Sendable {
        public var type: String
        /// Default: outbound for touches, internal for notes.
        public var direction: String?
        public var subject: String?
        public var body: String?
        /// Default: now.
        public var occurredAt: Date?
        public var durationSeconds: Int?
        public var outcome: String?

        public init(type: String, direction: String? = nil, subject: String? = nil, body: String? = nil, occurredAt: Date? = nil,
                    durationSeconds: Int? = nil, outcome: String? = nil) {
            self.type = type
            self.direction = direction
            self.subject = subject
            self.body = body
            self.occurredAt = occurredAt
            self.durationSeconds = durationSeconds
            self.outcome = outcome
        }
    }

    /// Logs a call, message, visit or note on a lead the caller may edit. A touch moves the lead's
    /// last follow-up time (what the no-follow-up reclaim rule reads) forward.
    public func logFollowUp(_ id: String, _ input: NewFollowUp, by caller: Caller) async throws -> LeadFollowUp {
        let scope = try await filter(caller, .update)
        let now = rapport.clock.now()
        var check = Validator()
        let fields = ActivityUseCases.validate(.init(type: input.type, direction: input.direction, subject: input.subject, body: input.body,
                                                     occurredAt: input.occurredAt, durationSeconds: input.durationSeconds, outcome: input.outcome),
                                               now: now, check: &check)
        guard let leadID = RecordID(parsing: id, prefix: .lead) else { throw RapportError.notFound("lead") }
        try check.finish()
        guard let type = fields.type else { throw RapportError.validation([FieldError(field: "type", code: "invalid", message: "type is invalid.")]) }
        return try await rapport.transaction { sql in
            guard try await LeadStore(sql).find(leadID, in: scope) != nil else { throw RapportError.notFound("lead") }
            let followUp = LeadFollowUp(id: rapport.ids.next(.activity, at: now), leadID: leadID, type: type, direction: fields.direction,
                                        subject: fields.subject, body: fields.body, occurredAt: fields.occurredAt, durationSeconds: fields.durationSeconds,
                                        outcome: fields.outcome, actorID: caller.actorID, createdAt: now)
            try await LeadStore(sql).insert([followUp])
            return followUp
        }
    }

    /// A lead's follow-ups, newest first; `not_found` outside the caller's scope.
    public func followUps(_ id: String, page: PageRequest, by caller: Caller) async throws -> Page<LeadFollowUp> {
        let lead = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await LeadStore(sql).followUps(of: lead.id, page: page) }
    }
}
