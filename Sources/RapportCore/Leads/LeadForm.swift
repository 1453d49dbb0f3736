import Foundation

/// A public web form (`POST /f/{id}`) that captures leads into a pool with a source and campaign.
/// The id is the form's public key: it is unguessable, and a form can be deactivated.
public struct LeadForm: Sendable, Equatable {
    public var id: RecordID
    public var name: String
    public var poolID: RecordID
    /// The source channel recorded on every lead (default `web_form`).
    public var source: String
    public var campaign: String?
    /// Where a browser goes after posting (a 303); without it, a small JSON answer.
    public var redirectURL: String?
    public var active: Bool
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, name: String, poolID: RecordID, source: String = "web_form", campaign: String? = nil, redirectURL: String? = nil,
                active: Bool = true, version: Int64 = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.poolID = poolID
        self.source = source
        self.campaign = campaign
        self.redirectURL = redirectURL
        self.active = active
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The field a person never sees (hidden by the form's style): a bot that fills it is ignored.
    public static let honeypotField = "website"
}

extension IDPrefix {
    public static let leadForm = IDPrefix(rawValue: "form")
}
