import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Synchronization
import Testing

/// Durable jobs: dedup, due times under the test clock, back-off and giving up, leases, and
/// concurrent workers that never run a job twice.
@Suite struct JobTests {
    /// How many times each job ran.
    final class Executions: Sendable {
        private let counts = Mutex<[RecordID: Int]>([:])

        func record(_ id: RecordID) { counts.withLock { $0[id, default: 0] += 1 } }
        var all: [RecordID: Int] { counts.withLock { $0 } }
    }

    /// An error whose text holds personal data, which must never reach `last_error`.
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "could not reach zhang.san@example.com at +86 138 0013 8000" }
    }

    static func counting(_ harness: TestHarness, kind: String = "test.count") -> Executions {
        let executions = Executions()
        harness.rapport.jobHandlers.register(kind) { job, _ in executions.record(job.id) }
        return executions
    }

    static func stored(_ harness: TestHarness, _ id: RecordID) async throws -> Job {
        try #require(try await harness.rapport.database.read { sql in try await JobStore(sql).find(id) })
    }

    @Test(arguments: TestBackend.available)
    func enqueueingTheSameDedupKeyTwiceQueuesOneJob(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let jobs = harness.rapport.jobs
            let executions = Self.counting(harness)
            let first = try await jobs.enqueue(kind: "test.count", payload: .object(["customer_id": .string("cus_1")]), dedupKey: "count:1")
            let second = try await jobs.enqueue(kind: "test.count", dedupKey: "count:1")
            #expect(second.id == first.id && second.payload == first.payload)
            #expect(try await harness.count("jobs") == 1)

            // Enqueued in a transaction that rolls back: no job (the outbox commits with the change or not at all).
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await harness.rapport.transaction { sql in
                    try await jobs.enqueue(kind: "test.count", dedupKey: "count:2", in: sql)
                    throw Rollback()
                }
            }
            // Twice in one transaction: still one.
            try await harness.rapport.transaction { sql in
                let a = try await jobs.enqueue(kind: "test.count", dedupKey: "count:3", in: sql)
                let b = try await jobs.enqueue(kind: "test.count", dedupKey: "count:3", in: sql)
                #expect(a.id == b.id)
            }
            #expect(try await harness.count("jobs") == 2)

            #expect(try await jobs.runDue(worker: "test").succeeded == 2)
            #expect(executions.all[first.id] == 1)
            // Once the job has finished, the key is free again.
            let again = try await jobs.enqueue(kind: "test.count", dedupKey: "count:1")
            #expect(again.id != first.id && again.status == .queued)
            #expect(try await harness.count("jobs") == 3)
        }
    }

    @Test(arguments: TestBackend.available)
    func aJobIsNotRunBeforeItIsDue(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let executions = Self.counting(harness)
            let job = try await harness.rapport.jobs.enqueue(kind: "test.count", dueAt: harness.clock.now().addingTimeInterval(3_600))
            #expect(try await harness.rapport.jobs.runDue(worker: "test").claimed == 0)
            harness.clock.advance(by: 3_599)
            #expect(try await harness.rapport.jobs.runDue(worker: "test").claimed == 0)
            #expect(executions.all.isEmpty)
            harness.clock.advance(by: 1)
            let summary = try await harness.rapport.jobs.runDue(worker: "test")
            #expect(summary.claimed == 1 && summary.succeeded == 1)
            #expect(executions.all == [job.id: 1])
            let done = try await Self.stored(harness, job.id)
            #expect(done.status == .succeeded && done.attempts == 1 && done.finishedAt == harness.clock.now() && done.lockedBy == nil)
            #expect(try await harness.rapport.jobs.runDue(worker: "test").claimed == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailingJobIsRetriedWithGrowingBackOffThenDies(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let jobs = harness.rapport.jobs
            harness.rapport.jobHandlers.register("test.fail") { _, _ in throw Unreachable() }
            let job = try await jobs.enqueue(kind: "test.fail", maxAttempts: 4)
            var delays: [TimeInterval] = []
            for attempt in 1...3 {
                #expect(try await jobs.runDue(worker: "test").retrying == 1)
                let waiting = try await Self.stored(harness, job.id)
                #expect(waiting.status == .queued && waiting.attempts == attempt && waiting.lockedBy == nil && waiting.finishedAt == nil)
                #expect(waiting.lastError == "Unreachable")
                let delay = waiting.dueAt.timeIntervalSince(harness.clock.now())
                #expect(abs(delay - JobBackoff.delay(attempt: attempt, key: job.id.rawValue)) < 0.001)
                delays.append(delay)
                harness.clock.advance(by: delay - 1)
                #expect(try await jobs.runDue(worker: "test").claimed == 0, "not before its back-off")
                harness.clock.advance(by: 1.5)
            }
            #expect(delays[0] < delays[1] && delays[1] < delays[2])
            #expect(try await jobs.runDue(worker: "test").dead == 1)
            let dead = try await Self.stored(harness, job.id)
            #expect(dead.status == .dead && dead.attempts == 4 && dead.finishedAt != nil && dead.lastError == "Unreachable")
            harness.clock.advance(by: 30 * 86_400)
            #expect(try await jobs.runDue(worker: "test").claimed == 0)

            // A failure the handler calls permanent stops the job at once.
            harness.rapport.jobHandlers.register("test.gone") { _, _ in throw PermanentJobFailure("the record no longer exists") }
            let gone = try await jobs.enqueue(kind: "test.gone")
            #expect(try await jobs.runDue(worker: "test").failed == 1)
            let failed = try await Self.stored(harness, gone.id)
            #expect(failed.status == .failed && failed.attempts == 1 && failed.lastError == "the record no longer exists")
        }
    }

    @Test(arguments: TestBackend.available)
    func anExpiredLeaseLetsAnotherWorkerTakeTheJob(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let jobs = harness.rapport.jobs
            let executions = Self.counting(harness)
            let job = try await jobs.enqueue(kind: "test.count")
            let last = try await jobs.enqueue(kind: "test.count", maxAttempts: 1)
            // Worker A claims both, then dies without finishing them.
            let claimed = try await harness.rapport.database.write { sql in
                try await JobStore(sql).claim(worker: "worker-a", at: harness.clock.now(), lease: 60, limit: 10, kinds: ["test.count"])
            }
            #expect(claimed.map(\.id) == [job.id, last.id])
            #expect(claimed.allSatisfy { $0.status == .running && $0.lockedBy == "worker-a" && $0.attempts == 1 })
            #expect(try await jobs.runDue(worker: "worker-b", lease: 60).claimed == 0, "the lease still holds")
            harness.clock.advance(by: 60)
            let summary = try await jobs.runDue(worker: "worker-b", lease: 60)
            #expect(summary.claimed == 1 && summary.succeeded == 1)
            #expect(executions.all == [job.id: 1])
            let done = try await Self.stored(harness, job.id)
            #expect(done.status == .succeeded && done.attempts == 2)
            // The job whose lease expired on its only attempt is dead, not run again.
            let dead = try await Self.stored(harness, last.id)
            #expect(dead.status == .dead && dead.lastError == "lease expired during the last attempt")
            // Worker A comes back: its late outcome is not recorded.
            let late = try await harness.rapport.database.write { sql in
                try await JobStore(sql).complete(job.id, worker: "worker-a", at: harness.clock.now())
            }
            #expect(late == false)
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentWorkersRunEveryJobExactlyOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let executions = Self.counting(harness)
            try await harness.rapport.transaction { sql in
                for index in 0..<200 {
                    try await harness.rapport.jobs.enqueue(kind: "test.count", payload: .object(["n": .integer(Int64(index))]), in: sql)
                }
            }
            let ran = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var ran = 0
                        while true {
                            let batch = try await harness.rapport.jobs.runDue(worker: "worker-\(worker)", limit: 5)
                            ran += batch.claimed
                            if batch.claimed == 0 { return ran }
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(ran == 200)
            let counts = executions.all
            #expect(counts.count == 200 && counts.values.allSatisfy { $0 == 1 })
            let succeeded = try await harness.rapport.jobs.list(status: "succeeded", kind: nil, page: PageRequest(limit: 500), by: harness.system)
            #expect(succeeded.items.count == 200 && succeeded.items.allSatisfy { $0.attempts == 1 })
        }
    }

    @Test(arguments: TestBackend.available)
    func housekeepingPrunesFinishedJobsAfterThirtyDays(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let jobs = harness.rapport.jobs
            _ = Self.counting(harness)
            try await jobs.scheduleHousekeeping()
            try await jobs.scheduleHousekeeping()
            let scheduled = try await jobs.list(status: "queued", kind: JobUseCases.pruneKind, page: PageRequest(), by: harness.system).items
            #expect(scheduled.count == 1)
            #expect(scheduled.first?.dueAt == Date(timeIntervalSince1970: 1_767_657_600))  // the next midnight, UTC

            let old = try await jobs.enqueue(kind: "test.count")
            #expect(try await jobs.runDue(worker: "test").succeeded == 1)
            harness.clock.advance(by: 29 * 86_400)
            let recent = try await jobs.enqueue(kind: "test.count")
            let waiting = try await jobs.enqueue(kind: "test.count", dueAt: harness.clock.now().addingTimeInterval(100 * 86_400))
            // `recent`, the first prune (nothing old enough yet), the first nightly reclaim (no pools)
            // the orders', entitlements' and playbooks' daily runs, the overdue alert, the quote expiry (nothing due),
            // the tasks' overdue check (which queues its next run, 5 minutes on) and the email digest (no mailer: nothing sent).
            #expect(try await jobs.runDue(worker: "test").succeeded == 10)
            #expect(try await harness.count("jobs") == 13)
            harness.clock.advance(by: 2 * 86_400)
            try await jobs.enqueue(kind: JobUseCases.pruneKind)
            #expect(try await jobs.runDue(worker: "test").succeeded == 2)  // the prune and the tasks' overdue check
            let left = try await jobs.list(status: nil, kind: nil, page: PageRequest(), by: harness.system).items.map(\.id)
            #expect(!left.contains(old.id) && left.contains(recent.id) && left.contains(waiting.id))
        }
    }
}
