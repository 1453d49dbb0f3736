import Foundation

/// Email addresses as a CRM stores them: ordinary mailbox addresses, `local@domain`.
///
/// What we accept is measured against Dominic Sayers' is_email test set (`isemail_tests.csv`):
/// **valid** = category `ISEMAIL_VALID_CATEGORY` or `ISEMAIL_DNSWARN` (DNS is not ours to check);
/// everything else — `ISEMAIL_RFC5321` (quoted local parts, address literals, dotless or numeric
/// top-level domains), `ISEMAIL_CFWS` (comments, folding white space), `ISEMAIL_DEPREC`,
/// `ISEMAIL_RFC5322` (over-long parts, domain literals) and `ISEMAIL_ERR` — is rejected. A CRM
/// accepts ordinary mailbox addresses only. One row of the set, `test@io`, is valid there only
/// because the `io` TLD had an MX record in 2011 (the set says so); without DNS it is the same case as
/// `test@org` (`ISEMAIL_RFC5321_TLD`), and we reject both.
///
/// The rules:
/// - exactly one "@"; at most 254 octets in all (RFC 5321 path limit);
/// - the local part: 1–64 ASCII octets of RFC 5322 `dot-atom` (letters, digits and
///   ``!#$%&'*+-/=?^_`{|}~``, dots between them, never first, last or doubled);
/// - the domain: two or more labels, each 1–63 octets (measured in its ASCII `xn--` form for an
///   internationalised label), of letters, digits and inner hyphens — letters and digits may be
///   Unicode (IDN domains are accepted and kept as Unicode); the last label does not start with a
///   digit (`iana.123`, `255.255.255.255`); at most 253 octets.
///
/// Before checking, a text with non-ASCII characters is folded to NFKC (full-width "ｔｅｓｔ＠ｑｑ．ｃｏｍ"
/// becomes "test@qq.com") and the ideographic full stops "。" and "｡" become "." — what IDNA's UTS 46
/// mapping does for domains, and what Chinese and Japanese input methods produce.
public enum EmailAddress {
    /// Validates and normalises an address for storage and deduplication: trimmed (white space and
    /// newlines around it), lowercased (local part and domain), IDN domains kept as Unicode (NFKC).
    /// Returns nil when invalid. `normalise(x) != nil` exactly when `isValid` holds for the trimmed x.
    public static func normalise(_ text: String) -> String? {
        canonical(text.trimmingWhitespace())
    }

    /// Whether the address, exactly as given, is one we accept (see above). Surrounding white space
    /// makes it invalid here (is_email calls it folding white space), while `normalise` trims it first.
    public static func isValid(_ text: String) -> Bool {
        canonical(text) != nil
    }

    /// The normalised address, or nil when `text` is not acceptable.
    static func canonical(_ text: String) -> String? {
        var text = text
        if !text.utf8.allSatisfy({ $0 < 0x80 }) {
            text = String(text.lowercased().precomposedStringWithCompatibilityMapping.unicodeScalars.map { scalar in
                scalar == "\u{3002}" || scalar == "\u{FF61}" ? "." : Character(scalar)
            })
        }
        let parts = text.utf8.split(separator: UInt8(ascii: "@"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = parts[0]
        guard let domain = String(parts[1]), let localLength = checkLocal(local),
              let domainLength = checkDomain(domain), localLength + 1 + domainLength <= 254
        else { return nil }
        return String(decoding: local.map { asciiLowercase($0) }, as: UTF8.self) + "@" + domain.lowercased()
    }

    /// The octet count of a valid dot-atom local part.
    private static func checkLocal(_ local: Substring.UTF8View) -> Int? {
        guard !local.isEmpty, local.count <= 64,
              local.first != UInt8(ascii: "."), local.last != UInt8(ascii: ".")
        else { return nil }
        var previous: UInt8 = 0
        for c in local {
            if c == UInt8(ascii: ".") {
                if previous == c { return nil }
            } else if !isAtext(c) {
                return nil
            }
            previous = c
        }
        return local.count
    }

    private static func isAtext(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-/=?^_`{|}~".utf8.contains(c)
        }
    }

    /// The length in octets (ASCII form) of a valid domain.
    private static func checkDomain(_ domain: String) -> Int? {
        let labels = domain.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        var length = labels.count - 1
        for label in labels {
            guard let labelLength = checkLabel(label) else { return nil }
            length += labelLength
        }
        guard length <= 253, let tld = labels.last, let first = tld.first,
              !(first.properties.numericType != nil)
        else { return nil }
        return length
    }

    /// The length in octets of a valid label: its own length, or that of its `xn--` form.
    private static func checkLabel(_ label: Substring.UnicodeScalarView) -> Int? {
        guard let first = label.first, let last = label.last, first != "-", last != "-", label.count <= 63 else { return nil }
        var ascii = true
        for scalar in label {
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D: continue
            case 0..<0x80: return nil
            default:
                ascii = false
                switch scalar.properties.generalCategory {
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                     .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
                    continue
                default:
                    return nil
                }
            }
        }
        let length = ascii ? label.count : 4 + Punycode.encodedLength(Array(label))
        return length <= 63 ? length : nil
    }

    private static func asciiLowercase(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c
    }
}

/// RFC 3492 Punycode, only as far as the length of an encoded label.
enum Punycode {
    static func encodedLength(_ input: [Unicode.Scalar]) -> Int {
        let base = 36, tMin = 1, tMax = 26
        let basic = input.filter { $0.value < 0x80 }.count
        var output = basic + (basic > 0 ? 1 : 0)
        var n = 0x80, delta = 0, bias = 72, handled = basic
        while handled < input.count {
            let m = input.map { Int($0.value) }.filter { $0 >= n }.min()!
            delta += (m - n) * (handled + 1)
            n = m
            for scalar in input {
                let c = Int(scalar.value)
                if c < n { delta += 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output += 1
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output += 1
                    bias = adapt(delta, handled + 1, first: handled == basic)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }

    private static func adapt(_ delta: Int, _ count: Int, first: Bool) -> Int {
        var delta = first ? delta / 700 : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((36 - 1) * 26) / 2 {
            delta /= 36 - 1
            k += 36
        }
        return k + (36 * delta) / (delta + 38)
    }
}
