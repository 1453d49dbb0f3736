import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportStorage

/// `/api/v1/audit`: the audit log for administrators, and a check of its chain.
struct AuditRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("audit") { request, context in
            var filter = AuditStore.ListFilter()
            if let actor = request.query("actor_id") {
                guard let id = RecordID(parsing: actor, prefix: .user) else {
                    throw RapportError.validation([FieldError(field: "actor_id", code: "invalid", message: "actor_id is not a user id.")])
                }
                filter.actorID = id
            }
            filter.action = request.query("action")
            filter.objectKind = request.query("object_kind")
            filter.objectID = request.query("object_id")
            let page = try await rapport.audit.list(filter, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, AuditEntryDTO.init))
        }
        api.get("audit/verify") { _, context in
            let result = try await rapport.audit.verify(by: context.caller)
            return try JSONResponse.make(AuditVerificationDTO(
                intact: result.firstBreak == nil, checked: result.checked, firstBrokenSeq: result.firstBreak?.seq,
                reason: result.firstBreak?.reason.rawValue))
        }
    }
}
