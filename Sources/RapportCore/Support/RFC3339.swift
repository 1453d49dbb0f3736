import Foundation

/// RFC 3339 UTC times with millisecond precision, e.g. `2026-11-26T14:37:30.123Z`.
public enum RFC3339 {
    /// Formats `date`, milliseconds truncated. Unlike Foundation's ISO 8601 style it counts from
    /// the exact microsecond (a time stored as `…04.900` is not written `…04.899`).
    public static func format(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Foundation's formatting: the reference `format` is tested against, and the fallback
    /// outside the Gregorian years 1583–9999.
    static func formatWithFoundation(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// Appends the formatted time to `bytes` without allocating a string.
    public static func append(_ date: Date, to bytes: inout [UInt8]) {
        let seconds = date.timeIntervalSince1970
        let micros = (seconds * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 2.5e17 else { return bytes.append(contentsOf: formatWithFoundation(date).utf8) }
        var total = Int64(micros)
        total = total >= 0 ? total / 1000 : (total - 999) / 1000  // floor to milliseconds
        let milli = Int(((total % 1000) + 1000) % 1000)
        total = (total - Int64(milli)) / 1000
        let secondOfDay = Int(((total % 86_400) + 86_400) % 86_400)
        let days = (total - Int64(secondOfDay)) / 86_400
        // Days to a civil date (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        guard (1583...9999).contains(year) else { return bytes.append(contentsOf: formatWithFoundation(date).utf8) }
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(milli, 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Parses an RFC 3339 time with or without fractional seconds, in any offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
