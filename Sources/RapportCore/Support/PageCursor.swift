import Foundation

/// An opaque pagination cursor: the sort key of the last row a page returned.
///
/// Clients treat it as opaque text; inside it is base64url of the key, so it survives URLs.
public struct PageCursor: Sendable, Equatable {
    /// The sort key of the last row returned (an id, or a sequence number as text).
    public var after: String

    public init(after: String) { self.after = after }

    /// The text form given to clients.
    public var token: String {
        Data(("v1:" + after).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Parses a client's cursor; throws `validation_failed` naming `cursor` when it is not one of ours.
    public init(token: String) throws(RapportError) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard token.count <= 400, let data = Data(base64Encoded: base64),
              let text = String(data: data, encoding: .utf8), text.hasPrefix("v1:")
        else {
            throw RapportError.validation([FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this server issued.")])
        }
        self.after = String(text.dropFirst(3))
    }
}

/// What a list request asks for: how many rows and after which cursor.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500

    public var limit: Int
    public var cursor: PageCursor?

    public init(limit: Int = PageRequest.defaultLimit, cursor: PageCursor? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    /// Parses `?limit=` and `?cursor=`, with field errors for bad values.
    public static func parse(limit: String?, cursor: String?) throws(RapportError) -> PageRequest {
        var errors: [FieldError] = []
        var value = defaultLimit
        if let limit {
            if let parsed = Int(limit), (1...maximumLimit).contains(parsed) {
                value = parsed
            } else {
                errors.append(FieldError(field: "limit", code: "invalid", message: "limit must be a whole number from 1 to \(maximumLimit)."))
            }
        }
        var parsedCursor: PageCursor?
        if let cursor, !cursor.isEmpty {
            do { parsedCursor = try PageCursor(token: cursor) } catch { errors.append(contentsOf: error.fieldErrors) }
        }
        if !errors.isEmpty { throw RapportError.validation(errors) }
        return PageRequest(limit: value, cursor: parsedCursor)
    }
}

/// One page of results and the cursor for the next page (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: PageCursor?

    public init(items: [Item], nextCursor: PageCursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from `limit + 1` fetched rows: the extra row only says whether more exist.
    public init(fetched: [Item], limit: Int, key: (Item) -> String) {
        if fetched.count > limit {
            let kept = Array(fetched.prefix(limit))
            self.items = kept
            self.nextCursor = kept.last.map { PageCursor(after: key($0)) }
        } else {
            self.items = fetched
            self.nextCursor = nil
        }
    }

    public func map<T>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), nextCursor: nextCursor)
    }
}
