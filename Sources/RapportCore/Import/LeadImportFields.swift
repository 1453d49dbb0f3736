/// The fields a lead import can fill, and a guess of each from common header names.
public enum LeadImportFields {
    /// Fields a column may map to (besides `custom_fields.<key>` and `ignore`). `region` may be
    /// mapped from several columns (city, country): the filled ones are joined with ", ".
    /// `converted` takes yes/no (1/0): yes puts the lead in the converted stage as a historic
    /// conversion (no customer is created for it).
    public static let all: [String] = [
        "name", "company", "title", "phone", "email", "wechat_unionid", "source", "campaign", "utm_source", "utm_medium",
        "utm_campaign", "utm_term", "utm_content", "referrer", "interest", "region", "score", "status", "converted", "owner",
        "external_id",
    ]

    /// Fields that may appear in more than one column.
    public static let repeatable: Set<String> = ["region"]

    /// Header names (see ``ImportFieldGuess/simplified(_:)``) that suggest a field, in English and Chinese.
    static let synonyms: [String: String] = [
        "name": "name", "fullname": "name", "leadname": "name", "contactname": "name", "姓名": "name", "名称": "name", "线索名称": "name",
        "company": "company", "organisation": "company", "organization": "company", "公司": "company", "单位": "company",
        "title": "title", "jobtitle": "title", "position": "title", "职位": "title",
        "phone": "phone", "mobile": "phone", "telephone": "phone", "tel": "phone", "phonenumber": "phone", "电话": "phone", "手机": "phone", "手机号": "phone",
        "email": "email", "emailaddress": "email", "mail": "email", "邮箱": "email",
        "unionid": "wechat_unionid", "wechatunionid": "wechat_unionid",
        "source": "source", "leadsource": "source", "channel": "source", "来源": "source", "渠道": "source",
        "campaign": "campaign", "leadorigin": "campaign", "origin": "campaign", "活动": "campaign",
        "utmsource": "utm_source", "utmmedium": "utm_medium", "utmcampaign": "utm_campaign", "utmterm": "utm_term", "utmcontent": "utm_content",
        "referrer": "referrer", "referer": "referrer", "来源页面": "referrer",
        "interest": "interest", "product": "interest", "course": "interest", "意向": "interest", "意向课程": "interest",
        "region": "region", "country": "region", "city": "region", "province": "region", "地区": "region", "城市": "region", "省份": "region",
        "score": "score", "leadscore": "score", "评分": "score",
        "status": "status", "stage": "status", "leadstatus": "status", "状态": "status",
        "converted": "converted", "isconverted": "converted", "已转化": "converted",
        "owner": "owner", "owneremail": "owner", "rep": "owner", "负责人": "owner",
        "externalid": "external_id", "prospectid": "external_id", "leadid": "external_id", "id": "external_id", "编号": "external_id",
    ]

    /// A mapping guessed from the headers: known names map to their field, headers named like a
    /// custom field of the lead dictionary map to it, the rest are ignored.
    public static func suggest(headers: [String], customFieldKeys: [String] = []) -> [ImportColumn] {
        ImportFieldGuess.suggest(headers: headers, synonyms: synonyms, repeatable: repeatable, customFieldKeys: customFieldKeys)
    }

    /// Checks a mapping against the dictionary's custom fields; a name comes from a column or the template.
    public static func validate(_ columns: [ImportColumn], customFieldKeys: Set<String>, nameTemplate: String?) throws(RapportError) {
        var check = ImportFieldGuess.check(columns, fields: all, repeatable: repeatable, customFieldKeys: customFieldKeys, object: "lead")
        if !columns.contains(where: { $0.field == "name" }) && (nameTemplate ?? "").isEmpty {
            check.add("columns", "required", "One column must map to name, or give a name_template such as \"Lead {Lead Number}\".")
        }
        try check.finish()
    }
}

/// A name built from other columns of the row: `Lead {Lead Number}` puts the cell of the column
/// "Lead Number" in the braces. The fallback for rows (or files) without a name.
public struct ImportTemplate: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case column(String)
    }

    public let parts: [Part]

    /// Parses a template; nil when a brace is not closed or names nothing.
    public init?(_ text: String) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { return nil }
            let name = String(rest[rest.index(after: open)..<close]).trimmingWhitespace()
            guard !name.isEmpty else { return nil }
            parts.append(.column(name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        guard parts.contains(where: { if case .column = $0 { true } else { false } }) else { return nil }
        self.parts = parts
    }

    /// The columns the template names.
    public var columns: [String] { parts.compactMap { if case .column(let name) = $0 { name } else { nil } } }

    /// The template filled in; nil when every column it names is empty.
    public func render(_ value: (String) -> String) -> String? {
        var filled = false
        let text = parts.map { part -> String in
            switch part {
            case .text(let text): return text
            case .column(let name):
                let cell = value(name)
                if !cell.isEmpty { filled = true }
                return cell
            }
        }.joined()
        return filled ? text.trimmingWhitespace() : nil
    }
}
