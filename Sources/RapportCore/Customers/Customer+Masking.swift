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
        return copy
    }
}
