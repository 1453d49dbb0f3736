/// Collects field errors while checking input, then throws them all at once.
///
/// ```swift
/// var check = Validator()
/// check.require(name, field: "name", maxLength: 200)
/// try check.finish()
/// ```
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ code: String, _ message: String) {
        errors.append(FieldError(field: field, code: code, message: message))
    }

    /// A required, trimmed, non-empty text of at most `maxLength` characters; returns the trimmed value.
    @discardableResult
    public mutating func require(_ value: String?, field: String, maxLength: Int = 200) -> String {
        guard let value else {
            add(field, "required", "\(field) is required.")
            return ""
        }
        return text(value, field: field, maxLength: maxLength, allowEmpty: false)
    }

    /// An optional text: trimmed, checked for length and control characters. A `multiline` text
    /// (a note's body) may hold line breaks and tabs; its CR LF and CR become LF.
    @discardableResult
    public mutating func text(_ value: String, field: String, maxLength: Int = 200, allowEmpty: Bool = true, multiline: Bool = false) -> String {
        var trimmed = value.trimmingWhitespace()
        if multiline, trimmed.unicodeScalars.contains("\r") { trimmed = Self.unixLineBreaks(trimmed) }
        let allowed: Set<Unicode.Scalar> = multiline ? ["\n", "\t"] : []
        if trimmed.isEmpty && !allowEmpty {
            add(field, "required", "\(field) must not be empty.")
        } else if trimmed.count > maxLength {
            add(field, "too_long", "\(field) must be at most \(maxLength) characters.")
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
            add(field, "invalid", "\(field) must not contain control characters.")
        }
        return trimmed
    }

    /// Text with CRLF and lone CR line breaks made LF.
    static func unixLineBreaks(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            if scalar == "\n", afterCR { continue }
            scalars.append(scalar == "\r" ? "\n" : scalar)
        }
        return String(scalars)
    }

    public var isValid: Bool { errors.isEmpty }

    /// Throws a `validation_failed` error when any field was invalid.
    public func finish() throws(RapportError) {
        if !errors.isEmpty { throw RapportError.validation(errors) }
    }
}

extension String {
    /// The string without leading and trailing white space (Foundation-free).
    public func trimmingWhitespace() -> String {
        // Fast path: nothing to trim when the ends are visible ASCII (most values of a big import).
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F { return self }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
