import Foundation
import RapportCore
import Testing

/// The contact-normalisation datasets, beside the clone: `<repository>/../shared/datasets/contact_normalisation/`.
/// A missing file fails the test that needs it (it is never skipped).
enum ContactDataset {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "dataset not found at \(path): the tests expect shared/ beside the repository clone (../shared/datasets/contact_normalisation/)"
        }
    }

    static func url(_ name: String) -> URL {
        // #filePath may go through a symlink; resolve it before walking up Tests/RapportCoreTests/<file>.
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/datasets/contact_normalisation/\(name)").standardizedFileURL
    }

    /// The rows of a CSV file (RFC 4180: quoted fields, doubled quotes, newlines inside quotes) as
    /// dictionaries keyed by the header.
    static func csv(_ name: String) throws -> [[String: String]] {
        let url = url(name)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw Missing(path: url.path) }
        let records = parseCSV(String(decoding: data, as: UTF8.self))
        guard let header = records.first else { return [] }
        return records.dropFirst().map { fields in
            Dictionary(uniqueKeysWithValues: zip(header, fields + Array(repeating: "", count: max(0, header.count - fields.count))))
        }
    }

    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?
        while let c = pending ?? scalars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = scalars.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else if c == "\n" {
                fields.append(field)
                records.append(fields)
                fields = []
                field = ""
            } else if c != "\r" {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append(fields)
        }
        return records
    }
}

@Suite struct PhoneNumberTests {
    /// Regions where every example number must parse in every form.
    static let requiredRegions: Set<String> = ["CN", "HK", "TW", "US", "GB", "SG", "JP"]

    func e164(_ text: String, _ region: String) -> String? { PhoneNumber.e164(text, defaultRegion: region) }

    func error(_ text: String, _ region: String) -> PhoneNumberError? {
        if case .failure(let error) = PhoneNumber.parse(text, defaultRegion: region) { return error }
        return nil
    }

    // MARK: - The libphonenumber example numbers

    /// Each of the 1,144 example numbers (246 regions, all number types) in three forms: "+CC NSN"
    /// with an unrelated default region; the national form (national prefix + NSN) with its region;
    /// and the region's international prefix + CC + NSN with its region — the prefix as written when it
    /// is plain digits, else the first string its pattern matches ("0(?:0[25-79]|19)" → "002").
    /// Non-geographical numbers ("001": +800, +882 …) have no national or dialling form.
    @Test func exampleNumbersNormaliseInEveryForm() throws {
        let rows = try ContactDataset.csv("phone_example_numbers.csv")
        #expect(rows.count == 1144)
        var correct = 0
        var plainIDDForms = 0, sampledIDDForms = 0
        var failures: [String] = []
        for row in rows {
            let region = row["region"]!, code = row["country_code"]!, nsn = row["national_significant_number"]!
            let expected = row["e164"]!, nationalPrefix = row["national_prefix"]!, idd = row["international_prefix"]!
            var forms: [(text: String, region: String)] = [("+" + code + nsn, code == "49" ? "FR" : "DE")]
            if region != "001" {
                forms.append((nationalPrefix + nsn, region))
                if !idd.isEmpty, idd.allSatisfy(\.isASCIIDigit) {
                    forms.append((idd + code + nsn, region))
                    plainIDDForms += 1
                } else if let sample = Self.firstMatch(of: idd) {
                    forms.append((sample + code + nsn, region))
                    sampledIDDForms += 1
                }
            }
            var ok = true
            for form in forms {
                let result = PhoneNumber.parse(form.text, defaultRegion: form.region)
                if case .success(let number) = result, number.e164 == expected { continue }
                ok = false
                failures.append("\(region) \(row["number_type"]!) \"\(form.text)\" in \(form.region): \(result) ≠ \(expected)")
            }
            if ok { correct += 1 }
        }
        let share = Double(correct) / Double(rows.count)
        print("phone examples normalised in every form: \(correct)/\(rows.count) = \(String(format: "%.2f", share * 100)) % "
              + "(dialling-prefix forms: \(plainIDDForms) plain, \(sampledIDDForms) from the pattern)")
        for failure in failures { print("  ✗ " + failure) }
        // The required regions: every row, every form.
        let requiredFailures = failures.filter { Self.requiredRegions.contains(String($0.prefix(2))) }
        #expect(requiredFailures.isEmpty, "\(requiredFailures)")
        // Everywhere: the parser follows libphonenumber on libphonenumber's own data, so any miss is a
        // divergence to look at; the bar is all of them.
        #expect(share >= 1.0, "\(failures.count) forms failed")
    }

