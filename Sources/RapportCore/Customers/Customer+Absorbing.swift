extension Customer {
    /// This customer with new information about the same person folded in (the dedup "merge"
    /// policy): contact points and tags it lacks are added, fields it leaves empty are filled,
    /// consents it has no statement for are taken; nothing it already holds is overwritten.
    /// A do-not-contact request from either side is kept.
    public func absorbing(_ incoming: Customer) -> Customer {
        var result = self
        for contact in incoming.contacts where !result.contacts.contains(where: { $0.kind == contact.kind && $0.value == contact.value }) {
            var added = contact
            added.isPrimary = !result.contacts.contains { $0.kind == contact.kind }
            result.contacts.append(added)
        }
        if !incoming.tags.allSatisfy(result.tags.contains) { result.tags = Array(Set(result.tags + incoming.tags)).sorted() }
        result.company = result.company ?? incoming.company
        result.title = result.title ?? incoming.title
        result.source = result.source ?? incoming.source
        result.valueTier = result.valueTier ?? incoming.valueTier
        result.score = result.score ?? incoming.score
        result.idNumber = result.idNumber ?? incoming.idNumber
        result.externalRef = result.externalRef ?? incoming.externalRef
        if incoming.doNotContact && !result.doNotContact {
            result.doNotContact = true
            result.doNotContactReason = incoming.doNotContactReason
        }
        for (key, value) in incoming.customFields where result.customFields[key] == nil { result.customFields[key] = value }
        for consent in incoming.consents where !result.consents.contains(where: { $0.channel == consent.channel && $0.purpose == consent.purpose }) {
            result.consents.append(consent)
        }
        return result
    }
}
