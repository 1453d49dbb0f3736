import Foundation

/// An iCalendar (RFC 5545) writer for task feeds: CRLF line ends, content lines folded at 75
/// octets (never inside a UTF-8 sequence), TEXT values escaped (`\\`, `;`, `,`, newlines), times
/// in UTC. Pure: the stamp time is passed in.
public enum ICalendar {
    /// One event of a feed.
    public struct Event: Sendable, Equatable {
        /// Stable across fetches, so calendar apps update the event rather than add another.
        public var uid: String
        public var summary: String
        public var description: String?
        public var start: Date
        public var duration: TimeInterval
        /// 1 (highest) … 9 (lowest), 0 undefined.
        public var priority: Int
        public var categories: [String]
        public var url: String?
        public var lastModified: Date
        /// A display alarm this many minutes before the start.
        public var alarmMinutes: Int?

        public init(uid: String, summary: String, description: String? = nil, start: Date, duration: TimeInterval = 30 * 60, priority: Int = 0,
                    categories: [String] = [], url: String? = nil, lastModified: Date, alarmMinutes: Int? = nil) {
            self.uid = uid
            self.summary = summary
            self.description = description
            self.start = start
            self.duration = duration
            self.priority = priority
            self.categories = categories
            self.url = url
            self.lastModified = lastModified
            self.alarmMinutes = alarmMinutes
        }
    }

    /// A whole calendar (`VCALENDAR`) of `events`, stamped `stamp`.
    public static func calendar(name: String, events: [Event], stamp: Date) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rapport//Tasks//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-CALNAME:" + escape(name), "X-PUBLISHED-TTL:PT15M", "REFRESH-INTERVAL;VALUE=DURATION:PT15M"]
        for event in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:" + escape(event.uid))
            lines.append("DTSTAMP:" + dateTime(stamp))
            lines.append("DTSTART:" + dateTime(event.start))
            lines.append("DTEND:" + dateTime(event.start.addingTimeInterval(event.duration)))
            lines.append("LAST-MODIFIED:" + dateTime(event.lastModified))
            lines.append("SUMMARY:" + escape(event.summary))
            if let description = event.description { lines.append("DESCRIPTION:" + escape(description)) }
            if !event.categories.isEmpty { lines.append("CATEGORIES:" + event.categories.map(escape).joined(separator: ",")) }
            if event.priority > 0 { lines.append("PRIORITY:\(event.priority)") }
            if let url = event.url { lines.append("URL:" + url) }
            lines.append("TRANSP:TRANSPARENT")
            if let minutes = event.alarmMinutes {
                lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + escape(event.summary), "TRIGGER:-PT\(minutes)M", "END:VALARM"]
            }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A TEXT value escaped: backslash, semicolon, comma, and line breaks as `\n`.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\r": result += "\\n"
            case "\n": if !previousCR { result += "\\n" }
            default:
                // Other control characters are not allowed in a content line.
                if scalar.value < 0x20 || scalar.value == 0x7F { result += " " } else { result.unicodeScalars.append(scalar) }
            }
            previousCR = scalar == "\r"
        }
        return result
    }

    /// A content line folded so no line is longer than 75 octets: continuation lines start with
    /// one space, and a UTF-8 sequence is never split.
    public static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var result = ""
        var octets = 0
        var limit = 75
        for character in line.unicodeScalars {
            let size = String(character).utf8.count
            if octets + size > limit {
                result += "\r\n "
                octets = 1
                limit = 75
            }
            result.unicodeScalars.append(character)
            octets += size
        }
        return result
    }

    /// A UTC DATE-TIME: `20260105T090000Z`.
    public static func dateTime(_ date: Date) -> String {
        let text = RFC3339.format(date)  // 2026-01-05T09:00:00Z or with fractions
        let digits = text.prefix(19).filter { $0 != "-" && $0 != ":" }
        return digits + "Z"
    }
}
