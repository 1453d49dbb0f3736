import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportStorage

/// `/api/v1/dictionary` (the business dictionary) and `/api/v1/settings/customers`.
struct DictionaryRoutes {
    let rapport: Rapport

    struct ObjectDTO: Encodable, Sendable {
        var object: String
        var version: Int64
        @Nullable var updatedAt: Date?
        var dictionary: ObjectDictionary

        enum CodingKeys: String, CodingKey {
            case object, version, dictionary
            case updatedAt = "updated_at"
        }

        init(_ current: DictionaryUseCases.Current) {
            object = current.dictionary.object.rawValue
            version = current.version
            updatedAt = current.updatedAt
            dictionary = current.dictionary
        }
    }

    /// A ready-made dictionary (education, b2b): fetch one object's definition and PUT it to adopt it.
    struct TemplateDTO: Encodable, Sendable {
        var name: String
        var objects: [ObjectDictionary]

        init(_ template: (name: String, dictionary: BusinessDictionary)) {
            name = template.name
            objects = template.dictionary.objects
        }
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("dictionary") { _, context in
            let all = try await rapport.dictionary.all(by: context.caller)
            let items = all.values.sorted { $0.dictionary.object.rawValue < $1.dictionary.object.rawValue }
            return try JSONResponse.make(ListResponse(Page(items: items, nextCursor: nil), ObjectDTO.init))
        }
        api.get("dictionary/:object") { _, context in
            let current = try await rapport.dictionary.get(try context.parameters.require("object"), by: context.caller)
            return try JSONResponse.make(ObjectDTO(current), etag: current.version)
        }
        api.get("dictionary/:object/versions") { _, context in
            let versions = try await rapport.dictionary.versions(try context.parameters.require("object"), by: context.caller)
            let items = versions.map { DictionaryUseCases.Current(version: $0.version, dictionary: $0.dictionary, updatedAt: $0.createdAt) }
            return try JSONResponse.make(ListResponse(Page(items: items, nextCursor: nil), ObjectDTO.init))
        }
        api.get("dictionary-templates") { _, context in
            let templates = try await rapport.dictionary.templates(by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: templates, nextCursor: nil), TemplateDTO.init))
        }
        api.put("dictionary/:object") { request, context in
            var body = try await JSONBody.read(request, accepts: ["dictionary", "version"])
            let dictionary = body.decode("dictionary", as: ObjectDictionary.self, required: true)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            guard let dictionary else { throw RapportError.validation([]) }
            let current = try await rapport.dictionary.replace(try context.parameters.require("object"), with: dictionary,
                                                               expectedVersion: version, by: context.caller)
            return try JSONResponse.make(ObjectDTO(current), etag: current.version)
        }
        api.get("settings/customers") { _, context in
            try JSONResponse.make(try await rapport.settingsUseCases.customers(by: context.caller))
        }
        api.put("settings/customers") { request, context in
            var body = try await JSONBody.read(request, accepts: ["settings"])
            let settings = body.decode("settings", as: CustomerSettings.self, required: true)
            try body.finish()
            guard let settings else { throw RapportError.validation([]) }
            return try JSONResponse.make(try await rapport.settingsUseCases.setCustomers(settings, by: context.caller))
        }
    }
}
