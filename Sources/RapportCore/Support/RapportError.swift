/// A stable, machine-readable error code. The HTTP layer maps each to a status; clients rely on
/// the code, so existing codes never change meaning.
public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    case validationFailed = "validation_failed"
    case malformedRequest = "malformed_request"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case conflict
    case duplicate
    case preconditionFailed = "precondition_failed"
    case preconditionRequired = "precondition_required"
    case idempotencyKeyReused = "idempotency_key_reused"
    case idempotencyInProgress = "idempotency_in_progress"
    case rateLimited = "rate_limited"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case methodNotAllowed = "method_not_allowed"
    case holdingLimitReached = "holding_limit_reached"
    case claimLimitReached = "claim_limit_reached"
    case cooldownActive = "cooldown_active"
    case alreadyClaimed = "already_claimed"
    case insufficientBalance = "insufficient_balance"
    case entitlementNotActive = "entitlement_not_active"
    case consumptionKeyReused = "consumption_key_reused"
    /// The company hides leaderboards from reps (`leaderboards.visible_to_reps` is false).
    case leaderboardHidden = "leaderboard_hidden"
    case unavailable
    case `internal`
}

/// One invalid field of a request: which field, a stable code, and a human message.
public struct FieldError: Sendable, Equatable, Codable {
    /// The field path, e.g. `email` or `items[2].amount`.
    public var field: String
    /// A stable code: `required`, `invalid`, `too_long`, `unknown_field`, `read_only`, `type_mismatch`…
    public var code: String
    /// A message for people.
    public var message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// The one error type that crosses layers: a stable code, a safe detail for the client, field
/// errors for validation, and an internal cause that is logged but never shown.
public struct RapportError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    /// Safe to show to the caller: never SQL, never another party's data.
    public var detail: String
    public var fieldErrors: [FieldError]
    /// Seconds after which a retry may succeed (rate limits).
    public var retryAfterSeconds: Int?
    /// Extra safe members for the problem document (e.g. a duplicate's id the caller may see).
    public var extra: [String: String]

    public init(
        _ code: ErrorCode, _ detail: String, fieldErrors: [FieldError] = [],
        retryAfterSeconds: Int? = nil, extra: [String: String] = [:]
    ) {
        self.code = code
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.retryAfterSeconds = retryAfterSeconds
        self.extra = extra
    }

    public var description: String { "\(code.rawValue): \(detail)" }

    /// A `validation_failed` error naming each invalid field.
    public static func validation(_ errors: [FieldError]) -> RapportError {
        RapportError(.validationFailed, "The request has invalid fields.", fieldErrors: errors)
    }

    /// A `not_found` error; used both for missing records and records outside the caller's scope.
    public static func notFound(_ what: String) -> RapportError {
        RapportError(.notFound, "No \(what) with that id.")
    }
}
