import Foundation
@testable import RapportCore
import Testing

/// RFC 3339 times as the API writes them: Foundation's ISO 8601 format, but counted from the
/// exact microsecond.
@Suite struct RFC3339Tests {
    @Test func timesMatchFoundationsFormat() {
        var random = SplitMix64(seed: 7)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.0005), Date(timeIntervalSince1970: 951_782_400.999_9),
                     Date(timeIntervalSince1970: 4_102_444_799.999)]
        for _ in 0..<5_000 { dates.append(Self.date(&random)) }
        for date in dates {
            // Foundation truncates a binary fraction (…04.9 may print …04.899); half a millisecond
            // past the exact millisecond makes its truncation land where ours does.
            let millis = ((date.timeIntervalSince1970 * 1_000_000).rounded() / 1000).rounded(.down)
            let reference = RFC3339.formatWithFoundation(Date(timeIntervalSince1970: (millis + 0.5) / 1000))
            #expect(RFC3339.format(date) == reference, "\(date.timeIntervalSince1970)")
        }
        #expect(RFC3339.format(Date(timeIntervalSince1970: 885_725_824.9)) == "1998-01-25T10:57:04.900Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -0.0005)) == "1969-12-31T23:59:59.999Z")
    }

    static func date(_ random: inout SplitMix64) -> Date {
        // 1901–2150, with sub-millisecond fractions and exact milliseconds.
        let seconds = Double(Int64.random(in: -2_177_452_800...5_680_281_600, using: &random))
        let fraction = Bool.random(using: &random) ? Double(Int.random(in: 0...999, using: &random)) / 1000 : Double.random(in: 0..<1, using: &random)
        return Date(timeIntervalSince1970: seconds + fraction)
    }
}
