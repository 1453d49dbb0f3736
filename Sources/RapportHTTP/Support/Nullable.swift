import Foundation

/// An optional that is encoded as an explicit JSON `null` when absent, so responses always carry
/// every field their schema lists (synthesized `Encodable` would omit it).
///
/// ```swift
/// struct TeamDTO: Encodable { @Nullable var parentId: String? }
/// ```
@propertyWrapper
public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
