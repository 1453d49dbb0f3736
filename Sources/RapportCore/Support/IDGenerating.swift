import Foundation

/// Makes new record ids. The core never makes randomness itself: an implementation is passed in
/// (random in production, sequential in tests).
public protocol IDGenerating: Sendable {
    /// A new id with the given prefix, created at `now`.
    func next(_ prefix: IDPrefix, at now: Date) -> RecordID
}

/// The time source. The core never reads the system clock: a clock is passed in, so rules about
/// days passing are tested by moving a test clock.
public protocol RapportClock: Sendable {
    /// The current instant.
    func now() -> Date
}

extension Date {
    /// Microseconds since the Unix epoch: the storage form of every `*_at` column.
    public var microsSinceEpoch: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded(.down)) }

    /// Milliseconds since the Unix epoch: the time part of a ``RecordID``.
    public var millisSinceEpoch: UInt64 { UInt64(max(0, (timeIntervalSince1970 * 1_000).rounded(.down))) }

    /// The instant `micros` microseconds after the Unix epoch.
    public init(microsSinceEpoch micros: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(micros) / 1_000_000)
    }
}
