/// Writes CSV as RFC 4180 says (fields separated by commas, records ended by CRLF, a field quoted
/// when it holds a comma, a quote, CR or LF, and quotes inside doubled), in UTF-8, optionally
/// after a byte-order mark so Excel reads the UTF-8 as such.
///
/// Every text field is also defused against formula injection (OWASP, "CSV Injection"): a cell
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
/// spreadsheet shows it as text instead of running it. Whole numbers (the `Int64` overload of
/// `field`) cannot be formulas and are written as they are.
///
/// It works on UTF-8 bytes and appends to one growing buffer, since it runs per cell of exports
/// of millions of rows; ``take()`` hands over what is written so far (a page at a time).
///
/// ```swift
/// var csv = CSVWriter(byteOrderMark: true)
/// csv.row(["name", "note"])
/// csv.field("=1+1"); csv.field("say \"hi\""); csv.endRow()
/// let bytes = csv.take()   // EF BB BF "name,note\r\n'=1+1,\"say \"\"hi\"\"\"\r\n"
/// ```
public struct CSVWriter: Sendable {
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0
    private let capacity: Int

    /// - Parameters:
    ///   - byteOrderMark: start the output with the UTF-8 byte-order mark (for Excel).
    ///   - capacity: bytes to reserve for the buffer (about one page of rows).
    public init(byteOrderMark: Bool = false, capacity: Int = 64 * 1024) {
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
        if byteOrderMark { buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    }

    /// How many bytes are waiting to be taken.
    public var count: Int { buffer.count }

    /// Appends a text field: defused if it could start a formula, quoted if it needs quotes.
    public mutating func field(_ text: String) {
        separate()
        var text = text
        text.withUTF8 { append(cell: $0) }
    }

    /// Appends a whole number as it is (a number is never a formula, so `-5` stays `-5`).
    public mutating func field(_ number: Int64) {
        separate()
        buffer.append(contentsOf: String(number).utf8)
    }

    /// Appends a finite number as it is (`-1.5`); a non-finite one as an empty field.
    public mutating func field(_ number: Double) {
        separate()
        if number.isFinite { buffer.append(contentsOf: number.description.utf8) }
    }

    /// Appends an empty field.
    public mutating func emptyField() { separate() }

    /// Ends the current record with CRLF.
    public mutating func endRow() {
        buffer.append(Byte.cr)
        buffer.append(Byte.lf)
        fieldsInRow = 0
    }

    /// Appends a whole record of text fields.
    public mutating func row(_ fields: [String]) {
        for text in fields { field(text) }
        endRow()
    }

    /// Hands over the bytes written so far and starts an empty buffer (the row state is kept).
    public mutating func take() -> [UInt8] {
        var taken: [UInt8] = []
        taken.reserveCapacity(capacity)
        swap(&taken, &buffer)
        return taken
    }

    /// The text a spreadsheet should see for `text`: with a leading `'` when it could start a formula.
    public static func defused(_ text: String) -> String {
        guard let first = text.utf8.first, isFormulaStart(first) else { return text }
        return "'" + text
    }

    /// Whether a cell starting with this byte would be read as a formula (or smuggle one in).
    @inline(__always)
    static func isFormulaStart(_ byte: UInt8) -> Bool {
        byte == Byte.equals || byte == Byte.plus || byte == Byte.minus || byte == Byte.at || byte == Byte.tab || byte == Byte.cr
    }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.append(Byte.comma) }
        fieldsInRow += 1
    }

    private mutating func append(cell bytes: UnsafeBufferPointer<UInt8>) {
        guard let first = bytes.first else { return }
        let formula = Self.isFormulaStart(first)
        var quoted = false
        for byte in bytes where byte == Byte.quote || byte == Byte.comma || byte == Byte.cr || byte == Byte.lf {
            quoted = true
            break
        }
        if !quoted && !formula {
            buffer.append(contentsOf: bytes)
            return
        }
        if quoted { buffer.append(Byte.quote) }
        if formula { buffer.append(Byte.apostrophe) }
        if quoted {
            var start = 0
            for index in bytes.indices where bytes[index] == Byte.quote {
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...index]))  // the quote itself…
                buffer.append(Byte.quote)  // …doubled
                start = index + 1
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            buffer.append(Byte.quote)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private enum Byte {
        static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        static let equals = UInt8(ascii: "="), plus = UInt8(ascii: "+"), minus = UInt8(ascii: "-"), at = UInt8(ascii: "@")
        static let tab = UInt8(ascii: "\t"), apostrophe = UInt8(ascii: "'")
    }
}
