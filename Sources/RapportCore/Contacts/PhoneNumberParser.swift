/// The steps of `PhoneNumber.parse`, after libphonenumber's `PhoneNumberUtil.parseHelper`,
/// `maybeExtractCountryCode`, `maybeStripNationalPrefixAndCarrierCode`, `testNumberLength` and
/// `isValidNumber`. Digits are kept as values 0…9 in `[UInt8]`.
enum PhoneNumberParser {
    typealias Territory = PhoneMetadata.Compiled

    /// libphonenumber's bounds on a national significant number.
    static let minNationalLength = 2
    static let maxNationalLength = 17
    /// More digits than this cannot be a number with any prefix; stop reading.
    static let maxDigits = 28

    static func parse(_ text: String, defaultRegion: String) -> Result<PhoneNumber, PhoneNumberError> {
        // 1. Digits and a leading plus; separators are skipped, anything else is refused.
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var plus = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v &- 0x30 < 10 {
                digits.append(UInt8(v &- 0x30))
            } else {
                switch classify(scalar) {
                case .separator: continue
                case .plus:
                    if plus || !digits.isEmpty { return .failure(.invalidCharacters) }
                    plus = true
                case .digit(let d): digits.append(d)
                case .invalid: return .failure(.invalidCharacters)
                }
            }
            if digits.count > maxDigits { return .failure(.tooLong) }
        }
        if digits.isEmpty { return .failure(.empty) }

