extension BusinessDictionary {
    /// The default dictionary of a B2B SaaS/hardware vendor with inside sales and partners: accounts move
    /// from target to advocate; opportunities follow a Maven-style pipeline (prospecting → engaging →
    /// proposal → negotiation → won | lost).
    public static let b2b = BusinessDictionary(objects: [b2bLead, b2bCustomer, b2bOpportunity])

    // MARK: Lead

    static var b2bLead: ObjectDictionary {
        standardLead(
            audience: LocalizedText("企业中的联系人", "a contact at a company"),
            contactingGuards: [], qualifiedGuards: ["company", "industry"],
            sla: (new: 2, contacting: 10, qualified: 14),
            fields: [industryField, employeesField, websiteField, invalidReasonField])
    }

    // MARK: Customer (account)

    static var b2bCustomer: ObjectDictionary {
        ObjectDictionary(
            object: .customer, initialStage: "target",
            stages: [
                StageDefinition(
                    key: "target", label: LocalizedText("目标客户", "Target"),
                    definition: LocalizedText("符合理想客户画像、已建档但尚未建立联系的企业。", "A company that fits the ideal customer profile, on file but not yet in contact."),
                    category: .open, lifecycle: .aware, transitions: ["engaged", "dormant", "churned"], slaDays: 30),
                StageDefinition(
                    key: "engaged", label: LocalizedText("接触中", "Engaged"),
                    definition: LocalizedText("已与企业内联系人建立对话（会议、演示、活动）。", "A conversation with someone at the company has started (a meeting, a demo, an event)."),
                    category: .open, lifecycle: .curious, transitions: ["evaluating", "dormant", "churned"], slaDays: 30),
                StageDefinition(
                    key: "evaluating", label: LocalizedText("评估中", "Evaluating"),
                    definition: LocalizedText("企业正在评估产品（试用、POC、需求调研）。", "The company is evaluating the product (a trial, a proof of concept, requirements)."),
                    category: .open, lifecycle: .understand, transitions: ["shortlisted", "engaged", "dormant", "churned"],
                    guards: ["industry"], slaDays: 60),
                StageDefinition(
                    key: "shortlisted", label: LocalizedText("已入围", "Shortlisted"),
                    definition: LocalizedText("我方已进入供应商短名单，决策人明确。", "We are on the shortlist of suppliers and the decision maker is known."),
                    category: .open, lifecycle: .favor, transitions: ["customer", "evaluating", "dormant", "churned"],
                    guards: ["account_manager"], slaDays: 45),
                StageDefinition(
                    key: "customer", label: LocalizedText("成交客户", "Customer"),
                    definition: LocalizedText("已签约付费、正在使用产品或服务的企业。", "Has signed and paid, and uses the product or service."),
                    category: .won, lifecycle: .purchase, transitions: ["advocate", "dormant", "churned"],
                    guards: ["account_manager"]),
                StageDefinition(
                    key: "advocate", label: LocalizedText("推荐客户", "Advocate"),
                    definition: LocalizedText("愿意做案例、参考客户或已推荐新客户的企业。", "Serves as a case study or reference, or has referred a new customer."),
                    category: .won, lifecycle: .recommend, transitions: ["customer", "dormant", "churned"]),
                StageDefinition(
                    key: "dormant", label: LocalizedText("休眠", "Dormant"),
                    definition: LocalizedText("半年内无有效互动的企业；应重新激活或判定流失。", "No real interaction for about six months; to be re-activated or marked churned."),
                    category: .dormant, transitions: ["engaged", "churned"], slaDays: 180),
                StageDefinition(
                    key: "churned", label: LocalizedText("流失", "Churned"),
                    definition: LocalizedText("不续约、已转向竞品或已停业的企业；可重新接触。", "Did not renew, moved to a competitor or closed down; may be engaged again."),
                    category: .lost, transitions: ["engaged"]),
            ],
            fields: [
                industryField, employeesField,
                FieldDefinition(
                    key: "annual_revenue", label: LocalizedText("年营收", "Annual revenue"),
                    definition: LocalizedText("企业上一财年的营业收入（任意币种）。", "The company's revenue in its last financial year, in any currency."),
                    type: .money, minimum: 0),
                websiteField,
                FieldDefinition(
                    key: "founded_year", label: LocalizedText("成立年份", "Year founded"),
                    definition: LocalizedText("企业成立的年份。", "The year the company was established."),
                    type: .number, minimum: 1800, maximum: 2100),
                FieldDefinition(
                    key: "account_manager", label: LocalizedText("客户经理", "Account manager"),
                    definition: LocalizedText("负责该企业关系的客户经理（可与负责人不同）。", "The user who manages the relationship (may differ from the owner)."),
                    type: .user),
                FieldDefinition(
                    key: "parent_account", label: LocalizedText("上级公司", "Parent account"),
                    definition: LocalizedText("集团中的上级公司（母公司）。", "The parent company within a group."),
                    type: .recordLink, linkTo: .customer),
            ])
    }

    // MARK: Opportunity

