import Foundation
import RapportApp
import RapportCore

/// A lead as the API shows it: contact details masked (a pool shows them masked until claimed).
public struct LeadDTO: Encodable, Sendable {
    public var id: String
    public var name: String
    @Nullable public var company: String?
    @Nullable public var title: String?
    @Nullable public var phone: String?
    @Nullable public var email: String?
    @Nullable public var wechatUnionid: String?
    @Nullable public var source: String?
    @Nullable public var campaign: String?
    public var utm: UTMDTO
    @Nullable public var referrer: String?
    @Nullable public var interest: String?
    @Nullable public var region: String?
    @Nullable public var score: Int64?
    public var customFields: [String: JSONValue]
    public var status: String
    public var statusEnteredAt: Date
    @Nullable public var ownerId: String?
    @Nullable public var teamId: String?
    @Nullable public var poolId: String?
    @Nullable public var assignedAt: Date?
    @Nullable public var protectedUntil: Date?
    @Nullable public var lastFollowUpAt: Date?
    public var lastProgressAt: Date
    @Nullable public var previousOwnerId: String?
    @Nullable public var releasedAt: Date?
    @Nullable public var convertedCustomerId: String?
    @Nullable public var convertedAt: Date?
    @Nullable public var marketingConsent: Bool?
    @Nullable public var externalId: String?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, company, title, phone, email, source, campaign, utm, referrer, interest, region, score, status, version
        case wechatUnionid = "wechat_unionid", customFields = "custom_fields", statusEnteredAt = "status_entered_at"
        case ownerId = "owner_id", teamId = "team_id", poolId = "pool_id", assignedAt = "assigned_at", protectedUntil = "protected_until"
        case lastFollowUpAt = "last_follow_up_at", lastProgressAt = "last_progress_at", previousOwnerId = "previous_owner_id"
        case releasedAt = "released_at", convertedCustomerId = "converted_customer_id", convertedAt = "converted_at"
        case marketingConsent = "marketing_consent", externalId = "external_id", createdAt = "created_at", updatedAt = "updated_at"
    }

    /// `lead` must already be masked (every use case returns masked leads).
    public init(_ lead: Lead) {
        id = lead.id.rawValue
        name = lead.name
        company = lead.company
        title = lead.title
        phone = lead.phone
        email = lead.email
        wechatUnionid = lead.wechatUnionid
        source = lead.source
        campaign = lead.campaign
        utm = UTMDTO(lead.utm)
        referrer = lead.referrer
        interest = lead.interest
        region = lead.region
        score = lead.score
        customFields = lead.customFields
        status = lead.status
        statusEnteredAt = lead.statusEnteredAt
        ownerId = lead.ownerID?.rawValue
        teamId = lead.teamID?.rawValue
        poolId = lead.poolID?.rawValue
        assignedAt = lead.assignedAt
        protectedUntil = lead.protectedUntil
        lastFollowUpAt = lead.lastFollowUpAt
        lastProgressAt = lead.lastProgressAt
        previousOwnerId = lead.previousOwnerID?.rawValue
        releasedAt = lead.releasedAt
        convertedCustomerId = lead.convertedCustomerID?.rawValue
        convertedAt = lead.convertedAt
        marketingConsent = lead.marketingConsent
        externalId = lead.externalID
        version = lead.version
        createdAt = lead.createdAt
        updatedAt = lead.updatedAt
    }
}

public struct UTMDTO: Encodable, Sendable {
    @Nullable public var source: String?
    @Nullable public var medium: String?
    @Nullable public var campaign: String?
    @Nullable public var term: String?
    @Nullable public var content: String?

    init(_ utm: UTM) {
        source = utm.source
        medium = utm.medium
        campaign = utm.campaign
        term = utm.term
        content = utm.content
    }
}

/// `POST /leads`: the lead and what dedup did.
public struct CreatedLeadDTO: Encodable, Sendable {
    public var lead: LeadDTO
    public var outcome: String
    public var duplicates: [String]

    init(_ lead: Lead, _ outcome: CustomerUseCases.Outcome) {
        self.lead = LeadDTO(lead)
        switch outcome {
        case .created: (self.outcome, duplicates) = ("created", [])
        case .mergedInto(let id): (self.outcome, duplicates) = ("merged", [id.rawValue])
        case .flagged(let ids): (self.outcome, duplicates) = ("flagged", ids.map(\.rawValue))
        }
    }
}

/// One entry of an owner-change log (a lead's or a customer's).
public struct LeadAssignmentDTO: Encodable, Sendable {
    public var id: String
    public var kind: String
    @Nullable public var poolId: String?
    @Nullable public var fromUserId: String?
    @Nullable public var toUserId: String?
    @Nullable public var ruleId: String?
    @Nullable public var reason: String?
    @Nullable public var byUserId: String?
    public var at: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, reason, at
        case poolId = "pool_id", fromUserId = "from_user_id", toUserId = "to_user_id", ruleId = "rule_id", byUserId = "by_user_id"
    }

    init(_ entry: some OwnershipLogEntry) {
        id = entry.id.rawValue
        kind = entry.kind.rawValue
        poolId = entry.poolID?.rawValue
        fromUserId = entry.from?.rawValue
        toUserId = entry.to?.rawValue
        ruleId = entry.ruleID
        reason = entry.reason
        byUserId = entry.by?.rawValue
        at = entry.at
    }
}

