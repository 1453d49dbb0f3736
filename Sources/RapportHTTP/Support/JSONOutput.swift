import Foundation
import RapportCore

/// A response body that writes its own JSON: the same bytes `JSONCoding.encoder` writes for it
/// (keys sorted, slashes unescaped, RFC 3339 times), several times faster than the generic
/// `Encodable` path. The hot responses (customer lists, the 360 view, timelines) use it; a test
/// compares both paths byte for byte, so `Encodable` stays the definition and this the shortcut.
public protocol JSONWritable: Encodable {
    /// Appends this value's JSON to `out`.
    func write(to out: inout JSONOutput)
}

/// An append-only JSON text buffer. Object keys must be written in sorted order by the caller
/// (as `JSONEncoder`'s `.sortedKeys` orders them); dictionaries are sorted here.
public struct JSONOutput: Sendable {
    /// The UTF-8 bytes written so far.
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1_024) { bytes.reserveCapacity(capacity) }

    /// Writes an object; `body` writes its fields with `field(_:)` then the value.
    public mutating func object(_ body: (inout JSONOutput) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        body(&self)
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes a key (ASCII, no escaping needed) and the colon; a comma first unless the object just opened.
    public mutating func field(_ key: StaticString) {
        if bytes.last != UInt8(ascii: "{") { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes an array of `items`, each by `each`.
    public mutating func array<S: Sequence>(_ items: S, _ each: (inout JSONOutput, S.Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            each(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes an array of writable values.
    public mutating func array<S: Sequence>(_ items: S) where S.Element: JSONWritable {
        array(items) { out, item in item.write(to: &out) }
    }

    /// Writes an array of strings.
    public mutating func array<S: Sequence>(_ items: S) where S.Element == String {
        array(items) { out, item in out.string(item) }
    }

    /// Writes a writable value, or `null`.
    public mutating func value(_ value: (some JSONWritable)?) {
        if let value { value.write(to: &self) } else { null() }
    }

    public mutating func null() { append("null") }

    public mutating func bool(_ value: Bool) { append(value ? "true" : "false") }

    /// Writes an integer, or `null`.
    public mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        append(String(value))
    }

    /// Writes an integer.
    public mutating func int(_ value: Int) { append(String(value)) }

    /// Writes a finite number as `JSONEncoder` does (`1.5`, `2` for `2.0`, `1e+20`).
    public mutating func double(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        append(text)
    }

    /// Writes a time as RFC 3339 UTC with milliseconds, or `null`.
    public mutating func date(_ value: Date?) {
        guard let value else { return null() }
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a string with JSON escapes (quote, backslash, control characters), or `null`.
    public mutating func string(_ value: String?) {
        guard var value else { return null() }
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes an object of values keyed by arbitrary strings, keys sorted as `JSONEncoder` sorts
    /// them: by their UTF-8 bytes, unnormalised (Swift's `<` would compare canonical forms).
    public mutating func dictionary<Value>(_ values: [String: Value], _ each: (inout JSONOutput, Value) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for key in values.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(key)
            bytes.append(UInt8(ascii: ":"))
            each(&self, values[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }
}

extension JSONWritable {
    /// This value as JSON bytes.
    public func jsonBytes() -> [UInt8] {
        var out = JSONOutput()
        write(to: &out)
        return out.bytes
    }
}

extension JSONValue: JSONWritable {
    public func write(to out: inout JSONOutput) {
        switch self {
        case .null, .unrepresentableNumber: out.null()
        case .bool(let value): out.bool(value)
        case .integer(let value): out.int(value)
        case .double(let value): out.double(value)
        case .string(let value): out.string(value)
        case .array(let values): out.array(values)
        case .object(let values): out.dictionary(values) { out, value in value.write(to: &out) }
        }
    }
}
