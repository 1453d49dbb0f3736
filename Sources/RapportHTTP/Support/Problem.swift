import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportCore

/// An RFC 9457 problem document: what every error response of the API is.
///
/// `code` is stable and machine-readable; `detail` is safe to show; `errors` names each invalid
/// field. Never a stack trace, SQL, or another party's data.
public struct Problem: Encodable, Sendable {
    public var type: String
    public var title: String
    public var status: Int
    public var code: String
    public var detail: String
    public var errors: [FieldError]?
    public var requestID: String?
    public var extra: [String: String]

    enum CodingKeys: String, CodingKey {
        case type, title, status, code, detail, errors
        case requestID = "request_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status, forKey: .status)
        try container.encode(code, forKey: .code)
        try container.encode(detail, forKey: .detail)
        try container.encodeIfPresent(errors, forKey: .errors)
        try container.encodeIfPresent(requestID, forKey: .requestID)
        var dynamic = encoder.container(keyedBy: DynamicKey.self)
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) {
            try dynamic.encode(value, forKey: DynamicKey(stringValue: key))
        }
    }

    struct DynamicKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The HTTP status of each error code.
    public static func status(of code: ErrorCode) -> HTTPResponse.Status {
        switch code {
        case .validationFailed, .idempotencyKeyReused: .unprocessableContent
        case .malformedRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden, .leaderboardHidden: .forbidden
        case .notFound: .notFound
        case .conflict, .duplicate, .idempotencyInProgress, .holdingLimitReached, .claimLimitReached, .cooldownActive, .alreadyClaimed,
             .insufficientBalance, .entitlementNotActive, .consumptionKeyReused: .conflict
        case .preconditionFailed: .preconditionFailed
        case .preconditionRequired: .preconditionRequired
        case .rateLimited: .tooManyRequests
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .methodNotAllowed: .methodNotAllowed
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    public init(_ error: RapportError, requestID: String?) {
        let status = Problem.status(of: error.code)
        self.type = "urn:rapport:problem:" + error.code.rawValue
        self.title = status.reasonPhrase
        self.status = Int(status.code)
        self.code = error.code.rawValue
        self.detail = error.detail
        self.errors = error.fieldErrors.isEmpty ? (error.code == .validationFailed ? [] : nil) : error.fieldErrors
        self.requestID = requestID
        self.extra = error.extra
    }

    /// The response carrying this problem.
    public func response(retryAfter: Int? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"rapport\"" }
        let data = (try? JSONCoding.encoder.encode(self)) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The JSON coders of the API: snake_case keys come from the DTOs' own names, times are RFC 3339 UTC.
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
