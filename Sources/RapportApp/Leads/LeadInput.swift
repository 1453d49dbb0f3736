import Foundation
import RapportCore

/// What creating or changing a lead takes, as the caller sent it (not yet checked). For a
/// change, `nil` leaves a field alone and `.some(nil)` clears it; custom fields merge key by key.
public struct LeadInput: Sendable {
    public var name: String?
    public var company: String??
    public var title: String??
    public var phone: String??
    public var email: String??
    public var wechatUnionid: String??
    public var source: String??
    public var campaign: String??
    public var utm: UTM?
    public var referrer: String??
    public var interest: String??
    public var region: String??
    public var score: Int64??
    public var customFields: [String: JSONValue]?
    /// Create only: the first status (the dictionary's initial stage by default).
    public var status: String?
    /// Create only: a user id to own it (managers, administrators), else the creator (reps).
    public var owner: String??
    /// A pool id or key: where the lead waits when nobody owns it, and returns to when released.
    public var pool: String??
    public var marketingConsent: Bool?
    /// The lead's id in the system it came from (unique; imports match re-imported rows on it).
    public var externalID: String??

    public init(name: String? = nil, company: String?? = nil, title: String?? = nil, phone: String?? = nil, email: String?? = nil,
                wechatUnionid: String?? = nil, source: String?? = nil, campaign: String?? = nil, utm: UTM? = nil, referrer: String?? = nil,
                interest: String?? = nil, region: String?? = nil, score: Int64?? = nil, customFields: [String: JSONValue]? = nil,
                status: String? = nil, owner: String?? = nil, pool: String?? = nil, marketingConsent: Bool? = nil, externalID: String?? = nil) {
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
        self.owner = owner
        self.pool = pool
        self.marketingConsent = marketingConsent
        self.externalID = externalID
    }
}

/// Checks and normalises lead input with the customer normaliser's rules (one set of rules for
/// names, keys, contact values and custom fields), against the lead dictionary.
struct LeadNormaliser: Sendable {
    let base: CustomerNormaliser

    init(settings: CustomerSettings, dictionary: ObjectDictionary, ids: any IDGenerating, now: Date) {
        base = CustomerNormaliser(settings: settings, dictionary: dictionary, ids: ids, now: now)
    }

    func apply(_ input: LeadInput, to lead: inout Lead, creating: Bool, check: inout Validator) {
        if let name = input.name { lead.name = check.text(name, field: "name", maxLength: 200, allowEmpty: false) } else if creating {
            check.add("name", "required", "name is required.")
        }
        if let company = input.company { lead.company = base.optionalText(company, "company", 200, &check) }
        if let title = input.title { lead.title = base.optionalText(title, "title", 100, &check) }
        if let phone = input.phone { lead.phone = phone.flatMap { contact($0, .phone, "phone", &check) } }
        if let email = input.email { lead.email = email.flatMap { contact($0, .email, "email", &check) } }
        if let unionid = input.wechatUnionid { lead.wechatUnionid = unionid.flatMap { contact($0, .wechatUnionid, "wechat_unionid", &check) } }
        if let source = input.source { lead.source = base.optionalKey(source, "source", &check) }
        if let campaign = input.campaign { lead.campaign = base.optionalText(campaign, "campaign", 200, &check) }
        if let utm = input.utm {
            lead.utm = UTM(source: base.optionalText(utm.source, "utm.source", 200, &check), medium: base.optionalText(utm.medium, "utm.medium", 200, &check),
                           campaign: base.optionalText(utm.campaign, "utm.campaign", 200, &check), term: base.optionalText(utm.term, "utm.term", 200, &check),
                           content: base.optionalText(utm.content, "utm.content", 200, &check))
        }
        if let referrer = input.referrer { lead.referrer = base.optionalText(referrer, "referrer", 2_000, &check) }
        if let interest = input.interest { lead.interest = base.optionalText(interest, "interest", 200, &check) }
        if let region = input.region { lead.region = base.optionalText(region, "region", 100, &check) }
        if let score = input.score {
            if let score, !(-1_000_000...1_000_000).contains(score) { check.add("score", "out_of_range", "score must be from -1000000 to 1000000.") }
            lead.score = score
        }
        if let consent = input.marketingConsent { lead.marketingConsent = consent }
        if let external = input.externalID { lead.externalID = base.optionalText(external, "external_id", 200, &check) }
        if let values = input.customFields {
            // The customer rules on a scratch customer: the lead keeps the normalised result.
            var scratch = Customer(id: lead.id, kind: .person, name: lead.name, stage: lead.status, stageEnteredAt: lead.statusEnteredAt,
                                   customFields: lead.customFields, createdAt: lead.createdAt, updatedAt: lead.updatedAt)
            base.apply(CustomerInput(customFields: values), to: &scratch, creating: false, check: &check)
            lead.customFields = scratch.customFields
        }
        if creating {
            for field in base.dictionary.fields where field.required && !field.archived && lead.customFields[field.key] == nil {
                check.add("custom_fields.\(field.key)", "required", "custom_fields.\(field.key) is required.")
            }
        }
        // An id in the source system identifies an imported lead as well as a contact detail does.
        let sent = [input.phone, input.email, input.wechatUnionid, input.externalID].contains { ($0 ?? nil)?.trimmingWhitespace().isEmpty == false }
        if creating, !sent {
            check.add("phone", "required", "A lead needs at least one of phone, email, wechat_unionid or external_id.")
        }
    }

    func contact(_ raw: String, _ kind: ContactPoint.Kind, _ field: String, _ check: inout Validator) -> String? {
        guard !raw.trimmingWhitespace().isEmpty else { return nil }
        return base.normalise(raw, kind: kind, field: field, check: &check)
    }
}
