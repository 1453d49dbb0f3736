import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// What products, price books and sales policies share: an id, a version that every change
/// raises, and archiving instead of deleting.
protocol CatalogRecord: Sendable {
    var id: RecordID { get }
    var version: Int64 { get set }
    var updatedAt: Date { get set }
    var active: Bool { get set }
    /// For messages: `product`, `price book`, `sales policy`.
    static var noun: String { get }
    /// For the audit log: `product` (→ `product.created`, `product.updated`, `product.archived`).
    static var auditName: String { get }
}

extension Product: CatalogRecord {
    static let noun = "product"
    static let auditName = "product"
}

extension PriceBook: CatalogRecord {
    static let noun = "price book"
    static let auditName = "price_book"
}

extension SalesPolicyRecord: CatalogRecord {
    static let noun = "sales policy"
    static let auditName = "sales_policy"
}

/// The one way catalog records are read, created, changed and archived: everyone signed in
/// reads; administrators (and roles an administrator gives a scope on `pricing`) write; every
/// write is audited in its transaction; a change names the version it is based on.
struct CatalogRecords<Record: CatalogRecord> {
    let rapport: Rapport
    /// The record by its id or other reference (a SKU, a key).
    let find: (String, any SQLDatabase) async throws -> Record?
    /// Writes the record if the stored version is the given one; false otherwise.
    let save: (Record, Int64, any SQLDatabase) async throws -> Bool

    /// Everyone may read the catalog (quotes are priced from it).
    static func requireRead(_ rapport: Rapport, _ caller: Caller) async throws {
        guard try await rapport.allows(caller, .read, .product) else { throw RapportError(.forbidden, "Your role may not read the catalog.") }
    }

    static func requireWrite(_ rapport: Rapport, _ caller: Caller, _ action: AccessAction) async throws {
        guard try await rapport.allows(caller, action, .pricing) else {
            throw RapportError(.forbidden, "Only administrators (and roles given a scope on pricing) configure products, price books and sales policies.")
        }
    }

    func require(_ reference: String, _ sql: any SQLDatabase) async throws -> Record {
        guard let record = try await find(reference, sql) else { throw RapportError.notFound(Record.noun) }
        return record
    }

    func get(_ reference: String, by caller: Caller) async throws -> Record {
        try await Self.requireRead(rapport, caller)
        return try await rapport.database.read { sql in try await require(reference, sql) }
    }

    /// A page of records read by `read`, after checking the list's text filters (`field` → value).
    func list(filters: [String: String?], by caller: Caller, _ read: (any SQLDatabase) async throws -> Page<Record>) async throws -> Page<Record> {
        try await Self.requireRead(rapport, caller)
        var check = Validator()
        for (field, value) in filters.sorted(by: { $0.key < $1.key }) {
            if let value { check.text(value, field: field, maxLength: 100) }
        }
        try check.finish()
        return try await rapport.database.read { sql in try await read(sql) }
    }

    /// Creates a record: `make` builds and checks it (throwing field errors), `insert` stores it.
    func create(by caller: Caller, details: (Record) -> [String: String] = { _ in [:] },
                make: (Date, any SQLDatabase) async throws -> Record, insert: (Record, any SQLDatabase) async throws -> Void) async throws -> Record {
        try await Self.requireWrite(rapport, caller, .create)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let record = try await make(now, sql)
            try await insert(record, sql)
            try await rapport.record(rapport.event("\(Record.auditName).created", by: caller, kind: .pricing, object: record.id.rawValue,
                                                   details: details(record)), in: sql)
            return record
        }
    }

    /// Changes a record by `change` (which throws field errors), at `expectedVersion` when given.
    /// A change that changes nothing still raises the version (it was asked for).
    func update(_ reference: String, expectedVersion: Int64?, by caller: Caller, action: String = "updated",
                _ change: (inout Record, any SQLDatabase) async throws -> Void) async throws -> Record {
        try await Self.requireWrite(rapport, caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            var record = try await require(reference, sql)
            let version = expectedVersion ?? record.version
            try await change(&record, sql)
            record.updatedAt = now
            guard try await save(record, version, sql) else {
                throw RapportError(.preconditionFailed, "The \(Record.noun) was changed by someone else; fetch it again and retry.")
            }
            record.version = version + 1
            try await rapport.record(rapport.event("\(Record.auditName).\(action)", by: caller, kind: .pricing, object: record.id.rawValue), in: sql)
            return record
        }
    }

    /// Archives a record (it stays, inactive: quotes no longer use it). Archiving an archived
    /// record changes nothing.
    func archive(_ reference: String, by caller: Caller) async throws -> Record {
        try await Self.requireWrite(rapport, caller, .delete)
        let current = try await rapport.database.read { sql in try await require(reference, sql) }
        guard current.active else { return current }
        return try await update(current.id.rawValue, expectedVersion: nil, by: caller, action: "archived") { record, _ in record.active = false }
    }
}

