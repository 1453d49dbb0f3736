/// A fast RFC 4180 reader over UTF-8 bytes, for imports of millions of rows.
///
/// It works on byte buffers fed in pieces: ``parse(_:final:)`` returns the complete records in a
/// piece and how many bytes they used; the rest (a record cut by the piece's end) is fed again
/// with the next piece. Quoted fields may hold delimiters, doubled quotes and line breaks; CRLF
/// and LF both end a record; a UTF-8 byte-order mark at the very start is skipped. Every record
/// carries the line number it starts on (the header is line 1), so errors can name lines.
///
/// Written here rather than taken from a package because the CSV packages available decode
/// character by character, which costs seconds per million rows; this one slices bytes.
public struct CSVReader: Sendable {
    public struct Record: Sendable, Equatable {
        /// The line the record starts on (1-based, counting physical lines).
        public var line: Int
        public var fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    public enum Failure: Error, Sendable, Equatable {
        /// A quoted field was still open at the end of the input.
        case unterminatedQuote(line: Int)
    }

    public let delimiter: UInt8
    /// The line the next record starts on.
    public private(set) var nextLine = 1
    private var atStart = true

    public init(delimiter: UInt8 = UInt8(ascii: ",")) { self.delimiter = delimiter }

    /// Parses the complete records in `bytes`. When `final` is false, a record that runs to the
    /// end of `bytes` is left unconsumed (feed it again with more bytes); when true, it is taken.
    public mutating func parse(_ bytes: [UInt8], final: Bool) throws(Failure) -> (records: [Record], consumed: Int) {
        var records: [Record] = []
        var index = 0
        let count = bytes.count
        if atStart, count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        if atStart, count > 0 || final { atStart = false }
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var consumed = index
        var line = nextLine

        recordLoop: while index < count {
            let startLine = line
            var fields: [String] = []
            var lines = 0
            fieldLoop: while true {
                if index < count, bytes[index] == quote {
                    // A quoted field.
                    var value: [UInt8] = []
                    index += 1
                    var segment = index
                    while true {
                        guard index < count else {
                            if final { throw .unterminatedQuote(line: startLine) }
                            break recordLoop
                        }
                        let byte = bytes[index]
                        if byte == quote {
                            if index + 1 < count, bytes[index + 1] == quote {
                                value.append(contentsOf: bytes[segment...index])
                                index += 2
                                segment = index
                                continue
                            }
                            if index + 1 >= count, !final { break recordLoop }
                            value.append(contentsOf: bytes[segment..<index])
                            index += 1
                            break
                        }
                        if byte == lf { lines += 1 }
                        index += 1
                    }
                    // Anything after the closing quote up to the delimiter is kept (lenient).
                    let tail = index
                    while index < count, bytes[index] != delimiter, bytes[index] != lf, bytes[index] != cr { index += 1 }
                    if index > tail { value.append(contentsOf: bytes[tail..<index]) }
                    fields.append(String(decoding: value, as: UTF8.self))
                } else {
                    let start = index
                    while index < count, bytes[index] != delimiter, bytes[index] != lf, bytes[index] != cr { index += 1 }
                    fields.append(String(decoding: bytes[start..<index], as: UTF8.self))
                }
                guard index < count else {
                    if !final { break recordLoop }
                    break fieldLoop
                }
                let byte = bytes[index]
                if byte == delimiter {
                    index += 1
                    if index >= count, !final { break recordLoop }
                    continue fieldLoop
                }
                if byte == cr {
                    if index + 1 >= count, !final { break recordLoop }
                    index += 1
                    if index < count, bytes[index] == lf { index += 1 }
                } else {
                    index += 1
                }
                break fieldLoop
            }
            line = startLine + lines + 1
            consumed = index
            // A blank line is no record.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: startLine, fields: fields)) }
        }
        if final && index >= count { consumed = count }
        nextLine = line
        return (records, consumed)
    }

    /// Parses a whole text at once (small files, tests).
    public static func parseAll(_ text: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(Failure) -> [Record] {
        var reader = CSVReader(delimiter: delimiter)
        return try reader.parse(Array(text.utf8), final: true).records
    }
}
