import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension CustomerUseCases {
    /// Everything about one customer in one answer: the masked profile, relations, the recent
    /// timeline, stage history with time in stage, tags, consents, and the open tasks and deals
    /// (empty until those areas arrive).
    public struct View360: Sendable {
        public var customer: Customer
        public var relations: [RelationView]
        public var timeline: Page<Activity>
        public var stageHistory: [StageChange]
        public var timeInStage: [String: TimeInterval]
        public var stageLabel: LocalizedText?
        public var outboundTouches: Int
        public var frequencyCap: ContactFrequencyCap
    }

    public func view360(_ id: String, timelineLimit: Int = 20, by caller: Caller) async throws -> View360 {
        let scope = try await filter(caller, .read)
        guard let id = RecordID(parsing: id, prefix: .customer) else { throw RapportError.notFound("customer") }
        let now = rapport.clock.now()
        let template = rapport.settings.dictionaryTemplate
        return try await rapport.database.read { sql in
            guard let customer = try await CustomerStore(sql).find(id, in: scope) else { throw RapportError.notFound("customer") }
            let settings = try await CustomerSettings.load(sql)
            let dictionary = try await DictionaryUseCases.load(.customer, sql, template: template)
            let relations = try await Self.relationViews(of: id, scope: scope, sql)
            let timeline = try await ActivityStore(sql).list(ActivityStore.ListFilter(customerID: id), page: PageRequest(limit: timelineLimit), customersIn: scope)
            let history = try await StageHistoryStore(sql).history(.customer, of: id)
            let touches = try await ActivityStore(sql).outboundCount(customer: id, after: settings.frequencyCap.windowStart(for: now), upTo: now)
            return View360(
                customer: customer.masked(), relations: relations, timeline: timeline, stageHistory: history,
                timeInStage: TimeInStage.durations(history, now: now), stageLabel: dictionary.stage(customer.stage)?.label,
                outboundTouches: touches, frequencyCap: settings.frequencyCap)
        }
    }
}