public struct PoolDTO: Encodable, Sendable {
    public var id: String
    public var key: String
    public var name: String
    public var object: String
    public var memberTeams: [String]
    public var admins: [String]
    public var rules: PoolRules
    public var archived: Bool
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, key, name, object, admins, rules, archived, version
        case memberTeams = "member_teams", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ pool: Pool) {
        id = pool.id.rawValue
        key = pool.key
        name = pool.name
        object = pool.object.rawValue
        memberTeams = pool.memberTeamIDs.map(\.rawValue)
        admins = pool.adminIDs.map(\.rawValue)
        rules = pool.rules
        archived = pool.archived
        version = pool.version
        createdAt = pool.createdAt
        updatedAt = pool.updatedAt
    }
}

public struct PoolStandingDTO: Encodable, Sendable {
    public var holding: Int
    @Nullable public var holdingLimit: Int?
    public var claimedToday: Int
    @Nullable public var claimsPerDay: Int?
    @Nullable public var claimsLeftToday: Int?

    enum CodingKeys: String, CodingKey {
        case holding
        case holdingLimit = "holding_limit", claimedToday = "claimed_today", claimsPerDay = "claims_per_day", claimsLeftToday = "claims_left_today"
    }

    init(_ standing: PoolUseCases.Standing) {
        holding = standing.holding
        holdingLimit = standing.holdingLimit
        claimedToday = standing.claimedToday
        claimsPerDay = standing.claimsPerDay
        claimsLeftToday = standing.claimsLeftToday
    }
}

/// `POST /leads/{id}/convert`: the converted lead and its customer.
public struct ConversionDTO: Encodable, Sendable {
    public var lead: LeadDTO
    public var customer: CustomerDTO
    /// `created` (a new customer) or `merged` (into an existing one).
    public var outcome: String

    init(_ conversion: LeadUseCases.Conversion) {
        lead = LeadDTO(conversion.lead)
        customer = CustomerDTO(conversion.customer)
        outcome = if case .mergedInto = conversion.outcome { "merged" } else { "created" }
    }
}

/// What a reclaim run did, or a preview says tonight's run would do.
public struct ReclaimReportDTO: Encodable, Sendable {
    public struct Item: Encodable, Sendable {
        /// The lead (a lead pool's report) …
        @Nullable public var leadId: String?
        /// … or the customer (a customer pool's).
        @Nullable public var customerId: String?
        public var ownerId: String
        public var reason: String
        @Nullable public var due: Date?

        enum CodingKeys: String, CodingKey {
            case reason, due
            case leadId = "lead_id", customerId = "customer_id", ownerId = "owner_id"
        }
    }

    public var poolId: String
    public var at: Date
    public var reclaimed: [Item]
    public var warned: [Item]

    enum CodingKeys: String, CodingKey {
        case at, reclaimed, warned
        case poolId = "pool_id"
    }

    init(_ report: PoolUseCases.ReclaimReport) {
        poolId = report.poolID.rawValue
        at = report.at
        let item = { (entry: PoolUseCases.ReclaimItem) in
            Item(leadId: report.object == .lead ? entry.recordID.rawValue : nil, customerId: report.object == .customer ? entry.recordID.rawValue : nil,
                 ownerId: entry.ownerID.rawValue, reason: entry.reason.rawValue, due: entry.due)
        }
        reclaimed = report.reclaimed.map(item)
        warned = report.warned.map(item)
    }
}

/// A follow-up logged on a lead.
public struct LeadFollowUpDTO: Encodable, Sendable {
    public var id: String
    public var leadId: String
    public var type: String
    public var direction: String
    @Nullable public var subject: String?
    @Nullable public var body: String?
    public var occurredAt: Date
    @Nullable public var durationSeconds: Int64?
    @Nullable public var outcome: String?
    @Nullable public var actorId: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, type, direction, subject, body, outcome
        case leadId = "lead_id", occurredAt = "occurred_at", durationSeconds = "duration_seconds", actorId = "actor_id", createdAt = "created_at"
    }

    init(_ item: LeadFollowUp) {
        id = item.id.rawValue
        leadId = item.leadID.rawValue
        type = item.type.rawValue
        direction = item.direction.rawValue
        subject = item.subject
        body = item.body
        occurredAt = item.occurredAt
        durationSeconds = item.durationSeconds
        outcome = item.outcome
        actorId = item.actorID?.rawValue
        createdAt = item.createdAt
    }
}
