/// One way to reach a customer: a phone (E.164), an email (normalised), a WeChat id, or an address.
public struct ContactPoint: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case phone
        case email
        case wechatOpenid = "wechat_openid"
        case wechatUnionid = "wechat_unionid"
        case address

        /// Sensitive kinds are masked for everyone until revealed.
        public var isSensitive: Bool { self != .address }

        /// Kinds that identify a person, and so are matched to find duplicates.
        public var isDedupKey: Bool { self == .phone || self == .email || self == .wechatUnionid }

        /// Masks a stored value of this kind (addresses are not masked).
        public func mask(_ value: String) -> String {
            switch self {
            case .phone: ContactMask.phone(value)
            case .email: ContactMask.email(value)
            case .wechatOpenid, .wechatUnionid: ContactMask.wechat(value)
            case .address: value
            }
        }
    }

    public var id: RecordID
    public var kind: Kind
    /// The normalised value: E.164 for phones, lowercased for emails.
    public var value: String
    /// A free label: `mobile`, `work`, `home`, `parent`…
    public var label: String?
    public var isPrimary: Bool

    public init(id: RecordID, kind: Kind, value: String, label: String? = nil, isPrimary: Bool = false) {
        self.id = id
        self.kind = kind
        self.value = value
        self.label = label
        self.isPrimary = isPrimary
    }
}

/// Whether the customer agreed to be contacted on a channel for a purpose.
public struct Consent: Sendable, Equatable, Codable {
    public enum Channel: String, Sendable, Codable, CaseIterable {
        case phone, sms, email, wechat, mail, visit
    }

    public enum Purpose: String, Sendable, Codable, CaseIterable {
        case marketing, sales, service
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case granted, withdrawn
    }

    public var channel: Channel
    public var purpose: Purpose
    public var status: Status
    /// How the consent was obtained (`web_form`, `call`, `paper`…).
    public var source: String?
    public var recordedAt: Date

    public init(channel: Channel, purpose: Purpose, status: Status, source: String? = nil, recordedAt: Date) {
        self.channel = channel
        self.purpose = purpose
        self.status = status
        self.source = source
        self.recordedAt = recordedAt
    }
}

import Foundation
