import Foundation

/// A customer: a person or an organisation the company has a relationship with. The company,
/// not the rep, owns it: the owner is who works it now, and every role shares its one timeline.
public struct Customer: Sendable, Equatable, Codable {
    /// Persons and organisations share one table and one timeline.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case person
        case organisation
    }

    public var id: RecordID
    public var kind: Kind
    public var name: String
    /// For a person, where they work (free text); for an organisation, nil.
    public var company: String?
    public var title: String?
    /// Nil while the customer is in a pool (nobody's).
    public var ownerID: RecordID?
    public var teamID: RecordID?
    /// Where the customer came from (a source channel key such as `referral` or `web_form`).
    public var source: String?
    /// The customer's stage in the business dictionary.
    public var stage: String
    public var stageEnteredAt: Date
    /// The generic lifecycle the stage maps to.
    public var lifecycle: GenericLifecycle?
    public var valueTier: String?
    public var score: Int64?
    public var doNotContact: Bool
    public var doNotContactReason: String?
    /// An ID-card or passport number: sensitive, masked like contact details.
    public var idNumber: String?
    /// The customer's id in the system it was imported from (matched on re-import).
    public var externalRef: String?
    /// Custom-field values, validated against the dictionary.
    public var customFields: [String: JSONValue]
    public var contacts: [ContactPoint]
    public var tags: [String]
    public var consents: [Consent]
    /// Set when the customer was merged into another (kept so the merge can be undone).
    public var mergedInto: RecordID?
    public var version: Int64
    public var createdBy: RecordID?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RecordID, kind: Kind, name: String, company: String? = nil, title: String? = nil, ownerID: RecordID? = nil,
        teamID: RecordID? = nil, source: String? = nil, stage: String, stageEnteredAt: Date, lifecycle: GenericLifecycle? = nil,
        valueTier: String? = nil, score: Int64? = nil, doNotContact: Bool = false, doNotContactReason: String? = nil,
        idNumber: String? = nil, externalRef: String? = nil, customFields: [String: JSONValue] = [:], contacts: [ContactPoint] = [], tags: [String] = [],
        consents: [Consent] = [], mergedInto: RecordID? = nil, version: Int64 = 1, createdBy: RecordID? = nil,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.company = company
        self.title = title
        self.ownerID = ownerID
        self.teamID = teamID
        self.source = source
        self.stage = stage
        self.stageEnteredAt = stageEnteredAt
        self.lifecycle = lifecycle
        self.valueTier = valueTier
        self.score = score
        self.doNotContact = doNotContact
        self.doNotContactReason = doNotContactReason
        self.idNumber = idNumber
        self.externalRef = externalRef
        self.customFields = customFields
        self.contacts = contacts
        self.tags = tags
        self.consents = consents
        self.mergedInto = mergedInto
        self.version = version
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The text the search index holds: lowercased name and company (contact details are found
    /// by exact, normalised match instead, so a search never needs their full values in an index
    /// that partial queries could probe).
    public static func searchText(name: String, company: String?) -> String {
        [name, company ?? ""].filter { !$0.isEmpty }.joined(separator: " ").lowercased()
    }

    /// Keys of fields that currently have a value, for lifecycle guards.
    public var filledFields: Set<String> {
        var filled: Set<String> = ["name"]
        if company?.isEmpty == false { filled.insert("company") }
        if title?.isEmpty == false { filled.insert("title") }
        if ownerID != nil { filled.insert("owner_id") }
        if teamID != nil { filled.insert("team_id") }
        if source?.isEmpty == false { filled.insert("source") }
        if valueTier != nil { filled.insert("value_tier") }
        if score != nil { filled.insert("score") }
        if idNumber != nil { filled.insert("id_number") }
        for contact in contacts { filled.insert(contact.kind.rawValue) }
        for (key, value) in customFields where !value.isEmptyValue { filled.insert(key) }
        return filled
    }

    /// Built-in fields a dictionary's guards may name.
    public static let builtInFields: Set<String> = [
        "name", "company", "title", "owner_id", "team_id", "source", "value_tier", "score", "id_number",
        "phone", "email", "wechat_openid", "wechat_unionid", "address",
    ]
}

extension JSONValue {
    /// Whether the value counts as "not filled in" (null, empty text, empty list).
    public var isEmptyValue: Bool {
        switch self {
        case .null: true
        case .string(let text): text.trimmingWhitespace().isEmpty
        case .array(let values): values.isEmpty
        default: false
        }
    }
}

extension IDPrefix {
    public static let customer = IDPrefix(rawValue: "cus")
    public static let contact = IDPrefix(rawValue: "cpt")
    public static let relation = IDPrefix(rawValue: "rel")
    public static let activity = IDPrefix(rawValue: "act")
    public static let merge = IDPrefix(rawValue: "mrg")
    public static let stageChange = IDPrefix(rawValue: "stg")
}

extension ObjectKind {
    public static let customer = ObjectKind(rawValue: "customer")
    public static let activity = ObjectKind(rawValue: "activity")
    public static let dictionary = ObjectKind(rawValue: "dictionary")
    public static let export = ObjectKind(rawValue: "export")
}
