import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/notifications`: the caller's in-app inbox.
struct NotificationRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("notifications") { request, context in
            var unread = false
            if let text = request.query("unread") {
                guard text == "true" || text == "false" else {
                    throw RapportError.validation([FieldError(field: "unread", code: "invalid", message: "unread is true or false.")])
                }
                unread = text == "true"
            }
            let page = try await rapport.notifications.list(unreadOnly: unread, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, NoticeDTO.init))
        }
        api.get("notifications/unread-count") { _, context in
            try JSONResponse.make(UnreadCountDTO(unread: try await rapport.notifications.unread(by: context.caller)))
        }
        api.post("notifications/read") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["ids"])
            let ids = body.strings("ids")
            try body.finish()
            let marked = try await rapport.notifications.markRead(ids, by: context.caller)
            return try JSONResponse.make(MarkedReadDTO(marked: marked))
        }
    }
}

public struct NoticeDTO: Encodable, Sendable {
    public var id: String
    public var kind: String
    public var details: [String: String]
    @Nullable public var objectKind: String?
    @Nullable public var objectId: String?
    public var read: Bool
    @Nullable public var readAt: Date?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, details, read
        case objectKind = "object_kind", objectId = "object_id", readAt = "read_at", createdAt = "created_at"
    }

    init(_ notice: Notice) {
        id = notice.id.rawValue
        kind = notice.kind
        details = notice.details
        objectKind = notice.objectKind?.rawValue
        objectId = notice.objectID
        read = notice.readAt != nil
        readAt = notice.readAt
        createdAt = notice.createdAt
    }
}

public struct UnreadCountDTO: Encodable, Sendable {
    public var unread: Int
}

public struct MarkedReadDTO: Encodable, Sendable {
    public var marked: Int
}
