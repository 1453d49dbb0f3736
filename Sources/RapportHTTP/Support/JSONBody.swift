import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportCore

/// A request's JSON object, read strictly: the right media type, within the size limit, valid
/// UTF-8, well-formed, an object, and only the fields the route accepts. Type errors are
/// collected per field and thrown together as `validation_failed`.
///
/// ```swift
/// var body = try await JSONBody.read(request, accepts: ["name", "team_id"])
/// let name = body.string("name", required: true)
/// let team = body.nullableString("team_id")     // absent → nil; null → .some(nil)
/// try body.finish()
/// ```
public struct JSONBody: Sendable {
    public let fields: [String: JSONValue]
    var errors: [FieldError] = []

    /// Fields that are never writable through the API, and the message given when they are sent.
    static let readOnlyFields: Set<String> = ["id", "version", "created_at", "updated_at", "owner_id", "status", "last_login_at"]

    init(fields: [String: JSONValue]) { self.fields = fields }

    /// Reads and checks the body of `request`.
    /// - Parameters:
    ///   - accepts: the fields this route accepts; others answer `unknown_field` or `read_only`.
    ///   - readOnly: extra fields that exist but the caller may not set here.
    public static func read(
        _ request: Request, accepts: Set<String>, readOnly: Set<String> = []
    ) async throws -> JSONBody {
        var request = request
        try requireJSONContentType(request)
        let buffer = try await collect(&request)
        return try parse(buffer, accepts: accepts, readOnly: readOnly)
    }

    /// Checks `Content-Type` is JSON (`application/json` or `…+json`, UTF-8).
    static func requireJSONContentType(_ request: Request) throws {
        guard let type = request.headers[.contentType] else {
            throw RapportError(.unsupportedMediaType, "Send the body as application/json.")
        }
        let parts = type.lowercased().split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let media = parts.first, media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json")) else {
            throw RapportError(.unsupportedMediaType, "Send the body as application/json.")
        }
        for parameter in parts.dropFirst() where parameter.hasPrefix("charset=") {
            let charset = parameter.dropFirst("charset=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard charset == "utf-8" || charset == "utf8" else {
                throw RapportError(.unsupportedMediaType, "JSON bodies must be UTF-8.")
            }
        }
    }

    /// Collects the body within the size limit (413 beyond it).
    static func collect(_ request: inout Request, limit: Int = APIRequestContext.maximumBodyBytes) async throws -> ByteBuffer {
        let tooLarge = limit == APIRequestContext.maximumBodyBytes ? Self.tooLarge : RapportError(.payloadTooLarge, "The body is larger than \(limit) bytes.")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge
        }
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch is NIOTooManyBytesError {
            throw tooLarge  // a chunked body (no Content-Length) that outgrew the limit
        }
    }

    static let tooLarge = RapportError(.payloadTooLarge, "The body is larger than \(APIRequestContext.maximumBodyBytes) bytes.")

    static func parse(_ buffer: ByteBuffer, accepts: Set<String>, readOnly: Set<String>) throws -> JSONBody {
        let bytes = buffer.readableBytesView
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw RapportError(.malformedRequest, "The body is not valid UTF-8.")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw RapportError(.malformedRequest, "The body is not well-formed JSON.")
        }
        guard case .object(let fields) = value else {
            throw RapportError.validation([FieldError(field: "", code: "type_mismatch", message: "The body must be a JSON object.")])
        }
        var body = JSONBody(fields: fields)
        for key in fields.keys.sorted() where !accepts.contains(key) {
            if readOnly.contains(key) || readOnlyFields.contains(key) {
                body.errors.append(FieldError(field: key, code: "read_only", message: "\(key) cannot be set here."))
            } else {
                body.errors.append(FieldError(field: key, code: "unknown_field", message: "\(key) is not a field of this request."))
            }
        }
        return body
    }

    /// Whether the field was sent at all (even as null).
    public func has(_ key: String) -> Bool { fields[key] != nil }

    private mutating func mismatch(_ key: String, _ expected: String, _ got: JSONValue) {
        if case .unrepresentableNumber = got {
            errors.append(FieldError(field: key, code: "out_of_range", message: "\(key) is a number out of range."))
        } else {
            errors.append(FieldError(field: key, code: "type_mismatch", message: "\(key) must be \(expected), not \(got.typeName)."))
        }
    }

    /// A string field; when `required`, absence (or null) is an error.
    public mutating func string(_ key: String, required: Bool = false) -> String? {
        switch fields[key] {
        case .string(let value): return value
        case nil, .null?:
            if required { errors.append(FieldError(field: key, code: "required", message: "\(key) is required.")) }
            return nil
        case let other?:
            mismatch(key, "a string", other)
            return nil
        }
    }

    /// A string field where null means "clear": absent → nil, null → .some(nil).
    public mutating func nullableString(_ key: String) -> String?? {
        switch fields[key] {
        case nil: return nil
        case .null?: return .some(nil)
        case .string(let value)?: return .some(value)
        case let other?:
            mismatch(key, "a string or null", other)
            return nil
        }
    }

    /// A whole-number field.
    public mutating func integer(_ key: String, required: Bool = false) -> Int? {
        switch fields[key] {
        case .integer(let value)?:
            guard let int = Int(exactly: value) else {
                mismatch(key, "a whole number", .unrepresentableNumber)
                return nil
            }
            return int
        case .double(let value)? where value.rounded() == value && abs(value) < 9e15: return Int(value)
        case .double(let value)? where value.rounded() == value:
            mismatch(key, "a whole number", .unrepresentableNumber)  // integral, but beyond any whole-number type
            return nil
        case nil, .null?:
            if required { errors.append(FieldError(field: key, code: "required", message: "\(key) is required.")) }
            return nil
        case let other?:
            mismatch(key, "a whole number", other)
            return nil
        }
    }

    /// A number field.
    public mutating func number(_ key: String) -> Double? {
        switch fields[key] {
        case .integer(let value)?: return Double(value)
        case .double(let value)?: return value
        case nil, .null?: return nil
        case let other?:
            mismatch(key, "a number", other)
            return nil
        }
    }

    /// An array of strings (none holding a NUL character).
    public mutating func strings(_ key: String) -> [String]? {
        switch fields[key] {
        case .array(let values)?:
            var result: [String] = []
            for (index, value) in values.enumerated() {
                guard case .string(let text) = value else {
                    mismatch("\(key)[\(index)]", "a string", value)
                    continue
                }
                // No engine stores a NUL in text, and no name, key or id holds one: refuse it here
                // rather than let a lookup reach the database with it.
                if text.unicodeScalars.contains("\0") {
                    errors.append(FieldError(field: "\(key)[\(index)]", code: "invalid", message: "\(key)[\(index)] must not contain NUL characters."))
                    continue
                }
                result.append(text)
            }
            return result
        case nil, .null?: return nil
        case let other?:
            mismatch(key, "an array of strings", other)
            return nil
        }
    }

    /// An object whose values are strings.
    public mutating func stringMap(_ key: String, required: Bool = false) -> [String: String]? {
        switch fields[key] {
        case .object(let values)?:
            var result: [String: String] = [:]
            for (name, value) in values {
                if case .string(let text) = value { result[name] = text } else { mismatch("\(key).\(name)", "a string", value) }
            }
            return result
        case nil, .null?:
            if required { errors.append(FieldError(field: key, code: "required", message: "\(key) is required.")) }
            return nil
        case let other?:
            mismatch(key, "an object", other)
            return nil
        }
    }

    /// Throws every field error found so far.
    public func finish() throws {
        if !errors.isEmpty { throw RapportError.validation(errors) }
    }
}
