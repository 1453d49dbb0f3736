import Foundation
import Hummingbird
import RapportCore

/// An `application/x-www-form-urlencoded` body (what an HTML form posts), UTF-8, read within a
/// size limit: the public web forms and the web UI's forms share it.
public enum FormBody {
    /// The fields of a url-encoded body; a repeated name keeps its last value.
    public static func fields(_ request: inout Request, limit: Int) async throws -> [String: String] {
        parse(try await text(&request, limit: limit))
    }

    /// The body as UTF-8 text, within `limit` bytes (413 beyond it).
    public static func text(_ request: inout Request, limit: Int) async throws -> String {
        let buffer = try await JSONBody.collect(&request, limit: limit)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw RapportError(.malformedRequest, "The form is not valid UTF-8.")
        }
        return text
    }

    /// The fields of url-encoded text; a repeated name keeps its last value.
    public static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in pairs(text) { fields[key] = value }
        return fields
    }

    /// Every name and value of url-encoded text, in order (repeated names — checkboxes — kept).
    public static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Request.formDecode(parts[0])
            guard !key.isEmpty else { return nil }
            return (key, parts.count > 1 ? Request.formDecode(parts[1]) : "")
        }
    }
}
