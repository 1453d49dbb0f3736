import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/saved-views`: the caller's own saved views (named filter sets of a list).
struct SavedViewRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("saved-views") { request, context in
            let views = try await rapport.savedViews.list(object: request.query("object"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: views, nextCursor: nil), SavedViewDTO.init))
        }
        api.post("saved-views") { request, context in
            var body = try await JSONBody.read(request, accepts: ["object", "name", "query"])
            let input = SavedViewUseCases.NewView(object: body.string("object", required: true), name: body.string("name", required: true),
                                                  query: body.string("query"))
            try body.finish()
            let view = try await rapport.savedViews.create(input, by: context.caller)
            return try JSONResponse.make(SavedViewDTO(view), status: .created)
        }
        api.delete("saved-views/:id") { _, context in
            try await rapport.savedViews.delete(try context.parameters.require("id"), by: context.caller)
            return JSONResponse.noContent()
        }
    }
}

/// A saved view as the API shows it.
public struct SavedViewDTO: Encodable, Sendable {
    public var id: String
    public var object: String
    public var name: String
    /// The normalised, url-encoded filters of the list.
    public var query: String
    public var position: Int64
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, object, name, query, position
        case createdAt = "created_at"
    }

    init(_ view: SavedView) {
        id = view.id.rawValue
        object = view.object.rawValue
        name = view.name
        query = view.query
        position = view.position
        createdAt = view.createdAt
    }
}