    /// The country code and national number come out right, and the region: exactly for a country
    /// code of one region; for a shared one, one of the regions sharing it (their toll-free and
    /// premium ranges are common to all, so only some numbers say which — libphonenumber answers the
    /// same way; even some mobile ranges are, like +44 7924 of the Isle of Man and Great Britain),
    /// and exactly for the fixed-line numbers of the +1, +7 and +44 regions.
    @Test func exampleNumbersKeepTheirRegion() throws {
        let rows = try ContactDataset.csv("phone_example_numbers.csv")
        let regionsByCode = Dictionary(grouping: rows, by: { $0["country_code"]! }).mapValues { Set($0.map { $0["region"]! }) }
        var exact = 0
        for row in rows {
            let code = row["country_code"]!, region = row["region"]!
            let number = try PhoneNumber.parse("+" + code + row["national_significant_number"]!, defaultRegion: "ZZ").get()
            #expect(number.countryCode == Int(code)!)
            #expect(number.nationalNumber == row["national_significant_number"]!)
            #expect(regionsByCode[code]!.contains(number.region), "\(row)")
            if regionsByCode[code]!.count == 1 || (["1", "7", "44"].contains(code) && row["number_type"]! == "fixedLine") {
                #expect(number.region == region, "\(row)")
            }
            if number.region == region { exact += 1 }
        }
        print("phone examples whose region is recovered exactly: \(exact)/\(rows.count)")
    }

    /// The first string a dialling-prefix pattern matches: the first alternative of each choice, an
    /// optional part left out, the least repetitions, the first digit of a class.
    static func firstMatch(of pattern: String) -> String? {
        var characters = Array(pattern)[...]
        func alternation() -> String? {
            let first = sequence()
            while characters.first == "|" {
                characters.removeFirst()
                _ = sequence()
            }
            return first
        }
        func sequence() -> String? {
            var result = ""
            while let c = characters.first, c != "|", c != ")" {
                characters.removeFirst()
                var atom: String
                switch c {
                case "0"..."9": atom = String(c)
                case "\\":
                    guard characters.popFirst() == "d" else { return nil }
                    atom = "0"
                case "[":
                    guard let digit = characters.first else { return nil }
                    atom = String(digit)
                    while let next = characters.popFirst(), next != "]" {}
                case "(":
                    if characters.first == "?" { characters.removeFirst(2) }
                    guard let inner = alternation(), characters.popFirst() == ")" else { return nil }
                    atom = inner
                default: return nil
                }
                switch characters.first {
                case "?", "*":
                    characters.removeFirst()
                    atom = ""
                case "{":
                    var count = ""
                    characters.removeFirst()
                    while let next = characters.popFirst(), next != "}" { count.append(next) }
                    atom = String(repeating: atom, count: Int(count.split(separator: ",").first ?? "") ?? 1)
                default: break
                }
                result += atom
            }
            return result
        }
        guard let result = alternation(), characters.isEmpty, !result.isEmpty else { return nil }
        return result
    }

    // MARK: - As people type them

    @Test func formattingNoiseIsIgnored() {
        #expect(e164("138 0013 8000", "CN") == "+8613800138000")
        #expect(e164("+86 138-0013-8000", "US") == "+8613800138000")
        #expect(e164("(+86) 138.0013.8000", "GB") == "+8613800138000")
        #expect(e164("  138\t0013 8000\n", "CN") == "+8613800138000")
        #expect(e164("138/0013/8000", "CN") == "+8613800138000")
        #expect(e164("\u{FEFF}138\u{00A0}0013\u{2011}8000", "CN") == "+8613800138000")
        #expect(e164("(415) 555-2671", "US") == "+14155552671")
        #expect(e164("415.555.2671", "US") == "+14155552671")
        #expect(e164("020 7946 0018", "GB") == "+442079460018")
        #expect(e164("(02) 2123-4567", "TW") == "+886221234567")
        #expect(e164("2123 4567", "HK") == "+85221234567")
        #expect(e164("6123 4567", "SG") == "+6561234567")
        #expect(e164("03-1234-5678", "JP") == "+81312345678")
        #expect(e164("090ー1234ー5678", "JP") == "+819012345678")
    }

