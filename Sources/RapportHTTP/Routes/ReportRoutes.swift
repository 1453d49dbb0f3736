import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/reports` (search, draft), `/api/v1/reports/{id}` (read, change the words),
/// `/api/v1/reports/{id}/submit|return|review`, `/api/v1/reports/{id}/comments`, and
/// `/api/v1/reports/missing` (who has not submitted a day's daily report).
struct ReportRoutes {
    let rapport: Rapport

    func make(_ view: ReportUseCases.View, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONResponse.make(WorkReportDTO(view), status: status, etag: view.row.report.version,
                              location: status == .created ? "/api/v1/reports/\(view.row.report.id)" : nil)
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("reports") { request, context in
            let query = ReportUseCases.SearchQuery(
                author: request.query("author_id"), team: request.query("team_id"), kind: request.query("kind"), from: request.query("from"),
                to: request.query("to"), status: request.query("status"), text: request.query("q"))
            let page = try await rapport.reports.search(query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page) { WorkReportDTO($0, figures: nil, live: false) })
        }
        api.post("reports") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["kind", "period"])
            let kind = body.string("kind")
            let period = body.string("period")
            try body.finish()
            let (view, created) = try await rapport.reports.draft(kind: kind, period: period, by: context.caller)
            return try make(view, status: created ? .created : .ok)
        }
        api.get("reports/missing") { request, context in
            let (day, people) = try await rapport.reports.missing(date: request.query("date"), team: request.query("team_id"), by: context.caller)
            return try JSONResponse.make(MissingReportsDTO(day: day, people: people))
        }
        api.get("reports/:id") { _, context in
            try make(try await rapport.reports.get(try context.parameters.require("id"), by: context.caller))
        }
        api.patch("reports/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: ["summary", "plan", "problems", "version"])
            var input = ReportUseCases.TextInput()
            if body.has("summary") { input.summary = body.nullableString("summary") }
            if body.has("plan") { input.plan = body.nullableString("plan") }
            if body.has("problems") { input.problems = body.nullableString("problems") }
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            return try make(try await rapport.reports.updateText(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller))
        }
        api.post("reports/:id/submit") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["version"])
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            return try make(try await rapport.reports.submit(try context.parameters.require("id"), expectedVersion: version, by: context.caller))
        }
        api.post("reports/:id/return") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["reason", "version"])
            let reason = body.string("reason")
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            return try make(try await rapport.reports.returnForRework(try context.parameters.require("id"), reason: reason, expectedVersion: version,
                                                                      by: context.caller))
        }
        api.post("reports/:id/review") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["comment", "version"])
            let comment = body.string("comment")
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            return try make(try await rapport.reports.review(try context.parameters.require("id"), comment: comment, expectedVersion: version,
                                                             by: context.caller))
        }
        api.get("reports/:id/comments") { _, context in
            let comments = try await rapport.reports.comments(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: comments, nextCursor: nil), WorkReportCommentDTO.init))
        }
        api.post("reports/:id/comments") { request, context in
            var body = try await JSONBody.read(request, accepts: ["body"])
            let text = body.string("body", required: true)
            try body.finish()
            let comment = try await rapport.reports.comment(try context.parameters.require("id"), body: text, by: context.caller)
            return try JSONResponse.make(WorkReportCommentDTO(comment), status: .created)
        }
    }
}
