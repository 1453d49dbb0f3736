import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The catalog pages: products, price books and sales policies (everyone reads; only those who
/// configure pricing see and may use the forms; edits carry the version), and the price calculator
/// showing every policy applied or skipped — each form refusing a wrong CSRF token, names escaped.
@Suite struct WebCatalogTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    @Test(arguments: TestBackend.available)
    func administratorsKeepTheCatalogEveryoneReadsItAndPricesWithTheCalculator(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep, team: east)
            let products: @Sendable () async throws -> [Product] = {
                try await harness.rapport.products.list(.init(), page: PageRequest(), by: admin.caller).items
            }
            try await harness.http { client in
                // Products: a forged form and a rep's form change nothing; the administrator's creates.
                let fields = [("sku", "MATH-48"), ("name", Self.script), ("category", "Courses"), ("unit", "lesson"), ("prices", "CNY 4,800.00\nUSD 700")]
                #expect(try await client.submit("/catalog/products", session: admin.secret, fields, csrf: "forged").status == .forbidden)
                #expect(try await client.submit("/catalog/products", session: rep.secret, fields).status == .forbidden)
                #expect(try await products().isEmpty)
                let bad = try await client.submit("/catalog/products", session: admin.secret, [("sku", "bad sku"), ("name", "X"), ("prices", "CNY 1.234")])
                #expect(bad.status == .unprocessableContent && bad.text.contains("SKU is not valid.") && bad.text.contains("List prices is out of range."))
                let created = try await client.submit("/catalog/products", session: admin.secret, fields)
                #expect(created.status == .seeOther)
                let product = try #require(try await products().first)
                #expect(product.listPrices == ["CNY": 480_000, "USD": 70_000] && product.name == Self.script && product.unit == "lesson")
                _ = try await harness.rapport.products.create(.init(sku: "TRIAL", name: "Trial class", prices: [.init(currency: "CNY", amountMinor: 9_900)]),
                                                              by: admin.caller)

                // Everyone reads (escaped); only writers see forms.
                let list = try await client.page("/catalog", session: rep.secret)
                #expect(list.status == .ok && list.text.contains(Self.escaped) && !list.text.contains(Self.script) && list.text.contains("¥4,800.00"))
                #expect(!list.text.contains("id=\"catalog-new\"") && list.text.contains("href=\"/catalog\""))
                let item = try await client.page("/catalog/products/\(product.id)", session: rep.secret)
                #expect(item.status == .ok && item.text.contains(Self.escaped) && !item.text.contains("id=\"catalog-edit\""))
                let adminItem = try await client.page("/catalog/products/\(product.id)", session: admin.secret)
                #expect(adminItem.text.contains("id=\"catalog-edit\"") && adminItem.text.contains("CNY 4800.00"))

                // Edit with the version: stale refused, current saved.
                let stale = try await client.submit("/catalog/products/\(product.id)", session: admin.secret,
                                                    [("version", "0"), ("sku", "MATH-48"), ("name", "Renamed"), ("unit", "lesson"), ("active", "true")])
                #expect(stale.status == .preconditionFailed)
                #expect(try await products().first?.name == Self.script)
                let saved = try await client.submit("/catalog/products/\(product.id)", session: admin.secret, [
                    ("version", String(product.version)), ("sku", "MATH-48"), ("name", "Maths 48 " + Self.script), ("unit", "lesson"),
                    ("prices", "CNY 4800"), ("active", "true"),
                ])
                #expect(saved.status == .seeOther)
                #expect(try await products().first?.listPrices == ["CNY": 480_000])

                // A price book and a policy through their forms.
                #expect(try await client.submit("/catalog/price-books", session: admin.secret, [("key", "partners"), ("name", "P"), ("currency", "CNY")],
                                                csrf: "forged").status == .forbidden)
                let book = try await client.submit("/catalog/price-books", session: admin.secret, [
                    ("key", "partners"), ("name", "Partners " + Self.script), ("currency", "CNY"), ("valid_from", "2020-01-01"), ("prices", "MATH-48 4500"),
                ])
                #expect(book.status == .seeOther, "\(book.text)")
                let books = try await client.page("/catalog/price-books", session: rep.secret)
                #expect(books.status == .ok && books.text.contains(Self.escaped) && !books.text.contains(Self.script))
                let policyFields = [("name", "Spring " + Self.script), ("kind", "percent_off"), ("percent", "10"), ("customers", "any"), ("stacking", "stackable"),
                                    ("priority", "0")]
                #expect(try await client.submit("/catalog/policies", session: admin.secret, policyFields, csrf: "forged").status == .forbidden)
                #expect(try await client.submit("/catalog/policies", session: admin.secret, policyFields).status == .seeOther)
                let trial = try await client.submit("/catalog/policies", session: admin.secret, [
                    ("name", "Trial 9.9"), ("kind", "fixed_unit_price"), ("price", "9.9"), ("sku", "TRIAL"), ("max_quantity", "1"), ("currency", "CNY"),
                    ("customers", "existing"), ("stacking", "stackable"),
                ])
                #expect(trial.status == .seeOther, "\(trial.text)")
                let policies = try await client.page("/catalog/policies", session: rep.secret)
                #expect(policies.text.contains(Self.escaped) && policies.text.contains("10.00% off") && policies.text.contains("TRIAL at ¥9.90, up to 1"))

                // The calculator: the book's price, the policy applied, the trial skipped with its reason.
                let quote = try await client.submit("/catalog/calculator", session: rep.secret, [
                    ("currency", "CNY"), ("price_book", "partners"), ("new_customer", "yes"), ("rounding", "half_up"),
                    ("sku", "MATH-48"), ("quantity", "2"), ("sku", "TRIAL"), ("quantity", "1"), ("sku", ""), ("quantity", ""),
                ])
                #expect(quote.status == .ok && quote.text.contains("Policies applied"), "\(quote.text)")
                #expect(quote.text.contains("Spring " + Self.escaped) && !quote.text.contains(Self.script))
                #expect(quote.text.contains("¥8,189.10") && quote.text.contains("For existing customers only"))  // (2 × 4500 + 99) × 90 %
                #expect(try await client.submit("/catalog/calculator", session: rep.secret, [("currency", "CNY"), ("sku", "MATH-48"), ("quantity", "1")],
                                                csrf: "forged").status == .forbidden)
                let unknown = try await client.submit("/catalog/calculator", session: rep.secret, [("currency", "CNY"), ("sku", "NOPE"), ("quantity", "1")])
                #expect(unknown.status == .unprocessableContent && unknown.text.contains("names nothing that exists"))
                let chinese = try await client.submit("/catalog/calculator", session: rep.secret, [("currency", "CNY"), ("sku", "MATH-48"), ("quantity", "1")],
                                                      language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("已应用的政策") && chinese.text.contains("报价试算"))

                // Archive: forged changes nothing; done, the product is archived.
                #expect(try await client.submit("/catalog/products/\(product.id)/archive", session: admin.secret, [], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("/catalog/products/\(product.id)/archive", session: rep.secret, []).status == .forbidden)
                #expect(try await products().first?.active == true)
                #expect(try await client.submit("/catalog/products/\(product.id)/archive", session: admin.secret, []).status == .seeOther)
                #expect(try await products().first?.active == false)
                for uri in ["/catalog", "/catalog/price-books", "/catalog/policies", "/catalog/calculator"] {
                    let zh = try await client.page(uri, session: rep.secret, language: "zh-CN")
                    #expect(zh.status == .ok && zh.text.contains("价格表") && zh.body.readableBytes < 100_000, "\(uri)")
                }
            }
        }
    }
}
