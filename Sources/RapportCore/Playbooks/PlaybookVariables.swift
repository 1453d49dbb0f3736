/// The variables a playbook's scripts may use, by the kind of record its runs are on: the record's
/// own fields, its customer's where it has one, and the rep's.
public enum PlaybookVariables {
    public static func available(for object: DictionaryObject) -> Set<String> {
        let rep: Set<String> = ["rep.name"]
        switch object {
        case .lead: return rep.union(["lead.name", "lead.source", "lead.stage", "lead.company"])
        case .customer: return rep.union(["customer.name", "customer.stage", "customer.company"])
        case .opportunity: return rep.union(["customer.name", "opportunity.name", "opportunity.stage", "opportunity.amount", "opportunity.expected_close_date"])
        case .order: return rep.union(["customer.name", "order.title", "order.total"])
        default: return rep
        }
    }
}
