/// A phone number in E.164, parsed and validated against libphonenumber's metadata.
///
/// Parsing follows libphonenumber's `parse` + `isValidNumber` closely (same metadata, same steps:
/// international prefix, country code, the default country's code typed without "+", national prefix
/// for parsing and its transform rule, region from the leading digits or number types for shared
/// country codes), without formatting, carrier codes or extensions. A number is accepted only when it
/// is valid: it matches its region's general pattern and one of its number types (fixed line, mobile,
/// toll free …) with a possible length — so an ill-typed "12345678901" is not a Chinese mobile number.
/// Two second readings go beyond libphonenumber, each used only when the first reading gives no
/// valid number: digits that begin like the home region's international prefix are read as national
/// (Israel's "019…" numbers vs its "019" dialling prefix), and a national prefix for parsing that
/// took more than the plain national prefix is retried as the plain prefix (Colombia's "0" + "3…").
///
/// Input: digits (any Unicode decimal digits: ASCII, full-width "１３８", Arabic-Indic …), one leading
/// "+" (or "＋"), and separators — white space (including the ideographic and no-break spaces),
/// `. - ( ) / [ ] ~`, Unicode dashes, their full-width forms, zero-width characters and a BOM.
/// Anything else, letters included, is `.invalidCharacters`. **Extensions are rejected**
/// ("ext. 12", "x12", "#12", ";ext=12" → `.invalidCharacters`) rather than silently dropped: E.164
/// cannot hold them, and dropping one would store a number that does not reach the person.
/// Text without any digit (blank, or only punctuation such as "-" or "+") is `.empty`.
///
/// Throughput (release build, one core of a shared 2-core x86-64 VM): about 1 million typical CN/US
/// numbers per second, in mixed national and international forms, measured with a throwaway timing
/// program (not a test). The first parse in a process reads and compiles the metadata (~10 ms).
public struct PhoneNumber: Sendable, Hashable {
    /// "+8613800138000"
    public let e164: String
    /// 86
    public let countryCode: Int
    /// The national significant number, digits only: "13800138000" (Italian leading zeros kept).
    public let nationalNumber: String
    /// The ISO 3166 alpha-2 region the number belongs to ("CN"); for shared country codes the region
    /// its digits identify (+1 416… is "CA", +44 1481… is "GG"). Non-geographical numbers (+800,
    /// +882 …) have "001", libphonenumber's code for them. Since only valid numbers are accepted, the
    /// region is always determined (the "main region" fallback never applies).
    public let region: String

    /// Parses a number as people type it: "138 0013 8000", "+86 138-0013-8000", "0086 13800138000",
    /// "(415) 555-2671", "020 7946 0018", "+44 (0)20 7946 0018", "１３８ ００１３ ８０００".
    ///
    /// National formats use `defaultRegion` (ISO 3166 alpha-2, case-insensitive): its national prefix
    /// ("0" in GB/JP/TW/CN, none in HK/SG, "1" optional in US/CA) is stripped. International formats
    /// are "+CC…", or the default region's international dialling prefix ("00" CN/GB/HK, "011" US,
    /// "010" JP, "002" TW …), or the default region's own country code typed without "+"
    /// ("8613800138000" in CN) when only that reading gives a valid number. A national prefix after
    /// the country code ("+44 (0)20 …") is dropped. With an unknown `defaultRegion` only international
    /// formats parse (a national one is `.unknownCountryCode`).
    public static func parse(_ text: String, defaultRegion: String) -> Result<PhoneNumber, PhoneNumberError> {
        PhoneNumberParser.parse(text, defaultRegion: defaultRegion)
    }

    /// Convenience: the E.164 form or nil.
    public static func e164(_ text: String, defaultRegion: String) -> String? {
        switch parse(text, defaultRegion: defaultRegion) {
        case .success(let number): number.e164
        case .failure: nil
        }
    }

    /// Whether a region code is known (e.g. for validating a configured default region): an ISO
    /// 3166 alpha-2 code (case-insensitive) present in the metadata. "001" is not a region.
    public static func isKnownRegion(_ region: String) -> Bool {
        PhoneMetadata.index.territory(region: region) != nil
    }

    init(countryCode: Int, national: [UInt8], region: String) {
        var ccDigits: [UInt8] = []
        var cc = countryCode
        repeat {
            ccDigits.append(UInt8(ascii: "0") + UInt8(cc % 10))
            cc /= 10
        } while cc > 0
        ccDigits.reverse()
        e164 = String(unsafeUninitializedCapacity: 1 + ccDigits.count + national.count) { buffer in
            buffer[0] = UInt8(ascii: "+")
            var i = 1
            for d in ccDigits { buffer[i] = d; i += 1 }
            for d in national { buffer[i] = UInt8(ascii: "0") + d; i += 1 }
            return i
        }
        nationalNumber = String(unsafeUninitializedCapacity: national.count) { buffer in
            for (i, d) in national.enumerated() { buffer[i] = UInt8(ascii: "0") + d }
            return national.count
        }
        self.countryCode = countryCode
        self.region = region
    }
}

/// Why a text is not a phone number.
public enum PhoneNumberError: Error, Sendable, Equatable {
    case empty, invalidCharacters, unknownCountryCode, tooShort, tooLong, invalidNumber

    /// A short English message for an error report ("phone is too short for its country.").
    public var message: String {
        switch self {
        case .empty: "phone is empty."
        case .invalidCharacters: "phone may contain only digits, a leading +, spaces and . - ( ) / (no letters or extensions)."
        case .unknownCountryCode: "phone has no known country code (write it as +CC…, or set a default region)."
        case .tooShort: "phone is too short for its country."
        case .tooLong: "phone is too long for its country."
        case .invalidNumber: "phone is not a valid number for its country."
        }
    }

    /// A stable code for field errors.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .invalidCharacters: "invalid_characters"
        case .unknownCountryCode: "unknown_country_code"
        case .tooShort: "too_short"
        case .tooLong: "too_long"
        case .invalidNumber: "invalid_number"
        }
    }
}