        let index = PhoneMetadata.index
        let home = index.territory(region: defaultRegion)
        let result = resolve(digits, plus: plus, home: home, index: index, dialledPrefix: true)
        // A national number that begins like the home region's international prefix (Israel's "019…"
        // and "015…" with its "01[2-9]" carrier prefixes) is read as international first, as
        // libphonenumber does; when that gives no valid number, the national reading is tried.
        if case .failure = result, !plus, let idd = home?.internationalPrefix,
           digits.withUnsafeBufferPointer({ idd.prefixMatch($0) }) != nil,
           case .success(let number) = resolve(digits, plus: false, home: home, index: index, dialledPrefix: false) {
            return .success(number)
        }
        return result
    }

    /// One reading of the digits; `dialledPrefix` says whether the home region's international
    /// prefix may be recognised.
    static func resolve(
        _ digits: [UInt8], plus: Bool, home: Territory?, index: PhoneMetadata.Index, dialledPrefix: Bool
    ) -> Result<PhoneNumber, PhoneNumberError> {
        // 2. The country code: after "+", after the home region's international prefix, the home
        //    region's own code typed without "+", or none (a national number of the home region).
        var countryCode: Int
        var national: [UInt8]
        var hasCountryCode = true
        if plus {
            if let (code, rest) = extractCountryCode(digits[...], index) {
                (countryCode, national) = (code, rest)
            } else {
                // libphonenumber: an invalid code after "+" is retried without it ("+00 86 …").
                switch extractWithoutPlus(digits, home, index, dialledPrefix: dialledPrefix) {
                case .failure(let error): return .failure(error)
                case .success(nil): return .failure(.unknownCountryCode)
                case .success(let found?): (countryCode, national) = found
                }
            }
        } else {
            switch extractWithoutPlus(digits, home, index, dialledPrefix: dialledPrefix) {
            case .failure(let error): return .failure(error)
            case .success(let found?): (countryCode, national) = found
            case .success(nil):
                guard let home else { return .failure(.unknownCountryCode) }
                (countryCode, national) = (home.countryCode, digits)
                hasCountryCode = false
            }
        }
        let candidates = index.byCountryCode[countryCode]
        guard let mainIndex = candidates.first else { return .failure(.unknownCountryCode) }
        let main = index.territories[Int(mainIndex)]

        // 3. The national prefix, by the rules of the home region for a national number or when the
        //    code is the home region's main one, else of the code's main region.
        if national.count < minNationalLength { return .failure(.tooShort) }
        let rules: Territory = if let home, !hasCountryCode || home.region == main.region { home } else { main }
        let original = national
        var stripped = national
        if stripNationalPrefix(&stripped, rules) {
            switch lengthCheck(stripped, rules) {
            case .tooShort, .localOnly, .invalidLength: break
            case .possible, .tooLong: national = stripped
            }
        }
        if national.count < minNationalLength { return .failure(.tooShort) }
        if national.count > maxNationalLength { return .failure(.tooLong) }

        // 4. The region (for shared country codes) and validity.
        let result = validate(national, countryCode: countryCode, candidates: candidates, index: index)
        // When the pattern for parsing took more than the national prefix (Colombia's "0" + carrier
        // digit) and left nothing valid, the plain national prefix is tried: it is what people dial.
        if case .failure = result, let prefix = rules.nationalPrefix, original.count > prefix.count,
           original.starts(with: prefix), national != Array(original.dropFirst(prefix.count)),
           case .success(let number) = validate(Array(original.dropFirst(prefix.count)), countryCode: countryCode,
                                                candidates: candidates, index: index) {
            return .success(number)
        }
        return result
    }

    /// The region the national number belongs to, and whether it is valid there.
    static func validate(
        _ national: [UInt8], countryCode: Int, candidates: [Int16], index: PhoneMetadata.Index
    ) -> Result<PhoneNumber, PhoneNumberError> {
        let main = index.territories[Int(candidates[0])]
        var region: Territory?
        if candidates.count == 1 {
            region = main
        } else {
            for i in candidates {
                let candidate = index.territories[Int(i)]
                if let leading = candidate.leadingDigits {
                    if national.withUnsafeBufferPointer({ leading.prefixMatch($0) }) != nil {
                        region = candidate
                        break
                    }
                } else if isValid(national, candidate) {
                    region = candidate
                    break
                }
            }
        }
        if let region, isValid(national, region) {
            return .success(PhoneNumber(countryCode: countryCode, national: national, region: region.region))
        }
        switch lengthCheck(national, region ?? main) {
        case .tooShort, .localOnly: return .failure(.tooShort)
        case .tooLong: return .failure(.tooLong)
        case .possible, .invalidLength: return .failure(.invalidNumber)
        }
    }

    // MARK: - Country code

    /// The first 1–3 digits that are a known country code, and the rest.
    static func extractCountryCode(_ digits: ArraySlice<UInt8>, _ index: PhoneMetadata.Index) -> (Int, [UInt8])? {
        guard let first = digits.first, first != 0 else { return nil }
        var code = 0
        var position = digits.startIndex
        for _ in 0..<3 {
            guard position < digits.endIndex else { return nil }
            code = code * 10 + Int(digits[position])
            position += 1
            if !index.byCountryCode[code].isEmpty { return (code, Array(digits[position...])) }
        }
        return nil
    }

    /// libphonenumber's `maybeExtractCountryCode` for a number without "+": the home region's
    /// international prefix then a country code, or the home region's country code itself when only
    /// that reading makes the number valid (or the number is too long without it); nil when the
    /// number is national.
    static func extractWithoutPlus(
        _ digits: [UInt8], _ home: Territory?, _ index: PhoneMetadata.Index, dialledPrefix: Bool
    ) -> Result<(Int, [UInt8])?, PhoneNumberError> {
        guard let home else { return .failure(.unknownCountryCode) }
        if dialledPrefix, let idd = home.internationalPrefix,
           let end = digits.withUnsafeBufferPointer({ idd.prefixMatch($0) }),
           end == digits.count || digits[end] != 0  // country codes never start with 0
        {
            let rest = digits[end...]
            if rest.count <= minNationalLength { return .failure(.tooShort) }
            guard let found = extractCountryCode(rest, index) else { return .failure(.unknownCountryCode) }
            return .success(found)
        }
        let code = countryCodeDigits(home.countryCode)
        if digits.count > code.count, digits.starts(with: code) {
            var potential = Array(digits[code.count...])
            _ = stripNationalPrefix(&potential, home)
            if (!matchesGeneral(digits, home) && matchesGeneral(potential, home))
                || lengthCheck(digits, home) == .tooLong {
                return .success((home.countryCode, potential))
            }
        }
        return .success(nil)
    }

    static func countryCodeDigits(_ code: Int) -> [UInt8] {
        var result: [UInt8] = []
        var rest = code
        repeat {
            result.append(UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        return result.reversed()
    }

    // MARK: - National prefix

    /// libphonenumber's `maybeStripNationalPrefixAndCarrierCode`: strips (or transforms) what the
    /// territory's national prefix for parsing matches at the start, unless that turns a number that
    /// matched the general pattern into one that does not. Returns whether `number` changed.
    static func stripNationalPrefix(_ number: inout [UInt8], _ territory: Territory) -> Bool {
        guard let prefix = territory.nationalPrefixForParsing, !number.isEmpty else { return false }
        let match: (end: Int, groups: [Range<Int>?])?
        if territory.transformRule == nil {
            match = number.withUnsafeBufferPointer { prefix.prefixMatch($0) }.map { ($0, []) }
        } else {
            match = number.withUnsafeBufferPointer { prefix.prefixMatchWithGroups($0) }
        }
        guard let match else { return false }
        let viable = matchesGeneral(number, territory)
        let lastGroupTookPart = prefix.groupCount == 0 || match.groups.last.flatMap { $0 } != nil
        guard let rule = territory.transformRule, lastGroupTookPart else {
            let rest = Array(number[match.end...])
            if viable && !matchesGeneral(rest, territory) { return false }
            number = rest
            return true
        }
        var transformed: [UInt8] = []
        for piece in rule {
            switch piece {
            case .digits(let digits): transformed += digits
            case .group(0): transformed += number[..<match.end]
            case .group(let g):
                if g <= match.groups.count, let range = match.groups[g - 1] { transformed += number[range] }
            }
        }
        transformed += number[match.end...]
        if viable && !matchesGeneral(transformed, territory) { return false }
        number = transformed
        return true
    }

    // MARK: - Length and validity

    enum LengthCheck: Equatable { case possible, tooShort, tooLong, localOnly, invalidLength }

    /// libphonenumber's `testNumberLength` for any number type.
    static func lengthCheck(_ number: [UInt8], _ territory: Territory) -> LengthCheck {
        let length = number.count
        if territory.possibleLengths == 0 { return .invalidLength }
        if length < 32, territory.localOnlyLengths & (1 << UInt32(length)) != 0 { return .localOnly }
        if length < territory.minLength { return .tooShort }
        if length > territory.maxLength { return .tooLong }
        return territory.possibleLengths & (1 << UInt32(length)) != 0 ? .possible : .invalidLength
    }

    static func matchesGeneral(_ number: [UInt8], _ territory: Territory) -> Bool {
        number.withUnsafeBufferPointer { territory.general.matches($0) }
    }

    /// libphonenumber's `isValidNumberForRegion`: a possible length matching the general pattern,
    /// and one of the number types (with that type's lengths).
    static func isValid(_ number: [UInt8], _ territory: Territory) -> Bool {
        let length = number.count
        guard length < 32 else { return false }
        let bit: UInt32 = 1 << UInt32(length)
        guard territory.possibleLengths & bit != 0 else { return false }
        return number.withUnsafeBufferPointer { buffer in
            guard territory.general.matches(buffer) else { return false }
            for type in territory.types where type.lengths & bit != 0 {
                if type.pattern.matches(buffer) { return true }
            }
            return false
        }
    }

    // MARK: - Characters

    enum CharacterClass { case separator, plus, digit(UInt8), invalid }

    /// Everything but an ASCII digit.
    static func classify(_ scalar: Unicode.Scalar) -> CharacterClass {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D, 0x2D, 0x2E, 0x28, 0x29, 0x2F, 0x5B, 0x5D, 0x7E:  // space \t \n \r - . ( ) / [ ] ~
            return .separator
        case 0x2B, 0xFF0B:  // + ＋
            return .plus
        case 0xFF10...0xFF19:  // full-width digits
            return .digit(UInt8(scalar.value - 0xFF10))
        case 0x00A0, 0x00AD, 0x2010...0x2015, 0x2053, 0x2212, 0x223C, 0x30FC, 0x3000, 0xFEFF,
             0x200B...0x200D, 0x2060, 0xFF08, 0xFF09, 0xFF0D, 0xFF0E, 0xFF0F, 0xFF3B, 0xFF3D, 0xFF5E:
            // no-break space, soft hyphen, dashes, swung dash, minus, tilde operator, katakana long
            // sound mark (a dash in Japanese), ideographic space, BOM, zero-width characters,
            // full-width ( ) - . / [ ] ~
            return .separator
        default:
            let properties = scalar.properties
            if properties.numericType == .decimal, let value = properties.numericValue, value >= 0, value <= 9 {
                return .digit(UInt8(value))
            }
            if properties.isWhitespace { return .separator }
            return .invalid
        }
    }
}
