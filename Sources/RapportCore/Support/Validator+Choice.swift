extension Validator {
    /// One of a closed set of values (a status, a kind): nil when `text` is nil; otherwise the
    /// value, or nil with an `invalid` error naming every allowed value.
    ///
    /// ```swift
    /// let status = check.choice(query["status"], field: "status", of: Job.Status.self)
    /// ```
    public mutating func choice<Value: RawRepresentable & CaseIterable>(_ text: String?, field: String, of type: Value.Type) -> Value?
    where Value.RawValue == String {
        guard let text else { return nil }
        if let value = Value(rawValue: text) { return value }
        add(field, "invalid", "\(field) must be one of: \(Value.allCases.map(\.rawValue).joined(separator: ", ")).")
        return nil
    }
}
