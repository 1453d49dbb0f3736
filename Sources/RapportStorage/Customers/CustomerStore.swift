import Foundation
import RapportCore
import SQLKit

/// Customers in storage, with their contact points, tags and consents. Every read that returns
/// customers takes a ``ScopeFilter``; merged customers (tombstones kept for undo) are never listed.
public struct CustomerStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "kind", "name", "company", "title", "owner_id", "team_id", "source", "stage", "stage_entered_at",
        "lifecycle", "value_tier", "score", "do_not_contact", "do_not_contact_reason", "id_number", "external_ref", "custom_fields",
        "merged_into", "version", "created_by", "created_at", "updated_at",
    ]

    var qualifiedColumns: [SQLColumn] { Self.columns.map { SQLColumn($0, table: "customers") } }

    // MARK: Writes

    /// Inserts a customer with its contacts, tags and consents.
    public func insert(_ customer: Customer) async throws {
        try await insertRows([customer])
    }

    /// Inserts many customers with multi-row statements (imports).
    public func insertRows(_ customers: [Customer]) async throws {
        guard !customers.isEmpty else { return }
        try await sql.insertRows(into: "customers", columns: Self.columns + ["search_text"], rows: customers.map(Self.row))
        try await insertContacts(customers.flatMap { customer in customer.contacts.map { (customer.id, $0) } }, at: customers[0].createdAt)
        try await insertTags(customers.flatMap { customer in customer.tags.map { (customer.id, $0) } }, at: customers[0].createdAt)
        for customer in customers { try await upsertConsents(customer.consents, of: customer.id, by: customer.createdBy) }
    }

    /// A customer as a bulk row (the columns of ``columns`` and `search_text`).
    static func row(_ customer: Customer) -> [BulkValue] {
        [
            .text(customer.id.rawValue), .text(customer.kind.rawValue), .text(customer.name), BulkValue(customer.company),
            BulkValue(customer.title), BulkValue(customer.ownerID?.rawValue), BulkValue(customer.teamID?.rawValue), BulkValue(customer.source),
            .text(customer.stage), .integer(customer.stageEnteredAt.microsSinceEpoch), BulkValue(customer.lifecycle?.rawValue),
            BulkValue(customer.valueTier), BulkValue(customer.score), .integer(customer.doNotContact ? 1 : 0),
            BulkValue(customer.doNotContactReason), BulkValue(customer.idNumber), BulkValue(customer.externalRef),
            .text(customer.customFields.isEmpty ? "{}" : JSONText.encode(customer.customFields)),
            BulkValue(customer.mergedInto?.rawValue), .integer(customer.version), BulkValue(customer.createdBy?.rawValue),
            .integer(customer.createdAt.microsSinceEpoch), .integer(customer.updatedAt.microsSinceEpoch),
            .text(Customer.searchText(name: customer.name, company: customer.company)),
        ]
    }

    /// Writes every column of `customer` if the stored version is `expectedVersion`, bumping the
    /// version; returns false on a version mismatch. Contacts, tags and consents are replaced.
    public func replace(_ customer: Customer, expectedVersion: Int64, by actor: RecordID? = nil) async throws -> Bool {
        let row = try await sql.update("customers")
            .set("kind", to: SQLBind(customer.kind.rawValue)).set("name", to: SQLBind(customer.name))
            .set("company", to: SQLBind(customer.company)).set("title", to: SQLBind(customer.title))
            .set("owner_id", to: SQLBind(customer.ownerID?.rawValue)).set("team_id", to: SQLBind(customer.teamID?.rawValue))
            .set("source", to: SQLBind(customer.source)).set("stage", to: SQLBind(customer.stage))
            .set("stage_entered_at", to: SQLBind(customer.stageEnteredAt.microsSinceEpoch))
            .set("lifecycle", to: SQLBind(customer.lifecycle?.rawValue)).set("value_tier", to: SQLBind(customer.valueTier))
            .set("score", to: SQLBind(customer.score)).set("do_not_contact", to: SQLBind(Int64(customer.doNotContact ? 1 : 0)))
            .set("do_not_contact_reason", to: SQLBind(customer.doNotContactReason)).set("id_number", to: SQLBind(customer.idNumber))
            .set("external_ref", to: SQLBind(customer.externalRef))
            .set("custom_fields", to: SQLBind(JSONText.encode(customer.customFields)))
            .set("search_text", to: SQLBind(Customer.searchText(name: customer.name, company: customer.company)))
            .set("merged_into", to: SQLBind(customer.mergedInto?.rawValue))
            .set("version", to: SQLBind(expectedVersion + 1)).set("updated_at", to: SQLBind(customer.updatedAt.microsSinceEpoch))
            .where("id", .equal, customer.id.rawValue).where("version", .equal, expectedVersion)
            .returning("id").first()
        guard row != nil else { return false }
        try await sql.delete(from: "customer_contacts").where("customer_id", .equal, customer.id.rawValue).run()
        try await insertContacts(customer.contacts.map { (customer.id, $0) }, at: customer.updatedAt)
        try await sql.delete(from: "customer_tags").where("customer_id", .equal, customer.id.rawValue).run()
        try await insertTags(customer.tags.map { (customer.id, $0) }, at: customer.updatedAt)
        try await upsertConsents(customer.consents, of: customer.id, by: actor)
        return true
    }

    func insertContacts(_ contacts: [(RecordID, ContactPoint)], at now: Date) async throws {
        try await sql.insertRows(
            into: "customer_contacts", columns: ["id", "customer_id", "kind", "value", "label", "is_primary", "created_at"],
            rows: contacts.map { customer, contact in
                [.text(contact.id.rawValue), .text(customer.rawValue), .text(contact.kind.rawValue), .text(contact.value),
                 BulkValue(contact.label), .integer(contact.isPrimary ? 1 : 0), .integer(now.microsSinceEpoch)]
            })
    }

    func insertTags(_ tags: [(RecordID, String)], at now: Date) async throws {
        try await sql.insertRows(
            into: "customer_tags", columns: ["customer_id", "tag", "created_at"],
            rows: tags.map { customer, tag in [.text(customer.rawValue), .text(tag), .integer(now.microsSinceEpoch)] })
    }

    /// Records consents (the latest statement per channel and purpose wins).
    func upsertConsents(_ consents: [Consent], of customer: RecordID, by actor: RecordID?) async throws {
        for consent in consents {
            try await sql.raw("""
                INSERT INTO customer_consents (customer_id, channel, purpose, status, source, recorded_at, recorded_by)
                VALUES (\(bind: customer.rawValue), \(bind: consent.channel.rawValue), \(bind: consent.purpose.rawValue), \
                \(bind: consent.status.rawValue), \(bind: consent.source), \(bind: consent.recordedAt.microsSinceEpoch), \(bind: actor?.rawValue))
                ON CONFLICT (customer_id, channel, purpose) DO UPDATE SET status = excluded.status, source = excluded.source,
                    recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by
                WHERE customer_consents.status <> excluded.status OR customer_consents.recorded_at <> excluded.recorded_at
                """).run()
        }
    }

    // MARK: Reads

    /// One live (not merged) customer within scope, with contacts, tags and consents.
    public func find(_ id: RecordID, in scope: ScopeFilter, includeMerged: Bool = false) async throws -> Customer? {
        let query = sql.select().columns(qualifiedColumns).from("customers")
            .where(SQLColumn("id", table: "customers"), .equal, SQLBind(id.rawValue))
        if !includeMerged { query.where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null) }
        guard let row = try await scope.apply(to: query).first() else { return nil }
        return try await hydrate([try Self.decode(row)]).first
    }

    /// One customer regardless of scope (the system; merge bookkeeping).
    public func find(_ id: RecordID) async throws -> Customer? {
        guard let row = try await sql.select().columns(Self.columns).from("customers").where("id", .equal, id.rawValue).first() else { return nil }
        return try await hydrate([try Self.decode(row)]).first
    }

    /// Loads contacts, tags and consents for a batch of customers (three queries in all).
    public func hydrate(_ customers: [Customer]) async throws -> [Customer] {
        guard !customers.isEmpty else { return [] }
        let ids = customers.map { SQLBind($0.id.rawValue) }
        var contacts: [String: [ContactPoint]] = [:]
        for row in try await sql.select().columns("id", "customer_id", "kind", "value", "label", "is_primary").from("customer_contacts")
            .where("customer_id", .in, SQLGroupExpression(ids)).orderBy("id").all() {
            guard let kind = ContactPoint.Kind(rawValue: try row.text("kind")) else { throw CorruptRow(table: "customer_contacts", column: "kind") }
            contacts[try row.text("customer_id"), default: []].append(ContactPoint(
                id: try row.id("id"), kind: kind, value: try row.text("value"), label: try row.optionalText("label"),
                isPrimary: try row.int("is_primary") != 0))
        }
        var tags: [String: [String]] = [:]
        for row in try await sql.select().columns("customer_id", "tag").from("customer_tags")
            .where("customer_id", .in, SQLGroupExpression(ids)).orderBy("tag").all() {
            tags[try row.text("customer_id"), default: []].append(try row.text("tag"))
        }
        var consents: [String: [Consent]] = [:]
        for row in try await sql.select().columns("customer_id", "channel", "purpose", "status", "source", "recorded_at").from("customer_consents")
            .where("customer_id", .in, SQLGroupExpression(ids)).orderBy("channel").orderBy("purpose").all() {
            guard let channel = Consent.Channel(rawValue: try row.text("channel")), let purpose = Consent.Purpose(rawValue: try row.text("purpose")),
                  let status = Consent.Status(rawValue: try row.text("status"))
            else { throw CorruptRow(table: "customer_consents", column: "channel") }
            consents[try row.text("customer_id"), default: []].append(Consent(
                channel: channel, purpose: purpose, status: status, source: try row.optionalText("source"), recordedAt: try row.date("recorded_at")))
        }
        return customers.map { customer in
            var customer = customer
            customer.contacts = contacts[customer.id.rawValue] ?? []
            customer.tags = tags[customer.id.rawValue] ?? []
            customer.consents = consents[customer.id.rawValue] ?? []
            return customer
        }
    }

    /// Live customers having any of the given normalised contact values (dedup), regardless of scope.
    /// One query per kind and 500 values (`kind = ? AND value IN (…)` walks the (kind, value) index).
    public func matches(_ values: [(ContactPoint.Kind, String)], excluding: RecordID? = nil) async throws -> [DuplicateMatch] {
        guard !values.isEmpty else { return [] }
        var byKind: [ContactPoint.Kind: Set<String>] = [:]
        for (kind, value) in values { byKind[kind, default: []].insert(value) }
        var result: [DuplicateMatch] = []
        for kind in byKind.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            for chunk in byKind[kind]!.sorted().chunked(into: 500) {
                let query = sql.select().column(SQLColumn("customer_id", table: "cc")).column(SQLColumn("value", table: "cc"))
                    .from(SQLAlias(SQLIdentifier("customer_contacts"), as: SQLIdentifier("cc")))
                    .join("customers", on: SQLColumn("customer_id", table: "cc"), .equal, SQLColumn("id", table: "customers"))
                    .where(SQLColumn("kind", table: "cc"), .equal, SQLBind(kind.rawValue))
                    .where(SQLColumn("value", table: "cc"), .in, SQLGroupExpression(chunk.map { SQLBind($0) }))
                    .where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null)
                if let excluding { query.where(SQLColumn("customer_id", table: "cc"), .notEqual, SQLBind(excluding.rawValue)) }
                for row in try await query.orderBy(SQLColumn("customer_id", table: "cc")).all() {
                    result.append(DuplicateMatch(customerID: try row.id("customer_id"), key: kind.rawValue, value: try row.text("value")))
                }
            }
        }
        return result.sorted { ($0.customerID, $0.key, $0.value) < ($1.customerID, $1.key, $1.value) }
    }

    /// Live customers by their external reference, regardless of scope.
    public func matches(externalRefs refs: [String]) async throws -> [String: RecordID] {
        var result: [String: RecordID] = [:]
        for chunk in Array(Set(refs)).sorted().chunked(into: 500) where !chunk.isEmpty {
            let rows = try await sql.select().columns("id", "external_ref").from("customers")
                .where("external_ref", .in, SQLGroupExpression(chunk.map { SQLBind($0) }))
                .where("merged_into", .is, SQLLiteral.null).orderBy("id").all()
            for row in rows {
                let ref = try row.text("external_ref")
                if result[ref] == nil { result[ref] = try row.id("id") }
            }
        }
        return result
    }

    /// Which of `ids` the scope lets the caller see.
    public func visible(_ ids: [RecordID], in scope: ScopeFilter) async throws -> Set<RecordID> {
        guard !ids.isEmpty else { return [] }
        let query = sql.select().column(SQLColumn("id", table: "customers")).from("customers")
            .where(SQLColumn("id", table: "customers"), .in, SQLGroupExpression(ids.map { SQLBind($0.rawValue) }))
            .where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null)
        return Set(try await scope.apply(to: query).all().map { try $0.id("id") })
    }

    /// Stage keys in use by live customers (the dictionary archives rather than deletes them).
    /// Stage keys in use by customers now or in their stage history (a removed stage that history
    /// names is archived, so the history keeps reading).
    public func stagesInUse() async throws -> Set<String> {
        var stages = Set(try await sql.select().distinct().column("stage").from("customers").all().map { try $0.text("stage") })
        for row in try await sql.raw("SELECT DISTINCT to_stage AS stage FROM stage_history WHERE object = 'customer'").all() {
            stages.insert(try row.text("stage"))
        }
        return stages
    }

    static func decode(_ row: any SQLRow) throws -> Customer {
        guard let kind = Customer.Kind(rawValue: try row.text("kind")) else { throw CorruptRow(table: "customers", column: "kind") }
        return Customer(
            id: try row.id("id"), kind: kind, name: try row.text("name"), company: try row.optionalText("company"),
            title: try row.optionalText("title"), ownerID: try row.optionalID("owner_id"), teamID: try row.optionalID("team_id"),
            source: try row.optionalText("source"), stage: try row.text("stage"), stageEnteredAt: try row.date("stage_entered_at"),
            lifecycle: try row.optionalText("lifecycle").flatMap(GenericLifecycle.init(rawValue:)),
            valueTier: try row.optionalText("value_tier"), score: try row.optionalInt("score"),
            doNotContact: try row.int("do_not_contact") != 0, doNotContactReason: try row.optionalText("do_not_contact_reason"),
            idNumber: try row.optionalText("id_number"), externalRef: try row.optionalText("external_ref"), customFields: JSONText.decodeObject(try row.text("custom_fields")),
            mergedInto: try row.optionalID("merged_into"), version: try row.int("version"), createdBy: try row.optionalID("created_by"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

/// JSON text columns: objects of custom fields, snapshots, settings.
public enum JSONText {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Encodes a value as compact JSON text with sorted keys.
    public static func encode(_ value: some Encodable) -> String {
        (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }

    /// Decodes a JSON object column; a corrupt value reads as empty rather than failing the page.
    public static func decodeObject(_ text: String) -> [String: JSONValue] {
        guard let data = text.data(using: .utf8), case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
        return object
    }

    /// Decodes a JSON column into `type`.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
