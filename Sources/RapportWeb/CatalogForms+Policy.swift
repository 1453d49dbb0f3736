import Foundation
import RapportApp
import RapportCore

extension CatalogForm {
    /// A sales policy's form: the effect's kind and its numbers (a percentage, an amount, a special
    /// price with its SKU and most units, a bundle's items as `SKU quantity` rows), what it applies
    /// to, its window, eligibility and stacking.
    static func policySpecs(_ locale: Localization.Locale) -> [Spec] {
        [
            Spec("name", "name"),
            Spec("kind", "policy_kind", "select", paths: ["effect.kind"], options: PolicyEffect.kinds.map { ($0, locale.text("policy_kind_\($0)")) }),
            Spec("percent", "policy_percent", paths: ["effect.basis_points"]),
            Spec("amount", "policy_amount", paths: ["effect.amount_minor"]),
            Spec("price", "policy_price", paths: ["effect.price_minor"]),
            Spec("sku", "policy_sku", paths: ["effect.sku"]),
            Spec("max_quantity", "policy_max_quantity", "number", paths: ["effect.max_quantity"]),
            Spec("items", "policy_items", "textarea", paths: ["effect.items", "effect"]),
            Spec("skus", "policy_skus", paths: ["skus"]),
            Spec("currency", "currency"),
            Spec("valid_from", "valid_from", "date"),
            Spec("valid_until", "valid_until", "date"),
            Spec("tags", "policy_tags", paths: ["eligibility.tags_any"]),
            Spec("customers", "policy_customers", "select", paths: ["eligibility.customers"],
                 options: ["any", "new", "existing"].map { ($0, locale.text("policy_customers_\($0)")) }),
            Spec("channels", "policy_channels", paths: ["eligibility.channels"]),
            Spec("minimum", "policy_minimum", paths: ["eligibility.minimum_subtotal_minor"]),
            Spec("stacking", "policy_stacking", "select", options: ["stackable", "exclusive"].map { ($0, locale.text("policy_stacking_\($0)")) }),
            Spec("priority", "policy_priority", "number"),
            Spec("active", "active", "check"),
        ]
    }

    static func policy(_ form: WebForm, creating: Bool) -> SalesPolicyUseCases.Input {
        let currency = form["currency"]?.uppercased()
        let money = currency ?? "CNY"
        let kind = form["kind"] ?? "percent_off"
        var effect = PolicyEffect(kind: kind)
        switch kind {
        case "percent_off": effect.basisPoints = form["percent"].map { Money.minorUnits($0, digits: 2) ?? -1 }
        case "amount_off": effect.amountMinor = form["amount"].map { minor($0, currency: money) }
        case "bundle":
            effect.priceMinor = form["price"].map { minor($0, currency: money) }
            effect.items = rows(form["items"]).map { PolicyEffect.Item(sku: $0.0, quantity: Int($0.1) ?? 0) }
        default:
            effect.priceMinor = form["price"].map { minor($0, currency: money) }
            effect.sku = form["sku"]
            effect.maxQuantity = form["max_quantity"].map { Int($0) ?? 0 }
        }
        let eligibility = SalesPolicyUseCases.Eligibility(
            tagsAny: list(form["tags"]), customers: form["customers"] ?? "any", channels: list(form["channels"]),
            minimumSubtotalMinor: form["minimum"].map { minor($0, currency: money) })
        return SalesPolicyUseCases.Input(
            name: form["name"] ?? (creating ? nil : ""), effect: effect, skus: list(form["skus"]), currency: .some(currency),
            validFrom: day(form["valid_from"]), validUntil: day(form["valid_until"], inclusiveEnd: true), eligibility: eligibility,
            stacking: form["stacking"] ?? "stackable", priority: form["priority"].map { Int($0) ?? 10_000 } ?? 0, active: creating ? nil : form["active"] == "true")
    }

