import Foundation

extension SalesPolicy.Effect {
    /// Whether the effect names amounts (and so needs a currency), unlike a percentage.
    var isAmount: Bool {
        if case .percentOff = self { return false }
        return true
    }

    /// The order effects apply in: special prices and bundles first, then percentages, then amounts.
    var stage: Int {
        switch self {
        case .fixedUnitPrice: 0
        case .bundle: 1
        case .percentOff: 2
        case .amountOff: 3
        }
    }
}

extension Pricing {
    /// One option (a set of policies) applied to the lines.
    struct Evaluation {
        var lines: [PricedLine]
        var applied: [Applied]
        var total: Int64
        /// Policies of the option that took nothing off, and why.
        var noEffect: [String: Reason]
    }

    static func evaluate(_ input: [Line], _ policies: [SalesPolicy], rounding: Rounding) -> Evaluation {
        var lines = input.map { line in
            let list = Int64(line.quantity).multipliedClamped(by: line.unitPriceMinor)
            return PricedLine(sku: line.sku, quantity: line.quantity, unitPriceMinor: line.unitPriceMinor, listMinor: list, discountMinor: 0, totalMinor: list)
        }
        var applied: [Applied] = []
        var noEffect: [String: Reason] = [:]
        // Stage, then priority, then the order given.
        let ordered = policies.enumerated().sorted { ($0.element.effect.stage, -$0.element.priority, $0.offset) < ($1.element.effect.stage, -$1.element.priority, $1.offset) }
            .map(\.element)
        for policy in ordered {
            let targets = lines.indices.filter { policy.skus.isEmpty || policy.skus.contains(lines[$0].sku) }
            var cuts = Array(repeating: Int64(0), count: lines.count)
            switch policy.effect {
            case .percentOff(let basisPoints):
                for index in targets { cuts[index] = rounding.scale(lines[index].totalMinor, by: min(max(basisPoints, 0), 10_000), over: 10_000) }
            case .amountOff(let minor):
                let base = targets.reduce(Int64(0)) { $0 + lines[$1].totalMinor }
                spread(min(max(minor, 0), base), over: targets, weights: lines.map(\.totalMinor), into: &cuts)
            case .fixedUnitPrice(let sku, let price, let maxQuantity):
                var units = Int64(max(maxQuantity, 0))
                for index in lines.indices where lines[index].sku == sku && units > 0 {
                    let taken = min(units, Int64(lines[index].quantity))
                    units -= taken
                    let saving = taken.multipliedClamped(by: max(lines[index].unitPriceMinor - max(price, 0), 0))
                    cuts[index] = min(saving, lines[index].totalMinor)
                }
            case .bundle(let items, let price):
                cuts = bundleCuts(items, price: price, lines: lines)
            }
            let total = cuts.reduce(0, +)
            guard total > 0 else {
                let matched: Bool
                switch policy.effect {
                case .bundle(let items, _): matched = !items.isEmpty && items.allSatisfy { sku, count in lines.filter { $0.sku == sku }.map(\.quantity).reduce(0, +) >= count }
                case .fixedUnitPrice(let sku, _, _): matched = lines.contains { $0.sku == sku }
                default: matched = !targets.isEmpty
                }
                noEffect[policy.id] = matched ? .noSaving : .noMatchingLines
                continue
            }
            for index in lines.indices where cuts[index] > 0 {
                lines[index].discountMinor += cuts[index]
                lines[index].totalMinor -= cuts[index]
            }
            applied.append(Applied(policyID: policy.id, name: policy.name, discountMinor: total))
        }
        return Evaluation(lines: lines, applied: applied, total: lines.reduce(0) { $0 + $1.totalMinor }, noEffect: noEffect)
    }

    /// The saving of `price` per complete set of `items` in the order, taken from the bundled
    /// lines in proportion to their list value (whole minor units; the rest to the largest).
    static func bundleCuts(_ items: [String: Int], price: Int64, lines: [PricedLine]) -> [Int64] {
        var cuts = Array(repeating: Int64(0), count: lines.count)
        guard !items.isEmpty, items.values.allSatisfy({ $0 > 0 }) else { return cuts }
        var sets = Int.max
        for (sku, count) in items { sets = min(sets, lines.filter { $0.sku == sku }.map(\.quantity).reduce(0, +) / count) }
        guard sets > 0 else { return cuts }
        // The bundled units' value, line by line (first lines first).
        var bundledValue = Array(repeating: Int64(0), count: lines.count)
        for (sku, count) in items {
            var units = count * sets
            for index in lines.indices where lines[index].sku == sku && units > 0 {
                let taken = min(units, lines[index].quantity)
                units -= taken
                bundledValue[index] = min(Int64(taken).multipliedClamped(by: lines[index].unitPriceMinor), lines[index].totalMinor)
            }
        }
        let saving = bundledValue.reduce(0, +) - Int64(sets).multipliedClamped(by: max(price, 0))
        guard saving > 0 else { return cuts }
        spread(saving, over: Array(lines.indices), weights: bundledValue, into: &cuts)
        return cuts
    }

    /// Shares `amount` over `indices` in proportion to `weights`, in whole minor units: each gets
    /// its share rounded down, and the units left go one by one to the largest weights.
    static func spread(_ amount: Int64, over indices: [Int], weights: [Int64], into cuts: inout [Int64]) {
        let total = indices.reduce(Int64(0)) { $0 + max(weights[$1], 0) }
        guard amount > 0, total > 0 else { return }
        var given: Int64 = 0
        for index in indices {
            let share = Rounding.down.scale(amount, by: max(weights[index], 0), over: total)
            cuts[index] += share
            given += share
        }
        let byWeight = indices.filter { weights[$0] > 0 }.sorted { (weights[$0], -$0) > (weights[$1], -$1) }
        var left = amount - given
        var turn = 0
        while left > 0, !byWeight.isEmpty {
            cuts[byWeight[turn % byWeight.count]] += 1
            left -= 1
            turn += 1
        }
    }
}

extension Int64 {
    /// The sum, held at the bounds instead of trapping.
    func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// The product, held at the bounds instead of trapping.
    func multipliedClamped(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) == (other < 0) ? .max : .min) : product
    }
}
