import Foundation
import RapportWeb
import Testing

/// The manager pages' SVG charts: accessible (an image with a title and a description, each bar's
/// number in its title), escaped, labels cut to fit, proportional bars, scalable.
@Suite struct SVGChartTests {
    @Test func escapeXMLTurnsEverySpecialCharacterIntoAnEntity() {
        #expect(SVGChart.escapeXML("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(SVGChart.escapeXML("a & b \"c\" 'd'") == "a &amp; b &quot;c&quot; &#39;d&#39;")
        #expect(SVGChart.escapeXML("&lt;") == "&amp;lt;", "already escaped text is escaped again, never trusted")
        #expect(SVGChart.escapeXML("线索\u{0}x\u{1B}y\tz") == "线索 x y\tz", "control characters XML forbids become spaces")
        #expect(SVGChart.escapeXML("") == "")
    }

    @Test func barsAreAnAccessibleImageWithEveryNumberInATitle() {
        let groups = [
            ChartGroup(label: "East", values: [ChartValue(label: "claimed", value: 10, formatted: "10"), ChartValue(label: "converted", value: 5, formatted: "5")]),
            ChartGroup(label: "West", values: [ChartValue(label: "claimed", value: 0, formatted: "0"), ChartValue(label: "converted", value: 2, formatted: "2")]),
        ]
        let svg = SVGChart.bars(id: "turnover", title: "Lead turnover", description: "Claimed and converted per team", series: ["Claimed", "Converted"], groups: groups)
        #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"turnover-title turnover-desc\""))
        #expect(svg.contains("<title id=\"turnover-title\">Lead turnover</title><desc id=\"turnover-desc\">Claimed and converted per team</desc>"))
        #expect(svg.contains("viewBox=\"0 0 360 ") && !svg.contains("style="))
        #expect(svg.contains("<title>East · Claimed: 10</title>") && svg.contains("<title>West · Converted: 2</title>"))
        // The largest bar spans the room left for numbers; the others in proportion; zero draws nothing.
        #expect(svg.contains("class=\"bar s0\" x=\"0\" y=\"42\" width=\"296\""))
        #expect(svg.contains("width=\"148\" height=\"14\"><title>East · Converted: 5</title>"))
        #expect(svg.contains("width=\"0\" height=\"14\"><title>West · Claimed: 0</title>"))
        #expect(svg.contains("width=\"59.2\" height=\"14\"><title>West · Converted: 2</title>"))
        // A legend names each series (one series needs none).
        #expect(svg.contains(">Claimed</text>") && svg.contains(">Converted</text>"))
        let single = SVGChart.bars(id: "x", title: "t", description: "d", series: ["Only"], groups: [groups[0]])
        #expect(!single.contains(">Only</text>") && single.contains("<title>East · Only: 10</title>"))
    }

    @Test func wideNumbersGetRoomRightOfTheLongestBar() {
        let money = [ChartGroup(label: "Proposal", values: [ChartValue(label: "open", value: 2_000_000, formatted: "¥20,000.00"),
                                                            ChartValue(label: "weighted", value: 800_000, formatted: "¥8,000.00")])]
        let svg = SVGChart.bars(id: "m", title: "t", description: "d", series: ["Open", "Weighted"], groups: money)
        // "¥20,000.00" is 10 characters, 78 units at the charts' font size: with 8 to spare the longest bar is 360 − 86 = 274.
        #expect(svg.contains("width=\"274\" height=\"14\"><title>Proposal · Open: ¥20,000.00</title>"))
        #expect(svg.contains("<text class=\"value\" x=\"278\" y=\"54\">¥20,000.00</text>"), "the number starts right of the bar and ends inside the drawing")
        #expect(svg.contains("width=\"109.6\" height=\"14\"><title>Proposal · Weighted: ¥8,000.00</title>"))
    }

    @Test func everyTextIsEscapedInsideTheChart() {
        let evil = "<script>alert(1)</script>"
        let bars = SVGChart.bars(id: "a\"b", title: evil, description: evil, series: [evil, "B"],
                                 groups: [ChartGroup(label: evil, values: [ChartValue(label: evil, value: 1, formatted: evil)])])
        let funnel = SVGChart.funnel(id: "f", title: evil, description: evil, stages: [ChartValue(label: evil, value: 3, formatted: evil),
                                                                                        ChartValue(label: "b", value: 1, formatted: "1")], rates: [evil])
        for svg in [bars, funnel] {
            #expect(!svg.contains("<script") && !svg.contains("alert(1)</"))
            #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
        #expect(bars.contains("id=\"a&quot;b-title\""))
    }

    @Test func longLabelsAreCutWithAnEllipsisAndShownWholeInTheTitle() {
        let long = String(repeating: "Northern region advisors ", count: 6)
        #expect(SVGChart.truncated("Short", maxWidth: 360) == "Short")
        let cut = SVGChart.truncated(long, maxWidth: 200)
        #expect(cut.hasSuffix("…") && cut.count < long.count && long.hasPrefix(String(cut.dropLast())))
        let chinese = String(repeating: "华东区课程顾问", count: 10)
        let cutChinese = SVGChart.truncated(chinese, maxWidth: 200)
        #expect(cutChinese.count <= 16 && cutChinese.hasSuffix("…"), "wide characters take about twice the room")
        let svg = SVGChart.bars(id: "x", title: "t", description: "d", series: ["n"],
                                groups: [ChartGroup(label: long, values: [ChartValue(label: "n", value: 1, formatted: "1")])])
        #expect(svg.contains("<title>\(long)</title>") && svg.contains("…</text>"))
    }

    @Test func aFunnelShowsEachStageAndTheConversionBetweenThem() {
        let stages = [ChartValue(label: "New", value: 10, formatted: "10"), ChartValue(label: "Contacting", value: 5, formatted: "5"),
                      ChartValue(label: "Converted", value: 1, formatted: "1")]
        let svg = SVGChart.funnel(id: "funnel", title: "Lead funnel", description: "From new to converted", stages: stages, rates: ["50.0%", "20.0%"])
        #expect(svg.contains("role=\"img\"") && svg.contains("<title id=\"funnel-title\">Lead funnel</title>"))
        #expect(svg.contains(">New · 10</text>") && svg.contains(">Contacting · 5</text>") && svg.contains(">Converted · 1</text>"))
        #expect(svg.contains("x=\"0\" y=\"18\" width=\"360\" height=\"22\"><title>New: 10</title>"))
        #expect(svg.contains("x=\"90\" y=\"82\" width=\"180\" height=\"22\"><title>Contacting: 5</title>"))
        #expect(svg.contains("↓ 50.0%") && svg.contains("↓ 20.0%"))
        let empty = SVGChart.funnel(id: "e", title: "t", description: "d", stages: [ChartValue(label: "New", value: 0, formatted: "0")], rates: [])
        #expect(empty.contains("width=\"0\" height=\"22\""))
    }

    @Test func aMeterFillsItsShareOfTheLimitAndIsMarkedFullAtIt() {
        let half = SVGChart.meter(title: "Rep <A>: 4 / 8", value: 4, limit: 8)
        #expect(half.contains("role=\"img\"") && half.contains("<title>Rep &lt;A&gt;: 4 / 8</title>"))
        #expect(half.contains("<rect class=\"fill\" width=\"60\" height=\"10\""))
        let over = SVGChart.meter(title: "t", value: 9, limit: 8)
        #expect(over.contains("<rect class=\"fill full\" width=\"120\""), "past the limit the bar stops at the end and is marked full")
        #expect(SVGChart.meter(title: "t", value: 0, limit: 0).contains("class=\"fill full\" width=\"0\""))
    }
}