    static func policyValues(_ record: SalesPolicyRecord?) -> (String) -> String {
        { name in
            guard let record else {
                return ["kind": "percent_off", "customers": "any", "stacking": "stackable", "priority": "0", "currency": "CNY"][name] ?? ""
            }
            let policy = record.policy
            let effect = PolicyEffect(policy.effect)
            let currency = policy.currency ?? "CNY"
            func amount(_ minor: Int64?) -> String { minor.map { Money($0, currency).plainText } ?? "" }
            switch name {
            case "name": return policy.name
            case "kind": return effect.kind
            case "percent": return effect.basisPoints.map { Money($0, "XXX").plainText } ?? ""  // basis points as a percentage, 2 decimals
            case "amount": return amount(effect.amountMinor)
            case "price": return amount(effect.priceMinor)
            case "sku": return effect.sku ?? ""
            case "max_quantity": return effect.maxQuantity.map(String.init) ?? ""
            case "items": return (effect.items ?? []).map { "\($0.sku) \($0.quantity)" }.joined(separator: "\n")
            case "skus": return policy.skus.sorted().joined(separator: ", ")
            case "currency": return policy.currency ?? ""
            case "valid_from": return dayText(policy.validFrom)
            case "valid_until": return dayText(policy.validUntil, inclusiveEnd: true)
            case "tags": return policy.tagsAny.sorted().joined(separator: ", ")
            case "customers": return policy.customers.rawValue
            case "channels": return policy.channels.sorted().joined(separator: ", ")
            case "minimum": return amount(policy.minimumSubtotalMinor)
            case "stacking": return policy.stacking.rawValue
            case "priority": return String(policy.priority)
            case "active": return record.active ? "true" : ""
            default: return ""
            }
        }
    }

    /// A policy's effect in the reader's words (`15% off`, `¥100.00 off`, `bundle for ¥999.00`, `TRIAL at ¥9.90, up to 1`).
    static func effectText(_ policy: SalesPolicy, locale: Localization.Locale) -> String {
        let currency = policy.currency ?? "CNY"
        switch policy.effect {
        case .percentOff(let points): return locale.text("policy_effect_percent", ["percent": Money(points, "XXX").plainText])
        case .amountOff(let minor): return locale.text("policy_effect_amount", ["amount": locale.money(minor, currency: currency)])
        case .bundle(let items, let price):
            let list = items.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: " + ")
            return locale.text("policy_effect_bundle", ["items": list, "price": locale.money(price, currency: currency)])
        case .fixedUnitPrice(let sku, let price, let most):
            return locale.text("policy_effect_fixed", ["sku": sku, "price": locale.money(price, currency: currency), "n": String(most)])
        }
    }

    /// Who may have a policy and when, in the reader's words.
    static func eligibilityText(_ policy: SalesPolicy, locale: Localization.Locale) -> String {
        var parts = [locale.text("policy_customers_\(policy.customers.rawValue)")]
        if !policy.tagsAny.isEmpty { parts.append(locale.text("policy_tags") + ": " + policy.tagsAny.sorted().joined(separator: ", ")) }
        if !policy.channels.isEmpty { parts.append(locale.text("policy_channels") + ": " + policy.channels.sorted().joined(separator: ", ")) }
        if let minimum = policy.minimumSubtotalMinor { parts.append(locale.text("policy_minimum") + ": " + locale.money(minimum, currency: policy.currency ?? "CNY")) }
        if !policy.skus.isEmpty { parts.append(locale.text("policy_skus") + ": " + policy.skus.sorted().joined(separator: ", ")) }
        return parts.joined(separator: " · ")
    }

    /// A validity window in the reader's words (`from … until …`, or always).
    static func windowText(from: Date?, until: Date?, locale: Localization.Locale) -> String {
        if from == nil && until == nil { return locale.text("always_valid") }
        let formatter = locale.dateFormatter()
        formatter.timeStyle = .none
        return [from.map { locale.text("valid_from_date", ["date": formatter.string(from: $0)]) },
                until.map { locale.text("valid_until_date", ["date": formatter.string(from: $0.addingTimeInterval(-1))]) }].compactMap { $0 }.joined(separator: " ")
    }
}
