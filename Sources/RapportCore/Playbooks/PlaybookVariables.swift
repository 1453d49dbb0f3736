/// The variables a playbook's scripts may use, by the kind of record its runs are on: the record's
/// own fields, its customer's where it has one, and the rep's.
public enum PlaybookVariables {
    public static func available(for object: DictionaryObject) -> Set<String> {
        let rep: Set<String> = ["rep.name"]
        let customer: Set<String> = ["customer.name", "customer.stage", "customer.company"]
        switch object {
        case .lead: return rep.union(["lead.name", "lead.source", "lead.stage", "lead.company"])
        case .customer: return rep.union(customer)
        case .opportunity: return rep.union(customer).union(["opportunity.name", "opportunity.stage", "opportunity.amount", "opportunity.expected_close_date"])
        case .order: return rep.union(customer).union(["order.title", "order.total"])
        default: return rep
        }
    }
}

/// The date fields a "N days from a date" trigger may name, by the kind of record: instants
/// (counted by their day in the business time zone) and calendar dates.
public enum PlaybookDateFields {
    public enum Kind: Sendable, Equatable {
        /// A stored instant; its day is taken in the business time zone.
        case instant
        /// A calendar date (`YYYY-MM-DD`).
        case date
    }

    public static func available(for object: DictionaryObject) -> [String: Kind] {
        switch object {
        case .lead: ["created_at": .instant, "assigned_at": .instant]
        case .customer: ["created_at": .instant, "assigned_at": .instant]
        case .opportunity: ["created_at": .instant, "expected_close_date": .date]
        case .order: ["signed_at": .instant, "effective_from": .instant, "effective_to": .instant]
        default: [:]
        }
    }
}
