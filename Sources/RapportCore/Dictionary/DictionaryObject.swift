/// An object type whose stages and custom fields a company defines in its ``BusinessDictionary``.
public enum DictionaryObject: String, Sendable, Codable, CaseIterable {
    case lead
    case customer
    case opportunity
    case order
    case partner
    case ticket
    case campaign

    /// The prefix of this object's record ids (`lead_…`, `cus_…`, `opp_…`), used by `record_link` fields.
    public var idPrefix: IDPrefix {
        switch self {
        case .lead: IDPrefix(rawValue: "lead")
        case .customer: IDPrefix(rawValue: "cus")
        case .opportunity: IDPrefix(rawValue: "opp")
        case .order: IDPrefix(rawValue: "ord")
        case .partner: IDPrefix(rawValue: "ptn")
        case .ticket: IDPrefix(rawValue: "tkt")
        case .campaign: IDPrefix(rawValue: "cmp")
        }
    }

    /// The access-model kind of this object (same raw value, e.g. `lead`).
    public var kind: ObjectKind { ObjectKind(rawValue: rawValue) }

    /// The keys of the fields every record of this object has without configuration. Stage guards may
    /// name these as well as custom fields (e.g. an opportunity's `amount` before `proposal`).
    ///
    /// This is the vocabulary the default dictionaries are written in (the customer's list is
    /// `Customer.builtInFields`); the application passes the built-in fields each object really stores
    /// to ``ObjectDictionary/validate(builtInFields:)``.
    public var standardBuiltInFields: Set<String> {
        let common: Set<String> = ["owner_id", "team_id", "source"]
        let own: Set<String> =
            switch self {
            case .lead: ["name", "company", "title", "phone", "email", "wechat_openid", "wechat_unionid", "address"]
            case .customer:
                [
                    "name", "company", "title", "value_tier", "score", "id_number",
                    "phone", "email", "wechat_openid", "wechat_unionid", "address",
                ]
            case .opportunity: ["name", "customer_id", "amount", "expected_close_date", "competitors"]
            case .order: ["number", "customer_id", "opportunity_id", "amount", "signed_on"]
            case .partner: ["name", "level", "phone", "email"]
            case .ticket: ["subject", "customer_id", "priority"]
            case .campaign: ["name", "kind", "starts_at", "ends_at", "budget"]
            }
        return common.union(own)
    }
}
