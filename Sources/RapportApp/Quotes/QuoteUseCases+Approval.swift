import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension QuoteUseCases {
    /// Refuses (403) anyone but an administrator or a manager whose team subtree holds the quote's
    /// owner — and always the owner and whoever submitted it (no one approves their own quote).
    func requireApprover(_ quote: Quote, request: QuoteApproval?, caller: Caller, _ sql: any SQLDatabase) async throws {
        guard let principal = caller.principal else {
            throw RapportError(.forbidden, "Only a person approves or rejects a quote.")
        }
        if principal.userID == quote.ownerID || (request?.requestedBy).map({ $0 == principal.userID }) == true {
            throw RapportError(.forbidden, "No one approves or rejects their own quote.", extra: ["reason": "own_quote"])
        }
        guard principal.tokenScopes.contains(.write) else { throw RapportError(.forbidden, "Deciding on a quote needs a token that may write.") }
        if principal.role == .admin { return }
        if principal.role == .manager, let path = principal.teamPath, let team = try await UserStore(sql).find(quote.ownerID)?.teamID,
           let ownerPath = try await TeamStore(sql).find(team)?.path, TeamPath.isWithin(ownerPath, subtreeOf: path) {
            return
        }
        throw RapportError(.forbidden, "Only the owner's managers (or an administrator) approve or reject this quote.", extra: ["reason": "not_approver"])
    }
}
