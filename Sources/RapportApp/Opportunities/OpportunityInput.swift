import Foundation
import RapportCore

/// What creating or changing an opportunity takes, as the caller sent it (not yet checked). For a
/// change, `nil` leaves a field alone and `.some(nil)` clears it; custom fields merge key by key;
/// `competitors` and `lines` replace the whole list.
public struct OpportunityInput: Sendable {
    /// One product line as sent.
    public struct Line: Sendable, Equatable {
        public var sku: String?
        public var quantity: Int?
        public var unitPrice: Money?

        public init(sku: String?, quantity: Int?, unitPrice: Money?) {
            self.sku = sku
            self.quantity = quantity
            self.unitPrice = unitPrice
        }
    }

    public var name: String?
    /// Create only: the customer (`cus_…`), which the caller must be able to see; nil for none yet.
    public var customer: String?
    /// Create only: the pipeline key (the first active pipeline by default).
    public var pipeline: String?
    /// Create only: the first stage (the pipeline's initial stage by default).
    public var stage: String?
    public var amount: Money??
    /// `YYYY-MM-DD`.
    public var expectedCloseDate: String??
    /// A user id: on create the owner (the caller by default); on change a reassignment, which
    /// managers and administrators may make.
    public var owner: String?
    public var source: String??
    public var competitors: [String]?
    public var customFields: [String: JSONValue]?
    /// The owner's own chance of winning, 0–100, overriding the stage's; null returns to the stage's.
    public var probability: Int??
    public var lines: [Line]?
    /// An option key of the dictionary's `loss_reason` field: on create in a lost stage, or to
    /// correct the reason of a lost opportunity.
    public var lossReason: String??

    public init(
        name: String? = nil, customer: String? = nil, pipeline: String? = nil, stage: String? = nil, amount: Money?? = nil,
        expectedCloseDate: String?? = nil, owner: String? = nil, source: String?? = nil, competitors: [String]? = nil,
        customFields: [String: JSONValue]? = nil, probability: Int?? = nil, lines: [Line]? = nil, lossReason: String?? = nil
    ) {
        self.name = name
        self.customer = customer
        self.pipeline = pipeline
        self.stage = stage
        self.amount = amount
        self.expectedCloseDate = expectedCloseDate
        self.owner = owner
        self.source = source
        self.competitors = competitors
        self.customFields = customFields
        self.probability = probability
        self.lines = lines
        self.lossReason = lossReason
    }
}

/// Checks and normalises opportunity input onto an opportunity value: no IO. Custom fields and keys
/// follow the customer normaliser's rules against the opportunity dictionary.
struct OpportunityNormaliser: Sendable {
    let base: CustomerNormaliser

    /// The largest amount in minor units (10¹²: ten billion of a currency's major unit), so that
    /// sums over millions of opportunities stay within 64 bits.
    static let maxAmountMinor: Int64 = 1_000_000_000_000
    static let maxCompetitors = 20
    static let maxLines = 200
    static let maxQuantity = 1_000_000

    init(settings: CustomerSettings, dictionary: ObjectDictionary, ids: any IDGenerating, now: Date) {
        base = CustomerNormaliser(settings: settings, dictionary: dictionary, ids: ids, now: now)
    }

    func apply(_ input: OpportunityInput, to opportunity: inout Opportunity, creating: Bool, check: inout Validator) {
        if let name = input.name {
            opportunity.name = check.text(name, field: "name", maxLength: 200, allowEmpty: false)
        } else if creating {
            check.add("name", "required", "name is required.")
        }
        if let amount = input.amount { opportunity.amount = amount.flatMap { money($0, field: "amount", &check) } }
        if let date = input.expectedCloseDate {
            if let date, !CustomFieldValidation.isCalendarDate(date) {
                check.add("expected_close_date", "invalid", "expected_close_date is a date, YYYY-MM-DD.")
            } else {
                opportunity.expectedCloseDate = date
            }
        }
        if let source = input.source { opportunity.source = base.optionalKey(source, "source", &check) }
        if let competitors = input.competitors { opportunity.competitors = self.competitors(competitors, &check) }
        if let probability = input.probability {
            if let probability, !(0...100).contains(probability) {
                check.add("probability", "out_of_range", "probability is from 0 to 100.")
            } else {
                opportunity.probabilityOverride = probability
            }
        }
        if let lines = input.lines {
            opportunity.lines = self.lines(lines, &check)
            // Lines without an amount give the amount: their total.
            if input.amount == nil, !opportunity.lines.isEmpty, let total = Self.total(opportunity.lines) { opportunity.amount = total }
        }
        if let currency = opportunity.amount?.currency {
            for (index, line) in opportunity.lines.enumerated() where line.unitPrice.currency != currency {
                check.add("lines[\(index)].unit_price.currency", "invalid", "Every line is in the amount's currency, \(currency).")
            }
        }
        if let reason = input.lossReason { opportunity.lossReason = reason.flatMap { lossReason($0, &check) } }
        if let values = input.customFields {
            if values[Opportunity.lossReasonField] != nil {
                check.add(CustomFieldValidation.path(Opportunity.lossReasonField), "read_only", "The loss reason is loss_reason, set with the stage move.")
            } else {
                // The customer rules on a scratch customer: the opportunity keeps the normalised result.
                var scratch = Customer(id: opportunity.id, kind: .person, name: opportunity.name, stage: opportunity.stage,
                                       stageEnteredAt: opportunity.stageEnteredAt, customFields: opportunity.customFields,
                                       createdAt: opportunity.createdAt, updatedAt: opportunity.updatedAt)
                base.apply(CustomerInput(customFields: values), to: &scratch, creating: false, check: &check)
                opportunity.customFields = scratch.customFields
            }
        }
        if creating {
            for field in base.dictionary.fields
            where field.required && !field.archived && field.key != Opportunity.lossReasonField && opportunity.customFields[field.key] == nil {
                check.add(CustomFieldValidation.path(field.key), "required", "\(CustomFieldValidation.path(field.key)) is required.")
            }
        }
    }