    @Test func fullWidthAndOtherScriptDigits() {
        #expect(e164("１３８ ００１３ ８０００", "CN") == "+8613800138000")
        #expect(e164("＋８６ １３８－００１３－８０００", "US") == "+8613800138000")
        #expect(e164("（０２０）７９４６　００１８", "GB") == "+442079460018")
        #expect(e164("٠٢٠ ٧٩٤٦ ٠٠١٨", "GB") == "+442079460018")  // Arabic-Indic digits
    }

    @Test func internationalForms() {
        #expect(e164("0086 13800138000", "CN") == "+8613800138000")
        #expect(e164("00 86 138 0013 8000", "GB") == "+8613800138000")
        #expect(e164("011 86 138 0013 8000", "US") == "+8613800138000")
        #expect(e164("010 86 138 0013 8000", "JP") == "+8613800138000")
        #expect(e164("002 86 138 0013 8000", "TW") == "+8613800138000")
        #expect(e164("001 86 138 0013 8000", "HK") == "+8613800138000")
        #expect(e164("001 1 415 555 2671", "SG") == "+14155552671")
        #expect(e164("+0086 138 0013 8000", "CN") == "+8613800138000")  // "+" then the IDD: tried without the "+"
        // The home country code typed without "+", when only that reading is valid.
        #expect(e164("8613800138000", "CN") == "+8613800138000")
        #expect(e164("86 10 1234 5678", "CN") == "+861012345678")
    }

    @Test func nationalPrefixAfterTheCountryCodeIsDropped() throws {
        #expect(e164("+44 (0)20 7946 0018", "US") == "+442079460018")
        #expect(e164("+44 020 7946 0018", "CN") == "+442079460018")
        #expect(e164("+81 (0)3-1234-5678", "US") == "+81312345678")
        #expect(e164("+886 (0)2 2123 4567", "US") == "+886221234567")
        #expect(e164("+86 (0)10 1234 5678", "US") == "+861012345678")
        // Italy keeps its leading 0: it is part of the national number there.
        #expect(e164("+39 02 1234 5678", "US") == "+390212345678")
        #expect(try PhoneNumber.parse("+39 02 1234 5678", defaultRegion: "US").get().nationalNumber == "0212345678")
    }

    @Test func northAmericanTrunkOneIsOptional() {
        #expect(e164("1 (415) 555-2671", "US") == "+14155552671")
        #expect(e164("1-415-555-2671", "US") == "+14155552671")
        #expect(e164("+1 415 555 2671", "CN") == "+14155552671")
        #expect(e164("14155552671", "US") == "+14155552671")
        #expect(e164("4155552671", "US") == "+14155552671")
    }

    @Test func fieldsAndRegions() throws {
        let cn = try PhoneNumber.parse("138 0013 8000", defaultRegion: "cn").get()
        #expect(try cn == PhoneNumber.parse("+8613800138000", defaultRegion: "US").get())
        #expect(cn.e164 == "+8613800138000")
        #expect(cn.countryCode == 86)
        #expect(cn.nationalNumber == "13800138000")
        #expect(cn.region == "CN")
        // Shared country codes: the region the digits identify.
        #expect(try PhoneNumber.parse("+1 204 234 5678", defaultRegion: "US").get().region == "CA")
        #expect(try PhoneNumber.parse("(204) 234-5678", defaultRegion: "US").get().region == "CA")
        #expect(try PhoneNumber.parse("+1 201 555 0123", defaultRegion: "CA").get().region == "US")
        #expect(try PhoneNumber.parse("+44 1481 256789", defaultRegion: "GB").get().region == "GG")
        #expect(try PhoneNumber.parse("+7 701 234 5678", defaultRegion: "RU").get().region == "KZ")
        #expect(try PhoneNumber.parse("+800 1234 5678", defaultRegion: "CN").get().region == "001")
        // A national number of a region sharing its code, with that region's rules.
        #expect(e164("01481 256789", "GG") == "+441481256789")
        #expect(e164("221-1234", "TT") == "+18682211234")  // a 7-digit local number gets its area code
    }

