import Foundation

/// One number of a chart: what it is called, its value, and the value worded for the reader.
public struct ChartValue: Sendable, Equatable {
    public var label: String
    public var value: Double
    public var formatted: String

    public init(label: String, value: Double, formatted: String) {
        self.label = label
        self.value = value
        self.formatted = formatted
    }
}

/// A group of bars (a rep, a team, a source): one value per series of the chart.
public struct ChartGroup: Sendable, Equatable {
    public var label: String
    public var values: [ChartValue]

    public init(label: String, values: [ChartValue]) {
        self.label = label
        self.values = values
    }
}

/// Server-drawn SVG charts for the manager's pages: pure functions from typed numbers to an SVG
/// string. Every chart is an image with a title and a description (`role="img"`,
/// `aria-labelledby`), every bar carries its number in a `<title>` (shown on hover), long labels
/// are cut with an ellipsis (the whole label in a title), every text is escaped, and a viewBox
/// lets the chart shrink to a phone's width. Colours come from classes (the page's CSP forbids
/// inline styles): `bar`, `s0`…`s4` per series, `label`, `value`, `rate`.
public enum SVGChart {
    /// The drawing's width in user units (its widest size on screen; it shrinks to fit).
    public static let width = 360
    static let fontSize = 13.0
    static let barHeight = 14
    static let funnelHeight = 22
    /// Room right of the longest bar for its number (at least; more for wider numbers).
    static let valueRoom = 64

    /// A horizontal bar chart: per group its label, then one bar per series with its number. With
    /// more than one series a legend names them. `id` makes the element ids unique on the page.
    public static func bars(id: String, title: String, description: String, series: [String], groups: [ChartGroup]) -> String {
        var body = ""
        var y = 0
        if series.count > 1 {
            let (legend, height) = self.legend(series)
            body += legend
            y += height + 6
        }
        let largest = groups.flatMap(\.values).map(\.value).max() ?? 0
        // Room right of the longest bar for the widest number (money needs more than a count).
        let widest = groups.flatMap(\.values).map { estimatedWidth($0.formatted) }.max() ?? 0
        let room = Double(width) - max(Double(valueRoom), (widest + 8).rounded(.up))
        for group in groups {
            body += text(group.label, x: 0, y: y + 13, className: "label", maxWidth: Double(width))
            y += 18
            for (index, value) in group.values.enumerated() {
                let length = barLength(value.value, of: largest, room: room)
                let name = series.indices.contains(index) ? series[index] : value.label
                let hover = escapeXML("\(group.label) · \(name): \(value.formatted)")
                body += "<rect class=\"bar s\(index % 5)\" x=\"0\" y=\"\(y)\" width=\"\(format(length))\" height=\"\(barHeight)\"><title>\(hover)</title></rect>"
                body += "<text class=\"value\" x=\"\(format(length + 4))\" y=\"\(y + barHeight - 2)\">\(escapeXML(value.formatted))</text>"
                y += barHeight + 4
            }
            y += 8
        }
        return frame(id: id, title: title, description: description, height: max(y, 20), body: body)
    }

    /// A funnel: one centred bar per stage, as wide as its share of the widest, its label and
    /// number above it, and between two stages the conversion from one to the next (`rates[i]`:
    /// from stage i to i + 1; nil shows nothing).
    public static func funnel(id: String, title: String, description: String, stages: [ChartValue], rates: [String?]) -> String {
        var body = ""
        var y = 0
        let largest = stages.map(\.value).max() ?? 0
        let middle = Double(width) / 2
        for (index, stage) in stages.enumerated() {
            body += text("\(stage.label) · \(stage.formatted)", x: middle, y: y + 13, className: "label", anchor: "middle", maxWidth: Double(width))
            y += 18
            let length = barLength(stage.value, of: largest, room: Double(width))
            let hover = escapeXML("\(stage.label): \(stage.formatted)")
            body += "<rect class=\"bar s\(index % 5)\" x=\"\(format(middle - length / 2))\" y=\"\(y)\" width=\"\(format(length))\" height=\"\(funnelHeight)\"><title>\(hover)</title></rect>"
            y += funnelHeight + 4
            if index < stages.count - 1, rates.indices.contains(index), let rate = rates[index] {
                body += "<text class=\"rate\" x=\"\(format(middle))\" y=\"\(y + 13)\" text-anchor=\"middle\">↓ \(escapeXML(rate))</text>"
                y += 20
            }
        }
        return frame(id: id, title: title, description: description, height: max(y, 20), body: body)
    }

