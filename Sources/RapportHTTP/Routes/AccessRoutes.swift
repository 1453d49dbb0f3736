import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportStorage

/// `/api/v1/auth`, `/me`, `/users`, `/teams`, `/tokens`, `/roles`.
struct AccessRoutes {
    let rapport: Rapport
    let profiles = RenderedProfiles()

    /// Routes that need no credential.
    func addPublic(to api: RouterGroup<APIRequestContext>) {
        api.post("auth/token") { request, context in
            var body = try await JSONBody.read(request, accepts: ["email", "password"])
            let email = body.string("email", required: true)
            let password = body.string("password", required: true)
            try body.finish()
            let issued = try await rapport.auth.signIn(email: email ?? "", password: password ?? "", address: context.remoteAddress)
            var response = try JSONResponse.make(SignInDTO(token: issued.secret, tokenId: issued.token.id.rawValue, expiresAt: issued.token.expiresAt), status: .created)
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("me") { [profiles] _, context in
            let principal = try context.requirePrincipal()
            let user = try await rapport.users.me(context.caller)
            let scopes = principal.tokenScopes.sorted().map(\.rawValue)
            let body = try profiles.body(for: user, scopes: scopes) {
                Array(try JSONCoding.encoder.encode(MeDTO(user: UserDTO(user), tokenScopes: scopes)))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8", .eTag: "\"\(user.version)\""],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        addUsers(to: api)
        addTeams(to: api)
        addTokens(to: api)
        addRoles(to: api)
    }

    private func addUsers(to api: RouterGroup<APIRequestContext>) {
        api.get("users") { request, context in
            var filter = UserStore.ListFilter()
            var check = Validator()
            if let role = request.query("role") {
                filter.role = Role(rawValue: role)
                if filter.role == nil { check.add("role", "invalid", "role is not a known role.") }
            }
            if let status = request.query("status") {
                filter.status = User.Status(rawValue: status)
                if filter.status == nil { check.add("status", "invalid", "status is active or disabled.") }
            }
            if let team = request.query("team_id") {
                filter.teamID = RecordID(parsing: team, prefix: .team)
                if filter.teamID == nil { check.add("team_id", "invalid", "team_id is not a team id.") }
            }
            filter.query = request.query("q").map { String($0.prefix(200)) }
            try check.finish()
            let page = try await rapport.users.list(filter, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, UserDTO.init))
        }
        api.get("colleagues") { request, context in
            let page = try await rapport.users.colleagues(matching: request.query("q"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ColleagueDTO.init))
        }
        api.post("users") { request, context in
            var body = try await JSONBody.read(request, accepts: ["email", "name", "role", "rep_level", "team_id", "locale", "password"])
            let input = UserUseCases.NewUser(
                email: body.string("email", required: true) ?? "", name: body.string("name", required: true) ?? "",
                role: body.string("role", required: true) ?? "", repLevel: body.string("rep_level"), team: body.string("team_id"),
                locale: body.string("locale"), password: body.string("password"))
            try body.finish()
            let user = try await rapport.users.create(input, by: context.caller)
            return try JSONResponse.make(UserDTO(user), status: .created, etag: user.version, location: "/api/v1/users/\(user.id)")
        }
        api.get("users/:id") { _, context in
            let user = try await rapport.users.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(UserDTO(user), etag: user.version)
        }
        api.patch("users/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: ["name", "email", "role", "rep_level", "team_id", "locale", "password", "version"])
            let patch = UserUseCases.Patch(
                name: body.string("name"), email: body.string("email"), role: body.string("role"),
                repLevel: body.nullableString("rep_level"), team: body.nullableString("team_id"),
                locale: body.nullableString("locale"), password: body.string("password"))
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let user = try await rapport.users.update(try context.parameters.require("id"), patch, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(UserDTO(user), etag: user.version)
        }
        api.delete("users/:id") { _, context in
            try await rapport.users.delete(try context.parameters.require("id"), by: context.caller)
            return JSONResponse.noContent()
        }
        api.post("users/:id/disable") { _, context in
            let user = try await rapport.users.disable(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(UserDTO(user), etag: user.version)
        }
        api.post("users/:id/enable") { _, context in
            let user = try await rapport.users.enable(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(UserDTO(user), etag: user.version)
        }
    }

    private func addTeams(to api: RouterGroup<APIRequestContext>) {
        api.get("teams") { request, context in
            let page = try await rapport.teams.list(parent: request.query("parent_id"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, TeamDTO.init))
        }
        api.post("teams") { request, context in
            var body = try await JSONBody.read(request, accepts: ["key", "name", "parent_id"])
            let input = TeamUseCases.NewTeam(key: body.string("key", required: true) ?? "", name: body.string("name", required: true) ?? "", parent: body.string("parent_id"))
            try body.finish()
            let team = try await rapport.teams.create(input, by: context.caller)
            return try JSONResponse.make(TeamDTO(team), status: .created, etag: team.version, location: "/api/v1/teams/\(team.id)")
        }
        api.get("teams/:id") { _, context in
            let team = try await rapport.teams.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(TeamDTO(team), etag: team.version)
        }
        api.patch("teams/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: ["key", "name", "parent_id", "version"])
            let patch = TeamUseCases.Patch(key: body.string("key"), name: body.string("name"), parent: body.nullableString("parent_id"))
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let team = try await rapport.teams.update(try context.parameters.require("id"), patch, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(TeamDTO(team), etag: team.version)
        }
        api.delete("teams/:id") { _, context in
            try await rapport.teams.delete(try context.parameters.require("id"), by: context.caller)
            return JSONResponse.noContent()
        }
    }

    private func addTokens(to api: RouterGroup<APIRequestContext>) {
        api.get("tokens") { request, context in
            let includeRevoked = request.query("include_revoked") == "true"
            let page = try await rapport.tokens.list(user: request.query("user_id"), includeRevoked: includeRevoked, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page) { TokenDTO($0) })
        }
        api.post("tokens") { request, context in
            var body = try await JSONBody.read(request, accepts: ["name", "scopes", "expires_in_days"])
            let input = TokenUseCases.NewToken(name: body.string("name", required: true) ?? "", scopes: body.strings("scopes"), expiresInDays: body.integer("expires_in_days"))
            try body.finish()
            let issued = try await rapport.tokens.create(input, by: context.caller)
            var response = try JSONResponse.make(TokenDTO(issued.token, secret: issued.secret), status: .created, location: "/api/v1/tokens/\(issued.token.id)")
            response.headers[.cacheControl] = "no-store"
            response.headers[.secretFields] = "token"
            return response
        }
        api.get("tokens/:id") { _, context in
            try JSONResponse.make(TokenDTO(try await rapport.tokens.get(try context.parameters.require("id"), by: context.caller)))
        }
        api.delete("tokens/:id") { _, context in
            _ = try await rapport.tokens.revoke(try context.parameters.require("id"), by: context.caller)
            return JSONResponse.noContent()
        }
    }

    private func addRoles(to api: RouterGroup<APIRequestContext>) {
        api.get("roles") { _, context in
            let roles = try await rapport.roles.list(by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: roles, nextCursor: nil), RoleDTO.init))
        }
        api.get("roles/:role") { _, context in
            try JSONResponse.make(RoleDTO(try await rapport.roles.get(try context.parameters.require("role"), by: context.caller)))
        }
        api.patch("roles/:role") { request, context in
            var body = try await JSONBody.read(request, accepts: ["scopes"])
            let scopes = body.stringMap("scopes", required: true)
            try body.finish()
            return try JSONResponse.make(RoleDTO(try await rapport.roles.setScopes(try context.parameters.require("role"), scopes ?? [:], by: context.caller)))
        }
    }
}
