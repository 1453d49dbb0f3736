import Foundation
import RapportApp
import RapportCore

/// The objects of the business dictionary, with their version and size.
struct AdminDictionariesBody {
    struct Object {
        var object: String
        var label: String
        var summary: String
    }

    var objects: [Object]

    init(web: WebContext, all: [DictionaryObject: DictionaryUseCases.Current]) {
        // Leads and customers first (what people work on every day), then the rest in a fixed order.
        let order = DictionaryObject.allCases.sorted { a, b in
            let rank = { (object: DictionaryObject) in [DictionaryObject.lead, .customer].firstIndex(of: object) ?? 2 }
            return rank(a) != rank(b) ? rank(a) < rank(b) : DictionaryObject.allCases.firstIndex(of: a)! < DictionaryObject.allCases.firstIndex(of: b)!
        }
        objects = order.compactMap { object in
            guard let current = all[object] else { return nil }
            return Object(object: object.rawValue, label: web.label("kind", object.rawValue), summary: web.text("dictionary_summary", [
                "stages": String(current.dictionary.activeStages.count), "fields": String(current.dictionary.activeFields.count),
                "version": current.version == 0 ? web.text("dictionary_template") : String(current.version),
            ]))
        }
    }
}

/// One object's dictionary as forms: a form per stage and per field, and forms to add one of each.
struct AdminDictionaryBody {
    struct Choice {
        var value: String
        var label: String
        var checked: Bool
        var fieldID: String
    }

    struct Stage {
        var key: String
        var labelZh: String
        var labelEn: String
        var shown: String
        var categoryText: String
        var categories: [WebOption]
        var transitions: [Choice]
        var transitionsText: String
        var guards: String
        var slaDays: String
        var archived: Bool
        var initial: Bool
        var first: Bool
        var last: Bool
        var removeConfirm: String
    }

    struct Field {
        var key: String
        var typeText: String
        var labelZh: String
        var labelEn: String
        var shown: String
        var required: Bool
        var archived: Bool
        var hasOptions: Bool
        var options: String
        var optionsText: String
        var first: Bool
        var last: Bool
        var removeConfirm: String
    }

    var object: String
    var objectLabel: String
    var version: String
    var versionText: String
    var stages: [Stage]
    var fields: [Field]
    var initialStages: [WebOption]
    var newCategories: [WebOption]
    var newTransitions: [Choice]
    var newFrom: [Choice]
    var types: [WebOption]
    var guardHint: String
    var revisions: [String]
    var auditLink: String

    init(web: WebContext, current: DictionaryUseCases.Current, revisions: [String]) {
        self.revisions = revisions
        auditLink = "/admin/audit?object_kind=dictionary&object_id=" + WebPages.segment(current.dictionary.object.rawValue)
        let dictionary = current.dictionary
        let lang = web.locale.code
        func shown(_ text: LocalizedText) -> String { text.text(for: lang) }
        let stageName = Dictionary(dictionary.stages.map { ($0.key, shown($0.label)) }, uniquingKeysWith: { a, _ in a })
        let categories = StageCategory.allCases.map { ($0.rawValue, web.label("category", $0.rawValue)) }
        object = dictionary.object.rawValue
        objectLabel = web.label("kind", dictionary.object.rawValue)
        version = String(current.version)
        versionText = current.version == 0 ? web.text("dictionary_template")
            : web.text("dictionary_version", ["version": String(current.version), "date": web.date(current.updatedAt)])
        stages = dictionary.stages.enumerated().map { index, stage in
            Stage(key: stage.key, labelZh: stage.label.zhHans, labelEn: stage.label.en, shown: shown(stage.label),
                  categoryText: web.label("category", stage.category.rawValue),
                  categories: WebOption.list(categories, chosen: stage.category.rawValue),
                  transitions: dictionary.stages.filter { $0.key != stage.key }.map { other in
                      Choice(value: other.key, label: shown(other.label), checked: stage.transitions.contains(other.key), fieldID: "tr-\(stage.key)-\(other.key)")
                  },
                  transitionsText: stage.transitions.map { stageName[$0] ?? $0 }.joined(separator: ", "),
                  guards: stage.guards.joined(separator: ", "), slaDays: stage.slaDays.map(String.init) ?? "", archived: stage.archived,
                  initial: stage.key == dictionary.initialStage, first: index == 0, last: index == dictionary.stages.count - 1,
                  removeConfirm: web.text("confirm_remove_stage", ["name": shown(stage.label)]))
        }
        fields = dictionary.fields.enumerated().map { index, field in
            let active = field.options.filter { !$0.archived }
            return Field(key: field.key, typeText: web.label("field_type", field.type.rawValue), labelZh: field.label.zhHans, labelEn: field.label.en,
                         shown: shown(field.label), required: field.required, archived: field.archived, hasOptions: field.type.hasOptions,
                         options: active.map { "\($0.key) | \($0.label.zhHans) | \($0.label.en)" }.joined(separator: "\n"),
                         optionsText: active.map { shown($0.label) }.joined(separator: ", "),
                         first: index == 0, last: index == dictionary.fields.count - 1,
                         removeConfirm: web.text("confirm_remove_field", ["name": shown(field.label)]))
        }
        initialStages = WebOption.list(dictionary.activeStages.filter { $0.category == .open }.map { ($0.key, shown($0.label)) },
                                       chosen: dictionary.initialStage)
        newCategories = WebOption.list(categories, chosen: StageCategory.open.rawValue)
        newTransitions = dictionary.activeStages.map { Choice(value: $0.key, label: shown($0.label), checked: false, fieldID: "new-to-\($0.key)") }
        newFrom = dictionary.activeStages.map { Choice(value: $0.key, label: shown($0.label), checked: false, fieldID: "new-from-\($0.key)") }
        types = WebOption.list(FieldType.allCases.map { ($0.rawValue, web.label("field_type", $0.rawValue)) }, chosen: FieldType.text.rawValue)
        let builtIn = dictionary.object.standardBuiltInFields.sorted()
        guardHint = web.text("guards_hint", ["fields": (builtIn + dictionary.activeFields.map(\.key)).joined(separator: ", ")])
    }
}
