import Foundation
import Hummingbird
import RapportCore

/// Refuses query strings that carry control characters (`%00`, `%0A`, raw bytes below 0x20 or
/// DEL): no parameter of the API has a use for them, and some engines cannot store or compare
/// them (PostgreSQL rejects NUL in text). A clear 422 instead of an error deeper down.
public struct QueryGuardMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let query = request.uri.query, Self.hasControlCharacter(query) {
            throw RapportError.validation([FieldError(field: "query", code: "invalid", message: "Query parameters must not contain control characters.")])
        }
        return try await next(request, context)
    }

    /// Whether the raw query holds a control character, literally or percent-encoded.
    static func hasControlCharacter(_ query: String) -> Bool {
        let bytes = Array(query.utf8)
        for index in bytes.indices {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F { return true }
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count {
                let high = bytes[index + 1], low = bytes[index + 2]
                guard let h = hex(high), let l = hex(low) else { continue }
                let value = h << 4 | l
                if value < 0x20 || value == 0x7F { return true }
            }
        }
        return false
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
