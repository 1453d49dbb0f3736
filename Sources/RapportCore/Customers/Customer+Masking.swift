extension Customer {
    /// The customer as every read shows it: phones, emails, WeChat ids and the ID number masked
    /// (``ContactMask``), everything else as is. This is the one masking policy: lists, details,
    /// the 360 view, search results and exports all go through it.
    public func masked() -> Customer {
        var copy = self
        copy.contacts = contacts.map { contact in
            var contact = contact
            contact.value = contact.kind.mask(contact.value)
            return contact
        }
        copy.idNumber = idNumber.map(ContactMask.idNumber)
        for (key, value) in customFields {
            if let masked = Self.maskedCustomValue(value) { copy.customFields[key] = masked }
        }
        return copy
    }

    /// Custom fields of type phone or email hold normalised values (E.164, a lowercased address);
    /// those — and any text that is one — are masked like contact points.
    static func maskedCustomValue(_ value: JSONValue) -> JSONValue? {
        guard case .string(let text) = value else { return nil }
        if Self.isE164(text) { return .string(ContactMask.phone(text)) }
        if text.contains("@"), EmailAddress.isValid(text) { return .string(ContactMask.email(text)) }
        return nil
    }

    /// The custom fields that ``masked()`` hides, with their full values (for a reveal).
    public var sensitiveCustomFields: [String: JSONValue] {
        customFields.filter { Self.maskedCustomValue($0.value) != nil }
    }

    static func isE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return (8...16).contains(bytes.count) && bytes[0] == UInt8(ascii: "+") && bytes.dropFirst().allSatisfy { (48...57).contains($0) }
    }
}
