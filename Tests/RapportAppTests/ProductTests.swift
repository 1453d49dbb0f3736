import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Products, price books and sales policies end to end on both engines: CRUD with versions,
/// validation that changes nothing, who may write, the audit log, and pricing a quote from a
/// price book or the list with the active policies.
@Suite struct ProductTests {
    static func fieldCodes(_ body: () async throws -> Void) async -> [String: String] {
        do {
            try await body()
            return [:]
        } catch let error as RapportError {
            return Dictionary(error.fieldErrors.map { ($0.field, $0.code) }, uniquingKeysWith: { first, _ in first })
        } catch {
            return ["unexpected": "\(error)"]
        }
    }

    static func code(_ body: () async throws -> Void) async -> ErrorCode? {
        do {
            try await body()
            return nil
        } catch let error as RapportError {
            return error.code
        } catch {
            return nil
        }
    }

    static func actions(_ harness: TestHarness, object: RecordID) async throws -> [String] {
        try await harness.rapport.audit.list(.init(objectID: object.rawValue), page: PageRequest(limit: 100), by: harness.system).items.map(\.action).sorted()
    }

    @Test(arguments: TestBackend.available)
    func productsAreCreatedChangedListedAndArchivedWithVersionsAndAudit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let products = harness.rapport.products
            let course = try await products.create(.init(sku: "COURSE-48", name: "48 lessons", category: .some("course"), unit: "lesson",
                                                         prices: [.init(currency: "CNY", amountMinor: 1_299_900), .init(currency: "USD", amountMinor: 199_900)]),
                                                   by: admin.caller)
            #expect(course.id.rawValue.hasPrefix("prd_") && course.version == 1 && course.active)
            #expect(course.listPrices == ["CNY": 1_299_900, "USD": 199_900])
            let book = try await products.create(.init(sku: "book.a1", name: "Workbook A1", prices: [.init(currency: "CNY", amountMinor: 9_990)]), by: admin.caller)
            #expect(book.unit == Product.defaultUnit && book.category == nil)
            #expect(try await products.get("COURSE-48", by: admin.caller) == course)
            #expect(try await products.get(course.id.rawValue, by: admin.caller) == course)

