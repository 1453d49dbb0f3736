import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The audit log, newest first: filters (actor, action, object kind and id, dates), pages, and
    /// each entry's time, actor, action, object and details as the audit use case returns them.
    func addAdminAudit(to router: Router<APIRequestContext>) {
        adminPage(router, "admin/audit") { request, _, web in
            let query = AdminAuditQuery(request)
            var filter = AuditStore.ListFilter(action: query.action, objectKind: query.kind, objectID: query.object)
            var check = Validator()
            if let actor = query.actor {
                if let id = RecordID(parsing: actor, prefix: .user) {
                    filter.actorID = id
                } else if actor.contains("@") {
                    filter.actorID = try await rapport.users.find(email: actor, by: web.caller).id
                } else {
                    check.add("actor", "invalid", "actor is a user's email or id.")
                }
            }
            filter.since = query.from.flatMap { Self.day($0, field: "from", into: &check) }
            filter.until = query.to.flatMap { Self.day($0, field: "to", into: &check) }.map { $0.addingTimeInterval(86_400) }
            try check.finish()
            let page = try await rapport.audit.list(filter, page: try AdminForm.page(request), by: web.caller)
            var actors: [String: String] = [:]
            for id in Set(page.items.compactMap(\.actorID)) {
                actors[id.rawValue] = (try? await rapport.users.get(id.rawValue, by: web.caller))?.name
            }
            let body = AdminAuditBody(web: web, query: query, entries: page.items, actors: actors, nextPage: AdminForm.next(request, page.nextCursor))
            return web.page("admin_audit", title: web.text("admin_audit"), body)
        }
    }

    /// The start of a calendar day (`YYYY-MM-DD`) where the readers are (China's time zone).
    static func day(_ text: String, field: String, into check: inout Validator) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let date = formatter.date(from: text) else {
            check.add(field, "invalid", "\(field) is a date (YYYY-MM-DD).")
            return nil
        }
        return date
    }
}

/// The audit filters as typed.
struct AdminAuditQuery {
    var actor: String?
    var action: String?
    var kind: String?
    var object: String?
    var from: String?
    var to: String?

    init(_ request: Request) {
        actor = AdminForm.query(request, "actor", limit: 320)
        action = AdminForm.query(request, "action", limit: 100)
        kind = AdminForm.query(request, "object_kind", limit: 64)
        object = AdminForm.query(request, "object_id", limit: 200)
        from = AdminForm.query(request, "from", limit: 10)
        to = AdminForm.query(request, "to", limit: 10)
    }
}

/// A page of audit entries, worded.
struct AdminAuditBody {
    struct Entry {
        var seq: String
        var at: String
        var actor: String
        var actorLink: String?
        var action: String
        var object: String
        var objectLink: String?
        var address: String?
        var details: [String]
    }

    var entries: [Entry]
    var actor: String
    var action: String
    var kind: String
    var object: String
    var from: String
    var to: String
    var kinds: [String]
    var nextPage: String?

    init(web: WebContext, query: AdminAuditQuery, entries: [AuditEntry], actors: [String: String], nextPage: String?) {
        self.entries = entries.map { entry in
            let actorID = entry.actorID?.rawValue
            return Entry(seq: String(entry.seq), at: web.date(entry.at),
                         actor: actorID.map { actors[$0] ?? $0 } ?? web.text("system_actor"),
                         actorLink: actorID.map { "/admin/users/" + WebPages.segment($0) },
                         action: entry.action,
                         object: [entry.objectKind.map { web.label("kind", $0) }, entry.objectID].compactMap { $0 }.joined(separator: " "),
                         objectLink: Self.link(kind: entry.objectKind, id: entry.objectID),
                         address: entry.address,
                         details: entry.details.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" })
        }
        actor = query.actor ?? ""
        action = query.action ?? ""
        kind = query.kind ?? ""
        object = query.object ?? ""
        from = query.from ?? ""
        to = query.to ?? ""
        kinds = ["user", "team", "token", "role", "customer", "lead", "pool", "dictionary", "import", "export", "job", "handover"]
        self.nextPage = nextPage
    }

    /// Where an entry's object is shown, if it has a page.
    static func link(kind: String?, id: String?) -> String? {
        guard let kind, let id, !id.isEmpty else { return nil }
        let segment = WebPages.segment(id)
        switch kind {
        case "user": return "/admin/users/" + segment
        case "team": return "/admin/teams"
        case "pool": return id.hasPrefix("arule_") ? "/admin/assignment-rules/" + segment : "/admin/pools/" + segment
        case "customer": return "/customers/" + segment
        case "lead": return "/leads/" + segment
        case "dictionary": return "/admin/dictionary/" + segment
        case "role": return "/admin/roles#role-" + segment
        default: return nil
        }
    }
}
