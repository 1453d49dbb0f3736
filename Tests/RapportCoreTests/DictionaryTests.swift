import Foundation
import RapportCore
import Testing

/// A broken dictionary and the problem it must produce.
struct BrokenDictionary: Sendable, CustomTestStringConvertible {
    let name: String
    let field: String
    let code: String
    let edit: @Sendable (inout ObjectDictionary) -> Void
    var testDescription: String { name }
}

private let brokenDictionaries: [BrokenDictionary] = [
    BrokenDictionary(name: "no stages", field: "stages", code: "required") { $0.stages = [] },
    BrokenDictionary(name: "bad stage key", field: "stages[1].key", code: "invalid") { $0.stages[1].key = "Contacting" },
    BrokenDictionary(name: "stage key too long", field: "stages[1].key", code: "invalid") { $0.stages[1].key = String(repeating: "a", count: 65) },
    BrokenDictionary(name: "duplicate stage key", field: "stages[2].key", code: "duplicate") { $0.stages[2].key = "contacting" },
    BrokenDictionary(name: "empty zh label", field: "stages[0].label.zh-Hans", code: "required") { $0.stages[0].label.zhHans = "  " },
    BrokenDictionary(name: "empty en label", field: "stages[3].label.en", code: "required") { $0.stages[3].label.en = "" },
    BrokenDictionary(name: "empty definition", field: "stages[0].definition.en", code: "required") { $0.stages[0].definition?.en = "" },
    BrokenDictionary(name: "transition to nowhere", field: "stages[2].transitions[0]", code: "unknown_stage") { $0.stages[2].transitions[0] = "nowhere" },
    BrokenDictionary(name: "transition to itself", field: "stages[0].transitions[2]", code: "invalid") { $0.stages[0].transitions.append("new") },
    BrokenDictionary(name: "transition twice", field: "stages[0].transitions[2]", code: "duplicate") { $0.stages[0].transitions.append("invalid") },
    BrokenDictionary(name: "transition to archived", field: "stages[0].transitions[1]", code: "archived") { $0.stages[4].archived = true },
    BrokenDictionary(name: "guard on unknown field", field: "stages[1].guards[0]", code: "unknown_field") { $0.stages[1].guards = ["shoe_size"] },
    BrokenDictionary(name: "guard twice", field: "stages[2].guards[2]", code: "duplicate") { $0.stages[2].guards.append("grade") },
    BrokenDictionary(name: "guard on archived field", field: "stages[2].guards[0]", code: "archived") { $0.fields[0].archived = true },
    BrokenDictionary(name: "sla zero", field: "stages[0].sla_days", code: "out_of_range") { $0.stages[0].slaDays = 0 },
    BrokenDictionary(name: "sla too long", field: "stages[1].sla_days", code: "out_of_range") { $0.stages[1].slaDays = 4000 },
    BrokenDictionary(name: "probability above 100", field: "stages[2].probability", code: "out_of_range") { $0.stages[2].probability = 101 },
    BrokenDictionary(name: "negative probability", field: "stages[2].probability", code: "out_of_range") { $0.stages[2].probability = -1 },
    BrokenDictionary(name: "unknown initial stage", field: "initial_stage", code: "unknown_stage") { $0.initialStage = "start" },
    BrokenDictionary(name: "closed initial stage", field: "initial_stage", code: "invalid") { $0.initialStage = "converted" },
    BrokenDictionary(name: "archived initial stage", field: "initial_stage", code: "archived") {
        $0.stages[0].archived = true
        $0.stages[4].transitions = ["contacting"]
    },
    BrokenDictionary(name: "bad field key", field: "fields[0].key", code: "invalid") { $0.fields[0].key = "1grade" },
    BrokenDictionary(name: "duplicate field key", field: "fields[1].key", code: "duplicate") { $0.fields[1].key = "grade" },
    BrokenDictionary(name: "field shadows a built-in", field: "fields[2].key", code: "reserved") { $0.fields[2].key = "phone" },
    BrokenDictionary(name: "empty field label", field: "fields[2].label.zh-Hans", code: "required") { $0.fields[2].label.zhHans = "" },
    BrokenDictionary(name: "enum without options", field: "fields[0].options", code: "required") { $0.fields[0].options = [] },
    BrokenDictionary(name: "enum with only archived options", field: "fields[3].options", code: "required") {
        for index in $0.fields[3].options.indices { $0.fields[3].options[index].archived = true }
    },
    BrokenDictionary(name: "duplicate option", field: "fields[1].options[1].key", code: "duplicate") { $0.fields[1].options[1].key = "chinese" },
    BrokenDictionary(name: "bad option key", field: "fields[1].options[0].key", code: "invalid") { $0.fields[1].options[0].key = "中文" },
    BrokenDictionary(name: "empty option label", field: "fields[1].options[2].label.en", code: "required") { $0.fields[1].options[2].label.en = "" },
    BrokenDictionary(name: "options on a bool", field: "fields[2].options", code: "invalid") { $0.fields[2].options = [$0.fields[0].options[0]] },
    BrokenDictionary(name: "max length on a bool", field: "fields[2].max_length", code: "invalid") { $0.fields[2].maxLength = 10 },
    BrokenDictionary(name: "max length zero", field: "fields[4].max_length", code: "out_of_range") { $0.fields.append(textField(maxLength: 0)) },
    BrokenDictionary(name: "bounds on text", field: "fields[4].minimum", code: "invalid") {
        var field = textField(maxLength: 10)
        field.minimum = 1
        $0.fields.append(field)
    },
    BrokenDictionary(name: "minimum above maximum", field: "fields[4].maximum", code: "out_of_range") {
        $0.fields.append(FieldDefinition(key: "score2", label: LocalizedText(zhHans: "分", en: "Score"), type: .number, minimum: 10, maximum: 1))
    },
    BrokenDictionary(name: "infinite bound", field: "fields[4].maximum", code: "invalid") {
        $0.fields.append(FieldDefinition(key: "score2", label: LocalizedText(zhHans: "分", en: "Score"), type: .number, maximum: .infinity))
    },
    BrokenDictionary(name: "bad currency", field: "fields[4].currency", code: "invalid") {
        $0.fields.append(FieldDefinition(key: "fee", label: LocalizedText(zhHans: "费用", en: "Fee"), type: .money, currency: "rmb"))
    },
    BrokenDictionary(name: "currency on number", field: "fields[4].currency", code: "invalid") {
        $0.fields.append(FieldDefinition(key: "fee", label: LocalizedText(zhHans: "费用", en: "Fee"), type: .number, currency: "CNY"))
    },
    BrokenDictionary(name: "link without target", field: "fields[4].link_to", code: "required") {
        $0.fields.append(FieldDefinition(key: "link", label: LocalizedText(zhHans: "关联", en: "Link"), type: .recordLink))
    },
    BrokenDictionary(name: "target on text", field: "fields[4].link_to", code: "invalid") {
        var field = textField(maxLength: 10)
        field.linkTo = .customer
        $0.fields.append(field)
    },
]

