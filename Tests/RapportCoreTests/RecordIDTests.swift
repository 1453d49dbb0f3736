import Foundation
import RapportCore
import Testing

@Suite struct RecordIDTests {
    @Test func formatIsPrefixAndTwentySixCrockfordCharacters() {
        let id = RecordID.make(.user, millis: 1_767_603_600_000, entropy: (0x1234, 0xDEAD_BEEF_0000_0001))
        #expect(id.rawValue.hasPrefix("usr_"))
        #expect(id.rawValue.count == 4 + 26)
        #expect(RecordID(parsing: id.rawValue, prefix: .user) == id)
    }

    @Test func idsSortByTimeThenEntropy() {
        let earlier = RecordID.make(.team, millis: 1_000, entropy: (0xFFFF, .max))
        let later = RecordID.make(.team, millis: 1_001, entropy: (0, 0))
        #expect(earlier < later)
        let first = RecordID.make(.team, millis: 5_000, entropy: (1, .max))
        let second = RecordID.make(.team, millis: 5_000, entropy: (2, 0))
        #expect(first < second)
    }

    @Test(arguments: ["usr_", "usr_01M8C4ZKT4R8SDT9W70VT9107", "tok_01M8C4ZKT4R8SDT9W70VT91075", "usr_01M8C4ZKT4R8SDT9W70VT9107U", "usr_01m8c4zkt4r8sdt9w70vt91075", "usr_01M8C4ZKT4R8SDT9W70VT91075x"])
    func malformedIDsAreRejected(_ text: String) {
        #expect(RecordID(parsing: text, prefix: .user) == nil)
    }

    @Test func encodesTheTimeInTheFirstTenCharacters() {
        // 48 bits of time need 10 base-32 digits; the epoch itself is all zeros.
        let id = RecordID.make(.audit, millis: 0, entropy: (0, 0))
        #expect(id.rawValue == "aud_" + String(repeating: "0", count: 26))
        let max = RecordID.make(.audit, millis: 0xFFFF_FFFF_FFFF, entropy: (0xFFFF, .max))
        #expect(max.rawValue == "aud_7" + String(repeating: "Z", count: 25))
    }
}

@Suite struct PageCursorTests {
    @Test func roundTripsAndRejectsForeignCursors() throws {
        let cursor = PageCursor(after: "usr_01M8C4ZKT4R8SDT9W70VT91075")
        #expect(try PageCursor(token: cursor.token) == cursor)
        #expect(throws: RapportError.self) { try PageCursor(token: "not-a-cursor!") }
        #expect(throws: RapportError.self) { try PageCursor(token: "eHl6") }  // base64 of "xyz": no version tag
    }

    @Test func limitsAreValidated() throws {
        #expect(try PageRequest.parse(limit: nil, cursor: nil).limit == 50)
        #expect(try PageRequest.parse(limit: "500", cursor: nil).limit == 500)
        for bad in ["0", "501", "-1", "ten", "1e3"] {
            #expect(throws: RapportError.self) { try PageRequest.parse(limit: bad, cursor: nil) }
        }
    }

    @Test func pagesKnowWhetherMoreExist() {
        let page = Page(fetched: [1, 2, 3], limit: 2, key: { String($0) })
        #expect(page.items == [1, 2])
        #expect(page.nextCursor == PageCursor(after: "2"))
        #expect(Page(fetched: [1, 2], limit: 2, key: { String($0) }).nextCursor == nil)
    }
}

@Suite struct ValidationTests {
    @Test func emailsAreNormalisedAndChecked() {
        var check = Validator()
        #expect(Credentials.normaliseEmail("  Ada@Example.COM ", into: &check) == "ada@example.com")
        #expect(check.isValid)
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@.com"] {
            var failing = Validator()
            _ = Credentials.normaliseEmail(bad, into: &failing)
            #expect(!failing.isValid, "\(bad) should be rejected")
        }
    }

    @Test func passwordsNeedTenToSeventyTwoBytes() {
        var short = Validator()
        Credentials.validatePassword("123456789", into: &short)
        #expect(short.errors.map(\.code) == ["too_short"])
        var long = Validator()
        Credentials.validatePassword(String(repeating: "密", count: 25), into: &long)  // 75 bytes
        #expect(long.errors.map(\.code) == ["too_long"])
    }

    @Test func textRejectsControlCharactersAndOverlongValues() {
        var check = Validator()
        check.text("a\u{0}b", field: "name")
        check.text(String(repeating: "x", count: 201), field: "title")
        check.require(nil, field: "key")
        #expect(check.errors.map(\.code) == ["invalid", "too_long", "required"])
        #expect(throws: RapportError.self) { try check.finish() }
    }

    @Test func keysOfLevelsAndTeams() {
        #expect(RepLevel(rawValue: "senior") != nil)
        #expect(RepLevel(rawValue: "Senior") == nil)
        #expect(RepLevel(rawValue: "1st") == nil)
        #expect(Team.isValidKey("sales-east_2"))
        #expect(!Team.isValidKey("Sales"))
        #expect(!Team.isValidKey(""))
    }
}
