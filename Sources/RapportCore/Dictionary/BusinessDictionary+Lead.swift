extension BusinessDictionary {
    /// The lead stage machine both default dictionaries share: new → contacting → qualified →
    /// converted (won) | invalid (lost), with invalid leads re-opened to contacting.
    ///
    /// - Parameters:
    ///   - audience: who a lead is, in both languages, for the definitions (e.g. 家长 / a parent).
    ///   - contactingGuards, qualifiedGuards: fields required to enter those stages.
    ///   - sla: SLA days of new, contacting and qualified.
    ///   - fields: the custom fields; they should include `invalid_reason` (the guard of `invalid`).
    static func standardLead(
        audience: LocalizedText, contactingGuards: [String], qualifiedGuards: [String],
        sla: (new: Int, contacting: Int, qualified: Int), fields: [FieldDefinition]
    ) -> ObjectDictionary {
        ObjectDictionary(
            object: .lead, initialStage: "new",
            stages: [
                StageDefinition(
                    key: "new", label: LocalizedText("新线索", "New"),
                    definition: LocalizedText(
                        "刚进入系统、尚未有人跟进的线索（表单留资、广告投放、活动、转介绍等），对象是\(audience.zhHans)。",
                        "A lead that has just arrived (a form, an ad, an event, a referral) and that nobody has worked yet; the contact is \(audience.en)."),
                    category: .open, lifecycle: .aware, transitions: ["contacting", "invalid"], slaDays: sla.new),
                StageDefinition(
                    key: "contacting", label: LocalizedText("联系中", "Contacting"),
                    definition: LocalizedText(
                        "销售已开始电话或微信联系，正在确认需求、决策人和意向，尚未确认是否为有效商机来源。",
                        "A rep has started calling or messaging and is finding out the need, the decision maker and the intent."),
                    category: .open, lifecycle: .curious, transitions: ["qualified", "invalid"], guards: contactingGuards,
                    slaDays: sla.contacting),
                StageDefinition(
                    key: "qualified", label: LocalizedText("已确认", "Qualified"),
                    definition: LocalizedText(
                        "已确认有真实需求和购买能力、联系人可参与决策，可以转化为客户（及商机）。",
                        "A real need and the means to buy are confirmed and the contact takes part in the decision; ready to convert."),
                    category: .open, lifecycle: .understand, transitions: ["converted", "invalid"], guards: qualifiedGuards,
                    slaDays: sla.qualified),
                StageDefinition(
                    key: "converted", label: LocalizedText("已转化", "Converted"),
                    definition: LocalizedText(
                        "已转化为客户（通常同时创建商机），此后由客户记录承接生命周期。",
                        "Converted into a customer (usually with an opportunity); the customer record carries the lifecycle on."),
                    category: .won),
                StageDefinition(
                    key: "invalid", label: LocalizedText("无效", "Invalid"),
                    definition: LocalizedText(
                        "无法联系、号码错误、重复、非目标人群或明确无需求的线索；如有新情况可重新打开回到联系中。",
                        "Unreachable, a wrong number, a duplicate, outside the target group or without need; may be re-opened to contacting."),
                    category: .lost, transitions: ["contacting"], guards: ["invalid_reason"]),
            ],
            fields: fields
        )
    }

    /// The `invalid_reason` enum field both default lead dictionaries use as the guard of `invalid`.
    static var invalidReasonField: FieldDefinition {
        FieldDefinition(
            key: "invalid_reason", label: LocalizedText("无效原因", "Invalid reason"),
            definition: LocalizedText("线索被判为无效的原因，用于分析渠道质量。", "Why the lead was judged invalid; used to judge the quality of sources."),
            type: .enum,
            options: [
                FieldOption("unreachable", "无法联系", "Unreachable"),
                FieldOption("wrong_number", "号码错误", "Wrong number"),
                FieldOption("duplicate", "重复线索", "Duplicate"),
                FieldOption("not_target", "非目标客户", "Not a target customer"),
                FieldOption("no_need", "无需求", "No need"),
                FieldOption("other", "其他", "Other"),
            ])
    }
}
