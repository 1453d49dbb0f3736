import Foundation
import Logging
import RapportCore
import RapportStorage
import SQLKit

extension QuoteUseCases {
    /// The daily job that expires sent quotes past their validity date.
    public static let expireKind = "quote.expire"

    /// Expires every sent quote whose last valid day is before today (UTC), by the system: each in
    /// its own transaction with its history and audit entries, and a notification to the owner.
    /// A quote answered in between is left alone; running twice expires nothing twice. Returns the
    /// quotes expired.
    @discardableResult
    public func expireLapsed() async throws -> [RecordID] {
        let caller = Caller.system("job")
        var expired: [RecordID] = []
        while true {
            let today = QuoteLifecycle.day(of: rapport.clock.now())
            let batch = try await rapport.database.read { sql in try await QuoteStore(sql).lapsed(before: today, limit: 500) }
            var progressed = false
            for id in batch {
                let done = try await rapport.transaction { sql -> Bool in
                    guard let quote = try await QuoteStore(sql).find(id, in: nil), quote.status == .sent,
                          QuoteLifecycle.hasLapsed(validUntil: quote.validUntil, today: today) else { return false }
                    var lapsed = quote
                    lapsed.expiredAt = rapport.clock.now()
                    _ = try await save(lapsed, from: quote, action: .expire, reason: nil, expectedVersion: quote.version, by: caller,
                                       details: ["valid_until": quote.validUntil], sql)
                    let notices = rapport.notifications
                    try await notices.send([notices.make(quote.ownerID, "quote.expired", details: ["quote_id": quote.id.rawValue, "valid_until": quote.validUntil],
                                                         about: (.quote, quote.id.rawValue), dedupKey: "quote-expired:\(quote.id.rawValue)")], in: sql)
                    return true
                }
                if done {
                    expired.append(id)
                    progressed = true
                }
            }
            if batch.count < 500 || !progressed { break }
        }
        if !expired.isEmpty { rapport.logger.info("quotes expired", metadata: ["count": .stringConvertible(expired.count)]) }
        return expired
    }

    static func registerHandlers(in handlers: JobHandlers) {
        handlers.register(expireKind) { _, rapport in _ = try await rapport.quotes.expireLapsed() }
    }
}
