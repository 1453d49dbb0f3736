extension BusinessDictionary {
    /// The default dictionary of a 大C online-education company: course advisors (课程顾问) turn leads
    /// into trial classes (试听课), enrolments (报名), renewals (续费) and referrals (转介绍).
    public static let education = BusinessDictionary(objects: [educationLead, educationCustomer, educationOpportunity])

    // MARK: Lead

    static var educationLead: ObjectDictionary {
        standardLead(
            audience: LocalizedText("学员家长或成人学员", "a parent or an adult learner"),
            contactingGuards: ["phone"], qualifiedGuards: ["grade", "subject_interest"],
            sla: (new: 1, contacting: 7, qualified: 7),
            fields: [
                gradeField,
                subjectInterestField,
                FieldDefinition(
                    key: "wechat_added", label: LocalizedText("已加微信", "WeChat added"),
                    definition: LocalizedText("课程顾问是否已添加家长微信（私域连接）。", "Whether the course advisor has added the parent on WeChat."),
                    type: .bool),
                invalidReasonField,
            ])
    }

    // MARK: Customer

    static var educationCustomer: ObjectDictionary {
        ObjectDictionary(
            object: .customer, initialStage: "new",
            stages: [
                StageDefinition(
                    key: "new", label: LocalizedText("新客户", "New"),
                    definition: LocalizedText(
                        "已建立客户档案（通常由线索转化而来），课程顾问尚未完成首次需求沟通。",
                        "A customer record exists (usually from a converted lead); the course advisor has not yet had the first needs conversation."),
                    category: .open, lifecycle: .aware, transitions: ["engaged", "dormant", "lost"], slaDays: 2),
                StageDefinition(
                    key: "engaged", label: LocalizedText("沟通中", "Engaged"),
                    definition: LocalizedText(
                        "顾问已与家长完成首次有效沟通，了解学员年级、科目和学习目标，正在推荐试听课。",
                        "The advisor has talked with the parent, knows the learner's grade, subjects and goals, and is recommending a trial class."),
                    category: .open, lifecycle: .curious, transitions: ["trial_booked", "dormant", "lost"], slaDays: 7),
                StageDefinition(
                    key: "trial_booked", label: LocalizedText("已约试听", "Trial booked"),
                    definition: LocalizedText(
                        "已为学员预约试听课（如 9.9 元体验课），等待上课。",
                        "A trial class (e.g. the 9.9 yuan taster) is booked for the learner and has not happened yet."),
                    category: .open, lifecycle: .understand, transitions: ["trial_attended", "engaged", "lost"],
                    guards: ["trial_class_date"], slaDays: 7),
                StageDefinition(
                    key: "trial_attended", label: LocalizedText("已试听", "Trial attended"),
                    definition: LocalizedText(
                        "学员已上完试听课；顾问应在 3 天内回访并给出学习方案和报价。",
                        "The learner attended the trial class; the advisor follows up within 3 days with a study plan and a price."),
                    category: .open, lifecycle: .favor, transitions: ["enrolled", "trial_booked", "dormant", "lost"], slaDays: 3),
                StageDefinition(
                    key: "enrolled", label: LocalizedText("已报名", "Enrolled"),
                    definition: LocalizedText(
                        "家长已付费报名正式课程，学员开始上课。",
                        "The parent has paid for a regular course and the learner has started."),
                    category: .won, lifecycle: .purchase, transitions: ["renewed", "promoter", "dormant", "lost"],
                    guards: ["grade", "parent_phone"]),
                StageDefinition(
                    key: "renewed", label: LocalizedText("已续费", "Renewed"),
                    definition: LocalizedText(
                        "课时用完或到期前已再次付费续课，或加购了新科目。",
                        "Paid again before the lessons ran out or expired, or bought another subject."),
                    category: .won, lifecycle: .purchase, transitions: ["promoter", "dormant", "lost"]),
                StageDefinition(
                    key: "promoter", label: LocalizedText("转介绍", "Promoter"),
                    definition: LocalizedText(
                        "已成功推荐新学员报名（转介绍、老带新）的客户。",
                        "A customer who has brought in a new learner who enrolled (referral)."),
                    category: .won, lifecycle: .recommend, transitions: ["renewed", "dormant", "lost"]),
                StageDefinition(
                    key: "dormant", label: LocalizedText("沉默", "Dormant"),
                    definition: LocalizedText(
                        "长期无互动、未续费也未明确流失的客户；90 天内应重新激活或判定流失。",
                        "No interaction for a long time, neither renewed nor lost; to be re-activated or marked lost within 90 days."),
                    category: .dormant, transitions: ["engaged", "renewed", "lost"], slaDays: 90),
                StageDefinition(
                    key: "lost", label: LocalizedText("流失", "Lost"),
                    definition: LocalizedText(
                        "明确不再学习、已退费或多次联系无响应的客户；可重新激活回到沟通中。",
                        "No longer learning, refunded, or unresponsive to repeated contact; may be re-activated to engaged."),
                    category: .lost, transitions: ["engaged"]),
            ],
            fields: [
                FieldDefinition(
                    key: "student_name", label: LocalizedText("学员姓名", "Student name"),
                    definition: LocalizedText("上课学员的姓名（客户本人可能是家长）。", "The learner's name (the customer may be the parent)."),
                    type: .text, maxLength: 50),
                gradeField,
                subjectInterestField,
                FieldDefinition(
                    key: "trial_class_date", label: LocalizedText("试听课日期", "Trial class date"),
                    definition: LocalizedText("预约或已上试听课的日期。", "The date of the booked or attended trial class."),
                    type: .date),
                FieldDefinition(
                    key: "parent_phone", label: LocalizedText("家长电话", "Parent phone"),
                    definition: LocalizedText("负责缴费和沟通的家长手机号，敏感字段。", "The mobile number of the parent who pays and decides; sensitive."),
                    type: .phone),
                FieldDefinition(
                    key: "budget", label: LocalizedText("预算", "Budget"),
                    definition: LocalizedText("家长表达的课程预算（人民币）。", "The course budget the parent has mentioned, in CNY."),
                    type: .money, minimum: 0, currency: "CNY"),
                FieldDefinition(
                    key: "referred_by", label: LocalizedText("推荐人", "Referred by"),
                    definition: LocalizedText("介绍该客户来的老客户（转介绍）。", "The existing customer who referred this one."),
                    type: .recordLink, linkTo: .customer),
            ])
    }

    // MARK: Opportunity

    static var educationOpportunity: ObjectDictionary {
        opportunity(
            pipelines: [educationNewSale, educationRenewal, educationUpsell],
            fields: [
                FieldDefinition(
                    key: "deal_type", label: LocalizedText("商机类型", "Deal type"),
                    definition: LocalizedText("新报名、续费、加购或转介绍带来的商机。", "A new enrolment, a renewal, an upsell or a referral."),
                    type: .enum,
                    options: [
                        FieldOption("new", "新报名", "New enrolment"), FieldOption("renewal", "续费", "Renewal"),
                        FieldOption("upsell", "加购", "Upsell"), FieldOption("referral", "转介绍", "Referral"),
                    ]),
                FieldDefinition(
                    key: "course_package", label: LocalizedText("课包", "Course package"),
                    definition: LocalizedText("购买的课时包。", "The package of lessons being bought."),
                    type: .enum,
                    options: [
                        FieldOption("lessons_24", "24 课时", "24 lessons"), FieldOption("lessons_48", "48 课时", "48 lessons"),
                        FieldOption("lessons_96", "96 课时", "96 lessons"), FieldOption("annual", "年卡", "Annual pass"),
                    ]),
                FieldDefinition(
                    key: "discount_percent", label: LocalizedText("折扣（%）", "Discount (%)"),
                    definition: LocalizedText("相对标准价格的折扣百分比。", "The discount off the list price, in percent."),
                    type: .number, minimum: 0, maximum: 100),
                lossReasonField,
            ])
    }

    /// New enrolment (新签): needs analysis → proposal → awaiting payment → won | lost.
    static var educationNewSale: PipelineDefinition {
        PipelineDefinition(
            key: "new_sale", label: LocalizedText("新签", "New sale"),
            definition: LocalizedText("新学员的首次报名。", "A new learner's first enrolment."),
            initialStage: "needs_analysis",
            stages: [
                StageDefinition(
                    key: "needs_analysis", label: LocalizedText("需求沟通", "Needs analysis"),
                    definition: LocalizedText("正在了解学员的学习目标、时间和预算。", "Finding out the learner's goals, schedule and budget."),
                    category: .open, lifecycle: .understand, transitions: ["proposal", "lost"], slaDays: 7, probability: 10),
                StageDefinition(
                    key: "proposal", label: LocalizedText("方案报价", "Proposal"),
                    definition: LocalizedText("已给出学习方案、课包和价格。", "A study plan, a course package and a price have been offered."),
                    category: .open, lifecycle: .favor, transitions: ["negotiation", "needs_analysis", "lost"],
                    guards: ["amount"], slaDays: 7, probability: 40),
                StageDefinition(
                    key: "negotiation", label: LocalizedText("待付款", "Awaiting payment"),
                    definition: LocalizedText("家长已认可方案，等待付款（含分期、优惠确认）。", "The parent accepted the plan; payment (instalments, discount) is pending."),
                    category: .open, lifecycle: .favor, transitions: ["won", "proposal", "lost"],
                    guards: ["amount", "course_package"], slaDays: 5, probability: 70),
                wonStage(LocalizedText("已成交", "Won"), LocalizedText("已付款报名或续费。", "Paid: enrolled or renewed."), reopenTo: "negotiation"),
                lostStage(LocalizedText("已输单", "Lost"),
                          LocalizedText("家长决定不购买；可重新打开回到需求沟通。", "The parent decided not to buy; may be re-opened to needs analysis."),
                          reopenTo: ["needs_analysis"]),
            ])
    }

    // MARK: Shared fields

    static var gradeField: FieldDefinition {
        let primary = ["一", "二", "三", "四", "五", "六"].enumerated().map { index, numeral in
            FieldOption("primary_\(index + 1)", "小学\(numeral)年级", "Primary \(index + 1)")
        }
        let junior = ["一", "二", "三"].enumerated().map { index, numeral in
            FieldOption("junior_\(index + 1)", "初\(numeral)", "Junior high \(index + 1)")
        }
        let senior = ["一", "二", "三"].enumerated().map { index, numeral in
            FieldOption("senior_\(index + 1)", "高\(numeral)", "Senior high \(index + 1)")
        }
        return FieldDefinition(
            key: "grade", label: LocalizedText("年级", "Grade"),
            definition: LocalizedText("学员当前就读的年级。", "The grade the learner is in now."),
            type: .enum,
            options: [FieldOption("preschool", "学前", "Preschool")] + primary + junior + senior + [FieldOption("adult", "成人", "Adult")])
    }

    static var subjectInterestField: FieldDefinition {
        FieldDefinition(
            key: "subject_interest", label: LocalizedText("意向科目", "Subjects of interest"),
            definition: LocalizedText("学员或家长感兴趣的科目，可多选。", "The subjects the learner or parent is interested in; several may be chosen."),
            type: .multiEnum,
            options: [
                FieldOption("chinese", "语文", "Chinese"), FieldOption("math", "数学", "Mathematics"),
                FieldOption("english", "英语", "English"), FieldOption("physics", "物理", "Physics"),
                FieldOption("chemistry", "化学", "Chemistry"), FieldOption("programming", "编程", "Programming"),
                FieldOption("art", "美术", "Art"),
            ])
    }

    /// The `loss_reason` option list both default opportunity dictionaries use: the guard of `lost`.
    /// Opportunities keep the chosen key in a column of their own (see `Opportunity.lossReason`).
    static var lossReasonField: FieldDefinition {
        FieldDefinition(
            key: "loss_reason", label: LocalizedText("输单原因", "Lost reason"),
            definition: LocalizedText("商机未成交的主要原因。", "The main reason the deal was not won."),
            type: .enum,
            options: [
                FieldOption("price", "价格", "Price"), FieldOption("competitor", "选择竞品", "Chose a competitor"),
                FieldOption("timing", "时机未到", "Timing"), FieldOption("no_need", "无需求", "No need"),
                FieldOption("no_decision", "无决策", "No decision"), FieldOption("other", "其他", "Other"),
            ])
    }
}
