import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension HandoverUseCases {
    /// What a handover of a user would move: per kind the count and the first records (contacts
    /// masked), and for a plan what each recipient would receive and any holding limit it would
    /// exceed (a warning: the handover itself is not refused for it). Changes nothing.
    public struct Preview: Sendable {
        public var user: User
        public var kinds: [KindPreview]
        public var warnings: [HoldingWarning]
    }

    public struct KindPreview: Sendable {
        public var kind: HandoverKind
        /// Records the user owns that a handover of this kind moves.
        public var count: Int
        /// Of those, open ones (leads).
        public var open: Int?
        /// Records never moved (customers merged into others, won or lost opportunities).
        public var skipped: Int
        /// The newest records, at most ``HandoverUseCases/previewRecords``.
        public var records: [PreviewRecord]
        /// Where the plan sends them; nil when the plan leaves the kind with the user.
        public var plan: KindPlan?
    }

    /// A record in a preview: masked contact details, never raw ones.
    public struct PreviewRecord: Sendable {
        public var id: RecordID
        public var name: String
        /// The stage (customers, opportunities) or status (leads).
        public var stage: String
        public var phone: String?
        public var email: String?
    }

    public struct KindPlan: Sendable {
        public var target: HandoverTarget
        public var recipients: [PlanShare]
    }

    public struct PlanShare: Sendable {
        public var userID: RecordID
        public var name: String
        public var count: Int
        /// Open leads among them (what holding limits count).
        public var open: Int
    }

    /// A recipient who would hold more open leads of a pool than its limit for their level.
    public struct HoldingWarning: Sendable, Equatable {
        public var userID: RecordID
        public var poolID: RecordID
        public var holding: Int
        public var incoming: Int
        public var limit: Int
    }

    /// Previews a handover of `user`, optionally with a plan (the request's targets).
    public func preview(_ user: String, plan targets: [HandoverKind: TargetInput] = [:], by caller: Caller) async throws -> Preview {
        let scope = try await scope(caller, .create)
        return try await rapport.database.read { sql in
            let user = try await departing(user, by: caller, scope: scope, sql)
            let destinations = try await destinations(targets, departing: user, scope: scope, sql)
            let holdings = try await holdings(of: user.id, sql)
            var kinds: [KindPreview] = []
            var warnings: [HoldingWarning] = []
            var dealt: [HandoverKind: [(id: RecordID, to: RecordID?, pool: RecordID?)]] = [:]
            for kind in HandoverKind.allCases {
                var preview = try await records(kind, of: user.id, holdings, sql)
                if kind == .tasks {
                    // Tasks follow the records dealt above; the rest go to the tasks' target.
                    let deal = holdings.dealTasks(following: dealt, to: destinations[kind])
                    if !deal.isEmpty || destinations[kind] != nil {
                        var names = try await UserStore(sql).colleagueNames(Set(deal.compactMap(\.to)))
                        for recipient in destinations[kind]?.recipients ?? [] { names[recipient.id] = recipient.name }
                        let shares = Holdings.shares(deal)
                        let listed = (destinations[kind]?.recipients.map(\.id) ?? []) + shares.map(\.userID)
                        var seen: Set<RecordID> = []
                        preview.plan = KindPlan(target: destinations[kind]?.target ?? .users([]), recipients: listed.filter { seen.insert($0).inserted }.map { id in
                            PlanShare(userID: id, name: names[id] ?? "", count: shares.first { $0.userID == id }?.count ?? 0, open: 0)
                        })
                    }
                    kinds.append(preview)
                    continue
                }
                if let destination = destinations[kind] {
                    let deal = holdings.deal(kind, to: destination)
                    dealt[kind] = deal
                    let open = Set(holdings.leads.filter(\.isOpen).map(\.id))
                    var counts: [RecordID: (all: Int, open: Int)] = [:]
                    for record in deal {
                        guard let to = record.to else { continue }
                        counts[to, default: (0, 0)].all += 1
                        if open.contains(record.id) { counts[to, default: (0, 0)].open += 1 }
                    }
                    preview.plan = KindPlan(target: destination.target, recipients: destination.recipients.map { recipient in
                        PlanShare(userID: recipient.id, name: recipient.name, count: counts[recipient.id]?.all ?? 0, open: counts[recipient.id]?.open ?? 0)
                    })
                    if kind == .leads { warnings += try await holdingWarnings(deal, holdings, recipients: destination.recipients, sql) }
                }
                kinds.append(preview)
            }
            return Preview(user: user, kinds: kinds, warnings: warnings)
        }
    }

    func records(_ kind: HandoverKind, of user: RecordID, _ holdings: Holdings, _ sql: any SQLDatabase) async throws -> KindPreview {
        let page = PageRequest(limit: Self.previewRecords)
        switch kind {
        case .leads:
            var filter = LeadStore.ListFilter()
            filter.ownerID = user
            let leads = try await LeadStore(sql).list(filter, page: page, in: nil).items.map { $0.masked() }
            return KindPreview(kind: kind, count: holdings.leads.count, open: holdings.leads.filter(\.isOpen).count, skipped: 0,
                               records: leads.map { PreviewRecord(id: $0.id, name: $0.name, stage: $0.status, phone: $0.phone, email: $0.email) })
        case .customers:
            var filter = CustomerStore.ListFilter()
            filter.ownerID = user
            let everyone = ScopeFilter(Caller.system("handover").effectivePrincipal, .all, kind: .customer, anchor: .owner(column: "owner_id"), table: "customers")
            let customers = try await CustomerStore(sql).list(filter, page: page, in: everyone).items
            return KindPreview(kind: kind, count: holdings.customers.count, open: nil, skipped: holdings.mergedCustomers,
                               records: customers.map { PreviewRecord(id: $0.id, name: $0.name, stage: $0.stage) })
        case .opportunities:
            let open = holdings.opportunities.filter(\.isOpen)
            return KindPreview(kind: kind, count: open.count, open: open.count, skipped: holdings.skipped(kind),
                               records: open.suffix(Self.previewRecords).reversed().map { PreviewRecord(id: $0.id, name: $0.name, stage: $0.stage) })
        case .tasks:
            return KindPreview(kind: kind, count: holdings.tasks.count, open: holdings.tasks.count, skipped: 0,
                               records: holdings.tasks.suffix(Self.previewRecords).reversed().map {
                                   PreviewRecord(id: $0.id, name: $0.title, stage: SalesTask.Status.open.rawValue)
                               })
        }
    }

    /// For each recipient and pool, whether the open leads dealt to them would exceed their limit.
    func holdingWarnings(_ deal: [(id: RecordID, to: RecordID?, pool: RecordID?)], _ holdings: Holdings, recipients: [User],
                         _ sql: any SQLDatabase) async throws -> [HoldingWarning] {
        let leads = Dictionary(uniqueKeysWithValues: holdings.leads.map { ($0.id, $0) })
        var incoming: [RecordID: [RecordID: Int]] = [:]
        for record in deal {
            guard let to = record.to, let lead = leads[record.id], lead.isOpen, let pool = lead.poolID else { continue }
            incoming[to, default: [:]][pool, default: 0] += 1
        }
        var warnings: [HoldingWarning] = []
        let pools = Dictionary(uniqueKeysWithValues: try await PoolStore(sql).all(object: .lead, includeArchived: true).map { ($0.id, $0) })
        for recipient in recipients {
            for (poolID, count) in (incoming[recipient.id] ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let limit = pools[poolID]?.rules.holdingLimit.limit(for: recipient.repLevel?.rawValue) else { continue }
                let holding = try await LeadStore(sql).holding(recipient.id, in: poolID)
                if holding + count > limit {
                    warnings.append(HoldingWarning(userID: recipient.id, poolID: poolID, holding: holding, incoming: count, limit: limit))
                }
            }
        }
        return warnings
    }
}
