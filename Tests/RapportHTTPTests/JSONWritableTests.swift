import Foundation
@testable import RapportApp
import RapportCore
@testable import RapportHTTP
import Testing

/// The hand-written JSON of the hot responses is byte for byte what `JSONCoding.encoder` writes,
/// over randomly generated values with awkward text, numbers and times.
@Suite struct JSONWritableTests {
    typealias Random = SplitMix64

    static let pieces = ["a", "Zoë", "王小明", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}", "\u{1F}", "\u{7F}",
                         "😀", "\u{2028}", "ｆ", "\u{FFFD}", "\u{E000}", " ", "<script>", "&", "'", "é", "\u{0301}", "%", "{}", "[1,2]", "null"]

    static func text(_ random: inout Random) -> String {
        (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func optionalText(_ random: inout Random) -> String? { Bool.random(using: &random) ? text(&random) : nil }

    static func date(_ random: inout Random) -> Date {
        // 1901–2150, with sub-millisecond fractions and exact milliseconds.
        let seconds = Double(Int64.random(in: -2_177_452_800...5_680_281_600, using: &random))
        let fraction = Bool.random(using: &random) ? Double(Int.random(in: 0...999, using: &random)) / 1000 : Double.random(in: 0..<1, using: &random)
        return Date(timeIntervalSince1970: seconds + fraction)
    }

    static func json(_ random: inout Random, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0...(depth > 2 ? 4 : 6), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .integer([0, -1, 42, Int64.max, Int64.min, Int64.random(in: -1_000_000...1_000_000, using: &random)].randomElement(using: &random)!)
        case 3: return .double([0.5, 1.5, 2.0, -3.25, 1e20, 1e-7, 123_456.789, 0.1, 100.0, -0.5, 1e300].randomElement(using: &random)!)
        case 4: return .string(text(&random))
        case 5: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in json(&random, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) { object[text(&random) + ["", "_a", "A", "b1", "10", "2"].randomElement(using: &random)!] = json(&random, depth: depth + 1) }
            return .object(object)
        }
    }

    static func id(_ prefix: String, _ random: inout Random) -> RecordID { RecordID(trusted: prefix + "_" + String(random.next() % 1_000_000)) }

    static func customer(_ random: inout Random) -> Customer {
        var fields: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &random) { fields["field_" + text(&random)] = json(&random) }
        return Customer(
            id: id("cus", &random), kind: Customer.Kind.allCases.randomElement(using: &random)!, name: text(&random),
            company: optionalText(&random), title: optionalText(&random), ownerID: Bool.random(using: &random) ? id("usr", &random) : nil,
            teamID: Bool.random(using: &random) ? id("tem", &random) : nil, source: optionalText(&random), stage: text(&random),
            stageEnteredAt: date(&random), lifecycle: GenericLifecycle.allCases.randomElement(using: &random),
            valueTier: optionalText(&random), score: Bool.random(using: &random) ? Int64.random(in: -5...1_000, using: &random) : nil,
            doNotContact: Bool.random(using: &random), doNotContactReason: optionalText(&random), idNumber: optionalText(&random),
            externalRef: optionalText(&random), customFields: fields,
            contacts: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                ContactPoint(id: id("cp", &random), kind: ContactPoint.Kind.allCases.randomElement(using: &random)!, value: text(&random),
                             label: optionalText(&random), isPrimary: Bool.random(using: &random))
            },
            tags: (0..<Int.random(in: 0...3, using: &random)).map { _ in text(&random) },
            consents: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                Consent(channel: Consent.Channel.allCases.randomElement(using: &random)!, purpose: Consent.Purpose.allCases.randomElement(using: &random)!,
                        status: Consent.Status.allCases.randomElement(using: &random)!, source: optionalText(&random), recordedAt: date(&random))
            },
            version: Int64.random(in: 1...100, using: &random), createdAt: date(&random), updatedAt: date(&random))
    }

    static func activity(_ random: inout Random) -> Activity {
        Activity(id: id("act", &random), customerID: id("cus", &random), type: Activity.ActivityType.allCases.randomElement(using: &random)!,
                 direction: Activity.Direction.allCases.randomElement(using: &random)!, subject: optionalText(&random), body: optionalText(&random),
                 occurredAt: date(&random), durationSeconds: Bool.random(using: &random) ? Int64.random(in: 0...9_999, using: &random) : nil,
                 outcome: optionalText(&random), place: optionalText(&random), relatedKind: optionalText(&random), relatedID: optionalText(&random),
                 actorID: Bool.random(using: &random) ? id("usr", &random) : nil, capWarning: Bool.random(using: &random), createdAt: date(&random))
    }

    func expectSame(_ value: some JSONWritable) throws {
        let fast = String(decoding: value.jsonBytes(), as: UTF8.self)
        let reference = String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
        #expect(fast == reference)
    }

    @Test func customersListsAnd360MatchTheEncoder() throws {
        var random = Random(seed: 20_261_129)
        for round in 0..<1_000 {
            let customers = (0..<Int.random(in: 0...4, using: &random)).map { _ in Self.customer(&random) }
            let cursor = Bool.random(using: &random) ? PageCursor(after: "cus_\(round)") : nil
            try expectSame(ListResponse(Page(items: customers, nextCursor: cursor), CustomerDTO.init))
            let activities = (0..<Int.random(in: 0...4, using: &random)).map { _ in Self.activity(&random) }
            try expectSame(ListResponse(Page(items: activities, nextCursor: cursor), ActivityDTO.init))
            var timeInStage: [String: TimeInterval] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &random) { timeInStage[Self.text(&random)] = Double.random(in: 0...1e7, using: &random) }
            let view = CustomerUseCases.View360(
                customer: Self.customer(&random),
                relations: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                    .init(id: Self.id("rel", &random), type: Self.text(&random), otherID: Self.id("cus", &random), otherName: Self.text(&random),
                          otherKind: Customer.Kind.allCases.randomElement(using: &random)!, note: Self.optionalText(&random), createdAt: Self.date(&random))
                },
                timeline: Page(items: activities, nextCursor: cursor),
                stageHistory: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    StageChange(from: Self.optionalText(&random), to: Self.text(&random), at: Self.date(&random),
                                by: Bool.random(using: &random) ? Self.id("usr", &random) : nil, reason: Self.optionalText(&random))
                },
                timeInStage: timeInStage,
                stageLabel: Bool.random(using: &random) ? LocalizedText(zhHans: Self.text(&random), en: Self.text(&random)) : nil,
                outboundTouches: Int.random(in: 0...9, using: &random),
                frequencyCap: ContactFrequencyCap(limit: Int.random(in: 1...9, using: &random), periodDays: 7,
                                                  mode: ContactFrequencyCap.Mode.allCases.randomElement(using: &random)!))
            try expectSame(Customer360DTO(view))
        }
    }
}
