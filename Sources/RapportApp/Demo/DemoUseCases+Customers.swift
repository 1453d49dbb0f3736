import Foundation
import RapportCore

extension DemoUseCases {
    /// Creates the customers (owners round-robin over the reps, in team order), moves each once
    /// towards its stage, logs its timeline, then relates families and referrals.
    func createCustomers(_ leads: [DemoLead], reps: [Rep], by caller: Caller, into summary: inout Summary) async throws {
        guard !reps.isEmpty else { throw RapportError(.conflict, "The demo has no reps to own its customers.") }
        let now = rapport.clock.now()
        let stages = Self.finalStages(leads)
        var ids: [String: RecordID] = [:]
        for (index, lead) in leads.enumerated() {
            let rep = reps[index % reps.count]
            let stage = stages[lead.prospectID] ?? "new"
            let timeline = DemoTimeline(lead: lead, stage: stage, centre: rep.centre, now: now)
            let input = customerInput(lead, stage: stage, owner: rep, referrer: ids[lead.referrer], trialDay: timeline.trialClassDay)
            let (customer, outcome) = try await rapport.customers.create(input, policy: lead.duplicateOf.isEmpty ? .block : .flag, by: caller)
            if case .flagged = outcome { summary.flaggedDuplicates += 1 }
            ids[lead.prospectID] = customer.id
            if customer.stage != stage {
                _ = try await rapport.customers.move(customer.id.rawValue, to: stage, reason: lead.moveReason(to: stage), by: rep.caller)
                summary.stageMoves += 1
            }
            summary.customers += 1
            summary.stages[stage, default: 0] += 1
            for planned in timeline.activities(of: customer.id) {
                _ = try await rapport.activities.log(planned.activity, by: planned.byOwner ? rep.caller : caller)
                summary.activities += 1
            }
        }
        for lead in leads {
            guard let id = ids[lead.prospectID] else { continue }
            if let parent = ids[lead.parent] {
                _ = try await rapport.customers.relate(parent.rawValue, to: id.rawValue, type: "parent_of", note: "家长与学员 Parent and learner", by: caller)
                summary.relations += 1
            }
            if let referrer = ids[lead.referrer] {
                _ = try await rapport.customers.relate(id.rawValue, to: referrer.rawValue, type: "referred_by", note: "老带新 Referral", by: caller)
                summary.relations += 1
            }
        }
    }

    /// Each lead's stage; referrers whose referral enrolled become promoters.
    static func finalStages(_ leads: [DemoLead]) -> [String: String] {
        var stages = Dictionary(leads.map { ($0.prospectID, $0.plannedStage) }, uniquingKeysWith: { first, _ in first })
        for lead in leads where !lead.referrer.isEmpty && lead.converted {
            if let stage = stages[lead.referrer], ["enrolled", "renewed"].contains(stage) { stages[lead.referrer] = "promoter" }
        }
        return stages
    }

    /// The customer input for a lead: contacts, consents, tags, custom fields, owner, the stage to
    /// create it in (one move short of `stage`).
    func customerInput(_ lead: DemoLead, stage: String, owner: Rep, referrer: RecordID?, trialDay: Date) -> CustomerInput {
        var contacts: [CustomerInput.Contact] = []
        if !lead.phone.isEmpty { contacts.append(.init(kind: "phone", value: lead.phone, label: "mobile", primary: true)) }
        if !lead.email.isEmpty { contacts.append(.init(kind: "email", value: lead.email, primary: true)) }
        if !lead.wechatUnionID.isEmpty { contacts.append(.init(kind: "wechat_unionid", value: lead.wechatUnionID)) }

        let emailWithdrawn = lead.doNotEmail || ["Unsubscribed", "Email Marked Spam"].contains(lead.lastActivity)
        var consents: [CustomerInput.ConsentInput] = [
            .init(channel: "email", purpose: "marketing", status: emailWithdrawn ? "withdrawn" : "granted", source: "web_form"),
            .init(channel: "phone", purpose: "sales", status: lead.doNotCall ? "withdrawn" : "granted", source: "web_form"),
            .init(channel: "sms", purpose: "marketing", status: lead.doNotCall ? "withdrawn" : "granted", source: "web_form"),
        ]
        if !lead.wechatUnionID.isEmpty { consents.append(.init(channel: "wechat", purpose: "sales", status: "granted", source: "chat")) }

        var custom: [String: JSONValue] = ["grade": .string(lead.grade)]
        if !lead.subjects.isEmpty { custom["subject_interest"] = .array(lead.subjects.map(JSONValue.string)) }
        if !lead.learnerName.isEmpty { custom["student_name"] = .string(lead.learnerName) }
        let reachedTrial = ["trial_booked", "trial_attended", "enrolled", "renewed", "promoter"].contains(stage)
        let parentPhone = lead.parentPhone.isEmpty ? lead.phone : lead.parentPhone
        if !parentPhone.isEmpty, !lead.learnerName.isEmpty || !lead.parentPhone.isEmpty || reachedTrial {
            custom["parent_phone"] = .string(parentPhone)
        }
        if reachedTrial {
            custom["trial_class_date"] = .string(Self.chinaDate(trialDay))
            custom["budget"] = .object(["amount_minor": .integer(lead.budgetYuan * 100), "currency": .string("CNY")])
        }
        if let referrer { custom["referred_by"] = .string(referrer.rawValue) }

        return CustomerInput(
            kind: "person", name: lead.name, owner: .some(owner.user.id.rawValue), source: .some(lead.sourceKey),
            stage: DemoLead.creationStage(for: stage), doNotContact: lead.doNotCall,
            doNotContactReason: lead.doNotCall ? .some("勿电联 Do Not Call (asked on the lead form)") : nil,
            externalRef: .some(lead.prospectID), customFields: custom, contacts: contacts, tags: lead.customerTags, consents: consents)
    }

    /// A calendar date (YYYY-MM-DD) in China's time zone (UTC+8, no daylight saving).
    static func chinaDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3_600)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
