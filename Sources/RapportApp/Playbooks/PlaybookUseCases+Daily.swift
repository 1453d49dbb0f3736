import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// The triggers days set off: "N days before/after a date field" and "an entitlement expiring in
/// N days". A daily job finds, for each active playbook of these kinds, the records whose date is
/// today's (in the business time zone) and observes them like any change; a record with a run of
/// that playbook already going is left alone, so running the job twice a day starts nothing new.
extension PlaybookUseCases {
    /// The daily job's kind.
    public static let dailyKind = "playbooks.daily"

    /// Observes today's date and expiry triggers; returns the runs started.
    @discardableResult
    public func runDaily() async throws -> Int {
        let now = rapport.clock.now()
        let zone = rapport.settings.businessTimeZone
        let today = CalendarDate(now, in: zone)
        func dayBounds(_ date: CalendarDate) -> (Date, Date) {
            (StepOffset.local(date, hour: 0, minute: 0, second: 0, zone), StepOffset.local(date.adding(days: 1), hour: 0, minute: 0, second: 0, zone))
        }
        let playbooks = try await rapport.database.read { sql in try await PlaybookStore(sql).allActive() }
        var started = 0
        for playbook in playbooks {
            let records: [(record: RecordID, owner: RecordID?)]
            let event: RecordChange.Event
            switch playbook.trigger {
            case .dateReached(let object, let field, let days):
                // +30 = thirty days after the date: the date was thirty days ago.
                let date = today.adding(days: -days)
                event = .dateReached(field: field, days: days)
                records = try await rapport.database.read { sql in
                    let store = PlaybookStore(sql)
                    switch PlaybookDateFields.available(for: object)[field] {
                    case .instant?:
                        let (from, to) = dayBounds(date)
                        return try await store.records(object, instant: field, from: from, to: to)
                    case .date?: return try await store.records(object, date: field, on: date.description)
                    case nil: return []
                    }
                }
            case .entitlementExpiring(let days):
                let (from, to) = dayBounds(today.adding(days: days))
                event = .expiring(days: days)
                records = try await rapport.database.read { sql in try await PlaybookStore(sql).customersWithEntitlementsExpiring(from: from, to: to) }
            default:
                continue
            }
            let object = playbook.trigger.object
            for start in stride(from: 0, to: records.count, by: 500) {
                let batch = records[start..<min(start + 500, records.count)].map { (RecordChange(object: object, recordID: $0.record, event: event, at: now), $0.owner) }
                started += try await rapport.transaction { sql in try await observe(batch, in: sql) }.started.count
            }
        }
        return started
    }
}
