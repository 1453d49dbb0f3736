import Foundation
import RapportCore
import Testing

/// CSV as RFC 4180 writes it, and formula injection defused as OWASP advises.
@Suite struct CSVWriterTests {
    static func line(_ fields: [String]) -> String {
        var csv = CSVWriter()
        csv.row(fields)
        return String(decoding: csv.take(), as: UTF8.self)
    }

    /// A cell's text → how it is written (without the row's CRLF).
    @Test(arguments: [
        // The six triggers: a leading ' so spreadsheets show text instead of running a formula.
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1,2)", "\"'@SUM(1,2)\""),
        ("\t=1", "'\t=1"),
        ("\r=1", "\"'\r=1\""),
        ("=HYPERLINK(\"http://x.example\",\"click\")", "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\""),
        ("+86 138****8000", "'+86 138****8000"),
        // Harmless: a trigger not at the start, plain text, non-ASCII, empty.
        ("a-b", "a-b"),
        ("Ann = Bob", "Ann = Bob"),
        ("x@example.com", "x@example.com"),
        ("王小明", "王小明"),
        ("＝1+1", "＝1+1"),
        ("", ""),
        // Quoting: commas, quotes and line breaks.
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("\"", "\"\"\"\""),
        ("line 1\nline 2", "\"line 1\nline 2\""),
        ("line 1\r\nline 2", "\"line 1\r\nline 2\""),
        ("tab\tinside", "tab\tinside"),
    ])
    func cellsAreDefusedAndQuoted(_ cell: String, _ written: String) {
        #expect(Self.line([cell]) == written + "\r\n")
    }

    @Test func defusedIsTheTextASpreadsheetSees() {
        #expect(CSVWriter.defused("=1+1") == "'=1+1")
        #expect(CSVWriter.defused("-") == "'-")
        #expect(CSVWriter.defused("1-1") == "1-1")
        #expect(CSVWriter.defused("") == "")
    }

    @Test func recordsEndWithCRLFAndNumbersAreWrittenAsTheyAre() {
        var csv = CSVWriter()
        csv.row(["id", "score", "ratio", "note"])
        csv.field("cus_1")
        csv.field(Int64(-5))
        csv.field(-1.5)
        csv.emptyField()
        csv.endRow()
        csv.emptyField()
        csv.emptyField()
        csv.endRow()
        #expect(String(decoding: csv.take(), as: UTF8.self) == "id,score,ratio,note\r\ncus_1,-5,-1.5,\r\n,\r\n")
    }

    @Test func byteOrderMarkOnlyAtTheStartAndTakeHandsOverInPieces() {
        var csv = CSVWriter(byteOrderMark: true)
        csv.row(["名"])
        let first = csv.take()
        #expect(Array(first.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: first.dropFirst(3), as: UTF8.self) == "名\r\n")
        csv.row(["a", "b"])
        #expect(csv.count == 5)
        #expect(String(decoding: csv.take(), as: UTF8.self) == "a,b\r\n")
        #expect(csv.take().isEmpty)
        var plain = CSVWriter()
        plain.row(["x"])
        #expect(plain.take().first == UInt8(ascii: "x"))
    }

    @Test func aFieldContinuesTheRowAcrossTakes() {
        var csv = CSVWriter()
        csv.field("a")
        _ = csv.take()
        csv.field("b")
        csv.endRow()
        #expect(String(decoding: csv.take(), as: UTF8.self) == ",b\r\n")
    }

    /// A million cells written in chunks (taken every 500 rows) come out as the same row over and
    /// over, nothing lost or doubled at a chunk's edge. How fast is for benchmarks, not a test.
    @Test func writesAMillionCellsInChunks() {
        let cells = ["cus_01KE4M0Q3E7ZV1XK9W2T3ABCD", "王小明", "+86 138****8000", "a,b", "say \"hi\"", "=cmd|' /C calc'!A0", "2026-01-05T09:00:00.000Z", "vip; math"]
        var one = CSVWriter()
        one.row(cells)
        let row = one.take()
        var csv = CSVWriter(capacity: 1 << 20)
        var bytes = 0
        var chunksMatch = true
        var pending = 0
        for index in 0..<125_000 {
            for cell in cells { csv.field(cell) }
            csv.endRow()
            pending += 1
            if index % 500 == 0 {
                let chunk = csv.take()
                chunksMatch = chunksMatch && chunk == Array([[UInt8]](repeating: row, count: pending).joined())
                bytes += chunk.count
                pending = 0
            }
        }
        let last = csv.take()
        chunksMatch = chunksMatch && last == Array([[UInt8]](repeating: row, count: pending).joined())
        bytes += last.count
        #expect(chunksMatch)
        #expect(bytes == 125_000 * row.count && bytes > 1_000_000)
    }
}
