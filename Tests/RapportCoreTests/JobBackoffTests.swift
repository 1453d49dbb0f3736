import Foundation
import RapportCore
import Testing

/// The retry delay of failed jobs: exponential, capped, jittered the same way every time.
@Suite struct JobBackoffTests {
    @Test func delaysDoubleUpToTheCapWithAtMostAFifthTakenOff() {
        for key in ["job_01KB3Y8N4QZJ9V6E2T1XWMC0PD", "job_01KB3Y8N4QZJ9V6E2T1XWMC0PE", ""] {
            for attempt in 1...20 {
                let raw = min(JobBackoff.base * pow(2, Double(attempt - 1)), JobBackoff.cap)
                let delay = JobBackoff.delay(attempt: attempt, key: key)
                #expect(delay <= raw && delay >= raw * (1 - JobBackoff.jitter), "attempt \(attempt)")
                #expect(delay == JobBackoff.delay(attempt: attempt, key: key), "deterministic")
            }
            let early = (1...9).map { JobBackoff.delay(attempt: $0, key: key) }
            #expect(zip(early, early.dropFirst()).allSatisfy { $0 < $1 }, "grows until the cap")
        }
        #expect(JobBackoff.delay(attempt: 0, key: "x") <= JobBackoff.base)
        #expect(JobBackoff.delay(attempt: 10_000, key: "x") <= JobBackoff.cap)
    }

    @Test func jobsThatFailedTogetherRetryAtDifferentTimes() {
        let keys = (0..<100).map { "job_\($0)" }
        let delays = Set(keys.map { JobBackoff.delay(attempt: 3, key: $0) })
        #expect(delays.count > 90)
    }
}
