import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/jobs`: the durable job queue for administrators — list, one job, and retrying a
/// failed or dead job.
struct JobRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("jobs") { request, context in
            let page = try await rapport.jobs.list(status: request.query("status"), kind: request.query("kind"),
                                                   page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, JobDTO.init))
        }
        api.get("jobs/:id") { _, context in
            try JSONResponse.make(JobDTO(try await rapport.jobs.get(try context.parameters.require("id"), by: context.caller)))
        }
        api.post("jobs/:id/retry") { request, context in
            let body = try await JSONBody.readOptional(request, accepts: [])
            try body.finish()
            return try JSONResponse.make(JobDTO(try await rapport.jobs.retry(try context.parameters.require("id"), by: context.caller)))
        }
    }
}

struct JobDTO: Encodable, Sendable {
    var id: String
    var kind: String
    var status: String
    var payload: JSONValue
    @Nullable var dedupKey: String?
    var dueAt: Date
    var attempts: Int
    var maxAttempts: Int
    @Nullable var lastError: String?
    @Nullable var lockedBy: String?
    @Nullable var lockedUntil: Date?
    var createdAt: Date
    var updatedAt: Date
    @Nullable var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, payload, attempts
        case dedupKey = "dedup_key", dueAt = "due_at", maxAttempts = "max_attempts", lastError = "last_error", lockedBy = "locked_by"
        case lockedUntil = "locked_until", createdAt = "created_at", updatedAt = "updated_at", finishedAt = "finished_at"
    }

    init(_ job: Job) {
        id = job.id.rawValue
        kind = job.kind
        status = job.status.rawValue
        payload = job.payload
        dedupKey = job.dedupKey
        dueAt = job.dueAt
        attempts = job.attempts
        maxAttempts = job.maxAttempts
        lastError = job.lastError
        lockedBy = job.lockedBy
        lockedUntil = job.lockedUntil
        createdAt = job.createdAt
        updatedAt = job.updatedAt
        finishedAt = job.finishedAt
    }
}
