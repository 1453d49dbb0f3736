import Foundation
import RapportCore

extension OpportunityInput {
    /// The built-in opportunity fields a stage guard may name that a person can fill in on a form.
    public static let fillableGuardFields: Set<String> = ["amount", "expected_close_date", "source", "competitors"]

    /// The fields stage `stage`'s guards ask for, from a form's text (what the web's stage form
    /// posts): `amount` (major units, as written) with `currency`, `expected_close_date`, `source`,
    /// `competitors` (comma separated), custom fields by path (`custom_fields.course_package`), a
    /// multi-choice field once per choice. Blank values and fields the stage does not ask for are
    /// left out; an amount that is not a number is sent as an out-of-range value, so the move is
    /// refused at that input. Values are checked when the move applies them.
    public init(guardsOf stage: String, in pipeline: PipelineDefinition, dictionary: ObjectDictionary, form pairs: [(String, String)]) {
        self.init()
        func values(_ name: String) -> [String] {
            pairs.filter { $0.0 == name }.map { $0.1.trimmingWhitespace() }.filter { !$0.isEmpty }
        }
        var custom: [String: JSONValue] = [:]
        for key in pipeline.stage(stage)?.guards ?? [] where key != Opportunity.lossReasonField {
            if let field = dictionary.field(key) {
                let sent = values(CustomFieldValidation.path(key))
                guard let last = sent.last else { continue }
                custom[key] = CustomerRowMapper.customValue(field.type == .multiEnum ? sent.joined(separator: ",") : last, field: field)
                continue
            }
            guard let last = values(key).last else { continue }
            switch key {
            case "amount":
                let currency = values("currency").last ?? "CNY"
                amount = .some(Money.parse(last, currency: currency) ?? Money(-1, currency))
            case "expected_close_date": expectedCloseDate = .some(last)
            case "source": source = .some(last)
            case "competitors": competitors = last.split(whereSeparator: { $0 == "," || $0 == "，" }).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            default: continue
            }
        }
        if !custom.isEmpty { customFields = custom }
    }

    /// Whether the input sets only what a stage form may fill in (no customer, pipeline, stage,
    /// owner or loss reason: those have their own doors).
    var fillsOnlyFields: Bool {
        customer == nil && pipeline == nil && stage == nil && owner == nil && lossReason == nil
    }
}
