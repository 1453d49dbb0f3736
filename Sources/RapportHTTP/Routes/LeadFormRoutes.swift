import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore

/// The public web-form endpoint (`POST /f/{id}`) and the forms' administration (`/api/v1/lead-forms`).
struct LeadFormRoutes {
    let rapport: Rapport

    /// The most a form post may weigh.
    static let maximumBodyBytes = 16 * 1024

    func addPublic(to router: Router<APIRequestContext>) {
        router.post("f/:id") { request, context in
            var request = request
            let fields = try await Self.fields(&request)
            let form = try await rapport.leadForms.submit(try context.parameters.require("id"), fields: fields, address: context.remoteAddress,
                                                          referer: request.headers[.referer].map { String($0.prefix(2_000)) })
            if let redirect = form.redirectURL {
                return Response(status: .seeOther, headers: [.location: redirect])
            }
            return try JSONResponse.make(FormReceiptDTO(status: "received"), status: .accepted)
        }
    }

    /// The posted fields: `application/x-www-form-urlencoded` (what an HTML form sends) or a JSON
    /// object of strings; UTF-8 only.
    static func fields(_ request: inout Request) async throws -> [String: String] {
        let media = request.headers[.contentType]?.lowercased().split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard media == "application/x-www-form-urlencoded" || media == "application/json" else {
            throw RapportError(.unsupportedMediaType, "Post the form as application/x-www-form-urlencoded or application/json.")
        }
        let buffer = try await JSONBody.collect(&request, limit: maximumBodyBytes)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw RapportError(.malformedRequest, "The form is not valid UTF-8.")
        }
        guard !text.isEmpty else { throw RapportError.validation([FieldError(field: "name", code: "required", message: "The form is empty.")]) }
        if media == "application/json" {
            guard let data = text.data(using: .utf8), case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
                throw RapportError(.malformedRequest, "The body is not a JSON object.")
            }
            var fields: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case .string(let text): fields[key] = text
                case .bool(let flag): fields[key] = flag ? "true" : "false"
                case .integer(let number): fields[key] = String(number)
                case .null: continue
                default: throw RapportError.validation([FieldError(field: key, code: "type_mismatch", message: "\(key) must be a string.")])
                }
            }
            return fields
        }
        return FormBody.parse(text)
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("lead-forms") { _, context in
            let forms = try await rapport.leadForms.list(by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: forms, nextCursor: nil), LeadFormDTO.init))
        }
        api.post("lead-forms") { request, context in
            var body = try await JSONBody.read(request, accepts: ["name", "pool_id", "source", "campaign", "redirect_url"])
            let input = LeadFormUseCases.Input(name: body.string("name", required: true), pool: body.string("pool_id", required: true),
                                               source: body.string("source"), campaign: body.nullableString("campaign"),
                                               redirectURL: body.nullableString("redirect_url"))
            try body.finish()
            let form = try await rapport.leadForms.create(input, by: context.caller)
            return try JSONResponse.make(LeadFormDTO(form), status: .created, etag: form.version, location: "/api/v1/lead-forms/\(form.id)")
        }
        api.patch("lead-forms/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: ["name", "pool_id", "source", "campaign", "redirect_url", "active", "version"])
            let input = LeadFormUseCases.Input(name: body.string("name"), pool: body.string("pool_id"), source: body.string("source"),
                                               campaign: body.nullableString("campaign"), redirectURL: body.nullableString("redirect_url"),
                                               active: body.bool("active"))
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let form = try await rapport.leadForms.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(LeadFormDTO(form), etag: form.version)
        }
    }
}

public struct FormReceiptDTO: Encodable, Sendable {
    public var status: String
}

public struct LeadFormDTO: Encodable, Sendable {
    public var id: String
    public var name: String
    public var poolId: String
    public var source: String
    @Nullable public var campaign: String?
    @Nullable public var redirectUrl: String?
    public var active: Bool
    /// Where browsers post: `/f/{id}`.
    public var postPath: String
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, source, campaign, active, version
        case poolId = "pool_id", redirectUrl = "redirect_url", postPath = "post_path", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ form: LeadForm) {
        id = form.id.rawValue
        name = form.name
        poolId = form.poolID.rawValue
        source = form.source
        campaign = form.campaign
        redirectUrl = form.redirectURL
        active = form.active
        postPath = "/f/\(form.id.rawValue)"
        version = form.version
        createdAt = form.createdAt
        updatedAt = form.updatedAt
    }
}
