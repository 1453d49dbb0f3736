import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// A contact point as the API shows it: masked unless it comes from a reveal.
public struct ContactDTO: Encodable, Sendable {
    public var id: String
    public var kind: String
    public var value: String
    @Nullable public var label: String?
    public var primary: Bool
    public var masked: Bool

    init(_ contact: ContactPoint, masked: Bool) {
        id = contact.id.rawValue
        kind = contact.kind.rawValue
        value = contact.value
        label = contact.label
        primary = contact.isPrimary
        self.masked = masked && contact.kind.isSensitive
    }
}

public struct ConsentDTO: Encodable, Sendable {
    public var channel: String
    public var purpose: String
    public var status: String
    @Nullable public var source: String?
    public var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case channel, purpose, status, source
        case recordedAt = "recorded_at"
    }

    init(_ consent: Consent) {
        channel = consent.channel.rawValue
        purpose = consent.purpose.rawValue
        status = consent.status.rawValue
        source = consent.source
        recordedAt = consent.recordedAt
    }
}

/// A customer as the API shows it. Contact details and the ID number are always masked here
/// (the use cases hand out masked values only); `POST /customers/{id}/reveal` shows them.
public struct CustomerDTO: Encodable, Sendable {
    public var id: String
    public var kind: String
    public var name: String
    @Nullable public var company: String?
    @Nullable public var title: String?
    @Nullable public var ownerId: String?
    @Nullable public var teamId: String?
    @Nullable public var source: String?
    public var stage: String
    public var stageEnteredAt: Date
    @Nullable public var lifecycle: String?
    @Nullable public var valueTier: String?
    @Nullable public var score: Int64?
    public var doNotContact: Bool
    @Nullable public var doNotContactReason: String?
    @Nullable public var idNumber: String?
    @Nullable public var externalRef: String?
    public var customFields: [String: JSONValue]
    public var contacts: [ContactDTO]
    public var tags: [String]
    public var consents: [ConsentDTO]
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, name, company, title, source, stage, lifecycle, score, contacts, tags, consents, version
        case ownerId = "owner_id", teamId = "team_id", stageEnteredAt = "stage_entered_at", valueTier = "value_tier"
        case doNotContact = "do_not_contact", doNotContactReason = "do_not_contact_reason", idNumber = "id_number", externalRef = "external_ref"
        case customFields = "custom_fields", createdAt = "created_at", updatedAt = "updated_at"
    }

    /// `customer` must already be masked (every use case returns masked customers).
    public init(_ customer: Customer) {
        id = customer.id.rawValue
        kind = customer.kind.rawValue
        name = customer.name
        company = customer.company
        title = customer.title
        ownerId = customer.ownerID?.rawValue
        teamId = customer.teamID?.rawValue
        source = customer.source
        stage = customer.stage
        stageEnteredAt = customer.stageEnteredAt
        lifecycle = customer.lifecycle?.rawValue
        valueTier = customer.valueTier
        score = customer.score
        doNotContact = customer.doNotContact
        doNotContactReason = customer.doNotContactReason
        idNumber = customer.idNumber
        externalRef = customer.externalRef
        customFields = customer.customFields
        contacts = customer.contacts.map { ContactDTO($0, masked: true) }
        tags = customer.tags
        consents = customer.consents.map(ConsentDTO.init)
        version = customer.version
        createdAt = customer.createdAt
        updatedAt = customer.updatedAt
    }
}

/// `POST /customers`: the customer and what dedup did.
public struct CreatedCustomerDTO: Encodable, Sendable {
    public var customer: CustomerDTO
    /// `created`, `merged` (into an existing customer) or `flagged` (created; duplicates reported).
    public var outcome: String
    public var duplicates: [String]

    init(_ customer: Customer, _ outcome: CustomerUseCases.Outcome) {
        self.customer = CustomerDTO(customer)
        switch outcome {
        case .created:
            self.outcome = "created"
            duplicates = []
        case .mergedInto(let id):
            self.outcome = "merged"
            duplicates = [id.rawValue]
        case .flagged(let ids):
            self.outcome = "flagged"
            duplicates = ids.map(\.rawValue)
        }
    }
}

