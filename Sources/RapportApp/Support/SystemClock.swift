import Foundation
import RapportCore
import Synchronization

/// The real clock.
public struct SystemClock: RapportClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to: for tests and for servers started with `--test-clock`.
public final class TestClock: RapportClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds` (never backwards) and returns the new time.
    @discardableResult
    public func advance(by seconds: TimeInterval) -> Date {
        current.withLock { now in
            now = now.addingTimeInterval(max(0, seconds))
            return now
        }
    }

    /// Sets the clock to `date` and returns it.
    @discardableResult
    public func set(_ date: Date) -> Date {
        current.withLock { now in
            now = date
            return now
        }
    }
}

/// Random, time-ordered ids, monotonic within a process: an id made in the same millisecond as
/// the one before (or under a clock that stands still) continues from it, so ids always sort in
/// the order they were made.
public final class RandomIDGenerator: IDGenerating {
    private let last = Mutex<(millis: UInt64, hi: UInt16, lo: UInt64)>((0, 0, 0))

    public init() {}

    public func next(_ prefix: IDPrefix, at now: Date) -> RecordID {
        let millis = now.millisSinceEpoch
        let (time, hi, lo) = last.withLock { last -> (UInt64, UInt16, UInt64) in
            if millis > last.millis {
                var generator = SystemRandomNumberGenerator()
                // The top bit of the entropy starts clear, leaving room to count up within a millisecond.
                last = (millis, UInt16.random(in: 0 ... 0x7FFF, using: &generator), generator.next())
            } else if last.lo == .max {
                last.lo = 0
                last.hi &+= 1
            } else {
                last.lo += 1
            }
            return last
        }
        return RecordID.make(prefix, millis: time, entropy: (hi, lo))
    }
}

/// Ids numbered 1, 2, 3… after the time part: predictable ids for tests.
public final class SequentialIDGenerator: IDGenerating {
    private let counter = Atomic<UInt64>(0)

    public init() {}

    public func next(_ prefix: IDPrefix, at now: Date) -> RecordID {
        RecordID.make(prefix, millis: now.millisSinceEpoch, entropy: (0, counter.add(1, ordering: .relaxed).newValue))
    }
}
