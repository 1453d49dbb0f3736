import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ReceivableUseCases {
    /// What the receivables list asks for, as sent.
    public struct ListQuery: Sendable {
        /// `open` (default: not yet settled), `overdue` (open and due before today) or `all`.
        public var status: String?
        public var dueBefore: String?
        public var owner: String?
        public var team: String?
        public var customer: String?

        public init(status: String? = nil, dueBefore: String? = nil, owner: String? = nil, team: String? = nil, customer: String? = nil) {
            self.status = status
            self.dueBefore = dueBefore
            self.owner = owner
            self.team = team
            self.customer = customer
        }
    }

    /// Instalments across the orders in the caller's scope, earliest due first: the collections
    /// list (应收/逾期) for reps and managers.
    public func list(_ query: ListQuery, page: PageRequest, by caller: Caller) async throws -> Page<ReceivableRow> {
        let scope = try await orderScope(caller, .read)
        var check = Validator()
        var filter = ReceivableStore.ListFilter()
        switch query.status ?? "open" {
        case "open": break
        case "overdue": filter.dueBefore = today
        case "all": filter.openOnly = false
        default: check.add("status", "invalid", "status is open, overdue or all.")
        }
        if let text = query.dueBefore {
            if let day = CalendarDate(text) { filter.dueBefore = min(filter.dueBefore ?? day, day) } else {
                check.add("due_before", "invalid", "due_before is a date YYYY-MM-DD.")
            }
        }
        func id(_ text: String?, _ field: String, _ prefix: IDPrefix) -> RecordID? {
            guard let text else { return nil }
            guard let parsed = RecordID(parsing: text, prefix: prefix) else {
                check.add(field, "invalid", "\(field) is not a \(prefix.rawValue)_ id.")
                return nil
            }
            return parsed
        }
        filter.ownerID = id(query.owner, "owner_id", .user)
        filter.teamID = id(query.team, "team_id", .team)
        filter.customerID = id(query.customer, "customer_id", .customer)
        try check.finish()
        return try await rapport.database.read { sql in try await ReceivableStore(sql).list(filter, page: page, in: scope) }
    }

    /// The job kind of the daily overdue alert.
    public static let overdueKind = "receivables.overdue"

    /// Tells each order's owner of every instalment that has become overdue (once per
    /// instalment: a plan replaced starts afresh). Returns how many were told. Idempotent.
    @discardableResult
    public func alertOverdue() async throws -> Int {
        let today = self.today
        var told = 0
        while true {
            let batch = try await rapport.transaction { sql in
                let store = ReceivableStore(sql)
                let due = try await store.unalertedOverdue(before: today, limit: 500)
                let notices = rapport.notifications
                try await notices.send(due.map { row in
                    notices.make(row.ownerID, "receivable.overdue", details: [
                        "order_id": row.orderID.rawValue, "order_title": row.orderTitle, "installment": String(row.installment.number),
                        "due_date": row.installment.dueDate.description, "outstanding_minor": String(row.outstandingMinor), "currency": row.currency,
                    ], about: (.order, row.orderID.rawValue), dedupKey: "overdue:\(row.orderID.rawValue):\(row.installment.number):\(row.installment.dueDate)")
                }, in: sql)
                for row in due { try await store.markAlerted(order: row.orderID, installment: row.installment.number, on: today) }
                return due.count
            }
            told += batch
            if batch < 500 { return told }
        }
    }

    static func registerHandlers(in handlers: JobHandlers) {
        handlers.register(overdueKind) { _, rapport in try await rapport.receivables.alertOverdue() }
    }
}