    /// Where libphonenumber's own rules read a number one way and only the other reading is valid.
    @Test func secondReadings() {
        // Israel: "01[2-9]" is also a dialling prefix; these national numbers are not international.
        #expect(e164("01919123456", "IL") == "+9721919123456")
        #expect(e164("01599123456", "IL") == "+9721599123456")
        #expect(e164("015 86 138 0013 8000", "IL") == "+8613800138000")  // and "015" still dials out
        // Colombia: "0" plus a carrier digit for parsing, but a plain "0" before a mobile number.
        #expect(e164("03211234567", "CO") == "+573211234567")
        // Carrier and transform rules: Argentina's "0 11 15 …" mobile form, Brazil's carrier codes.
        #expect(e164("011 15-2345-6789", "AR") == "+5491123456789")
        #expect(e164("0 15 21 98765 4321", "BR") == "+5521987654321")
        #expect(e164("17951 138 0013 8000", "CN") == "+8613800138000")
        #expect(e164("8 800 555 35 35", "RU") == "+78005553535")
        #expect(e164("8 10 86 138 0013 8000", "RU") == "+8613800138000")
    }

    // MARK: - Errors

    @Test func blankTextIsEmpty() {
        #expect(error("", "CN") == .empty)
        #expect(error("   ", "CN") == .empty)
        #expect(error("\u{3000}\n\t", "CN") == .empty)
        #expect(error("-", "CN") == .empty)
        #expect(error("+", "CN") == .empty)
        #expect(PhoneNumber.e164("", defaultRegion: "CN") == nil)
    }

    @Test func lettersAndExtensionsAreInvalidCharacters() {
        #expect(error("138 0013 ABCD", "CN") == .invalidCharacters)
        #expect(error("call me", "CN") == .invalidCharacters)
        #expect(error("1-800-FLOWERS", "US") == .invalidCharacters)
        #expect(error("+1 415 555 2671 ext. 12", "US") == .invalidCharacters)
        #expect(error("+1 415 555 2671 x12", "US") == .invalidCharacters)
        #expect(error("+1 415 555 2671 #12", "US") == .invalidCharacters)
        #expect(error("+1 415 555 2671;ext=12", "US") == .invalidCharacters)
        #expect(error("138 0013 8000 +", "CN") == .invalidCharacters)
        #expect(error("++86 138 0013 8000", "CN") == .invalidCharacters)
        #expect(error("138*0013*8000", "CN") == .invalidCharacters)
    }

    @Test func lengthAndValidityErrors() {
        #expect(error("+86 138", "US") == .tooShort)
        #expect(error("1", "CN") == .tooShort)
        #expect(error("555-2671", "US") == .tooShort)  // a local-only number: no area code
        #expect(error("+86 138 0013 8000 1234 5", "US") == .tooLong)
        #expect(error("1380013800012345", "CN") == .tooLong)
        #expect(error("+1 415 555 26712", "CN") == .tooLong)
        #expect(error("+86 123 4567 8901", "US") == .invalidNumber)  // 11 digits, but no Chinese range
        #expect(error("+1 055 555 2671", "CN") == .invalidNumber)    // no area code starts with 0
        #expect(error("+44 20 7946 001", "CN") == .invalidNumber)    // 9 digits: a possible length, not in London
    }

    @Test func unknownCountryCodes() {
        #expect(error("+999 1234 5678", "CN") == .unknownCountryCode)
        #expect(error("+0 123 4567", "ZZ") == .unknownCountryCode)
        #expect(error("00 999 1234 5678", "GB") == .unknownCountryCode)
        #expect(error("138 0013 8000", "ZZ") == .unknownCountryCode)  // national, without a known region
        #expect(error("138 0013 8000", "") == .unknownCountryCode)
        #expect(e164("+86 138 0013 8000", "ZZ") == "+8613800138000")
    }

    @Test func errorCodesAndMessagesAreStable() {
        let all: [PhoneNumberError] = [.empty, .invalidCharacters, .unknownCountryCode, .tooShort, .tooLong, .invalidNumber]
        #expect(all.map(\.code) == ["empty", "invalid_characters", "unknown_country_code", "too_short", "too_long", "invalid_number"])
        #expect(PhoneNumberError.tooShort.message == "phone is too short for its country.")
        for error in all {
            #expect(error.message.hasPrefix("phone "))
            #expect(error.message.hasSuffix("."))
        }
    }

    @Test func knownRegions() {
        for region in ["CN", "HK", "TW", "US", "GB", "SG", "JP", "cn", "GG", "VA", "XK"] {
            #expect(PhoneNumber.isKnownRegion(region), "\(region)")
        }
        for region in ["", "ZZ", "001", "USA", "C", "C1", "AA"] {
            #expect(!PhoneNumber.isKnownRegion(region), "\(region)")
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
