import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension QuoteUseCases {
    /// The most characters of a quote's notes (terms printed on it).
    static let maximumNotes = 4_000

    /// Creates a draft quote for an opportunity the caller may change, owned by the opportunity's
    /// owner, priced now. `currency` defaults to the opportunity amount's; `valid_until` to today
    /// plus the settings' validity days.
    public func create(for opportunityID: String, _ input: QuoteInput, by caller: Caller) async throws -> Item {
        _ = try await scope(caller, .create)
        let opportunity = try await rapport.opportunities.load(opportunityID, by: caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let settings = try await QuoteSettings.load(sql)
            var quote = Quote(
                id: rapport.ids.next(.quote, at: now), name: opportunity.name, opportunityID: opportunity.id, customerID: opportunity.customerID,
                ownerID: opportunity.ownerID, teamID: opportunity.teamID, statusChangedAt: now,
                currency: input.currency ?? opportunity.amount?.currency ?? "",
                validUntil: QuoteLifecycle.day(QuoteLifecycle.day(of: now), plus: settings.defaultValidityDays) ?? QuoteLifecycle.day(of: now),
                pricedAt: now, createdBy: caller.actorID, createdAt: now, updatedAt: now)
            var check = Validator()
            if input.currency == nil && opportunity.amount == nil { check.add("currency", "required", "currency is required (the opportunity has no amount).") }
            if input.lines == nil { check.add("lines", "required", "lines is required.") }
            try await apply(input, to: &quote, lines: input.lines ?? [], at: now, check: &check, sql)
            try check.finish()
            try await QuoteStore(sql).insert(quote)
            try await StageHistoryStore(sql).append(kinds: [(.quote, quote.id, QuoteLifecycle.change(from: nil, to: .draft, at: now, by: caller.actorID, reason: nil),
                                                             rapport.ids.next(.stageChange, at: now))])
            try await rapport.record(rapport.event("quote.created", by: caller, kind: .quote, object: quote.id.rawValue, details: [
                "opportunity_id": quote.opportunityID.rawValue, "currency": quote.currency, "total_minor": String(quote.totals.totalMinor),
                "discount_bp": String(quote.totals.discountBasisPoints),
            ]), in: sql)
            return Item(quote: quote, approvals: [])
        }
    }

    /// Revises a quote before it is sent, at `expectedVersion` when given (If-Match). A quote
    /// waiting for or having its approval goes back to draft (the pending request is withdrawn;
    /// submit it again). Changing what it is priced from prices it again, now.
    public func update(_ id: String, _ input: QuoteInput, expectedVersion: Int64?, by caller: Caller) async throws -> Item {
        let existing = try await load(id, by: caller, .update)
        guard QuoteLifecycle.isRevisable(existing.status) else { throw Self.wrongStatus(existing, .revise) }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            var quote = existing
            var check = Validator()
            if input.currency != nil && input.lines == nil { check.add("lines", "required", "Send the lines with a new currency (their prices change).") }
            let lines = input.lines ?? existing.lines.map { QuoteInput.Line(sku: $0.sku, quantity: $0.quantity, discount: $0.manualDiscount) }
            try await apply(input, to: &quote, lines: lines, at: now, check: &check, sql)
            try check.finish()
            quote.updatedAt = now
            var details: [String: String] = ["total_minor": String(quote.totals.totalMinor), "discount_bp": String(quote.totals.discountBasisPoints)]
            var change: StageChange?
            if existing.status != .draft {
                change = QuoteLifecycle.change(from: existing.status, to: .draft, at: now, by: caller.actorID, reason: "revised")
                quote.status = .draft
                quote.statusChangedAt = now
                quote.submittedAt = nil
                quote.approvedAt = nil
                quote.approvedBy = nil
                details["from"] = existing.status.rawValue
                details["to"] = QuoteStatus.draft.rawValue
                _ = try await QuoteStore(sql).decide(pendingOf: quote.id, .withdrawn, by: caller.actorID, at: now, comment: nil)
            }
            let version = expectedVersion ?? existing.version
            guard try await QuoteStore(sql).replace(quote, expectedVersion: version) else {
                throw RapportError(.preconditionFailed, "The quote was changed by someone else; fetch it again and retry.")
            }
            quote.version = version + 1
            if let change { try await StageHistoryStore(sql).append(kinds: [(.quote, quote.id, change, rapport.ids.next(.stageChange, at: now))]) }
            try await rapport.record(rapport.event("quote.updated", by: caller, kind: .quote, object: quote.id.rawValue, details: details), in: sql)
            return Item(quote: quote, approvals: try await QuoteStore(sql).approvals(of: quote.id))
        }
    }

    /// Applies `input` to `quote` (errors into `check`) and prices it when a pricing input changed
    /// or it is new: the catalog's prices (a price book's or the list's), the active policies for
    /// the customer's tags, the channel and newness, then each line's manual discount.
    func apply(_ input: QuoteInput, to quote: inout Quote, lines: [QuoteInput.Line], at now: Date, check: inout Validator, _ sql: any SQLDatabase) async throws {
        if let name = input.name { quote.name = check.text(name, field: "name", maxLength: 200, allowEmpty: false) }
        if let validUntil = input.validUntil {
            if !CustomFieldValidation.isCalendarDate(validUntil) {
                check.add("valid_until", "invalid", "valid_until is a date, YYYY-MM-DD.")
            } else if QuoteLifecycle.hasLapsed(validUntil: validUntil, today: QuoteLifecycle.day(of: now)) {
                check.add("valid_until", "out_of_range", "valid_until must be today or later.")
            } else {
                quote.validUntil = validUntil
            }
        }
        if let notes = input.notes {
            quote.notes = notes.map { check.text($0, field: "notes", maxLength: Self.maximumNotes, multiline: true) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let currency = input.currency { quote.currency = currency.uppercased() }
        if let channel = input.channel { quote.channel = channel }
        if let isNew = input.isNewCustomer { quote.isNewCustomer = isNew }
        if let rounding = input.rounding { quote.rounding = Rounding(rawValue: rounding) ?? quote.rounding }
        for (index, line) in lines.enumerated() {
            switch line.discount {
            case .basisPoints(let points)? where !(0...10_000).contains(points):
                check.add("lines[\(index)].discount.basis_points", "out_of_range", "basis_points is from 0 to 10000.")
            case .amount(let minor)? where !(0...Catalog.maximumAmountMinor).contains(minor):
                check.add("lines[\(index)].discount.amount_minor", "out_of_range", "amount_minor is from 0 to \(Catalog.maximumAmountMinor).")
            default: break
            }
        }
        guard input.repricing || quote.lines.isEmpty else { return }
        let bookReference: String? = if let named = input.priceBook { named } else { quote.priceBookID?.rawValue }
        let request = PricingUseCases.Request(
            currency: quote.currency, isNewCustomer: quote.isNewCustomer, channel: quote.channel, at: now, priceBook: bookReference,
            rounding: input.rounding ?? quote.rounding.rawValue, lines: lines.map { PricingUseCases.LineRequest(sku: $0.sku, quantity: $0.quantity) })
        let checked: (Rounding, String?)
        do { checked = try PricingUseCases.check(request) } catch let error as RapportError {
            for field in error.fieldErrors { check.add(field.field, field.code, field.message) }
            return
        }
        let rounding = checked.0
        quote.channel = checked.1
        guard check.isValid else { return }
        let loaded: PricingUseCases.Loaded
        do { loaded = try await PricingUseCases.load(request, at: now, sql) } catch let error as RapportError where error.code == .validationFailed {
            for field in error.fieldErrors { check.add(field.field, field.code, field.message) }
            return
        }
        var tags: Set<String> = []
        if let customer = quote.customerID { tags = Set(try await CustomerStore(sql).find(customer)?.tags ?? []) }
        let context = Pricing.Context(currency: quote.currency, at: now, customerTags: tags, isNewCustomer: quote.isNewCustomer, channel: quote.channel)
        let priced = QuotePricing.price(loaded.pricingLines, manual: lines.map(\.discount), policies: loaded.policies, context: context, rounding: rounding)
        let names = loaded.policyNames
        quote.rounding = rounding
        quote.priceBookID = loaded.book?.id
        quote.priceBookKey = loaded.book?.key
        quote.pricedAt = now
        quote.totals = priced.totals
        quote.applied = priced.policies.applied.map { QuotePolicyApplied(policyID: $0.policyID, name: $0.name, discountMinor: $0.discountMinor) }
        quote.skipped = priced.policies.skipped.map { QuotePolicySkipped(policyID: $0.policyID, name: names[$0.policyID] ?? "", reason: $0.reason.rawValue) }
        quote.lines = loaded.lines.indices.map { index in
            let line = loaded.lines[index]
            let result = priced.policies.lines[index]
            return QuoteLine(
                sku: line.product.sku, productID: line.product.id, name: line.product.name, unit: line.product.unit, quantity: line.quantity,
                priceSource: line.source.rawValue, unitPriceMinor: line.unitPrice, listMinor: result.listMinor, policyDiscountMinor: result.discountMinor,
                manualDiscount: lines[index].discount, manualDiscountMinor: priced.manualDiscountMinor[index], totalMinor: priced.lineTotalMinor[index])
        }
    }
}
