import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/tasks` (create, read, change, complete, cancel, reopen, list), `/api/v1/settings/tasks`,
/// `/api/v1/me/calendar-token`, and the public iCalendar feed `/cal/{token}.ics` (the token is the credential).
struct TaskRoutes {
    let rapport: Rapport

    static let writable: Set<String> = [
        "title", "type", "due_at", "priority", "assignee_id", "linked_kind", "linked_id", "notes", "reminder_minutes",
    ]

    static func input(_ body: inout JSONBody, creating: Bool) -> TaskUseCases.Input {
        var input = TaskUseCases.Input()
        input.title = body.string("title", required: creating)
        input.type = body.string("type")
        input.dueAt = body.string("due_at", required: creating)
        input.priority = body.string("priority")
        input.assignee = body.string("assignee_id")
        input.linkedKind = body.has("linked_kind") ? body.nullableString("linked_kind") : nil
        input.linkedID = body.has("linked_id") ? body.nullableString("linked_id") : nil
        input.notes = body.has("notes") ? body.nullableString("notes") : nil
        if body.has("reminder_minutes") { input.reminderMinutes = body.nullableInteger("reminder_minutes").map { $0.map { Int(clamping: $0) } } }
        return input
    }

    func make(_ row: TaskRow, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONResponse.make(TaskDTO(row, now: rapport.clock.now()), status: status, etag: row.task.version,
                              location: status == .created ? "/api/v1/tasks/\(row.task.id)" : nil)
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("tasks") { request, context in
            let query = TaskUseCases.ListQuery(
                assignee: request.query("assignee_id"), status: request.query("status"), dueBefore: request.query("due_before"),
                dueAfter: request.query("due_after"), overdue: request.query("overdue"), linkedKind: request.query("linked_kind"),
                linkedID: request.query("linked_id"))
            let page = try await rapport.tasks.list(query, page: try request.pageRequest(), by: context.caller)
            let now = rapport.clock.now()
            return try JSONResponse.make(ListResponse(page) { TaskDTO($0, now: now) })
        }
        api.post("tasks") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable)
            let input = Self.input(&body, creating: true)
            try body.finish()
            return try make(try await rapport.tasks.create(input, by: context.caller), status: .created)
        }
        api.get("tasks/:id") { _, context in
            try make(try await rapport.tasks.get(try context.parameters.require("id"), by: context.caller))
        }
        api.patch("tasks/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["version"]))
            let input = Self.input(&body, creating: false)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            return try make(try await rapport.tasks.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller))
        }
        api.post("tasks/:id/complete") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["outcome", "outcome_note", "version"])
            let outcome = body.string("outcome")
            let note = body.string("outcome_note")
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            return try make(try await rapport.tasks.complete(try context.parameters.require("id"), outcome: outcome, note: note,
                                                             expectedVersion: version, by: context.caller))
        }
        api.post("tasks/:id/cancel") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["reason", "version"])
            let reason = body.string("reason")
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            return try make(try await rapport.tasks.cancel(try context.parameters.require("id"), reason: reason, expectedVersion: version, by: context.caller))
        }
        api.post("tasks/:id/reopen") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["version"])
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            return try make(try await rapport.tasks.reopen(try context.parameters.require("id"), expectedVersion: version, by: context.caller))
        }
        api.get("settings/tasks") { _, context in
            try JSONResponse.make(TaskSettingsDTO(try await rapport.tasks.settings(by: context.caller)))
        }
        api.put("settings/tasks") { request, context in
            var body = try await JSONBody.read(request, accepts: ["reminder_minutes", "escalate_after_minutes"])
            let reminder = body.integer("reminder_minutes")
            let escalate = body.integer("escalate_after_minutes")
            try body.finish()
            let current = try await rapport.tasks.settings(by: context.caller)
            let settings = TaskSettings(reminderMinutes: reminder ?? current.reminderMinutes, escalateAfterMinutes: escalate ?? current.escalateAfterMinutes)
            return try JSONResponse.make(TaskSettingsDTO(try await rapport.tasks.setSettings(settings, by: context.caller)))
        }
        api.post("me/calendar-token") { request, context in
            let issued = try await rapport.tasks.rotateCalendarToken(by: context.caller)
            let dto = CalendarTokenDTO(token: issued.token, path: issued.path, url: Self.baseURL(request) + issued.path, createdAt: issued.createdAt)
            var response = try JSONResponse.make(dto, status: .created)
            response.headers[.cacheControl] = "no-store"
            return response
        }
        api.delete("me/calendar-token") { _, context in
            try await rapport.tasks.revokeCalendarToken(by: context.caller)
            return JSONResponse.noContent()
        }
    }

    /// `GET /cal/{token}.ics`: no session; an unknown token is 404.
    func addPublic(to router: Router<APIRequestContext>) {
        router.get("cal/:file") { request, context in
            let file = try context.parameters.require("file")
            guard file.hasSuffix(".ics") else { throw RapportError.notFound("calendar") }
            let text = try await rapport.tasks.calendarFeed(token: String(file.dropLast(4)), baseURL: Self.baseURL(request))
            return Response(status: .ok, headers: [
                .contentType: "text/calendar; charset=utf-8", .cacheControl: "private, max-age=300",
                .contentDisposition: "inline; filename=\"rapport-tasks.ics\"",
            ], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// The server's address as the client reached it (scheme from `X-Forwarded-Proto` behind a proxy).
    static func baseURL(_ request: Request) -> String {
        let host = request.head.authority ?? "localhost"
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased()
        let scheme = forwarded == "https" || forwarded == "http" ? forwarded! : (request.head.scheme ?? "http")
        let safeHost = host.allSatisfy { $0.isLetter || $0.isNumber || ".-:[]".contains($0) } ? host : "localhost"
        return "\(scheme)://\(safeHost)"
    }
}
