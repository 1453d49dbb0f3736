import Foundation

/// Time-in-stage analytics from a record's stage history.
public enum TimeInStage {
    /// Seconds spent in each stage from a record's history (ordered by time), counting the current stage
    /// up to `now`. A stage entered several times sums its visits. A change dated before the previous one
    /// (clock skew) counts as zero seconds, never negative.
    public static func durations(_ history: [StageChange], now: Date) -> [String: TimeInterval] {
        var result: [String: TimeInterval] = [:]
        for (index, change) in history.enumerated() {
            let end = index + 1 < history.count ? history[index + 1].at : now
            result[change.to, default: 0] += max(0, end.timeIntervalSince(change.at))
        }
        return result
    }

    /// Seconds in the current stage (the last change's target) up to `now`; nil for an empty history.
    public static func current(_ history: [StageChange], now: Date) -> TimeInterval? {
        guard let last = history.last else { return nil }
        return max(0, now.timeIntervalSince(last.at))
    }

    /// How many times each stage was entered.
    public static func entries(_ history: [StageChange]) -> [String: Int] {
        history.reduce(into: [:]) { counts, change in counts[change.to, default: 0] += 1 }
    }
}
