import Crypto
import Foundation

/// Signing per the Standard Webhooks scheme (standardwebhooks.com): the receiver checks
/// `webhook-signature` = `v1,` + base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")),
/// where the key is the base64 part of the `whsec_…` secret.
public enum StandardWebhooks {
    public static let secretPrefix = "whsec_"

    /// A new secret: `whsec_` and the base64 of 32 random bytes.
    public static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return secretPrefix + Data(bytes).base64EncodedString()
    }

    /// The signature header's value for a message (nil when the secret is not a `whsec_` base64 key).
    public static func signature(secret: String, id: String, timestamp: Int64, body: Data) -> String? {
        guard secret.hasPrefix(secretPrefix), let key = Data(base64Encoded: String(secret.dropFirst(secretPrefix.count))), !key.isEmpty else { return nil }
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Whether `header` (space-separated `v1,<sig>` entries) holds the message's signature.
    public static func verify(secret: String, id: String, timestamp: Int64, body: Data, header: String) -> Bool {
        guard let expected = signature(secret: secret, id: id, timestamp: timestamp, body: body) else { return false }
        return header.split(separator: " ").contains { candidate in
            let a = Array(candidate.utf8), b = Array(expected.utf8)
            return a.count == b.count && zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
