extension BusinessDictionary {
    // MARK: Shared closing stages

    /// The won stage every default pipeline ends in: needs the amount; may be re-opened to `reopenTo`.
    static func wonStage(_ label: LocalizedText, _ definition: LocalizedText, reopenTo: String) -> StageDefinition {
        StageDefinition(
            key: "won", label: label, definition: definition, category: .won, lifecycle: .purchase,
            transitions: [reopenTo], guards: ["amount"], probability: 100)
    }

    /// The lost stage every default pipeline has: needs a loss reason; may be re-opened.
    static func lostStage(_ label: LocalizedText, _ definition: LocalizedText, reopenTo: [String]) -> StageDefinition {
        StageDefinition(key: "lost", label: label, definition: definition, category: .lost, transitions: reopenTo, guards: ["loss_reason"], probability: 0)
    }

    /// An opportunity dictionary whose own stages are those of its first pipeline.
    static func opportunity(pipelines: [PipelineDefinition], fields: [FieldDefinition]) -> ObjectDictionary {
        ObjectDictionary(
            object: .opportunity, initialStage: pipelines[0].initialStage, stages: pipelines[0].stages, fields: fields, pipelines: pipelines)
    }

    // MARK: Education

    static var educationRenewal: PipelineDefinition {
        PipelineDefinition(
            key: "renewal", label: LocalizedText("续费", "Renewal"),
            definition: LocalizedText("老学员课时将尽或到期前的续费。", "Renewing a learner whose lessons run low or whose term ends."),
            initialStage: "renewal_due",
            stages: [
                StageDefinition(
                    key: "renewal_due", label: LocalizedText("待续费", "Renewal due"),
                    definition: LocalizedText("课时余额不足或临近到期，尚未沟通。", "Few lessons left or the term ends soon; not yet discussed."),
                    category: .open, lifecycle: .purchase, transitions: ["renewal_talk", "lost"], slaDays: 14, probability: 40),
                StageDefinition(
                    key: "renewal_talk", label: LocalizedText("续费沟通", "Discussing renewal"),
                    definition: LocalizedText("已与家长沟通续费方案和价格。", "The renewal plan and price are being discussed with the parent."),
                    category: .open, lifecycle: .purchase, transitions: ["won", "renewal_due", "lost"], guards: ["amount"], slaDays: 7,
                    probability: 70),
                wonStage(LocalizedText("已续费", "Renewed"), LocalizedText("已付款续费。", "Paid for the renewal."), reopenTo: "renewal_talk"),
                lostStage(LocalizedText("未续费", "Not renewed"), LocalizedText("家长决定不续费；可重新打开。", "The parent decided not to renew; may be re-opened."),
                          reopenTo: ["renewal_due"]),
            ])
    }

    static var educationUpsell: PipelineDefinition {
        PipelineDefinition(
            key: "upsell", label: LocalizedText("增购", "Upsell"),
            definition: LocalizedText("在读学员加购课时、科目或服务。", "A current learner buying more lessons, subjects or services."),
            initialStage: "needs",
            stages: [
                StageDefinition(
                    key: "needs", label: LocalizedText("需求确认", "Needs"),
                    definition: LocalizedText("发现加购需求（新科目、更多课时）。", "A need for more (a new subject, more lessons) is found."),
                    category: .open, lifecycle: .purchase, transitions: ["proposal", "lost"], slaDays: 14, probability: 20),
                StageDefinition(
                    key: "proposal", label: LocalizedText("方案报价", "Proposal"),
                    definition: LocalizedText("已给出加购方案和价格。", "An offer and a price for the addition have been made."),
                    category: .open, lifecycle: .purchase, transitions: ["won", "needs", "lost"], guards: ["amount"], slaDays: 7, probability: 50),
                wonStage(LocalizedText("已增购", "Bought"), LocalizedText("已付款加购。", "Paid for the addition."), reopenTo: "proposal"),
                lostStage(LocalizedText("未增购", "Not bought"), LocalizedText("家长决定不加购；可重新打开。", "The parent decided not to add; may be re-opened."),
                          reopenTo: ["needs"]),
            ])
    }

    // MARK: B2B

    static var b2bRenewal: PipelineDefinition {
        PipelineDefinition(
            key: "renewal", label: LocalizedText("续费", "Renewal"),
            definition: LocalizedText("订阅或维保合同到期前的续约。", "Renewing a subscription or support contract before it ends."),
            initialStage: "upcoming",
            stages: [
                StageDefinition(
                    key: "upcoming", label: LocalizedText("待续约", "Upcoming"),
                    definition: LocalizedText("合同将在 90 天内到期。", "The contract ends within 90 days."),
                    category: .open, lifecycle: .purchase, transitions: ["negotiation", "lost"], slaDays: 60, probability: 50),
                StageDefinition(
                    key: "negotiation", label: LocalizedText("续约谈判", "Negotiation"),
                    definition: LocalizedText("正在确认续约范围、价格和条款。", "Scope, price and terms of the renewal are being agreed."),
                    category: .open, lifecycle: .purchase, transitions: ["won", "upcoming", "lost"], guards: ["amount", "expected_close_date"],
                    slaDays: 30, probability: 75),
                wonStage(LocalizedText("已续约", "Renewed"), LocalizedText("续约合同已签署。", "The renewal is signed."), reopenTo: "negotiation"),
                lostStage(LocalizedText("未续约", "Churned"), LocalizedText("客户不再续约；可重新打开。", "The customer does not renew; may be re-opened."),
                          reopenTo: ["upcoming"]),
            ])
    }

    static var b2bUpsell: PipelineDefinition {
        PipelineDefinition(
            key: "upsell", label: LocalizedText("增购", "Upsell"),
            definition: LocalizedText("现有客户增加席位、模块或服务。", "An existing customer adding seats, modules or services."),
            initialStage: "discovery",
            stages: [
                StageDefinition(
                    key: "discovery", label: LocalizedText("需求发现", "Discovery"),
                    definition: LocalizedText("发现扩容或新模块的需求。", "A need for more seats or a new module is found."),
                    category: .open, lifecycle: .purchase, transitions: ["proposal", "lost"], slaDays: 21, probability: 20),
                StageDefinition(
                    key: "proposal", label: LocalizedText("方案报价", "Proposal"),
                    definition: LocalizedText("已提交增购方案和报价。", "A proposal and a quote for the addition have been sent."),
                    category: .open, lifecycle: .purchase, transitions: ["negotiation", "discovery", "lost"], guards: ["amount"], slaDays: 14,
                    probability: 50),
                StageDefinition(
                    key: "negotiation", label: LocalizedText("商务谈判", "Negotiation"),
                    definition: LocalizedText("正在谈判价格和合同。", "Price and contract are being negotiated."),
                    category: .open, lifecycle: .purchase, transitions: ["won", "proposal", "lost"], guards: ["amount", "expected_close_date"],
                    slaDays: 14, probability: 75),
                wonStage(LocalizedText("已增购", "Won"), LocalizedText("增购合同已签署。", "The addition is signed."), reopenTo: "negotiation"),
                lostStage(LocalizedText("未增购", "Lost"), LocalizedText("客户决定不增购；可重新打开。", "The customer decided not to add; may be re-opened."),
                          reopenTo: ["discovery"]),
            ])
    }
}
