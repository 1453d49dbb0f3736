import Foundation
import RapportCore

extension DemoUseCases {
    /// What creating one demo customer did.
    struct Created: Sendable {
        var prospectID: String
        var id: RecordID
        var stage: String
        var flagged: Bool
        var moved: Bool
        var handedOver: Bool
        var activities: Int
    }

    /// How many customers are created side by side: PostgreSQL commits them in parallel, and
    /// SQLite's one writer is kept busy while the next ones are checked.
    static let parallelism = 4

    /// Creates the customers (owners round-robin over the reps, in team order), moves each once
    /// towards its stage, logs its timeline (renewed customers are handed over to student
    /// services, who renew them), then relates families and referrals. Customers are
    /// created in waves: those referred by nobody first, then those whose referrer exists (the
    /// `referred_by` field needs its id), the duplicates last.
    func createCustomers(
        _ leads: [DemoLead], reps: [Rep], service: Rep, by caller: Caller, into summary: inout Summary, progress: @Sendable (Int, Int) -> Void
    ) async throws {
        guard !reps.isEmpty else { throw RapportError(.conflict, "The demo has no reps to own its customers.") }
        let now = rapport.clock.now()
        let stages = Self.finalStages(leads)
        var referrals: [String: Int] = [:]  // referrer → days since its first converted referral arrived
        for lead in leads where lead.converted && !lead.referrer.isEmpty {
            referrals[lead.referrer] = max(referrals[lead.referrer] ?? 0, lead.firstSeenDaysAgo)
        }
        var ids: [String: RecordID] = [:]
        for wave in Self.waves(leads) {
            let known = ids
            try await withThrowingTaskGroup(of: Created.self) { group in
                var pending = wave[...]
                func startNext() {
                    guard let index = pending.popFirst() else { return }
                    let lead = leads[index]
                    let rep = reps[index % reps.count]
                    let stage = stages[lead.prospectID] ?? "new"
                    let timeline = DemoTimeline(lead: lead, stage: stage, centre: rep.centre, referralDaysAgo: referrals[lead.prospectID], now: now)
                    group.addTask { try await createOne(lead, timeline, owner: rep, service: service, referrer: known[lead.referrer], by: caller) }
                }
                for _ in 0..<Self.parallelism { startNext() }
                while let created = try await group.next() {
                    ids[created.prospectID] = created.id
                    summary.customers += 1
                    summary.stages[created.stage, default: 0] += 1
                    summary.flaggedDuplicates += created.flagged ? 1 : 0
                    summary.stageMoves += created.moved ? 1 : 0
                    summary.handovers += created.handedOver ? 1 : 0
                    summary.activities += created.activities
                    progress(summary.customers, leads.count)
                    startNext()
                }
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

    /// Indices of the leads by wave: depth in the referral chain (0 = referred by nobody), the
    /// duplicates after all of them.
    static func waves(_ leads: [DemoLead]) -> [[Int]] {
        let byID = Dictionary(leads.enumerated().map { ($1.prospectID, $0) }, uniquingKeysWith: { first, _ in first })
        func depth(_ index: Int, _ seen: Int = 0) -> Int {
            guard seen < leads.count, let referrer = byID[leads[index].referrer] else { return 0 }
            return 1 + depth(referrer, seen + 1)
        }
        var waves: [[Int]] = []
        var duplicates: [Int] = []
        for index in leads.indices {
            if !leads[index].duplicateOf.isEmpty { duplicates.append(index); continue }
            let level = depth(index)
            while waves.count <= level { waves.append([]) }
            waves[level].append(index)
        }
        return waves + [duplicates]
    }

    /// Creates one customer in the stage before `stage`, moves it there as its owner, and logs its
    /// timeline. A renewed customer is created enrolled, its advisor's touches logged, then it is
    /// handed over to student services, who log theirs and move it to renewed.
    func createOne(_ lead: DemoLead, _ timeline: DemoTimeline, owner rep: Rep, service: Rep, referrer: RecordID?, by caller: Caller) async throws -> Created {
        let stage = timeline.stage
        let input = customerInput(lead, stage: stage, owner: rep, referrer: referrer, trialDay: timeline.trialClassDay)
        let (customer, outcome) = try await rapport.customers.create(input, policy: lead.duplicateOf.isEmpty ? .block : .flag, by: caller)
        let id = customer.id.rawValue
        var created = Created(prospectID: lead.prospectID, id: customer.id, stage: stage, flagged: false, moved: false, handedOver: false, activities: 0)
        if case .flagged = outcome { created.flagged = true }
        let activities = timeline.activities(of: customer.id)
        let handover = activities.contains { $0.actor == .service }
        if customer.stage != stage, !handover {
            _ = try await rapport.customers.move(id, to: stage, reason: lead.moveReason(to: stage), by: rep.caller)
            created.moved = true
        }
        for planned in activities where planned.actor != .service {
            _ = try await rapport.activities.log(planned.activity, by: planned.actor == .owner ? rep.caller : caller)
            created.activities += 1
        }
        guard handover else { return created }
        _ = try await rapport.customers.update(
            id, CustomerInput(owner: .some(service.user.id.rawValue), team: .some(customer.teamID?.rawValue)), expectedVersion: nil, by: caller)
        created.handedOver = true
        if customer.stage != stage {
            _ = try await rapport.customers.move(id, to: stage, reason: lead.moveReason(to: stage), by: service.caller)
            created.moved = true
        }
        for planned in activities where planned.actor == .service {
            _ = try await rapport.activities.log(planned.activity, by: service.caller)
            created.activities += 1
        }
        return created
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
