import Foundation
import RapportCore

/// What creating or changing a customer takes, as the caller sent it (not yet checked).
///
/// For a change, `nil` leaves a field alone and `.some(nil)` clears it; lists (contacts, tags)
/// replace the stored list when sent; consents are upserted per channel and purpose; custom
/// fields are merged key by key (`null` clears one).
public struct CustomerInput: Sendable {
    public struct Contact: Sendable, Equatable {
        public var kind: String
        public var value: String
        public var label: String?
        public var primary: Bool

        public init(kind: String, value: String, label: String? = nil, primary: Bool = false) {
            self.kind = kind
            self.value = value
            self.label = label
            self.primary = primary
        }
    }

    public struct ConsentInput: Sendable, Equatable {
        public var channel: String
        public var purpose: String
        public var status: String
        public var source: String?

        public init(channel: String, purpose: String, status: String, source: String? = nil) {
            self.channel = channel
            self.purpose = purpose
            self.status = status
            self.source = source
        }
    }

    public var kind: String?
    public var name: String?
    public var company: String??
    public var title: String??
    /// A user id (`usr_…`); on create the caller by default.
    public var owner: String??
    /// A team id or key; by default the owner's team.
    public var team: String??
    public var source: String??
    /// Create only: the first stage (the dictionary's initial stage by default).
    public var stage: String?
    public var valueTier: String??
    public var score: Int64??
    public var doNotContact: Bool?
    public var doNotContactReason: String??
    public var idNumber: String??
    /// The customer's id in another system (matched like a contact value when deduplicating).
    public var externalRef: String??
    public var customFields: [String: JSONValue]?
    public var contacts: [Contact]?
    public var tags: [String]?
    public var consents: [ConsentInput]?

    public init(
        kind: String? = nil, name: String? = nil, company: String?? = nil, title: String?? = nil, owner: String?? = nil,
        team: String?? = nil, source: String?? = nil, stage: String? = nil, valueTier: String?? = nil, score: Int64?? = nil,
        doNotContact: Bool? = nil, doNotContactReason: String?? = nil, idNumber: String?? = nil, externalRef: String?? = nil,
        customFields: [String: JSONValue]? = nil, contacts: [Contact]? = nil, tags: [String]? = nil, consents: [ConsentInput]? = nil
    ) {
        self.kind = kind
        self.name = name
        self.company = company
        self.title = title
        self.owner = owner
        self.team = team
        self.source = source
        self.stage = stage
        self.valueTier = valueTier
        self.score = score
        self.doNotContact = doNotContact
        self.doNotContactReason = doNotContactReason
        self.idNumber = idNumber
        self.externalRef = externalRef
        self.customFields = customFields
        self.contacts = contacts
        self.tags = tags
        self.consents = consents
    }
}

/// Checks and normalises customer input onto a customer value: no IO, so imports run it per row.
struct CustomerNormaliser: Sendable {
    let settings: CustomerSettings
    let dictionary: ObjectDictionary
    let ids: any IDGenerating
    let now: Date

    static let maxContactsPerKind = 20
    static let maxTags = 100

    /// Applies the plain fields of `input` to `customer`, collecting field errors in `check`.
    /// Owner and team references are resolved by the caller (they need the database).
    func apply(_ input: CustomerInput, to customer: inout Customer, creating: Bool, check: inout Validator) {
        if let kind = input.kind {
            if let parsed = Customer.Kind(rawValue: kind) { customer.kind = parsed } else {
                check.add("kind", "invalid", "kind must be person or organisation.")
            }
        }
        if let name = input.name { customer.name = check.text(name, field: "name", maxLength: 200, allowEmpty: false) } else if creating {
            check.add("name", "required", "name is required.")
        }
        if let company = input.company { customer.company = optionalText(company, "company", 200, &check) }
        if let title = input.title { customer.title = optionalText(title, "title", 100, &check) }
        if let source = input.source { customer.source = optionalKey(source, "source", &check) }
        if let tier = input.valueTier { customer.valueTier = optionalKey(tier, "value_tier", &check) }
        if let score = input.score {
            if let score, !(-1_000_000...1_000_000).contains(score) {
                check.add("score", "out_of_range", "score must be from -1000000 to 1000000.")
            }
            customer.score = score
        }
        if let dnc = input.doNotContact { customer.doNotContact = dnc }
        if let reason = input.doNotContactReason { customer.doNotContactReason = optionalText(reason, "do_not_contact_reason", 500, &check) }
        if let idNumber = input.idNumber {
            let text = optionalText(idNumber, "id_number", 40, &check)
            customer.idNumber = text.map { $0.uppercased().filter { !$0.isWhitespace } }
        }
        if let ref = input.externalRef { customer.externalRef = optionalText(ref, "external_ref", 100, &check) }
        if let values = input.customFields {
            let validation = CustomFieldValidation(
                normalisePhone: { [region = settings.defaultRegion] in PhoneNumber.e164($0, defaultRegion: region) },
                normaliseEmail: { EmailAddress.normalise($0) })
            var merged = customer.customFields
            switch validation.validate(values, against: dictionary.fields, requireRequired: false) {
            case .success(let normalised):
                for key in values.keys {
                    if let value = normalised[key], !value.isEmptyValue { merged[key] = value } else { merged[key] = nil }
                }
            case .failure(let error):
                for field in error.fieldErrors { check.add(field.field, field.code, field.message) }
            }
            customer.customFields = merged
        }
        if creating {
            let required = dictionary.fields.filter { $0.required && !$0.archived && customer.customFields[$0.key] == nil }
            for field in required { check.add("custom_fields.\(field.key)", "required", "custom_fields.\(field.key) is required.") }
        }
        if let contacts = input.contacts { customer.contacts = normaliseContacts(contacts, existing: customer.contacts, check: &check) }
        if let tags = input.tags { customer.tags = normaliseTags(tags, check: &check) }
        if let consents = input.consents { customer.consents = mergeConsents(consents, into: customer.consents, check: &check) }
    }

