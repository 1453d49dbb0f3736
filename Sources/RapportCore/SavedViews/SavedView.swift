import Foundation

/// A named set of list filters a user keeps for themself (保存的视图): "my stale leads", "this
/// week's ads leads". It is the list's query string, normalised (only the list's filter keys), so
/// opening it is following a link.
public struct SavedView: Sendable, Equatable {
    /// The lists a view may be saved for.
    public enum Object: String, Sendable, CaseIterable {
        case lead
        case customer
    }

    public var id: RecordID
    public var userID: RecordID
    public var object: Object
    public var name: String
    /// The url-encoded filters (`status=new&q=wang`), normalised by ``SavedView/normalise(_:for:)``.
    public var query: String
    /// Where it stands among the user's views of the same list (saved order).
    public var position: Int64
    public var createdAt: Date

    public init(id: RecordID, userID: RecordID, object: Object, name: String, query: String, position: Int64, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.object = object
        self.name = name
        self.query = query
        self.position = position
        self.createdAt = createdAt
    }

    /// The longest name, in characters.
    public static let maximumNameLength = 60
    /// The most views one user keeps for one list.
    public static let maximumPerList = 20
    /// The longest value of one filter, in characters (longer ones are cut).
    public static let maximumValueLength = 200

    /// The filter keys each list understands, in the order a saved query lists them. Anything
    /// else (a cursor, a notice, a typo) is dropped from a saved query.
    public static func keys(for object: Object) -> [String] {
        switch object {
        case .lead: ["scope", "q", "status", "source", "created_from", "created_to", "quiet_days"]
        case .customer: ["scope", "q", "stage", "source", "tag", "kind", "do_not_contact"]
        }
    }

    /// A url-encoded query reduced to the list's filters: unknown keys and blank values dropped,
    /// values trimmed, cut to ``maximumValueLength`` and stripped of control characters, each key
    /// once (the last value wins), in ``keys(for:)`` order, re-encoded the one way. A leading `?`
    /// is ignored.
    public static func normalise(_ query: String, for object: Object) -> String {
        let known = keys(for: object)
        var values: [String: String] = [:]
        for (key, value) in decode(query) where known.contains(key) {
            let cleaned = String(String(value.unicodeScalars.filter { $0.properties.generalCategory != .control }).trimmingWhitespace()
                .prefix(maximumValueLength)).trimmingWhitespace()
            values[key] = cleaned.isEmpty ? nil : cleaned
        }
        return known.compactMap { key in values[key].map { "\(key)=\(encode($0))" } }.joined(separator: "&")
    }

    /// The pairs of a url-encoded query (`+` is a space), in order; undecodable pairs dropped.
    public static func decode(_ query: String) -> [(String, String)] {
        let text = query.hasPrefix("?") ? String(query.dropFirst()) : query
        return text.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let key = decoded(parts[0]), let value = parts.count > 1 ? decoded(parts[1]) : "" else { return nil }
            return (key, value)
        }
    }

    /// A query value, percent-encoded (only unreserved characters stay as they are).
    public static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}

extension IDPrefix {
    public static let savedView = IDPrefix(rawValue: "view")
}
