import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Seeding for benchmarks: volumes no person would type (millions of activities), written with
/// multi-row statements. Only the system (the command line) may call it; nothing else uses it.
public struct BenchUseCases: Sendable {
    let rapport: Rapport

    /// Adds `perCustomer` activities to every live customer, dated over the past year, in
    /// transactions of about 20,000 rows. `progress` gets the number written so far.
    public func seedActivities(perCustomer: Int, by caller: Caller, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        guard caller.principal == nil else { throw RapportError(.forbidden, "Only the command line may seed benchmark data.") }
        guard (1...100).contains(perCustomer) else {
            throw RapportError.validation([FieldError(field: "per_customer", code: "out_of_range", message: "per_customer must be from 1 to 100.")])
        }
        let now = rapport.clock.now()
        let types: [Activity.ActivityType] = [.call, .sms, .wechat, .email, .visit, .meeting, .note]
        var written = 0
        var after = ""
        while true {
            let ids = try await rapport.database.read { sql in
                try await sql.select().column("id").from("customers").where("id", .greaterThan, after)
                    .orderBy("id").limit(2_000).all().map { try $0.decode(column: "id", as: String.self) }
            }
            guard let last = ids.last else { break }
            after = last
            var batch: [Activity] = []
            batch.reserveCapacity(ids.count * perCustomer)
            for (index, id) in ids.enumerated() {
                for n in 0..<perCustomer {
                    let type = types[(index + n) % types.count]
                    let seconds = Double((index * 7_919 + n * 104_729) % (365 * 86_400))
                    batch.append(Activity(
                        id: rapport.ids.next(.activity, at: now), customerID: RecordID(trusted: id), type: type,
                        direction: type == .note ? .internal : (n % 3 == 0 ? .inbound : .outbound), subject: "\(type.rawValue) \(n)",
                        occurredAt: now.addingTimeInterval(-seconds), durationSeconds: type == .call ? Int64(30 + n * 17) : nil,
                        actorID: nil, createdAt: now))
                }
            }
            try await rapport.transaction { sql in
                try await ActivityStore(sql).insert(batch)
                // The customers' last touch, as logging them one by one would have left it.
                try await sql.raw("""
                    UPDATE customers SET last_follow_up_at = (SELECT max(a.occurred_at) FROM activities a
                        WHERE a.customer_id = customers.id AND a.direction IN ('outbound', 'inbound')) WHERE \(sql.idIn(SQLColumn("id"), ids.map(RecordID.init(trusted:))))
                    """).run()
            }
            written += batch.count
            progress(written)
        }
        return written
    }
}

extension Rapport {
    public var bench: BenchUseCases { BenchUseCases(rapport: self) }
}
