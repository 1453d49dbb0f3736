import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension BenchUseCases {
    /// Adds `count` activities done by the active reps (round-robin, as the actor) on up to 1,000
    /// of their customers (seed opportunities first: it creates them), of every type, dated over
    /// the past year — the volume a month's leaderboard of calls and visits reads. `progress` gets
    /// the number written so far.
    public func seedRepActivities(count: Int, by caller: Caller, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        guard caller.principal == nil else { throw RapportError(.forbidden, "Only the command line may seed benchmark data.") }
        guard (1...10_000_000).contains(count) else {
            throw RapportError.validation([FieldError(field: "count", code: "out_of_range", message: "count must be from 1 to 10000000.")])
        }
        let now = rapport.clock.now()
        let (reps, customers) = try await rapport.database.read { sql in
            let reps = try await sql.select().column("id").from("users").where("status", .equal, "active").where("role", .equal, "rep")
                .orderBy("id").all().map { RecordID(trusted: try $0.decode(column: "id", as: String.self)) }
            let customers = try await sql.select().column("id").from("customers").orderBy("id").limit(1_000).all()
                .map { RecordID(trusted: try $0.decode(column: "id", as: String.self)) }
            return (reps, customers)
        }
        guard !reps.isEmpty, !customers.isEmpty else {
            throw RapportError(.conflict, "Create active reps and customers first (bench seed-opportunities creates customers).")
        }
        let types: [Activity.ActivityType] = [.call, .call, .call, .visit, .wechat, .sms, .email, .meeting]
        var written = 0
        while written < count {
            let size = min(10_000, count - written)
            let batch = (0..<size).map { offset in
                let index = written + offset
                let hash = (index &* 2_654_435_761) & 0x7fff_ffff
                let type = types[hash % types.count]
                return Activity(id: rapport.ids.next(.activity, at: now), customerID: customers[index % customers.count], type: type,
                                direction: .outbound, subject: "\(type.rawValue) \(index)", occurredAt: now.addingTimeInterval(-Double(hash % (365 * 86_400))),
                                durationSeconds: type == .call ? Int64(30 + hash % 600) : nil, actorID: reps[index % reps.count], createdAt: now)
            }
            try await rapport.transaction { sql in try await ActivityStore(sql).insert(batch) }
            written += size
            progress(written)
        }
        try await rapport.database.write { sql in try await sql.refreshStatistics() }
        try await rapport.database.read { sql in try await sql.vacuumAfterBulkLoad(["activities"]) }
        return written
    }
}
