import Foundation
import RapportCore
import Testing

private let ulidBody = "01KB3Y8N4QZJ9V6E2T1XWMC0PD"

private func label(_ text: String) -> LocalizedText { LocalizedText(zhHans: text, en: text) }

private let testFields: [FieldDefinition] = [
    FieldDefinition(key: "nickname", label: label("昵称"), type: .text, maxLength: 5),
    FieldDefinition(key: "note", label: label("备注"), type: .text),
    FieldDefinition(key: "age", label: label("年龄"), type: .number, minimum: 0, maximum: 120),
    FieldDefinition(key: "budget", label: label("预算"), type: .money, minimum: 0, currency: "CNY"),
    FieldDefinition(key: "revenue", label: label("营收"), type: .money),
    FieldDefinition(key: "trial", label: label("试听"), type: .date),
    FieldDefinition(
        key: "grade", label: label("年级"), type: .enum,
        options: [FieldOption(key: "a", label: label("A")), FieldOption(key: "b", label: label("B")), FieldOption(key: "old", label: label("旧"), archived: true)]),
    FieldDefinition(
        key: "subjects", label: label("科目"), type: .multiEnum,
        options: [FieldOption(key: "math", label: label("数学")), FieldOption(key: "art", label: label("美术")), FieldOption(key: "old", label: label("旧"), archived: true)]),
    FieldDefinition(key: "vip", label: label("VIP"), type: .bool),
    FieldDefinition(key: "mobile", label: label("手机"), type: .phone),
    FieldDefinition(key: "mail", label: label("邮箱"), type: .email),
    FieldDefinition(key: "manager", label: label("经理"), type: .user),
    FieldDefinition(key: "referrer", label: label("推荐人"), type: .recordLink, linkTo: .customer),
    FieldDefinition(key: "deal", label: label("商机"), type: .recordLink, linkTo: .opportunity),
    FieldDefinition(key: "name_cn", label: label("中文名"), type: .text, required: true),
    FieldDefinition(key: "legacy", label: label("旧字段"), type: .text, archived: true),
    FieldDefinition(key: "legacy_required", label: label("旧必填"), type: .text, required: true, archived: true),
]

private let validation = CustomFieldValidation(
    normalisePhone: { text in
        let digits = text.filter(\.isNumber)
        return digits.count == 11 && digits.hasPrefix("1") ? "+86" + digits : nil
    },
    normaliseEmail: { text in text.contains("@") ? text.lowercased() : nil })

/// One value of one field, and what validation must make of it: a normal form, or an error code.
struct ValueCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable, Equatable {
        case ok(JSONValue)
        case error(String)
    }
    let key: String
    let value: JSONValue
    let expected: Expected
    var testDescription: String { "\(key) = \(String(describing: value).prefix(60)) → \(expected)" }
    init(_ key: String, _ value: JSONValue, _ expected: Expected) {
        self.key = key
        self.value = value
        self.expected = expected
    }
}

private func money(_ amount: Int64, _ currency: String) -> JSONValue { .object(["amount_minor": .integer(amount), "currency": .string(currency)]) }

