import RapportCore
import Testing

@Suite struct ContactMaskTests {
    @Test func phoneKeepsCountryCodeFirstThreeAndLastFour() {
        #expect(ContactMask.phone("+8613800138000") == "+86 138****8000")
        #expect(ContactMask.phone("+14155552671") == "+1 415***2671")
        #expect(ContactMask.phone("+442079460018") == "+44 207***0018")
        #expect(ContactMask.phone("+85251234567") == "+852 512*4567")
        #expect(ContactMask.phone("+88234851234567") == "+882 348****4567")
    }

    @Test func shortNationalNumbersHideAtLeastHalf() {
        #expect(ContactMask.phone("+24762889") == "+247 6***9")       // 5 digits: 2 shown
        #expect(ContactMask.phone("+8823421234") == "+882 3****34")   // 7 digits: 3 shown
        #expect(ContactMask.phone("+683401234") == "+683 4***34")     // 6 digits: 3 shown
        #expect(ContactMask.phone("+68340") == "+683 *0")              // 2 digits: 1 shown
    }

    @Test func phoneOnOddInput() {
        #expect(ContactMask.phone("") == "")
        #expect(ContactMask.phone("+") == "*")
        #expect(ContactMask.phone("138 0013 8000") == "138******8000")
        #expect(ContactMask.phone("+0123456789") == "+01****6789")
        #expect(ContactMask.phone("１３８００１３８０００") == "１３８****８０００")
        #expect(ContactMask.phone("电话") == "*话")
        // Masking a masked value shows nothing new.
        let once = ContactMask.phone("+8613800138000")
        #expect(visible(ContactMask.phone(once)).isSubset(of: visible(once)))
    }

    @Test func emailKeepsTheFirstCharacterAndTheDomain() {
        #expect(ContactMask.email("alice@example.com") == "a***@example.com")
        #expect(ContactMask.email("a@example.com") == "a***@example.com")
        #expect(ContactMask.email("zhang.san.long.name@例子.广告") == "z***@例子.广告")
        #expect(ContactMask.email("张三@example.cn") == "张***@example.cn")
        #expect(ContactMask.email("") == "")
        #expect(ContactMask.email("@example.com") == "***@example.com")
        #expect(ContactMask.email("alice") == "a***")
        #expect(ContactMask.email("a\"b@c\"@example.com") == "a***@example.com")
        #expect(ContactMask.email(ContactMask.email("alice@example.com")) == "a***@example.com")
    }

    @Test func wechatIdsKeepThreeAndThree() {
        #expect(ContactMask.wechat("oAbCdEfGhIjKlMnOpQrStUvWxYz") == "oAb****xYz")
        #expect(ContactMask.wechat("o6_bmjrPTlm6_2sgVt7hMZOPfL2M") == "o6_****L2M")
        #expect(ContactMask.wechat("abcdefghi") == "abc****ghi")
        #expect(ContactMask.wechat("abcdefgh") == "a****")
        #expect(ContactMask.wechat("a") == "a****")
        #expect(ContactMask.wechat("") == "")
        #expect(ContactMask.wechat("微信号码一二三四五六") == "微信号****四五六")
    }

    @Test func idNumbersKeepThreeAndFour() {
        #expect(ContactMask.idNumber("110101199003071234") == "110***********1234")
        #expect(ContactMask.idNumber("11010119900307123X") == "110***********123X")
        #expect(ContactMask.idNumber("E12345678") == "E12**5678")
        #expect(ContactMask.idNumber("G1234567") == "G*******")
        #expect(ContactMask.idNumber("AB") == "A*")
        #expect(ContactMask.idNumber("A") == "*")
        #expect(ContactMask.idNumber("") == "")
    }

    /// Over many generated numbers of every length: the masked form never contains the national
    /// number, shows exactly the digits the rule allows, and hides at least one (at least half for
    /// ≤ 7 digits).
    @Test func maskedPhonesNeverContainTheNationalNumber() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let code = [1, 7, 44, 86, 852, 886, 65, 81, 247, 683, 882][Int(generator.next() % 11)]
            let length = 2 + Int(generator.next() % 16)
            let national = String((0..<length).map { _ in Character(String(generator.next() % 10)) })
            let e164 = "+\(code)\(national)"
            let masked = ContactMask.phone(e164)
            #expect(masked.hasPrefix("+\(code) "), "\(e164)")
            let body = masked.dropFirst("+\(code) ".count)
            #expect(!body.contains(national), "\(e164) → \(masked)")
            if length >= 4 {  // shorter ones can coincide with the country code's digits
                #expect(!masked.contains(national), "\(e164) → \(masked)")
            }
            #expect(body.count == length, "\(e164) → \(masked)")
            let shown = body.filter { $0 != "*" }.count
            #expect(shown == (length >= 8 ? 7 : length / 2), "\(e164) → \(masked)")
            #expect(body.hasPrefix(national.prefix(length >= 8 ? 3 : length / 4)))
            #expect(body.hasSuffix(national.suffix(length >= 8 ? 4 : length / 2 - length / 4)))
        }
    }

    private func visible(_ text: String) -> Set<Character> { Set(text.filter { $0 != "*" && $0 != " " }) }
}
