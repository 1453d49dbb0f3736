import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension LeadUseCases {
    /// What a conversion did: the lead (now converted) and the customer it became or joined.
    public struct Conversion: Sendable {
        public var lead: Lead
        public var customer: Customer
        /// `created`, or `mergedInto` when the lead matched (or was sent to) an existing customer.
        public var outcome: CustomerUseCases.Outcome
    }

    /// Converts a lead into a customer in one transaction: a new customer from the lead's details
    /// (owner, source, contacts, the custom fields the customer dictionary also defines, marketing
    /// consent), or — when its contacts match a customer the caller may edit, or `customerID` names
    /// one — folded into that customer. The lead moves to its converted stage (guards apply) and
    /// keeps a link to the customer; its follow-ups join the customer's timeline. A match the
    /// caller may not edit is a `duplicate`.
    public func convert(_ id: String, into customerID: String? = nil, by caller: Caller) async throws -> Conversion {
        let existing = try await load(id, by: caller, .update)
        guard existing.convertedCustomerID == nil, existing.convertedAt == nil else {
            // A historic conversion (imported as converted) has no customer.
            throw RapportError(.conflict, "The lead was already converted.", extra: existing.convertedCustomerID.map { ["customer_id": $0.rawValue] } ?? [:])
        }
        var named: RecordID?
        if let customerID {
            named = RecordID(parsing: customerID, prefix: .customer)
            if named == nil { throw RapportError.validation([FieldError(field: "customer_id", code: "invalid", message: "customer_id is not a customer id.")]) }
        }
        _ = try await rapport.customers.filter(caller, .create)
        let readScope = try await rapport.customers.filter(caller, .read)
        let editScope = try await rapport.customers.filter(caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let dictionary = try await dictionary(sql)
            guard let target = dictionary.stage("converted").flatMap({ $0.archived ? nil : $0.key })
                ?? dictionary.stages.first(where: { $0.category == .won && !$0.archived })?.key
            else { throw RapportError(.conflict, "The lead dictionary has no converted (won) stage.") }
            let transition = try LifecycleEngine(dictionary).applyChecked(
                .move(to: target, at: now, by: caller.actorID, reason: "converted"),
                to: LifecycleState(stage: existing.status, enteredAt: existing.statusEnteredAt), filled: existing.filledFields)

            let customers = CustomerUseCases(rapport: rapport)
            let customer: Customer
            let outcome: CustomerUseCases.Outcome
            let input = try await customerInput(from: existing, sql)
            if let named {
                guard try await CustomerStore(sql).find(named, in: editScope) != nil else {
                    throw RapportError.validation([FieldError(field: "customer_id", code: "invalid", message: "customer_id must be a customer you may edit.")])
                }
                var incoming = Customer(id: named, kind: .person, name: existing.name, stage: "", stageEnteredAt: now, createdAt: now, updatedAt: now)
                var check = Validator()
                CustomerNormaliser(settings: try await CustomerSettings.load(sql),
                                   dictionary: try await DictionaryUseCases.load(.customer, sql, template: rapport.settings.dictionaryTemplate),
                                   ids: rapport.ids, now: now).apply(input, to: &incoming, creating: false, check: &check)
                try check.finish()
                customer = try await customers.fold(incoming, into: named, by: caller, at: now, sql).masked()
                outcome = .mergedInto(named)
            } else {
                (customer, outcome) = try await customers.create(input, policy: .merge, by: caller, readScope: readScope, editScope: editScope, at: now, sql)
            }

            var lead = existing
            lead.status = transition.state.stage
            lead.statusEnteredAt = transition.state.enteredAt
            lead.lastProgressAt = now
            lead.convertedCustomerID = customer.id
            lead.convertedAt = now
            lead.updatedAt = now
            guard try await LeadStore(sql).replace(lead, category: Self.category(of: lead.status, in: dictionary), expectedVersion: existing.version) else {
                throw RapportError(.conflict, "The lead was changed at the same time; fetch it again and retry.")
            }
            lead.version = existing.version + 1
            // The lead's follow-ups join the customer's one timeline.
            let followUps = try await LeadStore(sql).allFollowUps(of: lead.id)
            try await ActivityStore(sql).insert(followUps.map { $0.activity(on: customer.id, id: rapport.ids.next(.activity, at: now)) })
            if let touched = followUps.filter({ $0.type.isTouch }).map(\.occurredAt).max() { try await CustomerStore(sql).touch(customer.id, at: touched) }
            try await rapport.recordTransition(transition, object: .lead, of: lead.id, owner: lead.ownerID, at: now, in: sql)
            try await rapport.record(rapport.event("lead.converted", by: caller, kind: .lead, object: lead.id.rawValue,
                                                   details: ["customer_id": customer.id.rawValue, "merged": outcome == .created ? "false" : "true"]), in: sql)
            return Conversion(lead: lead.masked(), customer: customer, outcome: outcome)
        }
    }

    /// The customer a lead becomes: its details, owner, contacts, consent, and the custom fields
    /// the customer dictionary also defines.
    func customerInput(from lead: Lead, _ sql: any SQLDatabase) async throws -> CustomerInput {
        let customerFields = Set(try await DictionaryUseCases.load(.customer, sql, template: rapport.settings.dictionaryTemplate).fields.filter { !$0.archived }.map(\.key))
        var contacts: [CustomerInput.Contact] = []
        if let phone = lead.phone { contacts.append(.init(kind: "phone", value: phone, primary: true)) }
        if let email = lead.email { contacts.append(.init(kind: "email", value: email, primary: true)) }
        if let unionid = lead.wechatUnionid { contacts.append(.init(kind: "wechat_unionid", value: unionid, primary: true)) }
        var consents: [CustomerInput.ConsentInput] = []
        if lead.marketingConsent == true {
            if lead.phone != nil { consents += [.init(channel: "phone", purpose: "marketing", status: "granted", source: "lead"),
                                                .init(channel: "sms", purpose: "marketing", status: "granted", source: "lead")] }
            if lead.email != nil { consents.append(.init(channel: "email", purpose: "marketing", status: "granted", source: "lead")) }
        }
        return CustomerInput(kind: "person", name: lead.name, company: .some(lead.company), title: .some(lead.title),
                             owner: lead.ownerID.map { .some($0.rawValue) } ?? nil, source: .some(lead.source),
                             customFields: lead.customFields.filter { customerFields.contains($0.key) }, contacts: contacts,
                             consents: consents.isEmpty ? nil : consents)
    }
}
