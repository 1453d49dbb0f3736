import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension QuoteUseCases {
    /// Whether `caller` may approve or reject the quote now: it is waiting for approval, and they
    /// are an administrator or a manager over its owner's team — never its owner or submitter.
    public func mayDecide(_ item: Item, by caller: Caller) async throws -> Bool {
        guard item.quote.status == .pendingApproval, let role = caller.principal?.role, role == .admin || role == .manager else { return false }
        let pending = item.approvals.last { $0.decision == .pending }
        return try await rapport.database.read { sql in
            do {
                try await requireApprover(item.quote, request: pending, caller: caller, sql)
                return true
            } catch let error as RapportError where error.code == .forbidden {
                return false
            }
        }
    }

    /// The caller's approval inbox: a page of the quotes in their scope that wait for approval and
    /// that they may decide (``mayDecide(_:by:)``), newest first, with their approval requests.
    /// Empty for roles that never approve. A page may hold fewer than `page.limit` quotes (those
    /// the caller may not decide are left out); `nextCursor` goes on from where the page stopped.
    public func approvalInbox(page: PageRequest, by caller: Caller) async throws -> Page<Item> {
        guard let role = caller.principal?.role, role == .admin || role == .manager else { return Page(items: [], nextCursor: nil) }
        let scope = try await scope(caller, .read)
        let found = try await rapport.database.read { sql in
            let quotes = try await QuoteStore(sql).list(.init(status: .pendingApproval), page: page, in: scope)
            var items: [Item] = []
            for quote in quotes.items { items.append(Item(quote: quote, approvals: try await QuoteStore(sql).approvals(of: quote.id))) }
            return Page(items: items, nextCursor: quotes.nextCursor)
        }
        var mine: [Item] = []
        for item in found.items {
            if try await mayDecide(item, by: caller) { mine.append(item) }
        }
        return Page(items: mine, nextCursor: found.nextCursor)
    }

    /// The names of the people a quote mentions — its owner, who created and approved it, who
    /// asked and was asked to approve it and who decided, and who changed its status in `history`
    /// (the quote's own) — for a reader who may see the quote: names only, nothing else of them.
    public func names(in item: Item, history: [StageChange] = []) async throws -> [RecordID: String] {
        var ids = Set([item.quote.ownerID] + [item.quote.createdBy, item.quote.approvedBy].compactMap { $0 })
        for approval in item.approvals {
            ids.formUnion(approval.approverIDs + [approval.requestedBy, approval.decidedBy].compactMap { $0 })
        }
        ids.formUnion(history.compactMap(\.by))
        return try await rapport.database.read { sql in
            var names: [RecordID: String] = [:]
            for id in ids.sorted() { names[id] = try await UserStore(sql).find(id)?.name }
            return names
        }
    }
}
