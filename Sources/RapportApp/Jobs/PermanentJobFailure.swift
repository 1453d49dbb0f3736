import Foundation
import RapportCore

/// Thrown by a job handler when retrying cannot help (a payload it cannot read, a record that no
/// longer exists): the job stops as `failed` at once. The reason is stored as the job's last
/// error, so it is fixed text written by the handler's author — never personal data.
public struct PermanentJobFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

extension Job {
    /// The payload decoded as `type`; a payload that does not decode fails the job permanently.
    public func payload<T: Decodable>(as type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: JSONEncoder().encode(payload))
        } catch {
            throw PermanentJobFailure("the payload is not a \(kind) payload")
        }
    }
}
