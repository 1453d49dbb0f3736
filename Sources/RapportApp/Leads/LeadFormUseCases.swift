import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Public web forms: administrators define them; anyone may post to one. A post never tells
/// whether the person is already known (a match is folded in silently), a bot that fills the
/// honeypot is answered like everyone and stored nowhere, and each address may post a few times
/// per window.
public struct LeadFormUseCases: Sendable {
    let rapport: Rapport

    /// Posts per address and form per window.
    public static let postsPerWindow: Int64 = 20
    public static let window: TimeInterval = 600
    /// The most fields one post may carry.
    public static let maximumFields = 60

    public struct Input: Sendable {
        public var name: String?
        public var pool: String?
        public var source: String?
        public var campaign: String??
        public var redirectURL: String??
        public var active: Bool?

        public init(name: String? = nil, pool: String? = nil, source: String? = nil, campaign: String?? = nil, redirectURL: String?? = nil, active: Bool? = nil) {
            self.name = name
            self.pool = pool
            self.source = source
            self.campaign = campaign
            self.redirectURL = redirectURL
            self.active = active
        }
    }

    func requireAdmin(_ caller: Caller, _ action: AccessAction) async throws {
        _ = try await rapport.scope(caller, action, .pool, anchor: .teamTable, table: "teams")
    }

    /// Creates a form (administrators).
    public func create(_ input: Input, by caller: Caller) async throws -> LeadForm {
        try await requireAdmin(caller, .create)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            var form = LeadForm(id: rapport.ids.next(.leadForm, at: now), name: "", poolID: RecordID(trusted: ""), createdAt: now, updatedAt: now)
            try await apply(input, to: &form, creating: true, sql)
            try await LeadFormStore(sql).insert(form)
            try await rapport.record(rapport.event("lead_form.created", by: caller, kind: .pool, object: form.id.rawValue), in: sql)
            return form
        }
    }

    /// Changes a form (administrators).
    public func update(_ id: String, _ input: Input, expectedVersion: Int64?, by caller: Caller) async throws -> LeadForm {
        try await requireAdmin(caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            guard let formID = RecordID(parsing: id, prefix: .leadForm), var form = try await LeadFormStore(sql).find(formID) else {
                throw RapportError.notFound("form")
            }
            let version = expectedVersion ?? form.version
            try await apply(input, to: &form, creating: false, sql)
            form.updatedAt = now
            guard try await LeadFormStore(sql).replace(form, expectedVersion: version) else {
                throw RapportError(.preconditionFailed, "The form was changed by someone else; fetch it again and retry.")
            }
            form.version = version + 1
            try await rapport.record(rapport.event("lead_form.updated", by: caller, kind: .pool, object: form.id.rawValue), in: sql)
            return form
        }
    }

    /// Every form (administrators).
    public func list(by caller: Caller) async throws -> [LeadForm] {
        try await requireAdmin(caller, .update)
        return try await rapport.database.read { sql in try await LeadFormStore(sql).all() }
    }

    func apply(_ input: Input, to form: inout LeadForm, creating: Bool, _ sql: any SQLDatabase) async throws {
        var check = Validator()
        if let name = input.name { form.name = check.text(name, field: "name", maxLength: 100, allowEmpty: false) } else if creating {
            check.add("name", "required", "name is required.")
        }
        if let pool = input.pool {
            if let found = try await PoolUseCases.find(pool, sql), found.object == .lead, !found.archived { form.poolID = found.id } else {
                check.add("pool_id", "invalid", "pool_id must be an active lead pool.")
            }
        } else if creating { check.add("pool_id", "required", "pool_id is required: posted leads wait there.") }
        if let source = input.source {
            let key = source.trimmingWhitespace()
            if key.isEmpty || key.count > 64 || !key.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || "_-.".unicodeScalars.contains($0) }) {
                check.add("source", "invalid", "source must be 1–64 letters, digits, '_', '-' or '.'.")
            } else { form.source = key }
        }
        if let campaign = input.campaign { form.campaign = campaign.map { check.text($0, field: "campaign", maxLength: 200) }.flatMap { $0.isEmpty ? nil : $0 } }
        if let redirect = input.redirectURL {
            if let redirect, !redirect.isEmpty {
                let lower = redirect.lowercased()
                if redirect.count > 2_000 || !(lower.hasPrefix("https://") || lower.hasPrefix("http://")) || URL(string: redirect)?.host == nil {
                    check.add("redirect_url", "invalid", "redirect_url must be an absolute http(s) URL.")
                } else { form.redirectURL = redirect }
            } else { form.redirectURL = nil }
        }
        if let active = input.active { form.active = active }
        try check.finish()
    }

    /// Takes one post. Returns the form (for its redirect) whether the post was stored, folded into
    /// a known lead, or ignored as a bot's. Bad values are refused with field errors (which say
    /// nothing about who is known); too many posts from one address are `rate_limited`.
    public func submit(_ id: String, fields: [String: String], address: String?, referer: String?) async throws -> LeadForm {
        guard let formID = RecordID(parsing: id, prefix: .leadForm),
              let form = try await rapport.database.read({ sql in try await LeadFormStore(sql).find(formID) }), form.active
        else { throw RapportError.notFound("form") }
        guard fields.count <= Self.maximumFields else {
            throw RapportError.validation([FieldError(field: "form", code: "too_many", message: "A post may carry at most \(Self.maximumFields) fields.")])
        }
        let now = rapport.clock.now()
        let bucket = "form:\(form.id.rawValue):\(Digest.sha256Hex(address ?? "unknown"))"
        let state = try await rapport.transaction { sql in try await LoginThrottleStore(sql).recordFailure(bucket, at: now, window: Self.window) }
        if state.failures > Self.postsPerWindow {
            let retry = max(1, Int(state.windowStart.addingTimeInterval(Self.window).timeIntervalSince(now).rounded(.up)))
            throw RapportError(.rateLimited, "Too many posts from your address; try again later.", retryAfterSeconds: retry)
        }
        if let honeypot = fields[LeadForm.honeypotField], !honeypot.isEmpty { return form }
        func value(_ key: String) -> String? { fields[key].flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 } }
        let consent = value("consent").map { ["1", "true", "on", "yes"].contains($0.lowercased()) }
        let utm = UTM(source: value("utm_source"), medium: value("utm_medium"), campaign: value("utm_campaign"), term: value("utm_term"),
                      content: value("utm_content"))
        let input = LeadInput(
            name: fields["name"] ?? "", company: .some(value("company")), title: .some(value("title")), phone: .some(value("phone")),
            email: .some(value("email")), wechatUnionid: .some(value("wechat_unionid")), source: .some(form.source),
            campaign: .some(form.campaign ?? value("utm_campaign")), utm: utm, referrer: .some(value("referrer") ?? referer),
            interest: .some(value("interest")), region: .some(value("region")), owner: .some(nil), pool: .some(form.poolID.rawValue),
            marketingConsent: consent)
        _ = try await rapport.leads.create(input, policy: .merge, by: Caller(principal: nil, address: address, channel: "web_form"))
        return form
    }
}
