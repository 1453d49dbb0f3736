/// Rules for passwords and account emails, checked before anything is stored.
public enum Credentials {
    public static let minimumPasswordLength = 10
    public static let maximumPasswordLength = 72  // bcrypt reads at most 72 bytes

    /// Checks a new password; adds field errors to `check`.
    public static func validatePassword(_ password: String, field: String = "password", into check: inout Validator) {
        let bytes = password.utf8.count
        if bytes < minimumPasswordLength {
            check.add(field, "too_short", "password must be at least \(minimumPasswordLength) characters.")
        } else if bytes > maximumPasswordLength {
            check.add(field, "too_long", "password must be at most \(maximumPasswordLength) bytes.")
        }
    }

    /// Normalises an account email (trimmed, lowercased) and checks its shape; returns the normal form.
    public static func normaliseEmail(_ email: String, field: String = "email", into check: inout Validator) -> String {
        let normal = email.trimmingWhitespace().lowercased()
        // Split on scalars, not characters: a combining mark after "@" or "." must not hide it.
        let parts = normal.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        let domain = Array(parts.count == 2 ? parts[1] : Substring.UnicodeScalarView())
        let valid = parts.count == 2 && !parts[0].isEmpty && domain.contains(".")
            && domain.first != "." && domain.last != "." && normal.utf8.count <= 254
            && !normal.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        if !valid { check.add(field, "invalid", "email must be an address like name@example.com.") }
        return normal
    }
}
