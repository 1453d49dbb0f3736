import Foundation

/// How long a failed job waits before its next attempt: exponential, capped, with jitter.
///
/// The delay after the n-th failed attempt is `min(base · 2^(n-1), cap)`, shortened by up to a
/// fifth by a jitter that is derived from the job's id and the attempt — deterministic (no
/// randomness in the core), yet different across jobs, so jobs that failed together (a database
/// outage) do not all retry in the same second.
///
/// ```swift
/// JobBackoff.delay(attempt: 1, key: "job_01KB…")  // 24…30 s
/// JobBackoff.delay(attempt: 4, key: "job_01KB…")  // 192…240 s
/// ```
public enum JobBackoff {
    /// The delay after the first failed attempt (before jitter).
    public static let base: TimeInterval = 30
    /// The longest delay (before jitter).
    public static let cap: TimeInterval = 6 * 3_600
    /// The largest share of a delay the jitter takes off.
    public static let jitter = 0.2

    /// Seconds to wait after failed attempt number `attempt` (1 for the first) of the job `key`.
    public static func delay(attempt: Int, key: String, base: TimeInterval = base, cap: TimeInterval = cap) -> TimeInterval {
        let exponent = max(0, min(attempt, 64) - 1)
        let raw = min(base * pow(2, Double(exponent)), cap)
        return raw * (1 - jitter * fraction(key: key, attempt: attempt))
    }

    /// A number in [0, 1) fixed by the key and the attempt: FNV-1a of the key, mixed by SplitMix64.
    static func fraction(key: String, attempt: Int) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        var mixer = SplitMix64(seed: hash ^ UInt64(truncatingIfNeeded: attempt))
        return Double(mixer.next() >> 11) / Double(UInt64(1) << 53)
    }
}