    /// A loss reason: an active option of the dictionary's `loss_reason` field (any well-formed key
    /// when the dictionary has no such field).
    func lossReason(_ raw: String, _ check: inout Validator) -> String? {
        let key = raw.trimmingWhitespace()
        if let field = base.dictionary.field(Opportunity.lossReasonField), field.type.hasOptions {
            guard let option = field.option(key), !option.archived else {
                let keys = field.options.filter { !$0.archived }.map(\.key).joined(separator: ", ")
                check.add("loss_reason", "invalid", "loss_reason is one of: \(keys).")
                return nil
            }
            return option.key
        }
        guard DictionaryKey.isValid(key) else {
            check.add("loss_reason", "invalid", "loss_reason is a key: a lowercase letter, then a-z, 0-9 and _.")
            return nil
        }
        return key
    }

    func money(_ sent: Money, field: String, _ check: inout Validator) -> Money? {
        let value = Money(sent.amountMinor, sent.currency.trimmingWhitespace())
        var ok = true
        if !FieldDefinition.isCurrencyCode(value.currency) {
            check.add("\(field).currency", "invalid", "\(field).currency is an ISO 4217 code such as CNY.")
            ok = false
        }
        if !(0...Self.maxAmountMinor).contains(value.amountMinor) {
            check.add("\(field).amount_minor", "out_of_range", "\(field).amount_minor is from 0 to \(Self.maxAmountMinor).")
            ok = false
        }
        return ok ? value : nil
    }

    func competitors(_ names: [String], _ check: inout Validator) -> [String] {
        if names.count > Self.maxCompetitors { check.add("competitors", "too_long", "At most \(Self.maxCompetitors) competitors.") }
        var seen: Set<String> = []
        var result: [String] = []
        for (index, name) in names.prefix(Self.maxCompetitors).enumerated() {
            let text = check.text(name, field: "competitors[\(index)]", maxLength: 100, allowEmpty: false)
            if !text.isEmpty, seen.insert(text.lowercased()).inserted { result.append(text) }
        }
        return result
    }

    func lines(_ inputs: [OpportunityInput.Line], _ check: inout Validator) -> [OpportunityLine] {
        if inputs.count > Self.maxLines { check.add("lines", "too_long", "At most \(Self.maxLines) lines.") }
        var result: [OpportunityLine] = []
        var currency: String?
        for (index, input) in inputs.prefix(Self.maxLines).enumerated() {
            let path = "lines[\(index)]"
            let sku = input.sku.map { check.text($0, field: "\(path).sku", maxLength: 64, allowEmpty: false) }
            if input.sku == nil { check.add("\(path).sku", "required", "\(path).sku is required.") }
            let quantity = input.quantity ?? 0
            if input.quantity == nil {
                check.add("\(path).quantity", "required", "\(path).quantity is required.")
            } else if !(1...Self.maxQuantity).contains(quantity) {
                check.add("\(path).quantity", "out_of_range", "\(path).quantity is from 1 to \(Self.maxQuantity).")
            }
            let price = input.unitPrice.flatMap { money($0, field: "\(path).unit_price", &check) }
            if input.unitPrice == nil { check.add("\(path).unit_price", "required", "\(path).unit_price is required.") }
            if let price {
                if let currency, price.currency != currency {
                    check.add("\(path).unit_price.currency", "invalid", "Every line is in the same currency, \(currency).")
                }
                currency = currency ?? price.currency
            }
            if let sku, !sku.isEmpty, let price, (1...Self.maxQuantity).contains(quantity) {
                result.append(OpportunityLine(sku: sku, quantity: Int64(quantity), unitPrice: price))
            }
        }
        if let total = Self.total(result), total.amountMinor > Self.maxAmountMinor {
            check.add("lines", "out_of_range", "The lines' total must be at most \(Self.maxAmountMinor) minor units.")
        }
        return result
    }

    /// The lines' total in their currency (nil for none or mixed currencies).
    static func total(_ lines: [OpportunityLine]) -> Money? {
        guard let currency = lines.first?.unitPrice.currency, lines.allSatisfy({ $0.unitPrice.currency == currency }) else { return nil }
        var sum: Int64 = 0
        for line in lines {
            guard let total = line.total else { return nil }
            let (next, overflow) = sum.addingReportingOverflow(total.amountMinor)
            if overflow { return nil }
            sum = next
        }
        return Money(sum, currency)
    }
}