private let valueCases: [ValueCase] = [
    // text
    ValueCase("nickname", .string("  Ann "), .ok(.string("Ann"))),
    ValueCase("nickname", .string("ab\ncd"), .ok(.string("ab\ncd"))),
    ValueCase("nickname", .string("toolong"), .error("too_long")),
    ValueCase("nickname", .string("a\u{0}b"), .error("invalid")),
    ValueCase("nickname", .integer(5), .error("type_mismatch")),
    ValueCase("nickname", .string("   "), .ok(.null)),
    ValueCase("note", .string(String(repeating: "x", count: 2000)), .ok(.string(String(repeating: "x", count: 2000)))),
    ValueCase("note", .string(String(repeating: "x", count: 2001)), .error("too_long")),
    // number
    ValueCase("age", .integer(30), .ok(.integer(30))),
    ValueCase("age", .double(30.5), .ok(.double(30.5))),
    ValueCase("age", .integer(0), .ok(.integer(0))),
    ValueCase("age", .integer(121), .error("out_of_range")),
    ValueCase("age", .double(-0.5), .error("out_of_range")),
    ValueCase("age", .unrepresentableNumber, .error("out_of_range")),
    ValueCase("age", .double(.nan), .error("invalid")),
    ValueCase("age", .string("30"), .error("type_mismatch")),
    ValueCase("age", .bool(true), .error("type_mismatch")),
    // money with a fixed currency
    ValueCase("budget", money(129_900, "CNY"), .ok(money(129_900, "CNY"))),
    ValueCase("budget", .object(["amount_minor": .integer(500)]), .ok(money(500, "CNY"))),
    ValueCase("budget", .object(["amount_minor": .integer(500), "currency": .string(" cny ")]), .ok(money(500, "CNY"))),
    ValueCase("budget", .object(["amount_minor": .double(500)]), .ok(money(500, "CNY"))),
    ValueCase("budget", money(500, "USD"), .error("invalid")),
    ValueCase("budget", .object(["amount_minor": .double(1.5)]), .error("invalid")),
    ValueCase("budget", .object(["amount_minor": .string("100")]), .error("invalid")),
    ValueCase("budget", .object(["currency": .string("CNY")]), .error("invalid")),
    ValueCase("budget", .object(["amount_minor": .integer(1), "currency": .string("CNY"), "note": .string("x")]), .error("invalid")),
    ValueCase("budget", .object(["amount_minor": .unrepresentableNumber]), .error("out_of_range")),
    ValueCase("budget", money(-1, "CNY"), .error("out_of_range")),
    ValueCase("budget", .integer(100), .error("type_mismatch")),
    // money in any currency
    ValueCase("revenue", money(5, "USD"), .ok(money(5, "USD"))),
    ValueCase("revenue", .object(["amount_minor": .integer(5)]), .error("invalid")),
    ValueCase("revenue", money(5, "US"), .error("invalid")),
    ValueCase("revenue", .object(["amount_minor": .integer(5), "currency": .integer(156)]), .error("invalid")),
    // date
    ValueCase("trial", .string("2024-02-29"), .ok(.string("2024-02-29"))),
    ValueCase("trial", .string("2000-02-29"), .ok(.string("2000-02-29"))),
    ValueCase("trial", .string(" 2024-05-06 "), .ok(.string("2024-05-06"))),
    ValueCase("trial", .string("2023-02-29"), .error("invalid")),
    ValueCase("trial", .string("1900-02-29"), .error("invalid")),
    ValueCase("trial", .string("2024-04-31"), .error("invalid")),
    ValueCase("trial", .string("2024-13-01"), .error("invalid")),
    ValueCase("trial", .string("2024-00-10"), .error("invalid")),
    ValueCase("trial", .string("2024-1-01"), .error("invalid")),
    ValueCase("trial", .string("0000-01-01"), .error("invalid")),
    ValueCase("trial", .string("2024-05-06T00:00:00Z"), .error("invalid")),
    ValueCase("trial", .integer(20_240_506), .error("type_mismatch")),
    // enum
    ValueCase("grade", .string("a"), .ok(.string("a"))),
    ValueCase("grade", .string(" b "), .ok(.string("b"))),
    ValueCase("grade", .string("zz"), .error("invalid")),
    ValueCase("grade", .string("old"), .error("archived")),
    ValueCase("grade", .array([.string("a")]), .error("type_mismatch")),
    ValueCase("grade", .string(""), .ok(.null)),
    // multi_enum
    ValueCase("subjects", .array([.string("math"), .string("art"), .string("math")]), .ok(.array([.string("art"), .string("math")]))),
    ValueCase("subjects", .array([]), .ok(.null)),
    ValueCase("subjects", .array([.string("old")]), .error("archived")),
    ValueCase("subjects", .array([.string("math"), .string("zz")]), .error("invalid")),
    ValueCase("subjects", .array([.integer(1)]), .error("type_mismatch")),
    ValueCase("subjects", .string("math"), .error("type_mismatch")),
    // bool
    ValueCase("vip", .bool(true), .ok(.bool(true))),
    ValueCase("vip", .bool(false), .ok(.bool(false))),
    ValueCase("vip", .string("true"), .error("type_mismatch")),
    ValueCase("vip", .integer(1), .error("type_mismatch")),
    // phone and email, by the normalisers passed in
    ValueCase("mobile", .string("138 0013 8000"), .ok(.string("+8613800138000"))),
    ValueCase("mobile", .string("12345"), .error("invalid")),
    ValueCase("mobile", .integer(13_800_138_000), .error("type_mismatch")),
    ValueCase("mail", .string(" Ann@Example.COM "), .ok(.string("ann@example.com"))),
    ValueCase("mail", .string("nope"), .error("invalid")),
    // user and record links
    ValueCase("manager", .string("usr_" + ulidBody), .ok(.string("usr_" + ulidBody))),
    ValueCase("manager", .string("cus_" + ulidBody), .error("invalid")),
    ValueCase("manager", .string("usr_short"), .error("invalid")),
    ValueCase("referrer", .string("cus_" + ulidBody), .ok(.string("cus_" + ulidBody))),
    ValueCase("referrer", .string("lead_" + ulidBody), .error("invalid")),
    ValueCase("deal", .string("opp_" + ulidBody), .ok(.string("opp_" + ulidBody))),
    ValueCase("deal", .string("cus_" + ulidBody), .error("invalid")),
    ValueCase("deal", .object([:]), .error("type_mismatch")),
] + testFields.filter { !$0.required }.map { ValueCase($0.key, .null, .ok(.null)) }

@Suite struct CustomFieldValidationTests {
    @Test(arguments: valueCases)
    func eachTypeNormalisesOrRefuses(_ test: ValueCase) {
        let result = validation.validate([test.key: test.value], against: testFields, requireRequired: false)
        switch (result, test.expected) {
        case (.success(let values), .ok(let expected)):
            #expect(values == [test.key: expected])
        case (.failure(let error), .error(let code)):
            #expect(error.code == .validationFailed)
            #expect(error.fieldErrors.map(\.field) == ["custom_fields.\(test.key)"])
            #expect(error.fieldErrors.map(\.code) == [code])
        default:
            Issue.record("expected \(test.expected), got \(result)")
        }
    }