public struct RevealDTO: Encodable, Sendable {
    public var customerId: String
    public var contacts: [ContactDTO]
    @Nullable public var idNumber: String?
    public var customFields: [String: JSONValue]
    public var quota: QuotaDTO

    enum CodingKeys: String, CodingKey {
        case contacts, quota
        case customerId = "customer_id", idNumber = "id_number", customFields = "custom_fields"
    }

    init(_ revealed: CustomerUseCases.Revealed) {
        customerId = revealed.customerID.rawValue
        contacts = revealed.contacts.map { ContactDTO($0, masked: false) }
        idNumber = revealed.idNumber
        customFields = revealed.customFields
        quota = QuotaDTO(limit: revealed.quota, used: revealed.used, resetsAt: revealed.resetsAt)
    }
}

public struct QuotaDTO: Encodable, Sendable {
    /// Nil when the role has no quota.
    @Nullable public var limit: Int?
    public var used: Int64
    @Nullable public var remaining: Int64?
    public var resetsAt: Date

    enum CodingKeys: String, CodingKey {
        case limit, used, remaining
        case resetsAt = "resets_at"
    }

    init(limit: Int?, used: Int64, resetsAt: Date) {
        self.limit = limit
        self.used = used
        self.remaining = limit.map { max(0, Int64($0) - used) }
        self.resetsAt = resetsAt
    }
}

public struct RelationDTO: Encodable, Sendable {
    public var id: String
    public var type: String
    public var customerId: String
    public var customerName: String
    public var customerKind: String
    @Nullable public var note: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, type, note
        case customerId = "customer_id", customerName = "customer_name", customerKind = "customer_kind", createdAt = "created_at"
    }

    init(_ view: CustomerUseCases.RelationView) {
        id = view.id.rawValue
        type = view.type
        customerId = view.otherID.rawValue
        customerName = view.otherName
        customerKind = view.otherKind.rawValue
        note = view.note
        createdAt = view.createdAt
    }
}

public struct StageChangeDTO: Encodable, Sendable {
    @Nullable public var from: String?
    public var to: String
    public var at: Date
    @Nullable public var by: String?
    @Nullable public var reason: String?

    init(_ change: StageChange) {
        from = change.from
        to = change.to
        at = change.at
        by = change.by?.rawValue
        reason = change.reason
    }
}

public struct ActivityDTO: Encodable, Sendable {
    public var id: String
    public var customerId: String
    public var type: String
    public var direction: String
    @Nullable public var subject: String?
    @Nullable public var body: String?
    public var occurredAt: Date
    @Nullable public var durationSeconds: Int64?
    @Nullable public var outcome: String?
    @Nullable public var place: String?
    @Nullable public var relatedKind: String?
    @Nullable public var relatedId: String?
    @Nullable public var actorId: String?
    public var capWarning: Bool
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, type, direction, subject, body, outcome, place
        case customerId = "customer_id", occurredAt = "occurred_at", durationSeconds = "duration_seconds"
        case relatedKind = "related_kind", relatedId = "related_id", actorId = "actor_id", capWarning = "cap_warning", createdAt = "created_at"
    }

    init(_ activity: Activity) {
        id = activity.id.rawValue
        customerId = activity.customerID.rawValue
        type = activity.type.rawValue
        direction = activity.direction.rawValue
        subject = activity.subject
        body = activity.body
        occurredAt = activity.occurredAt
        durationSeconds = activity.durationSeconds
        outcome = activity.outcome
        place = activity.place
        relatedKind = activity.relatedKind
        relatedId = activity.relatedID
        actorId = activity.actorID?.rawValue
        capWarning = activity.capWarning
        createdAt = activity.createdAt
    }
}

