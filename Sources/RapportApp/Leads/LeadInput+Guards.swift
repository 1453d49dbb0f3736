import Foundation
import RapportCore

extension LeadInput {
    /// The built-in lead fields a stage guard may name that a person can fill in as text.
    public static let fillableGuardFields: Set<String> = [
        "company", "title", "phone", "email", "wechat_unionid", "source", "campaign", "interest", "region", "referrer", "score",
    ]

    /// The fields stage `stage`'s guards ask for, from a form's text (what the web's status form
    /// posts): built-in fields by key (`phone`), custom fields by path (`custom_fields.grade`), a
    /// multi-choice field once per choice. Blank values and fields the stage does not ask for are
    /// left out; custom values are typed by the dictionary's definition (option labels become
    /// keys), as an import reads a cell, and checked when the move applies them.
    public init(guardsOf stage: String, in dictionary: ObjectDictionary, form pairs: [(String, String)]) {
        self.init()
        var custom: [String: JSONValue] = [:]
        for key in dictionary.stage(stage)?.guards ?? [] {
            let field = dictionary.field(key)
            let path = field == nil ? key : CustomFieldValidation.path(key)
            let values = pairs.filter { $0.0 == path }.map { $0.1.trimmingWhitespace() }.filter { !$0.isEmpty }
            guard let last = values.last else { continue }
            if let field {
                custom[key] = CustomerRowMapper.customValue(field.type == .multiEnum ? values.joined(separator: ",") : last, field: field)
                continue
            }
            switch key {
            case "company": company = .some(last)
            case "title": title = .some(last)
            case "phone": phone = .some(last)
            case "email": email = .some(last)
            case "wechat_unionid": wechatUnionid = .some(last)
            case "source": source = .some(last)
            case "campaign": campaign = .some(last)
            case "interest": interest = .some(last)
            case "region": region = .some(last)
            case "referrer": referrer = .some(last)
            case "score": if let number = Int64(last) { score = .some(number) }
            default: continue
            }
        }
        if !custom.isEmpty { customFields = custom }
    }
}
