import Foundation
import RapportCore
import Testing

/// The pricing function: stacking, eligibility, validity windows, rounding and currencies, in
/// integers only, with every policy's fate explained.
@Suite struct PricingTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let cny = Pricing.Context(currency: "CNY", at: now, customerTags: ["vip"], isNewCustomer: true, channel: "wechat")

    static func lines() -> [Pricing.Line] {
        [.init(sku: "course-48", quantity: 1, unitPriceMinor: 1_299_900), .init(sku: "book", quantity: 3, unitPriceMinor: 9_990)]
    }

    @Test func roundingIsExplicitAndIntegerOnly() {
        #expect(Rounding.halfUp.scale(2_999, by: 1_500, over: 10_000) == 450)   // 449.85
        #expect(Rounding.down.scale(2_999, by: 1_500, over: 10_000) == 449)
        #expect(Rounding.halfEven.scale(25, by: 1, over: 10) == 2)   // 2.5 → 2
        #expect(Rounding.halfEven.scale(35, by: 1, over: 10) == 4)   // 3.5 → 4
        #expect(Rounding.halfUp.scale(25, by: 1, over: 10) == 3)
        #expect(Rounding.halfUp.scale(-25, by: 1, over: 10) == -3)
        #expect(Rounding.halfUp.scale(Int64.max, by: 10_000, over: 10_000) == Int64.max, "a double-width product never traps")
        #expect(Rounding.halfUp.scale(Int64.max, by: 3, over: 1) == Int64.max, "beyond Int64 is held at the bound")
    }

    @Test func stackablePoliciesCombineInOrderAndExplainThemselves() {
        let policies = [
            SalesPolicy(id: "amount", name: "¥100 off", effect: .amountOff(minor: 10_000), currency: "CNY"),
            SalesPolicy(id: "percent", name: "VIP 10%", effect: .percentOff(basisPoints: 1_000), tagsAny: ["vip"], priority: 5),
        ]
        let result = Pricing.price(Self.lines(), policies: policies, context: Self.cny)
        // 1,329,870 list; 10 % → 132,987 off; then ¥100 off the rest.
        #expect(result.subtotalMinor == 1_329_870)
        #expect(result.applied.map(\.policyID) == ["percent", "amount"], "percentages before amounts")
        #expect(result.applied.map(\.discountMinor) == [132_987, 10_000])
        #expect(result.totalMinor == 1_329_870 - 132_987 - 10_000)
        #expect(result.lines.map(\.discountMinor).reduce(0, +) == result.discountMinor)
        #expect(result.lines.allSatisfy { $0.totalMinor == $0.listMinor - $0.discountMinor && $0.totalMinor >= 0 })
        #expect(result.skipped.isEmpty)
    }

    @Test func anExclusivePolicyWinsOnlyWhenBetterThanTheStack() {
        let stack = [
            SalesPolicy(id: "p10", name: "10%", effect: .percentOff(basisPoints: 1_000)),
            SalesPolicy(id: "a50", name: "¥50", effect: .amountOff(minor: 5_000), currency: "CNY"),
        ]
        let modest = SalesPolicy(id: "x15", name: "15% alone", effect: .percentOff(basisPoints: 1_500), stacking: .exclusive)
        let generous = SalesPolicy(id: "x30", name: "30% alone", effect: .percentOff(basisPoints: 3_000), stacking: .exclusive)
        let withModest = Pricing.price(Self.lines(), policies: stack + [modest], context: Self.cny)
        // The stack (10 % then ¥50 = 137,987) beats 15 % alone (199,481)? No: 15 % is more.
        #expect(withModest.applied.map(\.policyID) == ["x15"])
        #expect(Set(withModest.skipped.filter { $0.reason == .betterOfferApplied }.map(\.policyID)) == ["p10", "a50"])
        let both = Pricing.price(Self.lines(), policies: stack + [modest, generous], context: Self.cny)
        #expect(both.applied.map(\.policyID) == ["x30"])
        #expect(both.skipped.map(\.policyID) == ["p10", "a50", "x15"] && both.skipped.allSatisfy { $0.reason == .betterOfferApplied })
        let small = [SalesPolicy(id: "x1", name: "1% alone", effect: .percentOff(basisPoints: 100), stacking: .exclusive)]
        #expect(Pricing.price(Self.lines(), policies: stack + small, context: Self.cny).applied.map(\.policyID) == ["p10", "a50"])
    }

    @Test func eligibilityByTagCustomerChannelAndMinimum() {
        let policies = [
            SalesPolicy(id: "tag", name: "Alumni", effect: .percentOff(basisPoints: 500), tagsAny: ["alumni"]),
            SalesPolicy(id: "existing", name: "Loyalty", effect: .percentOff(basisPoints: 500), customers: .existing),
            SalesPolicy(id: "new", name: "Welcome", effect: .percentOff(basisPoints: 500), customers: .new),
            SalesPolicy(id: "channel", name: "Douyin only", effect: .percentOff(basisPoints: 500), channels: ["douyin"]),
            SalesPolicy(id: "minimum", name: "Big order", effect: .amountOff(minor: 100_000), currency: "CNY", minimumSubtotalMinor: 2_000_000),
        ]
        let result = Pricing.price(Self.lines(), policies: policies, context: Self.cny)
        #expect(result.applied.map(\.policyID) == ["new"])
        #expect(result.skipped.map(\.reason) == [.tagNotHeld, .existingCustomersOnly, .channelNotEligible, .minimumNotMet])
        var returning = Self.cny
        returning.isNewCustomer = false
        returning.channel = "douyin"
        #expect(Pricing.price(Self.lines(), policies: policies, context: returning).applied.map(\.policyID) == ["existing", "channel"])
    }

    @Test func validityWindowsAreHalfOpen() {
        let window = SalesPolicy(id: "spring", name: "Spring", effect: .percentOff(basisPoints: 2_000),
                                 validFrom: Self.now, validUntil: Self.now.addingTimeInterval(86_400))
        var at = Self.cny
        #expect(Pricing.price(Self.lines(), policies: [window], context: at).applied.count == 1, "valid from its first instant")
        at.at = Self.now.addingTimeInterval(-1)
        #expect(Pricing.price(Self.lines(), policies: [window], context: at).skipped.map(\.reason) == [.notYetValid])
        at.at = Self.now.addingTimeInterval(86_400)
        #expect(Pricing.price(Self.lines(), policies: [window], context: at).skipped.map(\.reason) == [.expired], "ended at validUntil")
    }

    @Test func amountsBelongToTheirCurrency() {
        let policies = [
            SalesPolicy(id: "cny", name: "¥100 off", effect: .amountOff(minor: 10_000), currency: "CNY"),
            SalesPolicy(id: "usd", name: "$10 off", effect: .amountOff(minor: 1_000), currency: "usd"),
            SalesPolicy(id: "bare", name: "100 off, no currency", effect: .amountOff(minor: 100)),
            SalesPolicy(id: "pct", name: "5%", effect: .percentOff(basisPoints: 500)),
        ]
        let usd = Pricing.Context(currency: "USD", at: Self.now)
        let result = Pricing.price([.init(sku: "seat", quantity: 2, unitPriceMinor: 4_999)], policies: policies, context: usd)
        #expect(result.currency == "USD")
        #expect(result.applied.map(\.policyID) == ["pct", "usd"])
        #expect(result.applied.map(\.discountMinor) == [500, 1_000])   // 5 % of 9,998 = 499.9 → 500 (half up)
        #expect(result.skipped.map(\.reason) == [.currencyMismatch, .currencyMismatch])
    }

    @Test func aTrialOfferAndABundle() {
        let trial = SalesPolicy(id: "trial", name: "9.9 trial class", effect: .fixedUnitPrice(sku: "trial-class", priceMinor: 990, maxQuantity: 1),
                                currency: "CNY", customers: .new)
        let bundle = SalesPolicy(id: "kit", name: "Course + 3 books", effect: .bundle(items: ["course-48": 1, "book": 3], priceMinor: 1_299_900),
                                 currency: "CNY")
        let lines = Self.lines() + [.init(sku: "trial-class", quantity: 2, unitPriceMinor: 19_900)]
        let result = Pricing.price(lines, policies: [trial, bundle], context: Self.cny)
        #expect(result.applied.map(\.policyID) == ["trial", "kit"])
        #expect(result.applied.map(\.discountMinor) == [18_910, 29_970], "one trial unit at 9.9; the books come free in the kit")
        #expect(result.lines[2].totalMinor == 990 + 19_900)
        #expect(result.lines[0].totalMinor + result.lines[1].totalMinor == 1_299_900)
        // Without a complete set, the bundle does nothing, and says so.
        let partial = Pricing.price([.init(sku: "book", quantity: 3, unitPriceMinor: 9_990)], policies: [bundle], context: Self.cny)
        #expect(partial.applied.isEmpty && partial.skipped.map(\.reason) == [.noMatchingLines])
        // A "special" price above the list price saves nothing.
        let dear = SalesPolicy(id: "dear", name: "Not a deal", effect: .fixedUnitPrice(sku: "book", priceMinor: 20_000, maxQuantity: 5), currency: "CNY")
        #expect(Pricing.price(Self.lines(), policies: [dear], context: Self.cny).skipped.map(\.reason) == [.noSaving])
    }

    @Test func anAmountIsSpreadOverLinesInWholeUnitsAndNeverBelowZero() {
        let lines: [Pricing.Line] = [.init(sku: "a", quantity: 1, unitPriceMinor: 1), .init(sku: "b", quantity: 1, unitPriceMinor: 1),
                                     .init(sku: "c", quantity: 1, unitPriceMinor: 1)]
        let result = Pricing.price(lines, policies: [SalesPolicy(id: "big", name: "¥5 off", effect: .amountOff(minor: 500), currency: "CNY")],
                                   context: Self.cny)
        #expect(result.totalMinor == 0 && result.discountMinor == 3 && result.lines.allSatisfy { $0.totalMinor == 0 })
        let uneven = Pricing.price([.init(sku: "a", quantity: 1, unitPriceMinor: 100), .init(sku: "b", quantity: 1, unitPriceMinor: 200)],
                                   policies: [SalesPolicy(id: "ten", name: "0.10 off", effect: .amountOff(minor: 10), currency: "CNY")], context: Self.cny)
        #expect(uneven.lines.map(\.discountMinor) == [3, 7] && uneven.discountMinor == 10)
        // Only the named products.
        let onlyBooks = Pricing.price(Self.lines(), policies: [SalesPolicy(id: "b", name: "Books 50%", effect: .percentOff(basisPoints: 5_000), skus: ["book"])],
                                      context: Self.cny)
        #expect(onlyBooks.lines.map(\.discountMinor) == [0, 14_985])
    }

    @Test func totalsReconcileForManyRandomOrders() {
        var generator = SplitMix(seed: 42)
        for _ in 0..<500 {
            let lines = (0..<Int(generator.next() % 4 + 1)).map { index in
                Pricing.Line(sku: "s\(index)", quantity: Int(generator.next() % 5 + 1), unitPriceMinor: Int64(generator.next() % 100_000))
            }
            let policies = [
                SalesPolicy(id: "p", name: "p", effect: .percentOff(basisPoints: Int64(generator.next() % 10_001))),
                SalesPolicy(id: "a", name: "a", effect: .amountOff(minor: Int64(generator.next() % 50_000)), currency: "CNY"),
                SalesPolicy(id: "x", name: "x", effect: .percentOff(basisPoints: Int64(generator.next() % 10_001)), stacking: .exclusive),
            ]
            for rounding in Rounding.allCases {
                let result = Pricing.price(lines, policies: policies, context: Self.cny, rounding: rounding)
                #expect(result.totalMinor == result.subtotalMinor - result.discountMinor)
                #expect(result.discountMinor == result.applied.map(\.discountMinor).reduce(0, +))
                #expect(result.lines.allSatisfy { $0.totalMinor >= 0 && $0.discountMinor >= 0 })
                #expect(result.applied.count + result.skipped.count == policies.count, "every policy is accounted for")
            }
        }
    }
}

/// A small deterministic generator for the property test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