            // Bad input: every problem named, nothing stored.
            let before = try await harness.count("products")
            let codes = await Self.fieldCodes {
                _ = try await products.create(.init(sku: "bad sku!", name: " ", prices: [.init(currency: "cny", amountMinor: -1), .init(currency: "EUR", amountMinor: 1),
                                                                                         .init(currency: "EUR", amountMinor: 2)]), by: admin.caller)
            }
            #expect(codes == ["sku": "invalid", "name": "required", "prices[0].currency": "invalid", "prices[0].amount_minor": "out_of_range",
                              "prices[2].currency": "duplicate"])
            #expect(await Self.fieldCodes { _ = try await products.create(.init(name: "No SKU"), by: admin.caller) } == ["sku": "required"])
            #expect(await Self.code { _ = try await products.create(.init(sku: "COURSE-48", name: "Again"), by: admin.caller) } == .conflict)
            #expect(try await harness.count("products") == before)

            // Changes name their version; prices are replaced whole.
            let changed = try await products.update(course.id.rawValue, .init(name: "48 lessons (2026)", category: .some(nil),
                                                                               prices: [.init(currency: "CNY", amountMinor: 1_199_900)]),
                                                    expectedVersion: 1, by: admin.caller)
            #expect(changed.version == 2 && changed.category == nil && changed.listPrices == ["CNY": 1_199_900])
            #expect(await Self.code { _ = try await products.update(course.id.rawValue, .init(name: "Stale"), expectedVersion: 1, by: admin.caller) } == .preconditionFailed)
            #expect(await Self.code { _ = try await products.update(course.id.rawValue, .init(sku: "book.a1"), expectedVersion: 2, by: admin.caller) } == .conflict)
            #expect(try await products.get(course.id.rawValue, by: admin.caller) == changed)

            // Lists: text, category, active, pages.
            let trial = try await products.create(.init(sku: "TRIAL", name: "Trial class", category: .some("course")), by: admin.caller)
            let archived = try await products.archive(trial.sku, by: admin.caller)
            #expect(!archived.active && archived.version == 2)
            #expect(try await products.archive(trial.id.rawValue, by: admin.caller) == archived, "archiving twice changes nothing")
            func skus(_ filter: ProductStore.Filter) async throws -> [String] {
                try await products.list(filter, page: PageRequest(), by: admin.caller).items.map(\.sku)
            }
            #expect(try await skus(.init()) == ["COURSE-48", "book.a1", "TRIAL"])
            #expect(try await skus(.init(text: "workbook")) == ["book.a1"])
            #expect(try await skus(.init(text: "cour")) == ["COURSE-48"])
            #expect(try await skus(.init(category: "course")) == ["TRIAL"], "the course's category was cleared")
            #expect(try await skus(.init(active: false)) == ["TRIAL"])
            #expect(try await skus(.init(text: "100%_")) == [], "LIKE wildcards are literal")
            let first = try await products.list(.init(), page: PageRequest(limit: 2), by: admin.caller)
            let second = try await products.list(.init(), page: PageRequest(limit: 2, cursor: first.nextCursor), by: admin.caller)
            #expect(first.items.count == 2 && first.nextCursor != nil && second.items.map(\.sku) == ["TRIAL"] && second.nextCursor == nil)

            #expect(try await Self.actions(harness, object: course.id) == ["product.created", "product.updated"])
            #expect(try await Self.actions(harness, object: trial.id) == ["product.archived", "product.created"])
            let entry = try #require(try await harness.rapport.audit.list(.init(action: "product.created", objectID: course.id.rawValue), page: PageRequest(), by: harness.system).items.first)
            #expect(entry.actorID == admin.user.id && entry.objectKind == "pricing" && entry.details["sku"] == "COURSE-48")
        }
    }

    @Test(arguments: TestBackend.available)
    func everyoneReadsOnlyAdministratorsAndGrantedRolesWrite(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            let manager = try await harness.signedIn(.manager)
            let reader = try await harness.signedIn(.readOnly)
            let product = try await harness.rapport.products.create(.init(sku: "A", name: "A", prices: [.init(currency: "CNY", amountMinor: 100)]), by: admin.caller)
            for caller in [rep.caller, manager.caller, reader.caller] {
                #expect(try await harness.rapport.products.get("A", by: caller).id == product.id)
                #expect(try await harness.rapport.products.list(.init(), page: PageRequest(), by: caller).items.count == 1)
                #expect(try await harness.rapport.pricing.quote(.init(currency: "CNY", lines: [.init(sku: "A", quantity: 2)]), by: caller).result.totalMinor == 200)
                #expect(await Self.code { _ = try await harness.rapport.products.create(.init(sku: "B", name: "B"), by: caller) } == .forbidden)
                #expect(await Self.code { _ = try await harness.rapport.products.archive("A", by: caller) } == .forbidden)
                #expect(await Self.code {
                    _ = try await harness.rapport.salesPolicies.create(.init(name: "x", effect: PolicyEffect(kind: "percent_off", basisPoints: 1)), by: caller)
                } == .forbidden)
                #expect(await Self.code {
                    _ = try await harness.rapport.priceBooks.create(.init(key: "x", name: "x", currency: "CNY"), by: caller)
                } == .forbidden)
            }
            // An administrator lets managers configure pricing; reps still may not.
            _ = try await harness.rapport.roles.setScopes("manager", ["pricing": "all"], by: admin.caller)
            let made = try await harness.rapport.products.create(.init(sku: "B", name: "B"), by: manager.caller)
            #expect(try await Self.actions(harness, object: made.id) == ["product.created"])
            _ = try await harness.rapport.priceBooks.create(.init(key: "managers", name: "Managers'", currency: "CNY"), by: manager.caller)
            #expect(await Self.code { _ = try await harness.rapport.products.create(.init(sku: "C", name: "C"), by: rep.caller) } == .forbidden)
            #expect(await Self.fieldCodes { _ = try await harness.rapport.roles.setScopes("rep", ["pricing": "all"], by: admin.caller) } == [:])
            #expect(await Self.code { _ = try await harness.rapport.products.create(.init(sku: "C", name: "C"), by: rep.caller) } == .forbidden,
                    "a scope grants no action the role does not have")
        }
    }

    @Test(arguments: TestBackend.available)
    func priceBooksAndPoliciesAreValidated(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin).caller
            _ = try await harness.rapport.products.create(.init(sku: "A", name: "A"), by: admin)
            let now = harness.clock.now()
            let books = harness.rapport.priceBooks
            #expect(await Self.fieldCodes {
                _ = try await books.create(.init(key: "Partners 2026", name: "", currency: "RMB1", validFrom: .some(now), validUntil: .some(now),
                                                 prices: [.init(sku: "A", amountMinor: -5), .init(sku: "NOPE", amountMinor: 1), .init(sku: "A", amountMinor: 1)]), by: admin)
            } == ["key": "invalid", "name": "required", "currency": "invalid", "valid_until": "invalid", "prices[0].amount_minor": "out_of_range",
                  "prices[1].sku": "not_found", "prices[2].sku": "duplicate"])
            #expect(try await harness.count("price_books") == 0)
            #expect(try await harness.count("product_prices") == 0)
            let book = try await books.create(.init(key: "partners", name: "Partners", currency: "CNY", prices: [.init(sku: "A", amountMinor: 90)]), by: admin)
            #expect(book.entries.map(\.sku) == ["A"] && book.entries[0].amountMinor == 90)
            #expect(await Self.code { _ = try await books.create(.init(key: "partners", name: "Again", currency: "USD"), by: admin) } == .conflict)
            let moved = try await books.update("partners", .init(currency: "USD", validUntil: .some(now.addingTimeInterval(86_400)), prices: []), expectedVersion: 1, by: admin)
            #expect(moved.currency == "USD" && moved.entries.isEmpty && moved.version == 2 && moved.validUntil != nil)
            #expect(try await books.list(text: "part", active: true, page: PageRequest(), by: admin).items.map(\.id) == [book.id])
            _ = try await books.archive(book.id.rawValue, by: admin)
            #expect(try await books.list(text: nil, active: true, page: PageRequest(), by: admin).items.isEmpty)
            #expect(try await Self.actions(harness, object: book.id) == ["price_book.archived", "price_book.created", "price_book.updated"])

            let policies = harness.rapport.salesPolicies
            let codes = await Self.fieldCodes {
                _ = try await policies.create(.init(name: "Bad", effect: PolicyEffect(kind: "percent_off", basisPoints: 10_001, amountMinor: 5), skus: ["GHOST"],
                                                    validFrom: .some(now), validUntil: .some(now.addingTimeInterval(-1)),
                                                    eligibility: .init(customers: "vip", minimumSubtotalMinor: 100), stacking: "sometimes", priority: 5_000), by: admin)
            }
            #expect(codes == ["effect.basis_points": "out_of_range", "effect.amount_minor": "unknown_field", "skus": "not_found", "valid_until": "invalid",
                              "eligibility.customers": "invalid", "currency": "required", "stacking": "invalid", "priority": "out_of_range"])
            #expect(await Self.fieldCodes {
                _ = try await policies.create(.init(name: "Bundle", effect: PolicyEffect(kind: "bundle", items: [.init(sku: "A", quantity: 0), .init(sku: "B?", quantity: 1)],
                                                                                      priceMinor: 10)), by: admin)
            } == ["effect.items[0].quantity": "out_of_range", "effect.items[1].sku": "invalid", "currency": "required"])
            #expect(await Self.fieldCodes { _ = try await policies.create(.init(name: "Off", effect: PolicyEffect(kind: "amount_off"), currency: .some("CNY")), by: admin) }
                    == ["effect.amount_minor": "required"])
            #expect(await Self.fieldCodes { _ = try await policies.create(.init(name: "?", effect: PolicyEffect(kind: "free")), by: admin) } == ["effect.kind": "invalid"])
            #expect(try await harness.count("sales_policies") == 0)

            let trial = try await policies.create(.init(name: "9.9 trial", effect: PolicyEffect(kind: "fixed_unit_price", priceMinor: 990, sku: "A"), currency: .some("CNY"),
                                                        eligibility: .init(customers: "new", channels: ["wechat"]), stacking: "exclusive", priority: 10), by: admin)
            #expect(trial.policy.effect == .fixedUnitPrice(sku: "A", priceMinor: 990, maxQuantity: 1) && trial.policy.id == trial.id.rawValue)
            #expect(try await policies.get(trial.id.rawValue, by: admin) == trial)
            let changed = try await policies.update(trial.id.rawValue, .init(effect: PolicyEffect(kind: "percent_off", basisPoints: 1_500), currency: .some(nil)),
                                                    expectedVersion: 1, by: admin)
            #expect(changed.policy.effect == .percentOff(basisPoints: 1_500) && changed.policy.currency == nil && changed.policy.channels == ["wechat"])
            #expect(await Self.code { _ = try await policies.update(trial.id.rawValue, .init(name: "x"), expectedVersion: 1, by: admin) } == .preconditionFailed)
            #expect(await Self.code { _ = try await policies.get("pol_nope", by: admin) } == .notFound)
            _ = try await policies.archive(trial.id.rawValue, by: admin)
            #expect(try await policies.list(text: "trial", active: false, page: PageRequest(), by: admin).items.map(\.version) == [3])
            #expect(try await Self.actions(harness, object: trial.id) == ["sales_policy.archived", "sales_policy.created", "sales_policy.updated"])
        }
    }

    @Test(arguments: TestBackend.available)
    func quotesPriceFromTheBookOrTheListWithActivePolicies(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin).caller
            let rep = try await harness.signedIn(.rep)
            let products = harness.rapport.products
            _ = try await products.create(.init(sku: "COURSE", name: "Course", prices: [.init(currency: "CNY", amountMinor: 100_000), .init(currency: "USD", amountMinor: 15_000)]),
                                          by: admin)
            _ = try await products.create(.init(sku: "BOOK", name: "Book", prices: [.init(currency: "CNY", amountMinor: 5_000)]), by: admin)
            _ = try await products.create(.init(sku: "TRIAL", name: "Trial class", prices: [.init(currency: "CNY", amountMinor: 19_900)]), by: admin)
            _ = try await harness.rapport.priceBooks.create(.init(key: "partners", name: "Partners", currency: "CNY", prices: [.init(sku: "COURSE", amountMinor: 80_000)]),
                                                            by: admin)
            let now = harness.clock.now()
            let policies = harness.rapport.salesPolicies
            let vip = try await policies.create(.init(name: "VIP 10%", effect: PolicyEffect(kind: "percent_off", basisPoints: 1_000), eligibility: .init(tagsAny: ["vip"])),
                                                by: admin)
            let trial = try await policies.create(.init(name: "9.9 trial", effect: PolicyEffect(kind: "fixed_unit_price", priceMinor: 990, sku: "TRIAL"),
                                                        currency: .some("CNY"), eligibility: .init(customers: "new"), priority: 5), by: admin)
            let expired = try await policies.create(.init(name: "Last year", effect: PolicyEffect(kind: "amount_off", amountMinor: 1_000), currency: .some("CNY"),
                                                          validUntil: .some(now.addingTimeInterval(-1))), by: admin)
            let archived = try await policies.create(.init(name: "Half off", effect: PolicyEffect(kind: "percent_off", basisPoints: 5_000)), by: admin)
            _ = try await policies.archive(archived.id.rawValue, by: admin)
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Wang Fang", tags: ["vip"]), by: rep.caller).0

            let lines: [PricingUseCases.LineRequest] = [.init(sku: "COURSE", quantity: 1), .init(sku: "BOOK", quantity: 2), .init(sku: "TRIAL", quantity: 1)]
            // The list price, no customer: the trial applies (new by default), VIP does not.
            let listed = try await harness.rapport.pricing.quote(.init(currency: "CNY", lines: lines), by: rep.caller)
            #expect(listed.lines.map(\.source) == [.list, .list, .list])
            #expect(listed.result.subtotalMinor == 100_000 + 10_000 + 19_900)
            #expect(listed.result.applied.map(\.policyID) == [trial.id.rawValue] && listed.result.discountMinor == 19_900 - 990)
            #expect(Dictionary(uniqueKeysWithValues: listed.result.skipped.map { ($0.policyID, $0.reason) })
                    == [vip.id.rawValue: .tagNotHeld, expired.id.rawValue: .expired], "the archived policy is never evaluated")
            #expect(listed.policyNames[expired.id.rawValue] == "Last year" && listed.policyNames[archived.id.rawValue] == nil)

            // The price book's price for what it has, the list for the rest; the customer's tags count.
            let booked = try await harness.rapport.pricing.quote(.init(currency: "CNY", customer: customer.id.rawValue, isNewCustomer: false, priceBook: "partners",
                                                                       rounding: "down", lines: lines), by: rep.caller)
            #expect(booked.lines.map(\.source) == [.priceBook, .list, .list] && booked.lines[0].priced.unitPriceMinor == 80_000)
            #expect(booked.customerTags == ["vip"] && !booked.isNewCustomer && booked.priceBook?.key == "partners")
            #expect(booked.result.subtotalMinor == 80_000 + 10_000 + 19_900 && booked.result.discountMinor == 10_990 && booked.result.rounding == .down)
            #expect(booked.result.skipped.first { $0.policyID == trial.id.rawValue }?.reason == .newCustomersOnly)

            // Refusals name the line or the field.
            #expect(await Self.fieldCodes { _ = try await harness.rapport.pricing.quote(.init(currency: "USD", lines: lines), by: rep.caller) }
                    == ["lines[1].sku": "no_price", "lines[2].sku": "no_price"])
            #expect(await Self.fieldCodes {
                _ = try await harness.rapport.pricing.quote(.init(currency: "CNY", lines: [.init(sku: "NOPE", quantity: 1), .init(sku: "BOOK", quantity: 0)]), by: rep.caller)
            } == ["lines[1].quantity": "out_of_range"])
            #expect(await Self.fieldCodes { _ = try await harness.rapport.pricing.quote(.init(currency: "CNY", lines: [.init(sku: "NOPE", quantity: 1)]), by: rep.caller) }
                    == ["lines[0].sku": "not_found"])
            #expect(await Self.fieldCodes { _ = try await harness.rapport.pricing.quote(.init(currency: "USD", priceBook: "partners", lines: lines), by: rep.caller) }
                    == ["price_book": "currency_mismatch"])
            #expect(await Self.fieldCodes { _ = try await harness.rapport.pricing.quote(.init(currency: "CNY", rounding: "up", lines: []), by: rep.caller) }
                    == ["rounding": "invalid", "lines": "invalid"])
            let other = try await harness.signedIn(.rep)
            #expect(await Self.fieldCodes {
                _ = try await harness.rapport.pricing.quote(.init(currency: "CNY", customer: customer.id.rawValue, lines: lines), by: other.caller)
            } == ["customer_id": "not_found"], "a customer outside the caller's scope is not theirs to price for")
            _ = try await harness.rapport.priceBooks.archive("partners", by: admin)
            #expect(await Self.fieldCodes { _ = try await harness.rapport.pricing.quote(.init(currency: "CNY", priceBook: "partners", lines: lines), by: rep.caller) }
                    == ["price_book": "inactive"])
            _ = try await products.archive("BOOK", by: admin)
            #expect(await Self.fieldCodes { _ = try await harness.rapport.pricing.quote(.init(currency: "CNY", lines: lines), by: rep.caller) } == ["lines[1].sku": "inactive"])
            // A USD quote of what has a USD price: the CNY-only policies are skipped for their currency.
            let dollars = try await harness.rapport.pricing.quote(.init(currency: "USD", at: now, lines: [.init(sku: "COURSE", quantity: 3)]), by: rep.caller)
            #expect(dollars.result.totalMinor == 45_000 && dollars.result.skipped.first { $0.policyID == trial.id.rawValue }?.reason == .currencyMismatch)
        }
    }
}
