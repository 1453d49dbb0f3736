import Foundation

/// A lead (线索): a person who showed interest, not yet a customer. It moves through the lead
/// stage machine of the dictionary (default new → contacting → qualified → converted | invalid)
/// and is either owned by a rep or waiting in its pool (公海) with no owner.
public struct Lead: Sendable, Equatable {
    public var id: RecordID
    public var name: String
    public var company: String?
    public var title: String?
    /// Normalised contact details (E.164 phone, lower-cased email, WeChat unionid): the dedup keys.
    public var phone: String?
    public var email: String?
    public var wechatUnionid: String?
    /// The channel the lead came from (`web_form`, `ads`, `referral`, `event`, `import`, …).
    public var source: String?
    public var campaign: String?
    public var utm: UTM
    public var referrer: String?
    /// What the lead asked about (a product, a course).
    public var interest: String?
    public var region: String?
    public var score: Int64?
    public var customFields: [String: JSONValue]
    /// The stage key in the lead dictionary.
    public var status: String
    public var statusEnteredAt: Date
    public var ownerID: RecordID?
    public var teamID: RecordID?
    /// The pool the lead belongs to: where it waits while nobody owns it, and where a release or a
    /// reclaim returns it.
    public var poolID: RecordID?
    /// When the current owner received it (claim, assignment); nil in the pool.
    public var assignedAt: Date?
    /// Until when the current owner is protected from reclaim.
    public var protectedUntil: Date?
    /// The last touch by anyone (activities) and the last stage change: what reclaim rules read.
    public var lastFollowUpAt: Date?
    public var lastProgressAt: Date
    /// The owner before the lead last went back to the pool, and when (for the ex-owner cooldown).
    public var previousOwnerID: RecordID?
    public var releasedAt: Date?
    public var convertedCustomerID: RecordID?
    public var convertedAt: Date?
    /// Whether the lead agreed to marketing contact on the channel it came from (web forms ask).
    public var marketingConsent: Bool?
    /// The lead's id in the system it was imported from (unique): re-imports match on it.
    public var externalID: String?
    public var version: Int64
    public var createdBy: RecordID?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RecordID, name: String, company: String? = nil, title: String? = nil, phone: String? = nil, email: String? = nil,
        wechatUnionid: String? = nil, source: String? = nil, campaign: String? = nil, utm: UTM = UTM(), referrer: String? = nil,
        interest: String? = nil, region: String? = nil, score: Int64? = nil, customFields: [String: JSONValue] = [:],
        status: String, statusEnteredAt: Date, ownerID: RecordID? = nil, teamID: RecordID? = nil, poolID: RecordID? = nil,
        assignedAt: Date? = nil, protectedUntil: Date? = nil, lastFollowUpAt: Date? = nil, lastProgressAt: Date,
        previousOwnerID: RecordID? = nil, releasedAt: Date? = nil, convertedCustomerID: RecordID? = nil, convertedAt: Date? = nil,
        marketingConsent: Bool? = nil, externalID: String? = nil, version: Int64 = 1, createdBy: RecordID? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.company = company
        self.title = title
        self.phone = phone
        self.email = email
        self.wechatUnionid = wechatUnionid
        self.source = source
        self.campaign = campaign
        self.utm = utm
        self.referrer = referrer
        self.interest = interest
        self.region = region
        self.score = score
        self.customFields = customFields
        self.status = status
        self.statusEnteredAt = statusEnteredAt
        self.ownerID = ownerID
        self.teamID = teamID
        self.poolID = poolID
        self.assignedAt = assignedAt
        self.protectedUntil = protectedUntil
        self.lastFollowUpAt = lastFollowUpAt
        self.lastProgressAt = lastProgressAt
        self.previousOwnerID = previousOwnerID
        self.releasedAt = releasedAt
        self.convertedCustomerID = convertedCustomerID
        self.convertedAt = convertedAt
        self.marketingConsent = marketingConsent
        self.externalID = externalID
        self.version = version
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether the lead waits in its pool (nobody owns it).
    public var isInPool: Bool { ownerID == nil && poolID != nil }

    /// The fields a stage guard can ask for, filled.
    public var filledFields: Set<String> {
        var filled: Set<String> = ["name"]
        let optional: [(String, String?)] = [("company", company), ("title", title), ("phone", phone), ("email", email),
                                             ("wechat_unionid", wechatUnionid), ("source", source), ("campaign", campaign),
                                             ("interest", interest), ("region", region), ("referrer", referrer)]
        for (key, value) in optional where value?.isEmpty == false { filled.insert(key) }
        if score != nil { filled.insert("score") }
        if ownerID != nil { filled.insert("owner_id") }
        for (key, value) in customFields where !value.isEmptyValue { filled.insert(key) }
        return filled
    }

    /// The lead as a role without reveal permission sees it: contact details masked.
    public func masked() -> Lead {
        var lead = self
        lead.phone = phone.map(ContactMask.phone)
        lead.email = email.map(ContactMask.email)
        lead.wechatUnionid = wechatUnionid.map(ContactMask.wechat)
        for (key, value) in customFields {
            if let masked = Customer.maskedCustomValue(value) { lead.customFields[key] = masked }
        }
        return lead
    }
}

/// Campaign parameters of the link that brought a lead (utm_source, utm_medium, …).
public struct UTM: Sendable, Equatable, Codable {
    public var source: String?
    public var medium: String?
    public var campaign: String?
    public var term: String?
    public var content: String?

    public init(source: String? = nil, medium: String? = nil, campaign: String? = nil, term: String? = nil, content: String? = nil) {
        self.source = source
        self.medium = medium
        self.campaign = campaign
        self.term = term
        self.content = content
    }
}

extension IDPrefix {
    public static let lead = IDPrefix(rawValue: "lead")
    public static let pool = IDPrefix(rawValue: "pool")
    public static let assignment = IDPrefix(rawValue: "asg")
}

extension ObjectKind {
    public static let lead = ObjectKind(rawValue: "lead")
    public static let pool = ObjectKind(rawValue: "pool")
}
