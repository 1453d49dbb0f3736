import Foundation
import RapportCore
import Testing

@Suite struct EmailAddressTests {
    /// The categories we accept (see `EmailAddress`); every other category is rejected.
    static let acceptedCategories: Set<String> = ["ISEMAIL_VALID_CATEGORY", "ISEMAIL_DNSWARN"]

    /// Rows whose category comes from a live DNS look-up in 2011 rather than from the address: test 5,
    /// `test@io`, is VALID only because `io` then had an MX record (the dataset's comment says so).
    /// Without DNS it is the dotless-domain case of test 166, `test@org` (ISEMAIL_RFC5321_TLD): rejected.
    static let judgedWithoutDNS: [String: Bool] = ["5": false]

    /// is_email's XML cannot hold control characters, so the set writes U+2400 + n ("␍", "␊", "␀")
    /// for the ASCII control character n; the CSV keeps those symbols (and a literal DEL, which XML
    /// allows). They are turned back into the control characters they stand for, as is_email's own
    /// test runner does.
    static func decode(_ address: String) -> String {
        String(String.UnicodeScalarView(address.unicodeScalars.map { scalar in
            (0x2400...0x241F).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0x2400)! : scalar
        }))
    }

    @Test func agreesWithTheIsEmailTestSet() throws {
        let rows = try ContactDataset.csv("isemail_tests.csv")
        #expect(rows.count == 164)
        var agreeing = 0, agreeingRaw = 0
        var disagreements: [String] = []
        for row in rows {
            let id = row["id"]!, address = Self.decode(row["address"]!), category = row["category"]!
            let datasetSays = Self.acceptedCategories.contains(category)
            let expected = Self.judgedWithoutDNS[id] ?? datasetSays
            let valid = EmailAddress.isValid(address)
            if valid == datasetSays { agreeingRaw += 1 }
            if valid == expected {
                agreeing += 1
            } else {
                disagreements.append("#\(id) \(address.debugDescription) \(category): \(valid ? "accepted" : "rejected")")
            }
            // normalise agrees with isValid on the trimmed text.
            let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect((EmailAddress.normalise(address) != nil) == EmailAddress.isValid(trimmed), "#\(id)")
        }
        print("is_email agreement: \(agreeing)/\(rows.count) with test 5 judged without DNS; "
              + "\(agreeingRaw)/\(rows.count) against the raw 2011 categories")
        #expect(disagreements.isEmpty, "\(disagreements)")
        #expect(agreeing == rows.count)
    }

    @Test func controlCharactersAreDecoded() {
        #expect(Self.decode("␍␊ test@iana.org") == "\r\n test@iana.org")
        #expect(Self.decode("\"test␀\"@iana.org") == "\"test\u{0}\"@iana.org")
        #expect(!EmailAddress.isValid("\r\n test@iana.org"))
        #expect(EmailAddress.normalise("\r\n test@iana.org") == "test@iana.org")
    }

    @Test func normalisesForStorageAndDeduplication() {
        #expect(EmailAddress.normalise("alice@example.com") == "alice@example.com")
        #expect(EmailAddress.normalise("  Alice.Smith@Example.COM \n") == "alice.smith@example.com")
        #expect(EmailAddress.normalise("\tBOB+crm@Mail.Example.co.uk") == "bob+crm@mail.example.co.uk")
        #expect(EmailAddress.normalise("Zhang.San@例子.广告") == "zhang.san@例子.广告")
        #expect(EmailAddress.normalise("user@BÜCHER.de") == "user@bücher.de")
        #expect(EmailAddress.normalise("user@xn--bcher-kva.de") == "user@xn--bcher-kva.de")
        // Full-width input and ideographic full stops, as input methods type them.
        #expect(EmailAddress.normalise("ｔｅｓｔ＠ｑｑ．ｃｏｍ") == "test@qq.com")
        #expect(EmailAddress.normalise("test@qq。com") == "test@qq.com")
        #expect(EmailAddress.normalise("Alice@Example.com") == EmailAddress.normalise("alice@example.COM"))
    }

    @Test func rejectsWhatIsNotAnOrdinaryMailbox() {
        for text in ["", "   ", "alice", "alice@", "@example.com", "alice@example", "alice@@example.com",
                     "alice@example..com", "alice.@example.com", ".alice@example.com", "al..ice@example.com",
                     "alice smith@example.com", "\"alice\"@example.com", "alice@[127.0.0.1]", "alice@-example.com",
                     "alice@example-.com", "alice@example.com.", "alice@exa_mple.com", "alice@192.168.0.1",
                     "张三@example.com", "alice@例子.广告!", "alice@example.com (Alice)", "Alice <alice@example.com>"] {
            #expect(!EmailAddress.isValid(text), "\(text.debugDescription)")
            #expect(EmailAddress.normalise(text) == nil, "\(text.debugDescription)")
        }
    }

    @Test func lengthLimits() {
        let local64 = String(repeating: "a", count: 64), label63 = String(repeating: "b", count: 63)
        #expect(EmailAddress.isValid("\(local64)@example.com"))
        #expect(!EmailAddress.isValid("a\(local64)@example.com"))
        #expect(EmailAddress.isValid("a@\(label63).com"))
        #expect(!EmailAddress.isValid("a@b\(label63).com"))
        // An internationalised label counts in its ASCII (xn--) form: 60 "ü" are far over 63 octets.
        #expect(!EmailAddress.isValid("a@\(String(repeating: "ü", count: 60)).de"))
        #expect(EmailAddress.isValid("a@\(String(repeating: "ü", count: 20)).de"))
    }
}
