import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Team members from a sales-team file (agent, manager, regional office): each region becomes a
/// team, each manager a team under it (`central-dustin-brinkmann`), agents reps and managers
/// managers of that team. People are matched by email (a member without one gets a placeholder
/// `first.last@<email_domain>`), teams by key, so importing the file again creates nothing. New
/// users have no password: they cannot sign in until an administrator sets a password for them (PATCH /api/v1/users/{id}).
struct TeamMemberImportBatch: ImportBatch {
    let reader: PipelineRowReader
    let emailDomain: String
    let caller: Caller
    let rapport: Rapport
    let now: Date

    struct Member: Sendable {
        var line: Int
        var name: String
        var email: String
        var placeholderEmail: Bool
        var role: Role
        var manager: String?
        var region: String?
    }

    typealias Prepared = PreparedRows<Member>

    /// A placeholder address for a person without one.
    func placeholder(_ name: String) -> String? { PipelineRowReader.slug(name, separator: ".").map { "\($0)@\(emailDomain)" } }

    func prepare(_ records: [CSVReader.Record]) -> Prepared {
        var result = Prepared()
        for record in records {
            var check = Validator()
            let header = { (field: String) in reader.header(field) ?? field }
            let name = reader.value("name", in: record.fields)
            if name == nil { check.add(header("name"), "required", "\(header("name")) is empty.") }
            var email = reader.value("email", in: record.fields).map { Credentials.normaliseEmail($0, field: header("email"), into: &check) }
            let placeholderEmail = email == nil
            if email == nil, let name { email = placeholder(name) }
            if email == nil, name != nil { check.add(header("name"), "invalid", "\(header("name")): no email can be made of \"\(name!)\"; map an email column.") }
            var role = Role.rep
            if let text = reader.value("role", in: record.fields) {
                if let parsed = Role(rawValue: text.lowercased()), parsed == .rep || parsed == .manager { role = parsed } else {
                    check.add(header("role"), "invalid", "\(header("role")): \"\(text)\" is not rep or manager.")
                }
            }
            let manager = reader.value("manager", in: record.fields)
            if let manager, placeholder(manager) == nil { check.add(header("manager"), "invalid", "\(header("manager")): \"\(manager)\" is not a name.") }
            let region = reader.value("region", in: record.fields)
            if let region, PipelineRowReader.slug(region) == nil { check.add(header("region"), "invalid", "\(header("region")): \"\(region)\" is not a name.") }
            for text in [name, manager, region].compactMap({ $0 }) where text.count > 200 { check.add(header("name"), "too_long", "A name is at most 200 characters.") }
            result.add(name.flatMap { name in email.map { Member(line: record.line, name: name, email: $0, placeholderEmail: placeholderEmail, role: role,
                                                                 manager: manager, region: region) } },
                       line: record.line, check)
        }
        return result
    }

    /// The team of a manager in a region: key and name.
    static func managerTeam(_ manager: String, region: String?) -> (key: String, name: String) {
        let key = [region.flatMap { PipelineRowReader.slug($0) }, PipelineRowReader.slug(manager)].compactMap { $0 }.joined(separator: "-")
        return (String(("t-" + key).prefix(64)), region.map { "\($0) · \(manager)" } ?? manager)
    }

    func apply(_ prepared: Prepared, write: Bool, seen: inout ImportSeenKeys, _ sql: any SQLDatabase) async throws -> ImportBatchResult {
        var result = prepared.result
        let users = UserStore(sql)
        let teams = TeamStore(sql)
        var createdAny = false

        /// A team by key: found, created (writing), or noted as to be created (validating).
        func team(key: String, name: String, parent: Team?) async throws -> Team? {
            if let found = try await teams.find(key: key) { return found }
            if !write {
                seen.keys["team:\(key)"] = 1
                return nil
            }
            let id = rapport.ids.next(.team, at: now)
            let created = Team(id: id, key: key, name: name, parentID: parent?.id, path: TeamPath.child(of: parent?.path, id: id), version: 1,
                               createdAt: now, updatedAt: now)
            try await teams.insert(created)
            try await rapport.record(rapport.event("team.created", by: caller, kind: .team, object: id.rawValue, details: ["parent": parent?.id.rawValue ?? ""]), in: sql)
            createdAny = true
            return created
        }

        /// A user by email: found (true), or created in `team` with `role` (false).
        func user(_ name: String, email: String, role: Role, team: Team?, line: Int, placeholder: Bool) async throws -> Bool {
            if try await users.find(email: email) != nil || seen.keys["user:\(email)"] != nil { return true }
            seen.keys["user:\(email)"] = line
            if placeholder {
                result.warn("placeholder_email", "", "Members without an email got a placeholder address @\(emailDomain); change it to their real address.", line: line)
            }
            result.warn("sign_in_disabled", "", "New users have no password: they cannot sign in until an administrator sets a password for them (PATCH /api/v1/users/{id}).", line: line)
            guard write else { return false }
            let created = User(id: rapport.ids.next(.user, at: now), email: email, name: name, role: role, repLevel: nil, teamID: team?.id,
                               status: .active, locale: nil, version: 1, createdAt: now, updatedAt: now, lastLoginAt: nil)
            try await users.insert(created, passwordHash: nil)
            try await rapport.record(rapport.event("user.created", by: caller, kind: .user, object: created.id.rawValue, details: ["role": role.rawValue]), in: sql)
            createdAny = true
            return false
        }

        for member in prepared.rows {
            let regionTeam = try await member.region.asyncMap { region in
                try await team(key: String(("r-" + PipelineRowReader.slug(region)!).prefix(64)), name: region, parent: nil)
            } ?? nil
            var home = regionTeam
            if let manager = member.manager {
                let (key, name) = Self.managerTeam(manager, region: member.region)
                home = try await team(key: key, name: name, parent: regionTeam)
                let email = placeholder(manager)!
                if try await !user(manager, email: email, role: .manager, team: home, line: member.line, placeholder: true) {
                    result.warn("managers_created", "", "Managers named in the file were created as users with the manager role.", line: member.line)
                }
            }
            if try await user(member.name, email: member.email, role: member.role, team: home, line: member.line, placeholder: member.placeholderEmail) {
                result.merged += 1
            } else {
                result.created += 1
            }
        }
        if createdAny { try await rapport.access.changeSignal.announce(in: sql) }
        return result
    }
}

extension ImportBatchResult {
    /// Counts a warning (rows are imported all the same).
    mutating func warn(_ code: String, _ subject: String, _ message: String, line: Int) {
        ImportWarning.merge([ImportWarning(code: code, subject: subject, message: message, firstLine: Int64(line))], into: &warnings)
    }
}
