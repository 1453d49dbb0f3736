import Foundation
import RapportCore
import SQLKit

/// Who may see which quotes: a quote's own owner scope (kind `quote`), or the scope of its
/// opportunity (kind `opportunity`: owners, their managers' subtrees, collaborators).
public struct QuoteScope: Sendable {
    public let quote: ScopeFilter
    /// Nil when the role may not take the action on opportunities at all.
    public let opportunity: ScopeFilter?

    /// `quote` anchors on `quotes.owner_id`; `opportunity` must use the table alias `scope_o`.
    public init(quote: ScopeFilter, opportunity: ScopeFilter?) {
        self.quote = quote
        self.opportunity = opportunity
    }

    /// The predicate on `quotes`, or nil when the caller may see every quote.
    public func predicate() -> (any SQLExpression)? {
        guard let own = quote.predicate() else { return nil }
        guard let opportunity else { return own }
        guard let theirs = opportunity.predicate() else { return nil }
        return SQLQueryString("""
            (\(own) OR quotes.opportunity_id IN (SELECT scope_o.id FROM opportunities scope_o WHERE \(theirs)))
            """)
    }

    func apply(to query: SQLSelectBuilder) -> SQLSelectBuilder {
        if let predicate = predicate() { query.where(predicate) }
        return query
    }
}

