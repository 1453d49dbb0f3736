import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The business dictionary, per object: stages (labels in both languages, category, order,
    /// transitions, guards) and custom fields (key, type, labels, options). The dictionary is saved as
    /// one versioned document: every form posts one changed item with the version it was read at, and
    /// the page rebuilds the document and saves it through the dictionary use case (a stale form is
    /// refused; removed items still in use are kept, archived, by the use case).
    func addAdminDictionary(to router: Router<APIRequestContext>) {
        adminPage(router, "admin/dictionary") { _, _, web in
            let all = try await rapport.dictionary.all(by: web.caller)
            return web.page("admin_dictionaries", title: web.text("admin_dictionary"), AdminDictionariesBody(web: web, all: all))
        }
        adminPage(router, "admin/dictionary/:object") { _, context, web in
            let object = try context.parameters.require("object")
            let current = try await rapport.dictionary.get(object, by: web.caller)
            var revisions: [String] = []
            var names: [RecordID: String] = [:]
            for version in try await rapport.dictionary.versions(object, by: web.caller).prefix(10) {
                var by = web.text("system_actor")
                if let id = version.createdBy {
                    if names[id] == nil { names[id] = (try? await rapport.users.get(id.rawValue, by: web.caller))?.name ?? id.rawValue }
                    by = names[id] ?? id.rawValue
                }
                revisions.append(web.text("dictionary_revision", ["version": String(version.version), "date": web.date(version.createdAt), "name": by]))
            }
            let title = web.text("admin_dictionary") + " · " + web.label("kind", current.dictionary.object.rawValue)
            return web.page("admin_dictionary", title: title, AdminDictionaryBody(web: web, current: current, revisions: revisions))
        }
        dictionaryAction(router, "stages") { dictionary, _, form in
            let key = form["key"] ?? ""
            guard dictionary.stage(key) == nil else {
                throw RapportError.validation([FieldError(field: "key", code: "duplicate", message: "Stage \(key) already exists.")])
            }
            var stage = StageDefinition(key: key, label: Self.labels(form), category: StageCategory(rawValue: form["category"] ?? "") ?? .open,
                                        transitions: form.all("transition"), guards: Self.keys(form["guards"]))
            stage.slaDays = form["sla_days"].flatMap { Int($0) }
            dictionary.stages.append(stage)
            for from in form.all("from") {
                if let index = dictionary.stages.firstIndex(where: { $0.key == from }), !dictionary.stages[index].transitions.contains(key) {
                    dictionary.stages[index].transitions.append(key)
                }
            }
            return "stage_added"
        }
        dictionaryAction(router, "stages/:key") { dictionary, key, form in
            guard let index = dictionary.stages.firstIndex(where: { $0.key == key }) else { throw RapportError.notFound("stage") }
            dictionary.stages[index].label = Self.labels(form)
            if let category = form["category"] {
                guard let parsed = StageCategory(rawValue: category) else {
                    throw RapportError.validation([FieldError(field: "category", code: "invalid", message: "category is open, won, lost or dormant.")])
                }
                dictionary.stages[index].category = parsed
            }
            dictionary.stages[index].transitions = form.all("transition")
            dictionary.stages[index].guards = Self.keys(form["guards"])
            dictionary.stages[index].slaDays = form["sla_days"].flatMap { Int($0) }
            dictionary.stages[index].archived = form["archived"] == "1"
            return "saved"
        }
        dictionaryAction(router, "stages/:key/move") { dictionary, key, form in
            try Self.move(&dictionary.stages, key: key, up: form["direction"] == "up")
            return "saved"
        }
        dictionaryAction(router, "stages/:key/remove") { dictionary, key, _ in
            guard dictionary.stage(key) != nil else { throw RapportError.notFound("stage") }
            dictionary.stages.removeAll { $0.key == key }
            for index in dictionary.stages.indices { dictionary.stages[index].transitions.removeAll { $0 == key } }
            return "stage_removed"
        }
        dictionaryAction(router, "initial") { dictionary, _, form in
            dictionary.initialStage = form["initial_stage"] ?? ""
            return "saved"
        }
        dictionaryAction(router, "fields") { dictionary, _, form in
            let key = form["key"] ?? ""
            guard dictionary.field(key) == nil else {
                throw RapportError.validation([FieldError(field: "key", code: "duplicate", message: "Field \(key) already exists.")])
            }
            guard let type = FieldType(rawValue: form["type"] ?? "") else {
                throw RapportError.validation([FieldError(field: "type", code: "invalid", message: "type is not a field type.")])
            }
            dictionary.fields.append(FieldDefinition(key: key, label: Self.labels(form), type: type, required: form["required"] == "1",
                                                     options: type.hasOptions ? try Self.options(form["options"]) : []))
            return "field_added"
        }
        dictionaryAction(router, "fields/:key") { dictionary, key, form in
            guard let index = dictionary.fields.firstIndex(where: { $0.key == key }) else { throw RapportError.notFound("field") }
            var field = dictionary.fields[index]
            field.label = Self.labels(form)
            field.required = form["required"] == "1"
            field.archived = form["archived"] == "1"
            if field.type.hasOptions {
                let edited = try Self.options(form["options"])
                // Archived options are not listed in the form; they stay as they are.
                field.options = edited + field.options.filter { old in old.archived && !edited.contains { $0.key == old.key } }
            }
            dictionary.fields[index] = field
            return "saved"
        }
        dictionaryAction(router, "fields/:key/move") { dictionary, key, form in
            try Self.move(&dictionary.fields, key: key, up: form["direction"] == "up")
            return "saved"
        }
        dictionaryAction(router, "fields/:key/remove") { dictionary, key, _ in
            guard dictionary.field(key) != nil else { throw RapportError.notFound("field") }
            dictionary.fields.removeAll { $0.key == key }
            for index in dictionary.stages.indices { dictionary.stages[index].guards.removeAll { $0 == key } }
            return "field_removed"
        }
    }

    /// A form that edits one object's dictionary: `edit` changes the current document (and names the
    /// notice); the result is saved at the version the form was read at.
    private func dictionaryAction(_ router: Router<APIRequestContext>, _ path: String,
                                  _ edit: @escaping @Sendable (inout ObjectDictionary, String, WebForm) throws -> String) {
        adminAction(router, RouterPath("admin/dictionary/:object/" + path)) { _, context, web, form in
            let object = try context.parameters.require("object")
            let version = try Self.requiredVersion(form)
            let current = try await rapport.dictionary.get(object, by: web.caller)
            var dictionary = current.dictionary
            let notice = try edit(&dictionary, context.parameters.get("key") ?? "", form)
            _ = try await rapport.dictionary.replace(object, with: dictionary, expectedVersion: version, by: web.caller)
            return web.redirect("/admin/dictionary/" + Self.segment(object), notice: notice)
        }
    }

    /// A label in both languages from `label_zh` and `label_en`.
    static func labels(_ form: WebForm) -> LocalizedText {
        LocalizedText(zhHans: form["label_zh"] ?? "", en: form["label_en"] ?? "")
    }

    /// Keys separated by commas or spaces (`phone, email`).
    static func keys(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "，" || $0 == "\n" }).map(String.init)
    }

    /// Options, one a line: `key | 中文 | English` (one label serves both languages).
    static func options(_ text: String?) throws -> [FieldOption] {
        var options: [FieldOption] = []
        var errors: [FieldError] = []
        for (index, line) in (text ?? "").split(whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count >= 2, !parts[0].isEmpty else {
                errors.append(FieldError(field: "options[\(index)]", code: "invalid", message: "An option line is key | 中文 | English."))
                continue
            }
            options.append(FieldOption(key: parts[0], label: LocalizedText(zhHans: parts[1], en: parts.count > 2 ? parts[2] : parts[1])))
        }
        if !errors.isEmpty { throw RapportError.validation(errors) }
        return options
    }

    /// Swaps the item with `key` and its neighbour above or below.
    static func move<Item: DictionaryItem>(_ items: inout [Item], key: String, up: Bool) throws {
        guard let index = items.firstIndex(where: { $0.key == key }) else { throw RapportError.notFound("item") }
        let other = up ? index - 1 : index + 1
        guard items.indices.contains(other) else { return }
        items.swapAt(index, other)
    }
}

/// A stage or a field: something with a key in an ordered list.
protocol DictionaryItem { var key: String { get } }
extension StageDefinition: DictionaryItem {}
extension FieldDefinition: DictionaryItem {}