    /// A small meter: `value` of `limit` as a bar filling a track, marked `full` at or past the
    /// limit; `title` (its accessible name and hover text) says the numbers.
    public static func meter(title: String, value: Double, limit: Double, width: Int = 120) -> String {
        let share = limit > 0 ? min(1, max(0, value / limit)) : (value > 0 ? 1 : 0)
        let full = value >= limit && limit >= 0
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"meter\" role=\"img\" viewBox=\"0 0 \(width) 10\" width=\"\(width)\" height=\"10\">"
            + "<title>\(escapeXML(title))</title><rect class=\"track\" width=\"\(width)\" height=\"10\" rx=\"3\"></rect>"
            + "<rect class=\"fill\(full ? " full" : "")\" width=\"\(format((share * Double(width) * 10).rounded() / 10))\" height=\"10\" rx=\"3\"></rect></svg>"
    }

    /// Text made safe for XML (and HTML) content and attribute values: the five special
    /// characters as entities, and control characters (which XML forbids) as spaces.
    public static func escapeXML(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    result += " "
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// `text` cut with an ellipsis to fit `maxWidth` user units at the charts' font size (wide
    /// characters — Chinese, Japanese, Korean, full-width forms — count about twice a Latin one).
    public static func truncated(_ text: String, maxWidth: Double) -> String {
        guard estimatedWidth(text) > maxWidth else { return text }
        var kept = ""
        var used = estimatedWidth("…")
        for character in text {
            let next = estimatedWidth(String(character))
            if used + next > maxWidth { break }
            kept.append(character)
            used += next
        }
        return kept + "…"
    }

    /// The width of `text` in user units, estimated from its characters.
    static func estimatedWidth(_ text: String) -> Double {
        text.unicodeScalars.reduce(0) { sum, scalar in
            let value = scalar.value
            let wide = (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
                || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
                || (0xFFE0...0xFFE6).contains(value) || (0x20000...0x3FFFD).contains(value)
            return sum + fontSize * (wide ? 1.0 : 0.6)
        }
    }

    static func barLength(_ value: Double, of largest: Double, room: Double) -> Double {
        guard largest > 0, value > 0, value.isFinite else { return 0 }
        return max(1, (value / largest * room * 10).rounded() / 10)
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(format: "%.1f", number)
    }

    /// A label: cut to fit, with the whole label in its title when cut.
    static func text(_ label: String, x: Double, y: Int, className: String, anchor: String? = nil, maxWidth: Double) -> String {
        let shown = truncated(label, maxWidth: maxWidth)
        let full = shown == label ? "" : "<title>\(escapeXML(label))</title>"
        let anchored = anchor.map { " text-anchor=\"\($0)\"" } ?? ""
        return "<text class=\"\(className)\" x=\"\(format(x))\" y=\"\(y)\"\(anchored)>\(full)\(escapeXML(shown))</text>"
    }

    /// The series' names with their colours, wrapped over as many rows as needed.
    static func legend(_ series: [String]) -> (String, Int) {
        var body = ""
        var x = 0.0
        var y = 0
        for (index, name) in series.enumerated() {
            let shown = truncated(name, maxWidth: 160)
            let itemWidth = 16 + estimatedWidth(shown) + 14
            if x > 0, x + itemWidth > Double(width) {
                x = 0
                y += 18
            }
            body += "<rect class=\"bar s\(index % 5)\" x=\"\(format(x))\" y=\"\(y + 3)\" width=\"11\" height=\"11\"></rect>"
            body += "<text class=\"legend\" x=\"\(format(x + 16))\" y=\"\(y + 13)\">\(escapeXML(shown))</text>"
            x += itemWidth
        }
        return (body, y + 18)
    }

    static func frame(id: String, title: String, description: String, height: Int, body: String) -> String {
        let id = escapeXML(id)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" "
            + "viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\">"
            + "<title id=\"\(id)-title\">\(escapeXML(title))</title><desc id=\"\(id)-desc\">\(escapeXML(description))</desc>"
            + body + "</svg>"
    }
}