    @Test func everyTypeIsCovered() {
        let covered = Set(valueCases.compactMap { test in testFields.first { $0.key == test.key }?.type })
        #expect(covered == Set(FieldType.allCases))
    }

    @Test func unknownKeysAreRefused() throws {
        let error = try #require(validation.validate(["shoe_size": .integer(42)], against: testFields, requireRequired: false).failure)
        #expect(error.fieldErrors == [FieldError(field: "custom_fields.shoe_size", code: "unknown_field", message: "There is no custom field shoe_size.")])
    }

    @Test func archivedFieldsTakeNoNewValuesButMayBeCleared() throws {
        let refused = try #require(validation.validate(["legacy": .string("x")], against: testFields, requireRequired: false).failure)
        #expect(refused.fieldErrors.map(\.code) == ["archived"])
        let wrongType = try #require(validation.validate(["legacy": .integer(1)], against: testFields, requireRequired: false).failure)
        #expect(wrongType.fieldErrors.map(\.code) == ["archived"])
        let cleared = validation.validate(["legacy": .null, "note": .string("")], against: testFields, requireRequired: false)
        #expect(cleared.success == ["legacy": .null, "note": .null])
    }

    @Test func requiredFieldsOnCreateAndWhenCleared() throws {
        let missing = try #require(validation.validate(["age": .integer(3)], against: testFields, requireRequired: true).failure)
        #expect(missing.fieldErrors.map(\.field) == ["custom_fields.name_cn"], "archived required fields are not demanded")
        #expect(missing.fieldErrors.map(\.code) == ["required"])

        let created = validation.validate(["name_cn": .string(" 张三 ")], against: testFields, requireRequired: true)
        #expect(created.success == ["name_cn": .string("张三")])

        // An update may leave it out, but not clear it.
        #expect(validation.validate([:], against: testFields, requireRequired: false).success == [:])
        for clearing in [JSONValue.null, .string("  ")] {
            let cleared = try #require(validation.validate(["name_cn": clearing], against: testFields, requireRequired: false).failure)
            #expect(cleared.fieldErrors.map(\.code) == ["required"])
            let onCreate = try #require(validation.validate(["name_cn": clearing], against: testFields, requireRequired: true).failure)
            #expect(onCreate.fieldErrors.count == 1, "one error per field")
        }
    }

    @Test func everyProblemIsNamedInKeyOrder() throws {
        let error = try #require(
            validation.validate(
                ["vip": .string("yes"), "age": .integer(500), "zzz": .bool(true), "grade": .string("a")],
                against: testFields, requireRequired: true
            ).failure)
        #expect(error.fieldErrors.map(\.field) == ["custom_fields.age", "custom_fields.vip", "custom_fields.zzz", "custom_fields.name_cn"])
        #expect(error.fieldErrors.map(\.code) == ["out_of_range", "type_mismatch", "unknown_field", "required"])
    }

    @Test func filledKeysFeedTheEngine() {
        let values: [String: JSONValue] = [
            "a": .string("x"), "b": .string(" "), "c": .null, "d": .array([]), "e": .bool(false), "f": .integer(0), "g": money(0, "CNY"),
        ]
        #expect(CustomFieldValidation.filledKeys(values) == ["a", "e", "f", "g"])
    }

    @Test func theEducationDictionaryValidatesItsOwnFields() throws {
        let fields = try #require(BusinessDictionary.education[.customer]).fields
        let values: [String: JSONValue] = [
            "grade": .string("primary_3"), "subject_interest": .array([.string("math"), .string("english")]),
            "trial_class_date": .string("2025-09-01"), "parent_phone": .string("13800138000"),
            "budget": .object(["amount_minor": .integer(1_299_900)]), "referred_by": .string("cus_" + ulidBody),
            "student_name": .string("小明"),
        ]
        let normalised = try validation.validate(values, against: fields, requireRequired: true).get()
        #expect(normalised["subject_interest"] == .array([.string("english"), .string("math")]))
        #expect(normalised["budget"] == money(1_299_900, "CNY"))
        #expect(normalised["parent_phone"] == .string("+8613800138000"))
    }

    @Test func calendarDates() {
        #expect(CustomFieldValidation.daysIn(month: 2, year: 2024) == 29)
        #expect(CustomFieldValidation.daysIn(month: 2, year: 2100) == 28)
        #expect(CustomFieldValidation.daysIn(month: 2, year: 2400) == 29)
        #expect(CustomFieldValidation.isCalendarDate("9999-12-31") && !CustomFieldValidation.isCalendarDate("２０２４-01-01"))
    }
}

extension Result {
    fileprivate var success: Success? { if case .success(let value) = self { value } else { nil } }
    fileprivate var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