/// `POST /activities`: the activity and the customer's standing against the frequency cap.
public struct LoggedActivityDTO: Encodable, Sendable {
    public var activity: ActivityDTO
    public var frequency: FrequencyDTO

    init(_ logged: ActivityUseCases.Logged) {
        activity = ActivityDTO(logged.activity)
        frequency = FrequencyDTO(count: logged.outboundInWindow, cap: logged.cap)
    }
}

public struct FrequencyDTO: Encodable, Sendable {
    public var outboundTouches: Int
    public var limit: Int
    public var periodDays: Int
    public var mode: String
    public var exceeded: Bool

    enum CodingKeys: String, CodingKey {
        case limit, mode, exceeded
        case outboundTouches = "outbound_touches", periodDays = "period_days"
    }

    init(count: Int, cap: ContactFrequencyCap) {
        outboundTouches = count
        limit = cap.limit
        periodDays = cap.periodDays
        mode = cap.mode.rawValue
        exceeded = count > cap.limit
    }
}

/// `GET /customers/{id}/360`.
public struct Customer360DTO: Encodable, Sendable {
    public var customer: CustomerDTO
    @Nullable public var stageLabel: LocalizedText?
    public var relations: [RelationDTO]
    public var timeline: ListResponse<ActivityDTO>
    public var stageHistory: [StageChangeDTO]
    public var timeInStageSeconds: [String: Int64]
    public var tags: [String]
    public var frequency: FrequencyDTO
    public var openTasks: [String]
    public var deals: [String]

    enum CodingKeys: String, CodingKey {
        case customer, relations, timeline, tags, frequency, deals
        case stageLabel = "stage_label", stageHistory = "stage_history", timeInStageSeconds = "time_in_stage_seconds", openTasks = "open_tasks"
    }

    init(_ view: CustomerUseCases.View360) {
        customer = CustomerDTO(view.customer)
        stageLabel = view.stageLabel
        relations = view.relations.map(RelationDTO.init)
        timeline = ListResponse(view.timeline, ActivityDTO.init)
        stageHistory = view.stageHistory.map(StageChangeDTO.init)
        timeInStageSeconds = view.timeInStage.mapValues { Int64($0.rounded(.down)) }
        tags = view.customer.tags
        frequency = FrequencyDTO(count: view.outboundTouches, cap: view.frequencyCap)
        openTasks = []
        deals = []
    }
}

public struct MergeDTO: Encodable, Sendable {
    public var id: String
    public var survivorId: String
    public var mergedId: String
    public var choices: [String: String]
    @Nullable public var mergedBy: String?
    public var mergedAt: Date
    @Nullable public var undoneAt: Date?
    @Nullable public var undoneBy: String?
    /// How many of the merged customer's opportunities, orders and entitlements moved to the survivor.
    public var moved: [String: Int]

    enum CodingKeys: String, CodingKey {
        case id, choices, moved
        case survivorId = "survivor_id", mergedId = "merged_id", mergedBy = "merged_by", mergedAt = "merged_at"
        case undoneAt = "undone_at", undoneBy = "undone_by"
    }

    init(_ record: MergeStore.Record) {
        id = record.id.rawValue
        survivorId = record.survivorID.rawValue
        mergedId = record.mergedID.rawValue
        choices = record.snapshot.choices.mapValues(\.rawValue)
        mergedBy = record.mergedBy?.rawValue
        mergedAt = record.mergedAt
        undoneAt = record.undoneAt
        undoneBy = record.undoneBy?.rawValue
        moved = Dictionary(uniqueKeysWithValues: CustomerLinkedRecord.allCases.map { ($0.rawValue, record.snapshot.moved($0).count) })
    }
}

public struct DuplicateGroupDTO: Encodable, Sendable {
    public var kind: String
    public var value: String
    public var customers: [CustomerDTO]

    init(_ group: MergeUseCases.DuplicateGroup) {
        kind = group.kind.rawValue
        value = group.maskedValue
        customers = group.customers.map(CustomerDTO.init)
    }
}
