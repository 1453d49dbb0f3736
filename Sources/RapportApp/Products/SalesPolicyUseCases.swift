import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Sales policies (销售政策): discounts, bundle prices and trial offers with their validity
/// window, eligibility and stacking, as data the pricing function evaluates. Archived policies
/// are kept but never applied.
public struct SalesPolicyUseCases: Sendable {
    let rapport: Rapport

    /// Who may have a policy (nil = unchanged; the whole eligibility is replaced when sent).
    public struct Eligibility: Sendable, Equatable {
        public var tagsAny: [String]
        /// `any`, `new` or `existing`.
        public var customers: String
        public var channels: [String]
        public var minimumSubtotalMinor: Int64?

        public init(tagsAny: [String] = [], customers: String = "any", channels: [String] = [], minimumSubtotalMinor: Int64? = nil) {
            self.tagsAny = tagsAny
            self.customers = customers
            self.channels = channels
            self.minimumSubtotalMinor = minimumSubtotalMinor
        }
    }

    /// What creating or changing a policy takes (nil = unchanged; `.some(nil)` clears).
    public struct Input: Sendable {
        public var name: String?
        public var effect: PolicyEffect?
        public var skus: [String]?
        public var currency: String??
        public var validFrom: Date??
        public var validUntil: Date??
        public var eligibility: Eligibility?
        /// `stackable` or `exclusive`.
        public var stacking: String?
        public var priority: Int?
        public var active: Bool?

        public init(name: String? = nil, effect: PolicyEffect? = nil, skus: [String]? = nil, currency: String?? = nil, validFrom: Date?? = nil,
                    validUntil: Date?? = nil, eligibility: Eligibility? = nil, stacking: String? = nil, priority: Int? = nil, active: Bool? = nil) {
            self.name = name
            self.effect = effect
            self.skus = skus
            self.currency = currency
            self.validFrom = validFrom
            self.validUntil = validUntil
            self.eligibility = eligibility
            self.stacking = stacking
            self.priority = priority
            self.active = active
        }
    }

    var records: CatalogRecords<SalesPolicyRecord> {
        CatalogRecords(rapport: rapport, find: { reference, sql in
            guard let id = RecordID(parsing: reference, prefix: .policy) else { return nil }
            return try await SalesPolicyStore(sql).find(id)
        }, save: { record, version, sql in try await SalesPolicyStore(sql).replace(record, expectedVersion: version) })
    }

    /// Creates a policy (name and effect required; a currency when the effect names amounts).
    public func create(_ input: Input, by caller: Caller) async throws -> SalesPolicyRecord {
        try await records.create(by: caller, make: { now, sql in
            let id = rapport.ids.next(.policy, at: now)
            var record = SalesPolicyRecord(id: id, policy: SalesPolicy(id: id.rawValue, name: "", effect: .percentOff(basisPoints: 0)),
                                           createdAt: now, updatedAt: now)
            try await apply(input, to: &record, creating: true, sql)
            return record
        }, insert: { record, sql in try await SalesPolicyStore(sql).insert(record) })
    }

    public func update(_ reference: String, _ input: Input, expectedVersion: Int64?, by caller: Caller) async throws -> SalesPolicyRecord {
        try await records.update(reference, expectedVersion: expectedVersion, by: caller) { record, sql in
            try await apply(input, to: &record, creating: false, sql)
        }
    }

    /// Archives a policy: quotes no longer evaluate it.
    public func archive(_ reference: String, by caller: Caller) async throws -> SalesPolicyRecord {
        try await records.archive(reference, by: caller)
    }

    public func get(_ reference: String, by caller: Caller) async throws -> SalesPolicyRecord {
        try await records.get(reference, by: caller)
    }

    /// Policies in creation order: `q` is in the name; active or archived.
    public func list(text: String?, active: Bool?, page: PageRequest, by caller: Caller) async throws -> Page<SalesPolicyRecord> {
        try await records.list(filters: ["q": text], by: caller) { sql in try await SalesPolicyStore(sql).list(text: text, active: active, page: page) }
    }

    func apply(_ input: Input, to record: inout SalesPolicyRecord, creating: Bool, _ sql: any SQLDatabase) async throws {
        var check = Validator()
        var policy = record.policy
        if let name = input.name { policy.name = check.text(name, field: "name", maxLength: 100, allowEmpty: false) } else if creating {
            check.add("name", "required", "name is required.")
        }
        var named: [String] = []
        var unparsed: PolicyEffect?
        if let document = input.effect {
            if let effect = document.effect(into: &check) { policy.effect = effect } else { unparsed = document }
            named += document.skus
        } else if creating { check.add("effect", "required", "effect is required.") }
        if let skus = input.skus {
            policy.skus = Set(skus)
            named += skus
        }
        if let currency = input.currency {
            if let currency, !Catalog.isCurrency(currency) {
                Catalog.checkCurrency(currency, field: "currency", into: &check)
            } else {
                policy.currency = currency
            }
        }
        if let validFrom = input.validFrom { policy.validFrom = validFrom }
        if let validUntil = input.validUntil { policy.validUntil = validUntil }
        if let eligibility = input.eligibility {
            policy.tagsAny = Set(eligibility.tagsAny)
            policy.channels = Set(eligibility.channels)
            policy.minimumSubtotalMinor = eligibility.minimumSubtotalMinor
            if let rule = SalesPolicy.CustomerRule(rawValue: eligibility.customers) { policy.customers = rule } else {
                check.add("eligibility.customers", "invalid", "eligibility.customers is any, new or existing.")
            }
        }
        if let stacking = input.stacking {
            if let value = SalesPolicy.Stacking(rawValue: stacking) { policy.stacking = value } else {
                check.add("stacking", "invalid", "stacking is stackable or exclusive.")
            }
        }
        if let priority = input.priority { policy.priority = priority }
        if let active = input.active { record.active = active }
        policy.check(into: &check)
        if let unparsed, unparsed.namesAmounts, policy.currency == nil {
            check.add("currency", "required", "currency is required: the effect names amounts.")  // the policy still holds its old effect
        }
        // Every SKU the policy names (newly) must be a product of the catalog: a typo would make it silently useless.
        let wanted = Set(named.filter(Catalog.isSKU))
        let known = try await ProductStore(sql).find(skus: wanted)
        for sku in wanted.subtracting(known.keys).sorted() {
            check.add(input.skus?.contains(sku) == true ? "skus" : "effect", "not_found", "No product has SKU \(sku).")
        }
        try check.finish()
        record.policy = policy
    }
}
