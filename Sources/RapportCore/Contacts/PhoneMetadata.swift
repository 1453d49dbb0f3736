/// libphonenumber's metadata for one territory, as generated into `PhoneMetadata+Generated.swift`.
struct PhoneTerritory: Sendable {
    /// ISO 3166 alpha-2 region, or "001" for a non-geographical entity (+800, +882 …).
    let region: String
    let countryCode: Int
    /// The region a shared country code is formatted for (US for +1, GB for +44 …).
    let isMainForCode: Bool
    /// The international (IDD) prefix, a pattern ("00", "011", "0(?:0[25-79]|19)").
    let internationalPrefix: String?
    /// The national (trunk) prefix as dialled ("0", "1", "8").
    let nationalPrefix: String?
    /// A pattern for what to strip at the start of a national number, when not just `nationalPrefix`.
    let nationalPrefixForParsing: String?
    /// What replaces the match of `nationalPrefixForParsing` ("9$1"), when something does.
    let nationalPrefixTransformRule: String?
    /// For regions sharing a country code: the leading digits of their national numbers.
    let leadingDigits: String?
    /// National significant number lengths, as a bit set (bit n: length n).
    let possibleLengths: UInt32
    /// Lengths dialable only locally (without an area code): too short for a full number.
    let localOnlyLengths: UInt32
    /// The general national-number pattern.
    let general: String
    /// The number types (fixed line, mobile, toll free …): a valid number is one of them.
    let types: [PhoneNumberDesc]

    init(
        region: String, countryCode: Int, isMainForCode: Bool,
        internationalPrefix: String?, nationalPrefix: String?,
        nationalPrefixForParsing: String?, nationalPrefixTransformRule: String?,
        leadingDigits: String?,
        possibleLengths: [Int], localOnlyLengths: [Int],
        general: String,
        types: [PhoneNumberDesc]
    ) {
        self.region = region
        self.countryCode = countryCode
        self.isMainForCode = isMainForCode
        self.internationalPrefix = internationalPrefix
        self.nationalPrefix = nationalPrefix
        self.nationalPrefixForParsing = nationalPrefixForParsing
        self.nationalPrefixTransformRule = nationalPrefixTransformRule
        self.leadingDigits = leadingDigits
        self.possibleLengths = PhoneMetadata.lengthSet(possibleLengths)
        self.localOnlyLengths = PhoneMetadata.lengthSet(localOnlyLengths)
        self.general = general
        self.types = types
    }
}

/// One number type of a territory: its possible lengths and pattern.
struct PhoneNumberDesc: Sendable {
    let type: String
    let lengths: UInt32
    let pattern: String

    init(_ type: String, lengths: [Int], pattern: String) {
        self.type = type
        self.lengths = PhoneMetadata.lengthSet(lengths)
        self.pattern = pattern
    }
}

/// The metadata, read from `table` and compiled once on first use into patterns and look-up tables.
///
/// Reading and compiling every territory takes about 10 ms, once per process on the first parse
/// (measured in a release build); the result is an immutable `static let` (thread-safe lazy initialisation
/// by the runtime, no locks afterwards), so concurrent imports share it without data races.
enum PhoneMetadata {
    /// The territories of `table`, in its order.
    static let territories: [PhoneTerritory] = parseTable(table)

    /// Reads the text format of `PhoneMetadata+Generated.swift`.
    static func parseTable(_ text: String) -> [PhoneTerritory] {
        var result: [PhoneTerritory] = []
        var fields: [Substring: Substring] = [:]
        var types: [PhoneNumberDesc] = []
        var header: (region: Substring, code: Int)?
        func lengths(_ text: Substring?) -> [Int] { text.map { $0.split(separator: ",").compactMap { Int($0) } } ?? [] }
        func flush() {
            guard let (region, code) = header else { return }
            result.append(PhoneTerritory(
                region: String(region), countryCode: code, isMainForCode: fields["main"] != nil,
                internationalPrefix: fields["internationalPrefix"].map(String.init),
                nationalPrefix: fields["nationalPrefix"].map(String.init),
                nationalPrefixForParsing: fields["nationalPrefixForParsing"].map(String.init),
                nationalPrefixTransformRule: fields["nationalPrefixTransformRule"].map(String.init),
                leadingDigits: fields["leadingDigits"].map(String.init),
                possibleLengths: lengths(fields["possibleLengths"]), localOnlyLengths: lengths(fields["localOnlyLengths"]),
                general: String(fields["general"] ?? ""),
                types: types
            ))
            fields = [:]
            types = []
        }
        for line in text.split(separator: "\n") {
            let words = line.drop(while: { $0 == " " }).split(separator: " ", maxSplits: 2)
            guard let key = words.first else { continue }
            if line.first != " " {
                flush()
                header = (key, words.count > 1 ? Int(words[1].dropFirst()) ?? 0 : 0)
            } else if words.count == 3 {
                types.append(PhoneNumberDesc(String(key), lengths: lengths(words[1]), pattern: String(words[2])))
            } else {
                fields[key] = words.count > 1 ? words[1] : ""
            }
        }
        flush()
        return result
    }

    static func lengthSet(_ lengths: [Int]) -> UInt32 {
        lengths.reduce(0) { $0 | (1 << UInt32($1)) }
    }

