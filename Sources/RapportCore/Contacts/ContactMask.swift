/// The one place that says how a sensitive value looks masked.
///
/// Every function is total: any input (empty, not normalised, non-ASCII, already masked) gives a
/// result without trapping, and never shows more of the input than its rule states. Lengths are
/// counted in `Character`s (so a grapheme is never split); stars stand for hidden characters
/// except where a rule says "exactly" (email, WeChat), which hides the length too.
public enum ContactMask {
    /// "+8613800138000" → "+86 138****8000": the country code, then the national number with its
    /// first 3 and last 4 digits kept and a star for each other digit (at least 1 star). A national
    /// number of ≤ 7 digits keeps ⌊n/2⌋ digits (the first ⌊n/4⌋ and the rest at the end), so at least
    /// half are hidden: "+24762889" → "+247 6***9", "+8823421234" → "+882 3****34".
    ///
    /// A value that is not E.164 ("+" and digits with a known country code) is masked as a whole by
    /// the same rule on its characters, without a country code: "138 0013 8000" → "138******8000".
    public static func phone(_ e164: String) -> String {
        if let (code, national) = splitE164(e164) {
            return "+" + code + " " + maskKeeping(Array(national))
        }
        return maskKeeping(Array(e164))
    }

    /// "alice@example.com" → "a***@example.com": the first character of the local part, always
    /// exactly 3 stars, and the domain. Without an "@", the first character and 3 stars ("a***");
    /// with an empty local part, "***@example.com"; an empty value stays empty.
    public static func email(_ address: String) -> String {
        guard !address.isEmpty else { return "" }
        guard let at = address.lastIndex(of: "@") else {
            return String(address.first!) + "***"
        }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        return (local.first.map { String($0) } ?? "") + "***@" + domain
    }

    /// WeChat openid/unionid: the first 3 and last 3 characters with exactly "****" between
    /// ("oAbCdEfGhIxYz" → "oAb****xYz"); values of ≤ 8 characters: the first 1 and "****"; an empty
    /// value stays empty.
    public static func wechat(_ id: String) -> String {
        let characters = Array(id)
        if characters.isEmpty { return "" }
        if characters.count <= 8 { return String(characters[0]) + "****" }
        return String(characters[..<3]) + "****" + String(characters[(characters.count - 3)...])
    }

    /// ID-card and passport numbers: the first 3 and last 4 characters kept, a star for each other
    /// ("110101199003071234" → "110***********1234"); values of ≤ 8 characters: the first 1 and a
    /// star for each other (a single character is just "*"); an empty value stays empty.
    public static func idNumber(_ text: String) -> String {
        let characters = Array(text)
        switch characters.count {
        case 0: return ""
        case 1: return "*"
        case 2...8: return String(characters[0]) + String(repeating: "*", count: characters.count - 1)
        default:
            return String(characters[..<3]) + String(repeating: "*", count: characters.count - 7)
                + String(characters[(characters.count - 4)...])
        }
    }

    /// The national-number rule: n ≥ 8 keeps the first 3 and last 4; n ≤ 7 keeps ⌊n/2⌋, split as
    /// ⌊n/4⌋ at the start and the rest at the end.
    static func maskKeeping(_ characters: [Character]) -> String {
        let n = characters.count
        let (head, tail) = n >= 8 ? (3, 4) : ((n / 2) / 2, n / 2 - (n / 2) / 2)
        return String(characters[..<head]) + String(repeating: "*", count: n - head - tail)
            + String(characters[(n - tail)...])
    }

    /// "+8613800138000" → ("86", "13800138000") when the text is "+" and ASCII digits starting with a
    /// known country code followed by at least one digit.
    static func splitE164(_ text: String) -> (Substring, Substring)? {
        let utf8 = text.utf8
        guard utf8.first == UInt8(ascii: "+"), utf8.count >= 3,
              utf8.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let digits = text.dropFirst()
        guard digits.utf8.first != UInt8(ascii: "0") else { return nil }
        var code = 0
        for length in 1...3 where length < digits.count {
            code = code * 10 + Int(digits.utf8[digits.utf8.index(digits.utf8.startIndex, offsetBy: length - 1)] - UInt8(ascii: "0"))
            if PhoneMetadata.isCountryCode(code) {
                return (digits.prefix(length), digits.dropFirst(length))
            }
        }
        return nil
    }
}
