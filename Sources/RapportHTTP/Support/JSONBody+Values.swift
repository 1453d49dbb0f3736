import Foundation
import Hummingbird
import RapportCore

extension JSONBody {
    /// A boolean field.
    public mutating func bool(_ key: String) -> Bool? {
        switch fields[key] {
        case .bool(let value)?: return value
        case nil, .null?: return nil
        case let other?:
            errors.append(FieldError(field: key, code: "type_mismatch", message: "\(key) must be a boolean, not \(other.typeName)."))
            return nil
        }
    }

    /// A whole number where null means "clear": absent → nil, null → .some(nil).
    public mutating func nullableInteger(_ key: String) -> Int64?? {
        switch fields[key] {
        case nil: return nil
        case .null?: return .some(nil)
        default: return integer(key).map { .some(Int64($0)) }
        }
    }

    /// A JSON object field, as raw values (checked by the use case).
    public mutating func object(_ key: String) -> [String: JSONValue]? {
        switch fields[key] {
        case .object(let values)?: return values
        case nil, .null?: return nil
        case let other?:
            errors.append(FieldError(field: key, code: "type_mismatch", message: "\(key) must be an object, not \(other.typeName)."))
            return nil
        }
    }

    /// An array of objects, each read by `read` with its own accepted fields.
    public mutating func objects<T>(_ key: String, accepts: Set<String>, _ read: (inout JSONBody) -> T) -> [T]? {
        switch fields[key] {
        case .array(let values)?:
            var result: [T] = []
            for (index, value) in values.enumerated() {
                guard case .object(let object) = value else {
                    errors.append(FieldError(field: "\(key)[\(index)]", code: "type_mismatch", message: "\(key)[\(index)] must be an object."))
                    continue
                }
                var nested = JSONBody(fields: object)
                for name in object.keys.sorted() where !accepts.contains(name) {
                    nested.errors.append(FieldError(field: name, code: "unknown_field", message: "\(name) is not a field here."))
                }
                let item = read(&nested)
                errors.append(contentsOf: nested.errors.map {
                    FieldError(field: "\(key)[\(index)].\($0.field)", code: $0.code, message: $0.message)
                })
                result.append(item)
            }
            return result
        case nil, .null?: return nil
        case let other?:
            errors.append(FieldError(field: key, code: "type_mismatch", message: "\(key) must be an array, not \(other.typeName)."))
            return nil
        }
    }

    /// An RFC 3339 time.
    public mutating func date(_ key: String) -> Date? {
        guard let text = string(key) else { return nil }
        guard let date = RFC3339.parse(text) else {
            errors.append(FieldError(field: key, code: "invalid", message: "\(key) must be an RFC 3339 time, e.g. 2026-11-29T09:30:00Z."))
            return nil
        }
        return date
    }

    /// The whole value of a field, decoded as `T` from its JSON (for documents such as settings).
    public mutating func decode<T: Decodable>(_ key: String, as type: T.Type, required: Bool = false) -> T? {
        guard let value = fields[key], value != .null else {
            if required { errors.append(FieldError(field: key, code: "required", message: "\(key) is required.")) }
            return nil
        }
        if let path = Self.unrepresentable(value, path: key) {
            errors.append(FieldError(field: path, code: "out_of_range", message: "\(path) is a number out of range."))
            return nil
        }
        do {
            let data = try JSONEncoder().encode(value)
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            errors.append(FieldError(field: key, code: "invalid", message: "\(key) is not valid: \(Self.describe(error))"))
            return nil
        } catch {
            errors.append(FieldError(field: key, code: "invalid", message: "\(key) is not valid."))
            return nil
        }
    }

    /// The path of the first number no type can hold, if any (it would otherwise decode as null).
    static func unrepresentable(_ value: JSONValue, path: String) -> String? {
        switch value {
        case .unrepresentableNumber: return path
        case .array(let values):
            for (index, item) in values.enumerated() { if let found = unrepresentable(item, path: "\(path)[\(index)]") { return found } }
            return nil
        case .object(let members):
            for key in members.keys.sorted() { if let found = unrepresentable(members[key]!, path: "\(path).\(key)") { return found } }
            return nil
        default: return nil
        }
    }

    /// A short description of a decoding error naming the path (no internals).
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is required."
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context.codingPath)) has the wrong type."
        case .dataCorrupted(let context): return "\(path(context.codingPath)) is invalid."
        @unknown default: return "invalid."
        }
    }
}

extension JSONBody {
    /// Like ``read(_:accepts:readOnly:)``, but an empty body (no content) is an empty object.
    public static func readOptional(_ request: Request, accepts: Set<String>) async throws -> JSONBody {
        var request = request
        if request.headers[.contentType] == nil {
            let buffer = try await collect(&request)
            if buffer.readableBytes == 0 { return JSONBody(fields: [:]) }
        }
        return try await read(request, accepts: accepts)
    }
}