    static var b2bOpportunity: ObjectDictionary {
        opportunity(
            pipelines: [b2bNewSale, b2bRenewal, b2bUpsell],
            fields: [
                FieldDefinition(
                    key: "product_line", label: LocalizedText("产品线", "Product lines"),
                    definition: LocalizedText("本商机涉及的产品线，可多选。", "The product lines this deal involves."),
                    type: .multiEnum,
                    options: [
                        FieldOption("software", "软件订阅", "Software subscription"), FieldOption("hardware", "硬件", "Hardware"),
                        FieldOption("services", "实施服务", "Implementation services"), FieldOption("support", "维保", "Support"),
                    ]),
                FieldDefinition(
                    key: "decision_maker", label: LocalizedText("决策人", "Decision maker"),
                    definition: LocalizedText("客户方拍板的联系人。", "The contact who makes the buying decision."),
                    type: .recordLink, linkTo: .customer),
                FieldDefinition(
                    key: "partner", label: LocalizedText("合作伙伴", "Partner"),
                    definition: LocalizedText("参与本商机的渠道合作伙伴。", "The channel partner involved in this deal."),
                    type: .recordLink, linkTo: .partner),
                lossReasonField,
            ])
    }

    /// New business (新签), a Maven-style pipeline: prospecting → engaging → proposal → negotiation → won | lost.
    static var b2bNewSale: PipelineDefinition {
        PipelineDefinition(
            key: "new_sale", label: LocalizedText("新签", "New sale"),
            definition: LocalizedText("新客户的首次成交。", "A first deal with a new customer."),
            initialStage: "prospecting",
            stages: [
                StageDefinition(
                    key: "prospecting", label: LocalizedText("初步接洽", "Prospecting"),
                    definition: LocalizedText("发现潜在需求，正在安排首次会议。", "A possible need is identified; a first meeting is being set up."),
                    category: .open, lifecycle: .understand, transitions: ["engaging", "lost"], slaDays: 14, probability: 10),
                StageDefinition(
                    key: "engaging", label: LocalizedText("深入沟通", "Engaging"),
                    definition: LocalizedText("已完成需求调研与演示，明确预算、决策人、需求和时间（BANT）。", "Discovery and a demo are done; budget, authority, need and timing are known."),
                    category: .open, lifecycle: .favor, transitions: ["proposal", "prospecting", "lost"], slaDays: 21, probability: 30),
                StageDefinition(
                    key: "proposal", label: LocalizedText("方案报价", "Proposal"),
                    definition: LocalizedText("已提交方案和报价。", "A proposal and a quote have been sent."),
                    category: .open, lifecycle: .favor, transitions: ["negotiation", "engaging", "lost"],
                    guards: ["amount", "expected_close_date"], slaDays: 14, probability: 60),
                StageDefinition(
                    key: "negotiation", label: LocalizedText("商务谈判", "Negotiation"),
                    definition: LocalizedText("正在谈判价格、条款和合同。", "Price, terms and contract are being negotiated."),
                    category: .open, lifecycle: .favor, transitions: ["won", "proposal", "lost"],
                    guards: ["amount", "expected_close_date", "decision_maker"], slaDays: 14, probability: 80),
                wonStage(LocalizedText("赢单", "Won"), LocalizedText("合同已签署。", "The contract is signed."), reopenTo: "negotiation"),
                lostStage(LocalizedText("输单", "Lost"),
                          LocalizedText("客户选择不购买或选择了竞品；可重新打开。", "The customer chose not to buy or chose a competitor; may be re-opened."),
                          reopenTo: ["prospecting", "engaging"]),
            ])
    }

    // MARK: Shared fields

    static var industryField: FieldDefinition {
        FieldDefinition(
            key: "industry", label: LocalizedText("行业", "Industry"),
            definition: LocalizedText("企业所属的主要行业。", "The company's main industry."),
            type: .enum,
            options: [
                FieldOption("manufacturing", "制造业", "Manufacturing"), FieldOption("retail", "零售", "Retail"),
                FieldOption("finance", "金融", "Finance"), FieldOption("education", "教育", "Education"),
                FieldOption("healthcare", "医疗健康", "Healthcare"), FieldOption("internet", "互联网", "Internet"),
                FieldOption("government", "政府及公共事业", "Government"), FieldOption("logistics", "物流", "Logistics"),
                FieldOption("technology", "科技", "Technology"), FieldOption("software", "软件", "Software"),
                FieldOption("telecommunications", "电信", "Telecommunications"), FieldOption("media", "传媒娱乐", "Media & entertainment"),
                FieldOption("marketing", "营销广告", "Marketing & advertising"), FieldOption("professional_services", "专业服务", "Professional services"),
                FieldOption("staffing", "人力资源服务", "Staffing & employment"),
                FieldOption("other", "其他", "Other"),
            ])
    }

    static var employeesField: FieldDefinition {
        FieldDefinition(
            key: "employees", label: LocalizedText("员工人数", "Employees"),
            definition: LocalizedText("企业的员工总数（约数）。", "The company's head count (approximate)."),
            type: .number, minimum: 1, maximum: 10_000_000)
    }

    static var websiteField: FieldDefinition {
        FieldDefinition(
            key: "website", label: LocalizedText("官网", "Website"),
            definition: LocalizedText("企业官网地址。", "The company's web site address."),
            type: .text, maxLength: 200)
    }
}
