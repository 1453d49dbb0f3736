import Foundation

/// What one unit of a product grants when its order becomes effective (e.g. 48 lessons valid 12
/// months, or 12 months of service): a unit, a quantity per unit sold, and a validity.
public struct EntitlementGrant: Sendable, Equatable, Codable {
    /// What is counted: `lesson`, `session`, `month`, … (1–32 of `a-z 0-9 _`).
    public var unit: String
    /// How many of `unit` one unit sold grants (1 … 1 000 000).
    public var quantity: Int64
    /// How long the entitlement lasts from its start: days or calendar months (at most one);
    /// neither means until the order's term ends (or forever without one).
    public var validityDays: Int?
    public var validityMonths: Int?

    public init(unit: String, quantity: Int64, validityDays: Int? = nil, validityMonths: Int? = nil) {
        self.unit = unit
        self.quantity = quantity
        self.validityDays = validityDays
        self.validityMonths = validityMonths
    }

    enum CodingKeys: String, CodingKey {
        case unit, quantity
        case validityDays = "validity_days"
        case validityMonths = "validity_months"
    }

    /// The largest quantity per unit sold, and the longest validity.
    public static let maximumQuantity: Int64 = 1_000_000
    public static let maximumValidityDays = 36_600
    public static let maximumValidityMonths = 1_200

    /// Field errors for this grant, named under `field` (`grant.unit`, …).
    public func check(field: String, into check: inout Validator) {
        let bytes = Array(unit.utf8)
        let unitOK = (1...32).contains(bytes.count) && bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
        }
        if !unitOK { check.add("\(field).unit", "invalid", "\(field).unit is 1–32 of a-z 0-9 _, e.g. lesson.") }
        if !(1...Self.maximumQuantity).contains(quantity) {
            check.add("\(field).quantity", "out_of_range", "\(field).quantity is from 1 to \(Self.maximumQuantity).")
        }
        if validityDays != nil && validityMonths != nil {
            check.add("\(field).validity_months", "invalid", "Give validity_days or validity_months, not both.")
        }
        if let days = validityDays, !(1...Self.maximumValidityDays).contains(days) {
            check.add("\(field).validity_days", "out_of_range", "\(field).validity_days is from 1 to \(Self.maximumValidityDays).")
        }
        if let months = validityMonths, !(1...Self.maximumValidityMonths).contains(months) {
            check.add("\(field).validity_months", "out_of_range", "\(field).validity_months is from 1 to \(Self.maximumValidityMonths).")
        }
    }

    /// What `sold` units grant, or nil when that does not fit in 64 bits.
    public func granted(for sold: Int64) -> Int64? {
        let (product, overflow) = quantity.multipliedReportingOverflow(by: sold)
        return overflow ? nil : product
    }

    /// When an entitlement starting at `start` expires by this grant's validity (calendar months in
    /// UTC), or nil when the grant names none.
    public func expiry(from start: Date) -> Date? {
        if let days = validityDays { return start.addingTimeInterval(TimeInterval(days) * 86_400) }
        if let months = validityMonths {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
            return calendar.date(byAdding: .month, value: months, to: start)
        }
        return nil
    }
}

/// An entitlement (权益): what an order line granted a customer — a quantity of a unit, consumed
/// over time until it is exhausted, expires or is revoked (a refund takes back what is not
/// consumed). Always `granted = consumed + balance + revoked`.
public struct Entitlement: Sendable, Equatable {
    public var id: RecordID
    public var customerID: RecordID
    public var orderID: RecordID
    public var orderLineID: RecordID
    public var productID: RecordID
    public var sku: String
    public var unit: String
    public var granted: Int64
    public var consumed: Int64
    public var revoked: Int64
    public var status: EntitlementStatus
    public var startsAt: Date
    public var expiresAt: Date?
    /// The renewal opportunity the renewal job made for it (once, never twice).
    public var renewalOpportunityID: RecordID?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RecordID, customerID: RecordID, orderID: RecordID, orderLineID: RecordID, productID: RecordID, sku: String, unit: String,
        granted: Int64, consumed: Int64 = 0, revoked: Int64 = 0, status: EntitlementStatus = .active, startsAt: Date, expiresAt: Date?,
        renewalOpportunityID: RecordID? = nil, version: Int64 = 1, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.customerID = customerID
        self.orderID = orderID
        self.orderLineID = orderLineID
        self.productID = productID
        self.sku = sku
        self.unit = unit
        self.granted = granted
        self.consumed = consumed
        self.revoked = revoked
        self.status = status
        self.startsAt = startsAt
        self.expiresAt = expiresAt
        self.renewalOpportunityID = renewalOpportunityID
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What is left to consume: granted − consumed − revoked.
    public var balance: Int64 { granted - consumed - revoked }
}

/// Where an entitlement is: in use, used up, past its expiry, or taken back.
public enum EntitlementStatus: String, Sendable, Codable, CaseIterable {
    case active
    case exhausted
    case expired
    case revoked
}

/// One consumption of an entitlement: how much, when it happened, who recorded it, and the key
/// that makes a retry of the same record harmless.
public struct EntitlementConsumption: Sendable, Equatable {
    public var id: RecordID
    public var entitlementID: RecordID
    public var quantity: Int64
    public var note: String?
    /// When it was consumed (a lesson attended); defaults to when it was recorded.
    public var occurredAt: Date
    public var recordedAt: Date
    public var recordedBy: RecordID?
    public var idempotencyKey: String
    /// A fingerprint of what was asked (quantity, note, occurred_at): the same key with another
    /// request is refused.
    public var requestHash: String

    public init(id: RecordID, entitlementID: RecordID, quantity: Int64, note: String?, occurredAt: Date, recordedAt: Date, recordedBy: RecordID?,
                idempotencyKey: String, requestHash: String) {
        self.id = id
        self.entitlementID = entitlementID
        self.quantity = quantity
        self.note = note
        self.occurredAt = occurredAt
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
    }
}

extension IDPrefix {
    public static let entitlement = IDPrefix(rawValue: "ent")
    public static let consumption = IDPrefix(rawValue: "ecn")
}

extension ObjectKind {
    /// Entitlements: readable by whoever can read the customer or the order that granted them.
    public static let entitlement = ObjectKind(rawValue: "entitlement")
}
