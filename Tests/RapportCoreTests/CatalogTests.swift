import Foundation
import RapportCore
import Testing

/// The catalog's shapes and a policy effect's written form: every effect survives the round trip,
/// and what is missing, out of range or of another kind is named.
@Suite struct CatalogTests {
    @Test func skusCurrenciesAndKeysHaveTheirShapes() {
        #expect(Catalog.isSKU("COURSE-48") && Catalog.isSKU("book.a1") && Catalog.isSKU("9") && Catalog.isSKU(String(repeating: "a", count: 64)))
        #expect(!Catalog.isSKU("") && !Catalog.isSKU("-A") && !Catalog.isSKU("a b") && !Catalog.isSKU("课程") && !Catalog.isSKU(String(repeating: "a", count: 65)))
        #expect(Catalog.isCurrency("CNY") && !Catalog.isCurrency("cny") && !Catalog.isCurrency("CNYY") && !Catalog.isCurrency("C1Y"))
        #expect(Catalog.isKey("partners-2026") && !Catalog.isKey("Partners") && !Catalog.isKey("_x") && !Catalog.isKey(""))
        var check = Validator()
        Catalog.checkAmount(-1, field: "a", into: &check)
        Catalog.checkAmount(Catalog.maximumAmountMinor + 1, field: "b", into: &check)
        Catalog.checkAmount(0, field: "c", into: &check)
        Catalog.checkWindow(from: Date(timeIntervalSince1970: 10), until: Date(timeIntervalSince1970: 10), into: &check)
        #expect(check.errors.map(\.field) == ["a", "b", "valid_until"])
    }

    @Test func everyEffectSurvivesItsWrittenForm() throws {
        let effects: [SalesPolicy.Effect] = [
            .percentOff(basisPoints: 1_500), .amountOff(minor: 10_000), .bundle(items: ["B": 2, "A": 1], priceMinor: 99_900),
            .fixedUnitPrice(sku: "TRIAL", priceMinor: 990, maxQuantity: 1),
        ]
        for effect in effects {
            let data = try JSONEncoder().encode(PolicyEffect(effect))
            var check = Validator()
            #expect(try JSONDecoder().decode(PolicyEffect.self, from: data).effect(into: &check) == effect)
            #expect(check.errors.isEmpty)
        }
        let bundle = PolicyEffect(.bundle(items: ["B": 2, "A": 1], priceMinor: 5))
        #expect(bundle.items == [.init(sku: "A", quantity: 1), .init(sku: "B", quantity: 2)] && bundle.skus == ["A", "B"])
        let json = String(decoding: try JSONEncoder().encode(PolicyEffect(.percentOff(basisPoints: 1))), as: UTF8.self)
        #expect(json.contains("\"basis_points\":1") && !json.contains("amount_minor"), "only the kind's fields are written")
    }

    @Test func aBadEffectNamesEveryProblem() {
        func codes(_ effect: PolicyEffect) -> [String: String] {
            var check = Validator()
            #expect(effect.effect(into: &check) == nil)
            return Dictionary(check.errors.map { ($0.field, $0.code) }, uniquingKeysWith: { first, _ in first })
        }
        #expect(codes(PolicyEffect(kind: "percent_off", basisPoints: -1, sku: "A")) == ["effect.basis_points": "out_of_range", "effect.sku": "unknown_field"])
        #expect(codes(PolicyEffect(kind: "amount_off")) == ["effect.amount_minor": "required"])
        #expect(codes(PolicyEffect(kind: "bundle", items: [], priceMinor: 1)) == ["effect.items": "invalid"])
        #expect(codes(PolicyEffect(kind: "bundle", items: [.init(sku: "A", quantity: 1), .init(sku: "A", quantity: 2)], priceMinor: -1))
                == ["effect.items[1].sku": "duplicate", "effect.price_minor": "out_of_range"])
        #expect(codes(PolicyEffect(kind: "fixed_unit_price", priceMinor: 1, sku: "A", maxQuantity: 0)) == ["effect.max_quantity": "out_of_range"])
        #expect(codes(PolicyEffect(kind: "gift")) == ["effect.kind": "invalid"])
    }

    @Test func aPolicyNeedsACurrencyForItsAmountsAndAValidWindow() {
        func fields(_ policy: SalesPolicy) -> [String] {
            var check = Validator()
            policy.check(into: &check)
            return check.errors.map(\.field)
        }
        #expect(fields(SalesPolicy(id: "p", name: "10%", effect: .percentOff(basisPoints: 1_000))) == [])
        #expect(fields(SalesPolicy(id: "p", name: "¥10", effect: .amountOff(minor: 1_000))) == ["currency"])
        #expect(fields(SalesPolicy(id: "p", name: "min", effect: .percentOff(basisPoints: 1), minimumSubtotalMinor: 5)) == ["currency"])
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(fields(SalesPolicy(id: "p", name: "x", effect: .percentOff(basisPoints: 1), skus: ["bad sku"], validFrom: at, validUntil: at,
                                   tagsAny: [" vip"], channels: [""], priority: 1_001)) == ["skus[0]", "valid_until", "eligibility.tags_any", "eligibility.channels", "priority"])
    }
}
