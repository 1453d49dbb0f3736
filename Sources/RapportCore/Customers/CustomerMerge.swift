import Foundation

/// Merging two customers: the survivor keeps its id; for each field the caller chooses whose
/// value to keep; contact points, tags and consents are united. Pure: the use case stores the
/// result and a snapshot that undoes it.
public enum CustomerMerge {
    /// Whose value a field keeps.
    public enum Side: String, Sendable, Codable, CaseIterable {
        case survivor
        case merged
    }

    /// Fields a caller may choose for; custom fields are chosen as `custom_fields.<key>`.
    public static let choosableFields: [String] = [
        "kind", "name", "company", "title", "owner_id", "team_id", "source", "stage", "value_tier", "score",
        "do_not_contact", "id_number",
    ]

    /// The survivor after the merge. Unchosen fields keep the survivor's value, except that an
    /// empty survivor field takes the merged customer's value; do-not-contact is kept if either
    /// customer asked for it unless the caller chose otherwise.
    public static func apply(survivor: Customer, merged: Customer, choices: [String: Side], at now: Date) throws(RapportError) -> Customer {
        var check = Validator()
        for key in choices.keys where !choosableFields.contains(key) {
            let custom = key.hasPrefix("custom_fields.") ? String(key.dropFirst("custom_fields.".count)) : nil
            if custom == nil || (survivor.customFields[custom!] == nil && merged.customFields[custom!] == nil) {
                check.add("choices.\(key)", "unknown_field", "\(key) is not a field that can be chosen.")
            }
        }
        if survivor.id == merged.id { check.add("merged_id", "invalid", "A customer cannot be merged into itself.") }
        try check.finish()

        func pick<T>(_ field: String, _ path: KeyPath<Customer, T?>) -> T? {
            switch choices[field] {
            case .merged?: merged[keyPath: path]
            case .survivor?: survivor[keyPath: path]
            case nil: survivor[keyPath: path] ?? merged[keyPath: path]
            }
        }
        var result = survivor
        if choices["kind"] == .merged { result.kind = merged.kind }
        if choices["name"] == .merged { result.name = merged.name }
        result.company = pick("company", \.company)
        result.title = pick("title", \.title)
        result.ownerID = pick("owner_id", \.ownerID)
        result.teamID = pick("team_id", \.teamID)
        result.source = pick("source", \.source)
        result.valueTier = pick("value_tier", \.valueTier)
        result.score = pick("score", \.score)
        result.idNumber = pick("id_number", \.idNumber)
        result.externalRef = survivor.externalRef ?? merged.externalRef
        if choices["stage"] == .merged {
            result.stage = merged.stage
            result.stageEnteredAt = merged.stageEnteredAt
            result.lifecycle = merged.lifecycle
        }
        switch choices["do_not_contact"] {
        case .merged?:
            result.doNotContact = merged.doNotContact
            result.doNotContactReason = merged.doNotContactReason
        case .survivor?: break
        case nil:
            if merged.doNotContact && !survivor.doNotContact {
                result.doNotContact = true
                result.doNotContactReason = merged.doNotContactReason
            }
        }
        for (key, value) in merged.customFields {
            let side = choices["custom_fields.\(key)"]
            if side == .merged || (side == nil && result.customFields[key] == nil) { result.customFields[key] = value }
        }
        for contact in merged.contacts where !result.contacts.contains(where: { $0.kind == contact.kind && $0.value == contact.value }) {
            var added = contact
            added.isPrimary = !result.contacts.contains { $0.kind == contact.kind }
            result.contacts.append(added)
        }
        result.tags = Array(Set(survivor.tags).union(merged.tags)).sorted()
        for consent in merged.consents {
            if let index = result.consents.firstIndex(where: { $0.channel == consent.channel && $0.purpose == consent.purpose }) {
                if consent.recordedAt > result.consents[index].recordedAt { result.consents[index] = consent }
            } else {
                result.consents.append(consent)
            }
        }
        result.updatedAt = now
        return result
    }
}