/// Quotes in storage with their lines and approval requests. Reads that return quotes to a person
/// take a ``QuoteScope``.
public struct QuoteStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "name", "opportunity_id", "owner_id", "team_id", "status", "status_changed_at", "currency", "price_book_id", "price_book_key",
        "valid_until", "channel", "is_new_customer", "notes", "subtotal_minor", "policy_discount_minor", "manual_discount_minor", "discount_minor",
        "total_minor", "discount_bp", "applied_policies", "skipped_policies", "rounding", "priced_at", "submitted_at", "approved_at", "approved_by",
        "sent_at", "accepted_at", "declined_at", "decline_reason", "expired_at", "version", "created_by", "created_at", "updated_at",
    ]

    static func row(_ quote: Quote) -> [BulkValue] {
        func date(_ value: Date?) -> BulkValue { BulkValue(value?.microsSinceEpoch) }
        let totals = quote.totals
        return [
            .text(quote.id.rawValue), .text(quote.name), .text(quote.opportunityID.rawValue), .text(quote.ownerID.rawValue),
            BulkValue(quote.teamID?.rawValue), .text(quote.status.rawValue), date(quote.statusChangedAt), .text(quote.currency),
            BulkValue(quote.priceBookID?.rawValue), BulkValue(quote.priceBookKey), .text(quote.validUntil), BulkValue(quote.channel),
            .integer(quote.isNewCustomer ? 1 : 0), BulkValue(quote.notes), .integer(totals.subtotalMinor), .integer(totals.policyDiscountMinor),
            .integer(totals.manualDiscountMinor), .integer(totals.discountMinor), .integer(totals.totalMinor), .integer(totals.discountBasisPoints),
            .text(JSONText.encode(quote.applied)), .text(JSONText.encode(quote.skipped)), .text(quote.rounding.rawValue), date(quote.pricedAt),
            date(quote.submittedAt), date(quote.approvedAt), BulkValue(quote.approvedBy?.rawValue), date(quote.sentAt), date(quote.acceptedAt),
            date(quote.declinedAt), BulkValue(quote.declineReason), date(quote.expiredAt), .integer(quote.version), BulkValue(quote.createdBy?.rawValue),
            date(quote.createdAt), date(quote.updatedAt),
        ]
    }

    // MARK: Writes

    /// Inserts a quote with its lines.
    public func insert(_ quote: Quote) async throws {
        try await sql.insertRows(into: "quotes", columns: Self.columns, rows: [Self.row(quote)])
        try await writeLines(quote)
    }

    /// Writes every column of `quote` (and its lines) if the stored version is `expectedVersion`,
    /// bumping the version; false on a version mismatch.
    public func replace(_ quote: Quote, expectedVersion: Int64) async throws -> Bool {
        var updated = quote
        updated.version = expectedVersion + 1
        let query = sql.update("quotes")
        for (column, value) in zip(Self.columns, Self.row(updated)) where column != "id" {
            query.set(SQLIdentifier(column), to: value.sqlExpression)
        }
        let row = try await query.where("id", .equal, quote.id.rawValue).where("version", .equal, expectedVersion).returning("id").first()
        guard row != nil else { return false }
        try await sql.delete(from: "quote_lines").where("quote_id", .equal, quote.id.rawValue).run()
        try await writeLines(quote)
        return true
    }

    private func writeLines(_ quote: Quote) async throws {
        try await sql.insertRows(
            into: "quote_lines",
            columns: ["quote_id", "position", "sku", "product_id", "name", "unit", "quantity", "price_source", "unit_price_minor", "list_minor",
                      "policy_discount_minor", "manual_discount_kind", "manual_discount_value", "manual_discount_minor", "total_minor"],
            rows: quote.lines.enumerated().map { position, line in
                let manual: (String?, Int64?) =
                    switch line.manualDiscount {
                    case .basisPoints(let points)?: ("basis_points", points)
                    case .amount(let minor)?: ("amount", minor)
                    case nil: (nil, nil)
                    }
                return [.text(quote.id.rawValue), .integer(Int64(position)), .text(line.sku), .text(line.productID.rawValue), .text(line.name),
                        .text(line.unit), .integer(Int64(line.quantity)), .text(line.priceSource), .integer(line.unitPriceMinor), .integer(line.listMinor),
                        .integer(line.policyDiscountMinor), BulkValue(manual.0), BulkValue(manual.1), .integer(line.manualDiscountMinor),
                        .integer(line.totalMinor)]
            })
    }

    /// Stores a new approval request.
    public func insert(_ approval: QuoteApproval) async throws {
        try await sql.insertRows(
            into: "quote_approvals",
            columns: ["id", "quote_id", "requested_by", "requested_at", "discount_bp", "threshold_bp", "approver_ids", "decision", "decided_by",
                      "decided_at", "comment"],
            rows: [[.text(approval.id.rawValue), .text(approval.quoteID.rawValue), BulkValue(approval.requestedBy?.rawValue),
                    .integer(approval.requestedAt.microsSinceEpoch), .integer(approval.discountBasisPoints), .integer(approval.thresholdBasisPoints),
                    .text(JSONText.encode(approval.approverIDs.map(\.rawValue))), .text(approval.decision.rawValue),
                    BulkValue(approval.decidedBy?.rawValue), BulkValue(approval.decidedAt?.microsSinceEpoch), BulkValue(approval.comment)]])
    }

    /// Decides the quote's pending approval request; false when none is pending.
    public func decide(pendingOf quote: RecordID, _ decision: QuoteApproval.Decision, by user: RecordID?, at now: Date, comment: String?) async throws -> Bool {
        try await sql.update("quote_approvals").set("decision", to: SQLBind(decision.rawValue)).set("decided_by", to: SQLBind(user?.rawValue))
            .set("decided_at", to: SQLBind(now.microsSinceEpoch)).set("comment", to: SQLBind(comment))
            .where("quote_id", .equal, quote.rawValue).where("decision", .equal, QuoteApproval.Decision.pending.rawValue)
            .returning("id").first() != nil
    }

    // MARK: Reads

    func select() -> SQLSelectBuilder {
        sql.select().columns(Self.columns.map { SQLColumn($0, table: "quotes") })
            .column(SQLColumn("customer_id", table: "opportunities"))
            .from("quotes").join("opportunities", on: SQLColumn("id", table: "opportunities"), .equal, SQLColumn("opportunity_id", table: "quotes"))
    }

    /// One quote within scope (nil: regardless of scope, for jobs), with its lines.
    public func find(_ id: RecordID, in scope: QuoteScope?) async throws -> Quote? {
        let query = select().where(SQLColumn("id", table: "quotes"), .equal, SQLBind(id.rawValue))
        guard let found = try await (scope.map { $0.apply(to: query) } ?? query).first().map(Self.decode) else { return nil }
        return try await withLines([found]).first
    }

    /// The filters of a quote list, already checked.
    public struct ListFilter: Sendable, Equatable {
        public var status: QuoteStatus?
        public var opportunityID: RecordID?
        public var ownerID: RecordID?

        public init(status: QuoteStatus? = nil, opportunityID: RecordID? = nil, ownerID: RecordID? = nil) {
            self.status = status
            self.opportunityID = opportunityID
            self.ownerID = ownerID
        }
    }

    /// A page of quotes in scope, newest first, with their lines.
    public func list(_ filter: ListFilter, page: PageRequest, in scope: QuoteScope?) async throws -> Page<Quote> {
        let query = select()
        if let status = filter.status { query.where(SQLColumn("status", table: "quotes"), .equal, SQLBind(status.rawValue)) }
        if let opportunity = filter.opportunityID { query.where(SQLColumn("opportunity_id", table: "quotes"), .equal, SQLBind(opportunity.rawValue)) }
        if let owner = filter.ownerID { query.where(SQLColumn("owner_id", table: "quotes"), .equal, SQLBind(owner.rawValue)) }
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "quotes"), .lessThan, SQLBind(cursor.after)) }
        let scoped = scope.map { $0.apply(to: query) } ?? query
        let fetched = try await scoped.orderBy(SQLColumn("id", table: "quotes"), SQLDirection.descending).limit(page.limit + 1).all().map(Self.decode)
        let result = Page(fetched: fetched, limit: page.limit, key: \.id.rawValue)
        return Page(items: try await withLines(result.items), nextCursor: result.nextCursor)
    }

    /// Sent quotes whose last valid day is before `today`, oldest first, at most `limit`.
    public func lapsed(before today: String, limit: Int) async throws -> [RecordID] {
        try await sql.select().column("id").from("quotes").where("status", .equal, QuoteStatus.sent.rawValue)
            .where("valid_until", .lessThan, today).orderBy("id").limit(limit).all().map { try $0.id("id") }
    }

    /// The accepted quote of an opportunity, if any (regardless of scope).
    public func accepted(ofOpportunity opportunity: RecordID) async throws -> RecordID? {
        try await sql.select().column("id").from("quotes").where("opportunity_id", .equal, opportunity.rawValue)
            .where("status", .equal, QuoteStatus.accepted.rawValue).first().map { try $0.id("id") }
    }

    /// The approval requests of a quote, oldest first.
    public func approvals(of quote: RecordID) async throws -> [QuoteApproval] {
        try await sql.select().columns("id", "quote_id", "requested_by", "requested_at", "discount_bp", "threshold_bp", "approver_ids", "decision",
                                       "decided_by", "decided_at", "comment")
            .from("quote_approvals").where("quote_id", .equal, quote.rawValue).orderBy("requested_at").orderBy("id").all()
            .map { row in
                guard let decision = QuoteApproval.Decision(rawValue: try row.text("decision")) else {
                    throw CorruptRow(table: "quote_approvals", column: "decision")
                }
                return QuoteApproval(
                    id: try row.id("id"), quoteID: try row.id("quote_id"), requestedBy: try row.optionalID("requested_by"),
                    requestedAt: try row.date("requested_at"), discountBasisPoints: try row.int("discount_bp"),
                    thresholdBasisPoints: try row.int("threshold_bp"),
                    approverIDs: try JSONText.decode([String].self, from: try row.text("approver_ids")).map(RecordID.init(trusted:)),
                    decision: decision, decidedBy: try row.optionalID("decided_by"), decidedAt: try row.optionalDate("decided_at"),
                    comment: try row.optionalText("comment"))
            }
    }

    func withLines(_ quotes: [Quote]) async throws -> [Quote] {
        guard !quotes.isEmpty else { return [] }
        let rows = try await sql.select()
            .columns("quote_id", "sku", "product_id", "name", "unit", "quantity", "price_source", "unit_price_minor", "list_minor", "policy_discount_minor",
                     "manual_discount_kind", "manual_discount_value", "manual_discount_minor", "total_minor")
            .from("quote_lines").where(sql.idIn(SQLColumn("quote_id"), quotes.map(\.id))).orderBy("quote_id").orderBy("position").all()
        var lines: [RecordID: [QuoteLine]] = [:]
        for row in rows {
            var manual: QuoteLineDiscount?
            switch (try row.optionalText("manual_discount_kind"), try row.optionalInt("manual_discount_value")) {
            case ("basis_points"?, let value?): manual = .basisPoints(value)
            case ("amount"?, let value?): manual = .amount(value)
            case (nil, _): manual = nil
            default: throw CorruptRow(table: "quote_lines", column: "manual_discount_kind")
            }
            lines[try row.id("quote_id"), default: []].append(QuoteLine(
                sku: try row.text("sku"), productID: try row.id("product_id"), name: try row.text("name"), unit: try row.text("unit"),
                quantity: Int(try row.int("quantity")), priceSource: try row.text("price_source"), unitPriceMinor: try row.int("unit_price_minor"),
                listMinor: try row.int("list_minor"), policyDiscountMinor: try row.int("policy_discount_minor"), manualDiscount: manual,
                manualDiscountMinor: try row.int("manual_discount_minor"), totalMinor: try row.int("total_minor")))
        }
        return quotes.map { quote in
            var filled = quote
            filled.lines = lines[quote.id] ?? []
            return filled
        }
    }

    static func decode(_ row: any SQLRow) throws -> Quote {
        guard let status = QuoteStatus(rawValue: try row.text("status")) else { throw CorruptRow(table: "quotes", column: "status") }
        guard let rounding = Rounding(rawValue: try row.text("rounding")) else { throw CorruptRow(table: "quotes", column: "rounding") }
        var quote = Quote(
            id: try row.id("id"), name: try row.text("name"), opportunityID: try row.id("opportunity_id"), customerID: try row.optionalID("customer_id"),
            ownerID: try row.id("owner_id"), teamID: try row.optionalID("team_id"), status: status, statusChangedAt: try row.date("status_changed_at"),
            currency: try row.text("currency"), priceBookID: try row.optionalID("price_book_id"), priceBookKey: try row.optionalText("price_book_key"),
            validUntil: try row.text("valid_until"), channel: try row.optionalText("channel"), isNewCustomer: try row.int("is_new_customer") != 0,
            notes: try row.optionalText("notes"),
            totals: QuoteTotals(
                subtotalMinor: try row.int("subtotal_minor"), policyDiscountMinor: try row.int("policy_discount_minor"),
                manualDiscountMinor: try row.int("manual_discount_minor"), discountMinor: try row.int("discount_minor"), totalMinor: try row.int("total_minor"),
                discountBasisPoints: try row.int("discount_bp")),
            applied: try JSONText.decode([QuotePolicyApplied].self, from: try row.text("applied_policies")),
            skipped: try JSONText.decode([QuotePolicySkipped].self, from: try row.text("skipped_policies")),
            rounding: rounding, pricedAt: try row.date("priced_at"), version: try row.int("version"), createdBy: try row.optionalID("created_by"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
        quote.submittedAt = try row.optionalDate("submitted_at")
        quote.approvedAt = try row.optionalDate("approved_at")
        quote.approvedBy = try row.optionalID("approved_by")
        quote.sentAt = try row.optionalDate("sent_at")
        quote.acceptedAt = try row.optionalDate("accepted_at")
        quote.declinedAt = try row.optionalDate("declined_at")
        quote.declineReason = try row.optionalText("decline_reason")
        quote.expiredAt = try row.optionalDate("expired_at")
        return quote
    }
}
