import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Opportunities from a pipeline export, history included: the external id kept (a row whose id
/// was imported before is matched, not created again), the owner by name or email, the product
/// by SKU or name (a near spelling such as `GTXPro` for `GTX Pro` matched and reported), the account
/// by name (none: an open deal without an account, reported), the stage by a value map onto the
/// pipeline's stages, and the historic dates: created at the engage date, closed at the close date,
/// with a stage history that says so. Written in bulk: a batch of thousands is a few statements.
struct OpportunityImportBatch: ImportBatch {
    let reader: PipelineRowReader
    let context: OpportunityImportContext
    let actor: RecordID?
    let ids: any IDGenerating
    let now: Date

    struct Row: Sendable {
        var line: Int
        var opportunity: Opportunity
        var account: String?
        var history: [StageChange]
        /// What was done to its values, counted once the row is imported.
        var warnings: [ImportWarning]
    }

    typealias Prepared = PreparedRows<Row>

    func prepare(_ records: [CSVReader.Record]) -> Prepared {
        var result = Prepared()
        for record in records {
            var warnings: [ImportWarning] = []
            var check = Validator()
            let row = self.row(record, check: &check, warnings: &warnings)
            result.add(row, line: record.line, check)
        }
        return result
    }

    func warn(_ code: String, _ subject: String, _ message: String, line: Int, _ warnings: inout [ImportWarning]) {
        ImportWarning.merge([ImportWarning(code: code, subject: subject, message: message, firstLine: Int64(line))], into: &warnings)
    }

    /// One record as an opportunity with its history, or nil with the errors in `check`.
    func row(_ record: CSVReader.Record, check: inout Validator, warnings: inout [ImportWarning]) -> Row? {
        let fields = record.fields, line = record.line
        func header(_ field: String) -> String { reader.header(field) ?? field }
        func value(_ field: String) -> String? { reader.value(field, in: fields) }
        let pipeline = context.pipeline

        let externalID = value("external_id")
        if let externalID { check.text(externalID, field: header("external_id"), maxLength: 100, allowEmpty: false) } else {
            check.add(header("external_id"), "required", "\(header("external_id")) is empty.")
        }
        var owner: (id: RecordID, team: RecordID?)?
        if let text = value("owner") {
            switch context.owner(text) {
            case .found(let id, let team): owner = (id, team)
            case .ambiguous: check.add(header("owner"), "ambiguous", "\(header("owner")): more than one user is called \"\(text)\"; use their email.")
            case .missing: check.add(header("owner"), "invalid", "\(header("owner")): no active user you may give opportunities to is \"\(text)\".")
            }
        } else {
            check.add(header("owner"), "required", "\(header("owner")) is empty.")
        }
        var stage: StageDefinition?
        if let text = value("stage") {
            stage = context.stage(text)
            if stage == nil {
                check.add(header("stage"), "invalid", "\(header("stage")): \"\(text)\" is no stage of the pipeline \(pipeline.key) (map it with value_maps.stage).")
            }
        } else {
            check.add(header("stage"), "required", "\(header("stage")) is empty.")
        }
        let currency = (value("currency") ?? context.currency)?.uppercased()
        if let currency, !Catalog.isCurrency(currency) { check.add(header("currency"), "invalid", "\(header("currency")): \"\(currency)\" is not an ISO 4217 code.") }

        var product: Product?
        if let text = value("product") {
            if let match = context.product(text) {
                product = match.product
                if match.fuzzy {
                    warn("fuzzy_match", "\(text) → \(match.product.name)",
                         "\(header("product")): \"\(text)\" is no product's SKU or name; matched \"\(match.product.name)\" (SKU \(match.product.sku)) ignoring case, spaces and punctuation.",
                         line: line, &warnings)
                }
            } else {
                check.add(header("product"), "invalid", "\(header("product")): no product \"\(text)\" in the catalog (by SKU or name).")
            }
        }
        let account = value("account")
        if account == nil, reader.maps("account") {
            warn("no_account", "", "Opportunities without an account were imported without a customer (attach one later; a stage guarding customer_id asks for it).",
                 line: line, &warnings)
        }

        var created = now
        if let text = value("created_at") {
            if let date = PipelineRowReader.date(text) { created = date.at } else { check.add(header("created_at"), "invalid", "\(header("created_at")): \"\(text)\" is not a date (YYYY-MM-DD).") }
        } else if reader.maps("created_at") {
            warn("no_created_date", "", "Opportunities without \(header("created_at")) are dated the day of the import.", line: line, &warnings)
        }
        var closed: Date?
        var expectedClose: String?
        if let text = value("expected_close_date") {
            if let date = PipelineRowReader.date(text) { expectedClose = date.day } else { check.add(header("expected_close_date"), "invalid", "\(header("expected_close_date")) is not a date (YYYY-MM-DD).") }
        }
        if let text = value("closed_at") {
            if let date = PipelineRowReader.date(text) {
                if stage?.category.isClosed == true {
                    closed = date.at
                    if date.at < created { check.add(header("closed_at"), "invalid", "\(header("closed_at")) is before \(header("created_at")).") }
                } else if expectedClose == nil {
                    expectedClose = date.day
                    warn("close_date_of_open_deal", "", "\(header("closed_at")) of open opportunities is taken as their expected close date.", line: line, &warnings)
                }
            } else {
                check.add(header("closed_at"), "invalid", "\(header("closed_at")): \"\(text)\" is not a date (YYYY-MM-DD).")
            }
        }
        if stage?.category.isClosed == true, closed == nil {
            check.add(header("closed_at"), "required", "A \(stage!.key) opportunity needs \(header("closed_at")).")
        }

        var amount: Money?
        if let text = value("amount") {
            if let minor = PipelineRowReader.minorUnits(text), (0...OpportunityNormaliser.maxAmountMinor).contains(minor) {
                if let currency { if minor > 0 { amount = Money(minor, currency) } } else {
                    check.add(header("currency"), "required", "An amount needs its currency: map a currency column or give the import's currency.")
                }
            } else {
                check.add(header("amount"), "invalid", "\(header("amount")): \"\(text)\" is not an amount from 0 to \(OpportunityNormaliser.maxAmountMinor / 100).")
            }
        }
        let listPrice = product.flatMap { product in currency.flatMap { code in product.listPrices[code].map { Money($0, code) } } }
        if amount == nil, let listPrice, let stage {
            amount = listPrice
            warn("amount_from_list_price", stage.category.rawValue,
                 "\(stage.category.rawValue.capitalized) opportunities without \(header("amount")) (or at 0) take their product's list price as their amount.",
                 line: line, &warnings)
        }
        if stage?.category == .won, amount == nil { warn("won_without_amount", "", "Won opportunities without an amount count no revenue.", line: line, &warnings) }

        var lossReason: String?
        if stage?.category == .lost {
            let text = value("loss_reason")
            lossReason = text.flatMap { context.lossReason($0) }
            if let text, lossReason == nil { check.add(header("loss_reason"), "invalid", "\(header("loss_reason")): \"\(text)\" is no loss reason of the dictionary.") }
            if text == nil {
                lossReason = context.defaultLossReason
                warn("loss_reason_missing", lossReason ?? "", "Lost opportunities without a loss reason are recorded with \(lossReason.map { "\"\($0)\"" } ?? "none").",
                     line: line, &warnings)
            }
        }
        var source: String?
        if let text = value("source") {
            if DictionaryKey.isValid(text) { source = text } else { check.add(header("source"), "invalid", "\(header("source")) is a key: a lowercase letter, then a-z, 0-9 and _.") }
        }
        let name = value("name") ?? [product?.name ?? "Deal", account ?? "no account"].joined(separator: " · ")
        check.text(name, field: header("name"), maxLength: 200, allowEmpty: false)
        guard check.isValid, let externalID, let owner, let stage else { return nil }

        var lines: [OpportunityLine] = []
        if let product, let price = amount ?? listPrice { lines = [OpportunityLine(sku: product.sku, quantity: 1, unitPrice: price)] }
        let entered = closed ?? created
        var opportunity = Opportunity(
            id: ids.next(.opportunity, at: created), name: name, customerID: nil, pipeline: pipeline.key, stage: stage.key,
            statusCategory: stage.category, stageEnteredAt: entered, amount: amount, expectedCloseDate: expectedClose, ownerID: owner.id,
            teamID: owner.team, source: source, lossReason: lossReason, lines: lines, closedAt: closed, createdBy: actor, createdAt: created,
            updatedAt: now, externalRef: externalID)
        opportunity.updatedAt = max(now, entered)
        // Closed: created in the pipeline's first stage, closed on the close date; open: created in its stage.
        let history = stage.category.isClosed
            ? [StageChange(from: nil, to: pipeline.initialStage, at: created, by: actor, reason: "Imported"),
               StageChange(from: pipeline.initialStage, to: stage.key, at: entered, by: actor, reason: "Imported")]
            : [StageChange(from: nil, to: stage.key, at: created, by: actor, reason: "Imported")]
        return Row(line: line, opportunity: opportunity, account: account, history: history, warnings: warnings)
    }

    func apply(_ prepared: Prepared, write: Bool, seen: inout ImportSeenKeys, _ sql: any SQLDatabase) async throws -> ImportBatchResult {
        var result = prepared.result
        let existing = try await OpportunityStore(sql).ids(externalRefs: prepared.rows.compactMap(\.opportunity.externalRef))
        let accounts = try await AccountImportBatch.accounts(named: prepared.rows.compactMap(\.account), sql)
        let visible = try await CustomerStore(sql).visible(Array(Set(accounts.values)), in: context.customerScope)
        var rows: [Row] = []
        for var row in prepared.rows {
            let ref = row.opportunity.externalRef!
            if let earlier = seen.keys["opp:\(ref)"] {
                result.fail(row.line, code: "duplicate", "\(reader.header("external_id") ?? "external_id") \(ref) is also on line \(earlier).",
                            field: reader.header("external_id") ?? "")
                continue
            }
            seen.keys["opp:\(ref)"] = row.line
            if existing[ref] != nil {
                result.merged += 1
                continue
            }
            if let account = row.account {
                guard let id = accounts[account.lowercased()], visible.contains(id) else {
                    result.fail(row.line, code: "invalid", "\(reader.header("account") ?? "account"): no account \"\(account)\" you can see (import the accounts first).",
                                field: reader.header("account") ?? "")
                    continue
                }
                row.opportunity.customerID = id
            }
            rows.append(row)
        }
        // The warnings of the rows imported now.
        for row in rows { ImportWarning.merge(row.warnings, into: &result.warnings) }
        result.created = Int64(rows.count)
        guard write, !rows.isEmpty else { return result }
        try await OpportunityStore(sql).insert(rows.map(\.opportunity))
        try await StageHistoryStore(sql).append(rows.flatMap { row in
            row.history.map { (DictionaryObject.opportunity, row.opportunity.id, $0, ids.next(.stageChange, at: $0.at)) }
        })
        return result
    }
}