private func textField(maxLength: Int) -> FieldDefinition {
    FieldDefinition(key: "nickname", label: LocalizedText(zhHans: "昵称", en: "Nickname"), type: .text, maxLength: maxLength)
}

@Suite struct DictionaryTests {
    @Test(arguments: DictionaryFixtures.defaults)
    func defaultsValidate(_ name: String, _ business: BusinessDictionary) throws {
        try business.validate { $0.standardBuiltInFields }
        for object in [DictionaryObject.lead, .customer, .opportunity] {
            let dictionary = try #require(business[object], "\(name) lacks \(object)")
            try dictionary.validate(builtInFields: object.standardBuiltInFields)
        }
        #expect(business[.campaign] == nil)
    }

    @Test(arguments: DictionaryFixtures.defaults)
    func defaultsAreFullyDescribed(_ name: String, _ business: BusinessDictionary) throws {
        for dictionary in business.objects {
            for stage in dictionary.stages {
                #expect(stage.definition != nil, "\(name).\(dictionary.object).\(stage.key) has no definition")
                #expect(stage.label.zhHans.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF })
            }
            for field in dictionary.fields {
                #expect(field.definition != nil, "\(name).\(dictionary.object).\(field.key) has no definition")
            }
            #expect(dictionary.stages.contains { $0.category == .won })
            #expect(dictionary.stages.contains { $0.category == .lost })
        }
        let lead = try #require(business[.lead])
        #expect(lead.stages.map(\.key) == ["new", "contacting", "qualified", "converted", "invalid"])
        #expect(lead.stages.map(\.label.zhHans) == ["新线索", "联系中", "已确认", "已转化", "无效"])
        #expect(lead.stage("converted")?.category == .won && lead.stage("invalid")?.category == .lost)
        #expect(lead.stage("invalid")?.transitions.contains("contacting") == true)

        let customer = try #require(business[.customer])
        let mapped = Set(customer.stages.compactMap(\.lifecycle))
        #expect(mapped == Set(GenericLifecycle.allCases), "\(name) customer stages cover the generic lifecycle")
        #expect(customer.stages.contains { $0.slaDays != nil } && customer.stages.contains { !$0.guards.isEmpty })

        let opportunity = try #require(business[.opportunity])
        #expect(opportunity.stages.allSatisfy { $0.probability != nil })
        #expect(opportunity.stages.contains { $0.guards.contains("amount") })
        let lost = try #require(opportunity.stages.first { $0.category == .lost })
        #expect(lost.transitions.contains { opportunity.stage($0)?.category == .open })
    }

