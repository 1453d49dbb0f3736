import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/playbooks` (list, define or revise, versions, withdraw, compliance) and
/// `/api/v1/playbook-runs` (the runs on a record, stop a run).
struct PlaybookRoutes {
    let rapport: Rapport

    /// The definition in a body, every problem named by its field.
    static func input(_ body: inout JSONBody) throws -> PlaybookUseCases.Input {
        let key = body.string("key", required: true)
        let name = body.string("name", required: true)
        var check = Validator()
        let trigger = PlaybookWire.trigger(body.fields["trigger"], check: &check)
        let steps = PlaybookWire.steps(body.fields["steps"], check: &check)
        let exits = PlaybookWire.exits(body.fields["exits"], check: &check)
        let typeErrors = Result { try body.finish() }
        var errors = check.errors
        if case .failure(let error as RapportError) = typeErrors { errors = error.fieldErrors + errors }
        if !errors.isEmpty { throw RapportError.validation(errors) }
        guard let key, let name, let trigger else { throw RapportError.validation([]) }
        return PlaybookUseCases.Input(key: key, name: name, trigger: trigger, steps: steps, exits: exits)
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("playbooks") { _, context in
            let playbooks = try await rapport.playbooks.list(by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: playbooks, nextCursor: nil), PlaybookDTO.init))
        }
        api.post("playbooks") { request, context in
            var body = try await JSONBody.read(request, accepts: ["key", "name", "trigger", "steps", "exits"])
            let input = try Self.input(&body)
            let playbook = try await rapport.playbooks.define(input, by: context.caller)
            return try JSONResponse.make(PlaybookDTO(playbook), status: .created, location: "/api/v1/playbooks/\(playbook.key)")
        }
        api.get("playbooks/:key") { _, context in
            let versions = try await rapport.playbooks.versions(key: try context.parameters.require("key"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: versions, nextCursor: nil), PlaybookDTO.init))
        }
        api.delete("playbooks/:key") { _, context in
            try await rapport.playbooks.withdraw(key: try context.parameters.require("key"), by: context.caller)
            return JSONResponse.noContent()
        }
        api.get("playbooks/:key/compliance") { request, context in
            let key = try context.parameters.require("key")
            let compliance = try await rapport.playbooks.compliance(key: key, from: request.query("from"), to: request.query("to"), by: context.caller)
            return try JSONResponse.make(PlaybookComplianceDTO(key: key, compliance))
        }
        api.get("playbook-runs") { request, context in
            guard let record = request.query("record_id") else {
                throw RapportError.validation([FieldError(field: "record_id", code: "required", message: "record_id is required (a lead, customer, opportunity or order id).")])
            }
            let runs = try await rapport.playbooks.runs(on: record, by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: runs, nextCursor: nil)) { PlaybookRunDTO($0.run, playbook: $0.playbook) })
        }
        api.post("playbook-runs/:id/stop") { _, context in
            let view = try await rapport.playbooks.stop(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(PlaybookRunDTO(view.run, playbook: view.playbook))
        }
    }
}
