import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// Merging duplicates: the candidates of a customer, two customers side by side with a choice
    /// of which value each differing field keeps, the merge itself, and its undo.
    func addCustomerMerges(to router: Router<APIRequestContext>) {
        page(router, "customers/:id/merge") { request, context, web in
            let id: String = try context.parameters.require("id")
            let query = WebForm(pairs: FormBody.pairs(request.uri.query ?? ""))
            let survivor = try await rapport.customers.get(id, by: web.caller)
            guard let otherID = query["with"] else {
                let candidates = try await rapport.merges.duplicates(of: id, by: web.caller)
                return web.page("customer_merge", title: web.text("merge_duplicates"),
                                CustomerMergeBody(survivor: CustomerRow(survivor), candidates: candidates.map(CustomerRow.init)))
            }
            let other = try await rapport.customers.get(otherID, by: web.caller)
            guard other.id != survivor.id else { throw RapportError.notFound("customer") }
            let dictionary = try await rapport.dictionary.get("customer", by: web.caller).dictionary
            let fields = try await mergeFields(survivor, other, dictionary: dictionary, web: web)
            var body = CustomerMergeBody(survivor: CustomerRow(survivor), candidates: [])
            body.other = CustomerRow(other)
            body.fields = fields
            body.swap = "/customers/\(Self.segment(other.id.rawValue))/merge?with=\(Self.segment(survivor.id.rawValue))"
            body.moves = Self.mergeMoves(try await rapport.merges.linkedCounts(of: other.id.rawValue, by: web.caller), web: web)
            return web.page("customer_merge", title: web.text("merge_duplicates"), body)
        }
        action(router, "merges") { _, _, web, form in
            var choices: [String: String] = [:]
            for (name, value) in form.pairs where name.hasPrefix("choice.") { choices[String(name.dropFirst("choice.".count))] = value }
            let record = try await rapport.merges.merge(survivor: form["survivor_id"] ?? "", merged: form["merged_id"] ?? "", choices: choices, by: web.caller)
            return web.redirect("/customers/" + Self.segment(record.survivorID.rawValue), notice: "merged")
        }
        action(router, "merges/:id/undo") { request, context, web, _ in
            do {
                let record = try await rapport.merges.undo(try context.parameters.require("id"), by: web.caller)
                return web.redirect("/customers/" + Self.segment(record.survivorID.rawValue), notice: "merge_undone")
            } catch let error as RapportError where error.code == .conflict {
                return errorPage(web, request, error, titleKey: "undo_refused")
            }
        }
    }

    /// The fields a caller may choose for whose values differ, worded for the reader, with the
    /// side a merge keeps when nothing is chosen (the survivor's, unless it has none).
    func mergeFields(_ survivor: Customer, _ other: Customer, dictionary: ObjectDictionary, web: WebContext) async throws -> [MergeFieldRow] {
        let zh = web.locale.code == "zh-Hans"
        let stageLabel = { (key: String) in dictionary.stages.first { $0.key == key }.map { zh ? $0.label.zhHans : $0.label.en } ?? key }
        var people: [RecordID: String] = [:]
        var teams: [RecordID: String] = [:]
        for id in Set([survivor.ownerID, other.ownerID].compactMap { $0 }) {
            people[id] = (try? await rapport.users.get(id.rawValue, by: web.caller).name) ?? id.rawValue
        }
        for id in Set([survivor.teamID, other.teamID].compactMap { $0 }) {
            teams[id] = (try? await rapport.teams.get(id.rawValue, by: web.caller).name) ?? id.rawValue
        }
        let yes = web.text("yes"), no = web.text("no")
        func values(_ customer: Customer) -> [String: String?] {
            [
                "kind": web.text("kind_\(customer.kind.rawValue)"), "name": customer.name, "company": customer.company, "title": customer.title,
                "owner_id": customer.ownerID.map { people[$0] ?? $0.rawValue }, "team_id": customer.teamID.map { teams[$0] ?? $0.rawValue },
                "source": customer.source, "stage": stageLabel(customer.stage), "value_tier": customer.valueTier,
                "score": customer.score.map { web.locale.number(Int($0)) }, "do_not_contact": customer.doNotContact ? yes : no,
                "id_number": customer.idNumber,
            ]
        }
        let left = values(survivor), right = values(other)
        var rows: [MergeFieldRow] = []
        for field in CustomerMerge.choosableFields {
            let (a, b) = (left[field] ?? nil, right[field] ?? nil)
            guard a != b else { continue }
            let label = web.text("record_field_\(field.replacingOccurrences(of: "_id", with: ""))")
            let keepRight = field == "do_not_contact" ? (other.doNotContact && !survivor.doNotContact)
                : (a == nil && !["kind", "name", "stage"].contains(field))
            rows.append(MergeFieldRow(field: field, label: label, left: a ?? "—", right: b ?? "—", keepRight: keepRight))
        }
        for key in Set(survivor.customFields.keys).union(other.customFields.keys).sorted() {
            let (a, b) = (survivor.customFields[key], other.customFields[key])
            guard a != b else { continue }
            let label = dictionary.fields.first { $0.key == key }.map { zh ? $0.label.zhHans : $0.label.en } ?? key
            rows.append(MergeFieldRow(field: "custom_fields.\(key)", label: label, left: a.map(Self.display) ?? "—", right: b.map(Self.display) ?? "—",
                                      keepRight: a == nil))
        }
        return rows
    }

    /// "Moving with it — opportunities: 2 · orders: 1 · entitlements: 1", or nil when nothing moves.
    static func mergeMoves(_ counts: [CustomerLinkedRecord: Int], web: WebContext) -> String? {
        guard counts.values.contains(where: { $0 > 0 }) else { return nil }
        var values: [String: String] = [:]
        for kind in CustomerLinkedRecord.allCases { values[kind.rawValue] = web.locale.number(counts[kind] ?? 0) }
        return web.text("merge_moves", values)
    }

    /// A custom field's value as text.
    static func display(_ value: JSONValue) -> String {
        switch value {
        case .null, .unrepresentableNumber: "—"
        case .bool(let flag): flag ? "✓" : "✗"
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .string(let text): text
        case .array(let items): items.map(display).joined(separator: ", ")
        case .object(let fields): fields.keys.sorted().map { "\($0): \(display(fields[$0]!))" }.joined(separator: ", ")
        }
    }
}

/// One field that differs between two customers, with the two values to choose between.
struct MergeFieldRow {
    var field: String
    var label: String
    var left: String
    var right: String
    var keepRight: Bool
}

/// The merge page: a customer's candidate duplicates, or two customers side by side.
struct CustomerMergeBody {
    var survivor: CustomerRow
    var candidates: [CustomerRow]
    var other: CustomerRow?
    var fields: [MergeFieldRow] = [] {
        didSet { hasFields = !fields.isEmpty }
    }
    var hasFields = false
    var swap: String = ""
    /// What moves with the merged customer (opportunities, orders, entitlements), if anything.
    var moves: String?
}