    @Test func educationAndB2BHaveTheirFields() throws {
        let education = try #require(BusinessDictionary.education[.customer])
        #expect(education.field("grade")?.type == .enum)
        #expect(education.field("subject_interest")?.type == .multiEnum)
        #expect(education.field("trial_class_date")?.type == .date)
        #expect(education.field("parent_phone")?.type == .phone)
        #expect(education.field("budget")?.type == .money && education.field("budget")?.currency == "CNY")
        let b2b = try #require(BusinessDictionary.b2b[.customer])
        #expect(b2b.field("industry")?.type == .enum)
        #expect(b2b.field("employees")?.type == .number)
        #expect(b2b.field("annual_revenue")?.type == .money)
        #expect(b2b.field("website")?.type == .text)
        #expect(b2b.field("account_manager")?.type == .user)
        #expect(BusinessDictionary.b2b[.opportunity]?.stage("prospecting") != nil)
        #expect(BusinessDictionary.b2b[.opportunity]?.stage("engaging") != nil)
    }

    @Test(arguments: brokenDictionaries)
    func brokenDictionariesNameTheProblem(_ broken: BrokenDictionary) throws {
        var dictionary = try #require(BusinessDictionary.education[.lead])
        broken.edit(&dictionary)
        let error = try #require(throws: RapportError.self) {
            try dictionary.validate(builtInFields: DictionaryObject.lead.standardBuiltInFields)
        }
        #expect(error.code == .validationFailed)
        #expect(
            error.fieldErrors.contains { $0.field == broken.field && $0.code == broken.code },
            "got \(error.fieldErrors.map { "\($0.field) \($0.code)" })")
    }

    @Test func aWholeDictionaryPrefixesPathsAndRefusesDuplicates() throws {
        var business = BusinessDictionary.b2b
        business.objects.append(business.objects[0])
        business.objects[1].stages[0].slaDays = -1
        let error = try #require(throws: RapportError.self) { try business.validate { $0.standardBuiltInFields } }
        #expect(error.fieldErrors.map(\.field) == ["objects[1].stages[0].sla_days", "objects[3].object"])
    }

    @Test(arguments: DictionaryFixtures.defaults)
    func codableRoundTrip(_ name: String, _ business: BusinessDictionary) throws {
        let data = try JSONEncoder().encode(business)
        #expect(try JSONDecoder().decode(BusinessDictionary.self, from: data) == business)
    }

    @Test func jsonUsesSnakeCaseKeys() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(BusinessDictionary.education), as: UTF8.self)
        for key in ["\"initial_stage\"", "\"sla_days\"", "\"link_to\"", "\"max_length\"", "\"zh-Hans\"", "\"multi_enum\"", "\"record_link\""] {
            #expect(json.contains(key), "missing \(key)")
        }
        for camel in ["initialStage", "slaDays", "linkTo", "maxLength", "zhHans"] {
            #expect(!json.contains(camel))
        }
    }

    @Test func decodingFillsDefaults() throws {
        let json = """
            {"object": "ticket", "initial_stage": "open",
             "stages": [{"key": "open", "label": {"zh-Hans": "处理中", "en": "Open"}, "category": "open", "transitions": ["done"], "sla_days": 2},
                        {"key": "done", "label": {"zh-Hans": "已解决", "en": "Done"}, "category": "won"}],
             "fields": [{"key": "severity", "label": {"zh-Hans": "严重程度", "en": "Severity"}, "type": "enum",
                         "options": [{"key": "high", "label": {"zh-Hans": "高", "en": "High"}}]}]}
            """
        let dictionary = try JSONDecoder().decode(ObjectDictionary.self, from: Data(json.utf8))
        #expect(dictionary.stage("done")?.transitions == [] && dictionary.stage("done")?.archived == false)
        #expect(dictionary.stage("open")?.slaDays == 2)
        #expect(dictionary.field("severity")?.required == false && dictionary.field("severity")?.options.first?.archived == false)
        try dictionary.validate(builtInFields: [])
    }

    // MARK: Revisions

    @Test func removedStagesAreArchivedWhenInUseAndDroppedOtherwise() throws {
        let current = try #require(BusinessDictionary.education[.customer])
        var edited = current
        edited.stages.removeAll { $0.key == "promoter" || $0.key == "renewed" }
        for index in edited.stages.indices {
            edited.stages[index].transitions.removeAll { $0 == "promoter" || $0 == "renewed" }
        }
        let next = current.revised(to: edited, stagesInUse: ["promoter", "new"], fieldsInUse: [])
        let promoter = try #require(next.stage("promoter"))
        #expect(promoter.archived && promoter.guards.isEmpty)
        #expect(promoter.transitions == ["dormant", "lost"], "transitions to dropped stages go")
        #expect(next.stage("renewed") == nil)
        #expect(next.stages.last?.key == "promoter")
        try next.validate(builtInFields: DictionaryObject.customer.standardBuiltInFields)
        // A record still in promoter may leave it; nobody may enter it.
        let engine = LifecycleEngine(next)
        let state = LifecycleState(stage: "promoter", enteredAt: Date(timeIntervalSince1970: 0))
        #expect(throws: Never.self) { try engine.apply(.move(to: "lost", at: Date(timeIntervalSince1970: 1), by: nil, reason: nil), to: state, filled: []) }
    }

    @Test func removedFieldsAndOptionsAreArchivedWhenInUse() throws {
        let current = try #require(BusinessDictionary.education[.customer])
        var edited = current
        edited.fields.removeAll { $0.key == "budget" || $0.key == "student_name" }
        let subjects = try #require(edited.fields.firstIndex { $0.key == "subject_interest" })
        edited.fields[subjects].options.removeAll { $0.key == "art" || $0.key == "programming" }
        let grade = try #require(edited.fields.firstIndex { $0.key == "grade" })
        edited.fields[grade].options.removeAll { $0.key == "adult" }

        let next = current.revised(
            to: edited, stagesInUse: [], fieldsInUse: ["budget", "subject_interest"],
            optionsInUse: ["subject_interest": ["art"]])
        #expect(next.field("budget")?.archived == true)
        #expect(next.field("student_name") == nil)
        let nextSubjects = try #require(next.field("subject_interest"))
        #expect(nextSubjects.option("art")?.archived == true)
        #expect(nextSubjects.option("programming") == nil)
        #expect(next.field("grade")?.option("adult") == nil, "grade is not in use")
        try next.validate(builtInFields: DictionaryObject.customer.standardBuiltInFields)

        // Without per-option usage, every option of a field in use counts as in use.
        let conservative = current.revised(to: edited, stagesInUse: [], fieldsInUse: ["subject_interest"])
        #expect(conservative.field("subject_interest")?.option("programming")?.archived == true)
        #expect(conservative.field("subject_interest")?.option("art")?.archived == true)
    }

    @Test func anEditKeepsWhatItContains() {
        let current = BusinessDictionary.b2b[.lead]!
        var edited = current
        edited.stages[0].label = LocalizedText(zhHans: "待跟进", en: "To do")
        edited.stages[0].slaDays = 3
        #expect(current.revised(to: edited, stagesInUse: Set(current.stages.map(\.key)), fieldsInUse: []) == edited)
        #expect(current.revised(to: current, stagesInUse: [], fieldsInUse: []) == current)
    }

    @Test func genericLifecycleIsOrdered() {
        #expect(GenericLifecycle.allCases.sorted() == GenericLifecycle.allCases)
        #expect(GenericLifecycle.aware < .recommend && !(GenericLifecycle.purchase < .favor))
        #expect(StageCategory.allCases.filter(\.isClosed) == [.won, .lost])
        #expect(DictionaryObject.allCases.map(\.idPrefix.rawValue) == ["lead", "cus", "opp", "ord", "ptn", "tkt", "cmp"])
    }
}