    func optionalText(_ value: String?, _ field: String, _ maxLength: Int, _ check: inout Validator) -> String? {
        guard let value else { return nil }
        let text = check.text(value, field: field, maxLength: maxLength)
        return text.isEmpty ? nil : text
    }

    /// A short key such as a source channel: 1–64 characters of letters, digits, `_ - .`.
    func optionalKey(_ value: String?, _ field: String, _ check: inout Validator) -> String? {
        guard let value else { return nil }
        let text = value.trimmingWhitespace()
        if text.isEmpty { return nil }
        guard text.count <= 64, text.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || "_-.".unicodeScalars.contains($0) })
        else {
            check.add(field, "invalid", "\(field) must be 1–64 letters, digits, '_', '-' or '.'.")
            return nil
        }
        return text
    }

    /// Normalises contact points: phones to E.164, emails lowercased, WeChat ids checked; keeps
    /// the ids of contacts that were already stored, one primary per kind.
    func normaliseContacts(_ inputs: [CustomerInput.Contact], existing: [ContactPoint], check: inout Validator) -> [ContactPoint] {
        var result: [ContactPoint] = []
        var seen: Set<String> = []
        var perKind: [ContactPoint.Kind: Int] = [:]
        for (index, input) in inputs.enumerated() {
            let field = "contacts[\(index)]"
            guard let kind = ContactPoint.Kind(rawValue: input.kind) else {
                check.add("\(field).kind", "invalid", "kind must be one of: \(ContactPoint.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            guard let value = normalise(input.value, kind: kind, field: "\(field).value", check: &check) else { continue }
            perKind[kind, default: 0] += 1
            if perKind[kind]! > Self.maxContactsPerKind {
                check.add(field, "too_many", "At most \(Self.maxContactsPerKind) contacts of one kind.")
                continue
            }
            guard seen.insert("\(kind.rawValue):\(value)").inserted else { continue }
            let label = optionalText(input.label, "\(field).label", 40, &check)
            let id = existing.first { $0.kind == kind && $0.value == value }?.id ?? ids.next(.contact, at: now)
            result.append(ContactPoint(id: id, kind: kind, value: value, label: label, isPrimary: input.primary))
        }
        for kind in ContactPoint.Kind.allCases {
            let indices = result.indices.filter { result[$0].kind == kind }
            guard let first = indices.first else { continue }
            let primary = indices.first { result[$0].isPrimary } ?? first
            for index in indices { result[index].isPrimary = index == primary }
        }
        return result
    }

    /// One contact value in its stored form, or nil with a field error.
    func normalise(_ raw: String, kind: ContactPoint.Kind, field: String, check: inout Validator) -> String? {
        switch kind {
        case .phone:
            switch PhoneNumber.parse(raw, defaultRegion: settings.defaultRegion) {
            case .success(let number): return number.e164
            case .failure(let error):
                check.add(field, error.code, "phone: \(error.message)")
                return nil
            }
        case .email:
            guard let email = EmailAddress.normalise(raw) else {
                check.add(field, "invalid", "email is not a valid email address.")
                return nil
            }
            return email
        case .wechatOpenid, .wechatUnionid:
            let text = raw.trimmingWhitespace()
            guard (6...128).contains(text.utf8.count), text.utf8.allSatisfy({ $0 < 128 && ($0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0)) })
            else {
                check.add(field, "invalid", "\(kind.rawValue) must be 6–128 letters, digits, '-' or '_'.")
                return nil
            }
            return text
        case .address:
            let text = check.text(raw, field: field, maxLength: 500, allowEmpty: false)
            return text.isEmpty ? nil : text
        }
    }

    /// Tags: trimmed, 1–50 characters, unique, sorted, at most 100.
    func normaliseTags(_ tags: [String], check: inout Validator) -> [String] {
        var result: Set<String> = []
        for (index, tag) in tags.enumerated() {
            let text = check.text(tag, field: "tags[\(index)]", maxLength: 50, allowEmpty: false)
            if !text.isEmpty { result.insert(text) }
        }
        if result.count > Self.maxTags { check.add("tags", "too_many", "At most \(Self.maxTags) tags.") }
        return result.sorted()
    }

    func mergeConsents(_ inputs: [CustomerInput.ConsentInput], into existing: [Consent], check: inout Validator) -> [Consent] {
        var result = existing
        for (index, input) in inputs.enumerated() {
            let field = "consents[\(index)]"
            let channel = Consent.Channel(rawValue: input.channel)
            let purpose = Consent.Purpose(rawValue: input.purpose)
            let status = Consent.Status(rawValue: input.status)
            if channel == nil { check.add("\(field).channel", "invalid", "channel must be one of: \(Consent.Channel.allCases.map(\.rawValue).joined(separator: ", ")).") }
            if purpose == nil { check.add("\(field).purpose", "invalid", "purpose must be one of: \(Consent.Purpose.allCases.map(\.rawValue).joined(separator: ", ")).") }
            if status == nil { check.add("\(field).status", "invalid", "status must be granted or withdrawn.") }
            let source = optionalKey(input.source, "\(field).source", &check)
            guard let channel, let purpose, let status else { continue }
            result.removeAll { $0.channel == channel && $0.purpose == purpose }
            result.append(Consent(channel: channel, purpose: purpose, status: status, source: source, recordedAt: now))
        }
        return result.sorted { ($0.channel.rawValue, $0.purpose.rawValue) < ($1.channel.rawValue, $1.purpose.rawValue) }
    }
}