    /// A territory with its patterns compiled.
    struct Compiled: Sendable {
        let region: String
        let countryCode: Int
        let internationalPrefix: PhonePattern?
        /// The national prefix as dialled, digits 0…9.
        let nationalPrefix: [UInt8]?
        let nationalPrefixForParsing: PhonePattern?
        let transformRule: [TransformPiece]?
        let leadingDigits: PhonePattern?
        let possibleLengths: UInt32
        let localOnlyLengths: UInt32
        let minLength: Int
        let maxLength: Int
        let general: PhonePattern
        let types: [(lengths: UInt32, pattern: PhonePattern)]

        init(_ territory: PhoneTerritory) {
            region = territory.region
            countryCode = territory.countryCode
            internationalPrefix = territory.internationalPrefix.map(PhoneMetadata.compile)
            nationalPrefix = territory.nationalPrefix.flatMap { prefix in
                prefix.isEmpty ? nil : prefix.utf8.map { $0 &- UInt8(ascii: "0") }
            }
            // As libphonenumber: without a pattern for parsing, the national prefix itself is stripped.
            nationalPrefixForParsing = (territory.nationalPrefixForParsing ?? territory.nationalPrefix)
                .flatMap { $0.isEmpty ? nil : PhoneMetadata.compile($0) }
            transformRule = territory.nationalPrefixTransformRule.flatMap { $0.isEmpty ? nil : TransformPiece.parse($0) }
            leadingDigits = territory.leadingDigits.map(PhoneMetadata.compile)
            possibleLengths = territory.possibleLengths
            localOnlyLengths = territory.localOnlyLengths
            minLength = possibleLengths == 0 ? 0 : possibleLengths.trailingZeroBitCount
            maxLength = possibleLengths == 0 ? 0 : 31 - possibleLengths.leadingZeroBitCount
            general = PhoneMetadata.compile(territory.general)
            types = territory.types.map { ($0.lengths, PhoneMetadata.compile($0.pattern)) }
        }
    }

    /// A piece of a national prefix transform rule: literal digits or a group reference ("9$1").
    enum TransformPiece: Sendable {
        case digits([UInt8])
        case group(Int)

        static func parse(_ rule: String) -> [TransformPiece] {
            var pieces: [TransformPiece] = []
            var literal: [UInt8] = []
            var iterator = rule.utf8.makeIterator()
            while let c = iterator.next() {
                if c == UInt8(ascii: "$"), let g = iterator.next(), g >= UInt8(ascii: "0"), g <= UInt8(ascii: "9") {
                    if !literal.isEmpty { pieces.append(.digits(literal)); literal = [] }
                    pieces.append(.group(Int(g - UInt8(ascii: "0"))))
                } else if c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                    literal.append(c - UInt8(ascii: "0"))
                }
            }
            if !literal.isEmpty { pieces.append(.digits(literal)) }
            return pieces
        }
    }

    struct Index: Sendable {
        let territories: [Compiled]
        /// Geographical regions by "AA"…"ZZ" (26 × 26), an index into `territories` or -1.
        let byRegion: [Int16]
        /// Territories by country code (0…999), the main region first.
        let byCountryCode: [[Int16]]

        init() {
            territories = PhoneMetadata.territories.map(Compiled.init)
            var byRegion = [Int16](repeating: -1, count: 26 * 26)
            var byCountryCode = [[Int16]](repeating: [], count: 1000)
            for (i, territory) in PhoneMetadata.territories.enumerated() {
                if let slot = PhoneMetadata.regionSlot(territory.region) { byRegion[slot] = Int16(i) }
                if territory.isMainForCode {
                    byCountryCode[territory.countryCode].insert(Int16(i), at: 0)
                } else {
                    byCountryCode[territory.countryCode].append(Int16(i))
                }
            }
            self.byRegion = byRegion
            self.byCountryCode = byCountryCode
        }

        func territory(region: String) -> Compiled? {
            guard let slot = PhoneMetadata.regionSlot(region) else { return nil }
            let i = byRegion[slot]
            return i < 0 ? nil : territories[Int(i)]
        }
    }

    static let index = Index()

    /// Known country codes (0…999), without compiling any pattern.
    private static let countryCodes: [Bool] = {
        var table = [Bool](repeating: false, count: 1000)
        for territory in territories { table[territory.countryCode] = true }
        return table
    }()

    static func isCountryCode(_ code: Int) -> Bool {
        code >= 0 && code < 1000 && countryCodes[code]
    }

    /// "CN" → its slot in a 26 × 26 table (lower case accepted); nil for anything else, "001" included.
    static func regionSlot(_ region: String) -> Int? {
        var utf8 = region.utf8.makeIterator()
        guard let a = utf8.next(), let b = utf8.next(), utf8.next() == nil,
              let x = letter(a), let y = letter(b)
        else { return nil }
        return x * 26 + y
    }

    private static func letter(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(c - UInt8(ascii: "a"))
        default: nil
        }
    }

    static func compile(_ source: String) -> PhonePattern {
        if let pattern = PhonePattern(source) { return pattern }
        assertionFailure("phone metadata pattern outside the supported subset: \(source)")
        return PhonePattern("[0]$0")!  // never matches
    }
}
