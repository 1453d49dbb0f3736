import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import RapportCore

/// A `multipart/form-data` body read into its named parts (MultipartKit does the parsing).
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        public var name: String
        public var fileName: String?
        public var bytes: [UInt8]
    }

    public var parts: [String: Part] = [:]

    /// A request's `multipart/form-data` body within `limit` bytes (413 beyond it), or nil when
    /// the body is not multipart (the web's upload forms read theirs so).
    public static func read(_ request: inout Request, limit: Int) async throws -> MultipartForm? {
        guard let boundary = boundary(of: request.headers[.contentType]) else { return nil }
        return try MultipartForm(try await JSONBody.collect(&request, limit: limit), boundary: boundary)
    }

    /// The boundary of a `multipart/form-data` content type, if that is what it is.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    init(_ body: ByteBuffer, boundary: String) throws {
        let parser = MultipartParser(boundary: boundary)
        var headers: [String: String] = [:]
        var current: [UInt8] = []
        var collected: [String: Part] = [:]
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in current += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            if let disposition = headers["content-disposition"], let name = Self.parameter("name", in: disposition) {
                collected[name] = Part(name: name, fileName: Self.parameter("filename", in: disposition), bytes: current)
            }
            headers = [:]
            current = []
        }
        do { try parser.execute(body) } catch {
            throw RapportError(.malformedRequest, "The multipart body is malformed.")
        }
        self.parts = collected
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == name {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// A text part, trimmed; nil when absent or empty.
    public func text(_ name: String) -> String? {
        guard let part = parts[name] else { return nil }
        let text = String(decoding: part.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
