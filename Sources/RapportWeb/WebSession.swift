import Foundation
import HTTPTypes
import Hummingbird
import RapportApp

/// The browser session: an HttpOnly cookie holding a sign-in token's secret, CSRF tokens for
/// every form, and same-origin redirects. Pure helpers; the routes use them.
public enum WebSession {
    /// The session cookie (the secret of a sign-in token).
    public static let cookie = "rapport_session"
    /// The pre-session CSRF cookie of the sign-in form (double submit).
    public static let loginCSRFCookie = "rapport_login_csrf"
    /// The form field that carries the CSRF token.
    public static let csrfField = "_csrf"
    /// A session unused this long ends (the token's use is recorded at most hourly, so it ends
    /// between this and an hour more).
    public static let idleTimeout: TimeInterval = 12 * 3_600

    /// The value of cookie `name` in a `Cookie` header.
    public static func cookie(_ name: String, in header: String?) -> String? {
        for part in (header ?? "").split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0] == name, !pair[1].isEmpty { return pair[1] }
        }
        return nil
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS; `maxAge` 0 clears it.
    public static func setCookie(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "HttpOnly", "SameSite=Lax"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// Whether the request came over TLS (directly or as a proxy says).
    public static func isSecure(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// The CSRF token of a session: derived from its secret (which scripts cannot read), so it
    /// needs no storage and changes with every sign-in.
    public static func csrfToken(forSession secret: String) -> String {
        String(Digest.sha256Hex(("rapport-csrf:" + secret).utf8).prefix(32))
    }

    /// A fresh random token (the sign-in form's double-submit value).
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Compares two tokens in constant time.
    public static func same(_ lhs: String?, _ rhs: String?) -> Bool {
        guard let lhs, let rhs, lhs.utf8.count == rhs.utf8.count, !lhs.isEmpty else { return false }
        return zip(lhs.utf8, rhs.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `target` if it is a path on this site (`/…`, not `//host` or `/\host`), else `fallback`.
    public static func sameOriginPath(_ target: String?, fallback: String = "/workbench") -> String {
        guard let target, target.hasPrefix("/"), !target.hasPrefix("//"), !target.hasPrefix("/\\"), target.count <= 500,
              !target.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\\" })
        else { return fallback }
        return target
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
