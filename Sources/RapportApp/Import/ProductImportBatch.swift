import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Catalog products from a product file (name, series, price): the SKU is the file's or one made
/// of the name (`GTX Pro` → `GTX-PRO`), the series the category, the price the list price in the
/// file's (or the import's) currency. A product whose SKU exists is updated (name, category, that
/// currency's list price) when it differs, so importing the file again changes nothing.
struct ProductImportBatch: ImportBatch {
    let reader: PipelineRowReader
    let currency: String?
    let caller: Caller
    let rapport: Rapport
    let now: Date

    struct Row: Sendable {
        var line: Int
        var sku: String
        var name: String
        var category: String?
        var unit: String?
        var price: (currency: String, minor: Int64)?
    }

    typealias Prepared = PreparedRows<Row>

    /// A SKU made of a product name: uppercase letters and digits joined by `-`.
    static func sku(from name: String) -> String? {
        PipelineRowReader.slug(name).map { String($0.uppercased().prefix(64)) }
    }

    func prepare(_ records: [CSVReader.Record]) -> Prepared {
        var result = Prepared()
        for record in records {
            var check = Validator()
            let header = { (field: String) in reader.header(field) ?? field }
            let name = reader.value("name", in: record.fields)
            if name == nil { check.add(header("name"), "required", "\(header("name")) is empty.") }
            if let name { check.text(name, field: header("name"), maxLength: 200, allowEmpty: false) }
            let sku = reader.value("sku", in: record.fields) ?? name.flatMap(Self.sku(from:))
            if let sku, !Catalog.isSKU(sku) || sku.hasPrefix("prd_") {
                check.add(header("sku"), "invalid", "\(header("sku")): \"\(sku)\" is not a SKU (1–64 of A-Z a-z 0-9 . _ -).")
            } else if sku == nil, name != nil {
                check.add(header("name"), "invalid", "No SKU can be made of \"\(name!)\"; map a SKU column.")
            }
            let category = reader.value("category", in: record.fields)
            if let category { check.text(category, field: header("category"), maxLength: 100) }
            let unit = reader.value("unit", in: record.fields)
            if let unit { check.text(unit, field: header("unit"), maxLength: 32, allowEmpty: false) }
            var price: (String, Int64)?
            if let text = reader.value("list_price", in: record.fields) {
                let code = (reader.value("currency", in: record.fields) ?? currency)?.uppercased()
                if let minor = PipelineRowReader.minorUnits(text), minor >= 0, minor <= OpportunityNormaliser.maxAmountMinor {
                    if let code, Catalog.isCurrency(code) { price = (code, minor) } else {
                        check.add(reader.header("currency") ?? "currency", "required", "A price needs its currency: map a currency column or give the import's currency.")
                    }
                } else {
                    check.add(header("list_price"), "invalid", "\(header("list_price")): \"\(text)\" is not an amount.")
                }
            }
            result.add(name.flatMap { name in sku.map { Row(line: record.line, sku: $0, name: name, category: category, unit: unit, price: price) } },
                       line: record.line, check)
        }
        return result
    }

    func apply(_ prepared: Prepared, write: Bool, seen: inout ImportSeenKeys, _ sql: any SQLDatabase) async throws -> ImportBatchResult {
        var result = prepared.result
        let store = ProductStore(sql)
        let existing = try await store.find(skus: Set(prepared.rows.map(\.sku)))
        var written: [String: Product] = [:]
        for row in prepared.rows {
            if let earlier = seen.keys["sku:\(row.sku)"], earlier != row.line {
                result.fail(row.line, code: "duplicate", "SKU \(row.sku) is also on line \(earlier).", field: reader.header("sku") ?? reader.header("name") ?? "")
                continue
            }
            seen.keys["sku:\(row.sku)"] = row.line
            var product = written[row.sku] ?? existing[row.sku] ?? Product(id: rapport.ids.next(.product, at: now), sku: row.sku, name: row.name,
                                                                           createdAt: now, updatedAt: now)
            let isNew = written[row.sku] == nil && existing[row.sku] == nil
            let before = product
            product.name = row.name
            if let category = row.category { product.category = category }
            if let unit = row.unit { product.unit = unit }
            if let price = row.price { product.listPrices[price.currency] = price.minor }
            if isNew { result.created += 1 } else { result.merged += 1 }
            guard write else { continue }
            if isNew {
                try await store.insert(product)
            } else if product != before {
                product.updatedAt = now
                guard try await store.replace(product, expectedVersion: before.version) else {
                    throw RapportError(.unavailable, "A product changed during the import; it will be retried.", retryAfterSeconds: 1)
                }
                product.version = before.version + 1
            }
            written[row.sku] = product
        }
        if write, result.created > 0 {
            try await rapport.record(rapport.event("product.imported", by: caller, kind: .product, details: ["created": String(result.created)]), in: sql)
        }
        return result
    }
}
