import Foundation

/// Where one column of an import file goes: a field of the target record, a custom field
/// (`custom_fields.<key>`), or nowhere (`ignore`).
public struct ImportColumn: Sendable, Codable, Equatable {
    /// The column's header text as it appears in the file.
    public var header: String
    public var field: String

    public init(header: String, field: String) {
        self.header = header
        self.field = field
    }

    public static let ignore = "ignore"
}

/// The fields a customer import can fill, and a guess of each from common header names.
public enum CustomerImportFields {
    /// Fields a column may map to (besides `custom_fields.<key>` and `ignore`). `phone`, `email`,
    /// `wechat_*`, `address` and `tags` may be mapped from several columns; a cell may hold several
    /// values separated by `;`.
    public static let all: [String] = [
        "name", "kind", "company", "title", "owner", "team", "source", "stage", "value_tier", "score", "do_not_contact",
        "do_not_contact_reason", "id_number", "external_ref", "phone", "email", "wechat_openid", "wechat_unionid", "address", "tags",
    ]

    /// Fields that may appear in more than one column.
    public static let repeatable: Set<String> = ["phone", "email", "wechat_openid", "wechat_unionid", "address", "tags"]

    /// Header names (lowercased, without spaces, `_` or `-`) that suggest a field, in English and Chinese.
    static let synonyms: [String: String] = [
        "name": "name", "fullname": "name", "customername": "name", "contactname": "name", "姓名": "name", "客户名称": "name", "名称": "name", "客户": "name",
        "kind": "kind", "type": "kind", "customertype": "kind", "客户类型": "kind",
        "company": "company", "organisation": "company", "organization": "company", "account": "company", "employer": "company", "公司": "company", "单位": "company", "公司名称": "company",
        "title": "title", "jobtitle": "title", "position": "title", "职位": "title", "职务": "title",
        "owner": "owner", "owneremail": "owner", "salesagent": "owner", "rep": "owner", "负责人": "owner", "销售": "owner",
        "team": "team", "salesteam": "team", "团队": "team", "部门": "team",
        "source": "source", "leadsource": "source", "channel": "source", "来源": "source", "渠道": "source",
        "stage": "stage", "status": "stage", "lifecyclestage": "stage", "阶段": "stage", "状态": "stage",
        "valuetier": "value_tier", "tier": "value_tier", "客户等级": "value_tier", "等级": "value_tier",
        "score": "score", "leadscore": "score", "评分": "score", "分数": "score",
        "donotcontact": "do_not_contact", "donotcall": "do_not_contact", "donotemail": "do_not_contact", "勿扰": "do_not_contact",
        "idnumber": "id_number", "idcard": "id_number", "身份证": "id_number", "身份证号": "id_number",
        "externalref": "external_ref", "externalid": "external_ref", "id": "external_ref", "prospectid": "external_ref", "customerid": "external_ref", "编号": "external_ref", "客户编号": "external_ref",
        "phone": "phone", "mobile": "phone", "telephone": "phone", "tel": "phone", "phonenumber": "phone", "mobilephone": "phone", "cell": "phone",
        "电话": "phone", "手机": "phone", "手机号": "phone", "手机号码": "phone", "联系电话": "phone",
        "email": "email", "emailaddress": "email", "mail": "email", "邮箱": "email", "电子邮件": "email", "电子邮箱": "email",
        "openid": "wechat_openid", "wechatopenid": "wechat_openid", "unionid": "wechat_unionid", "wechatunionid": "wechat_unionid",
        "address": "address", "地址": "address", "联系地址": "address",
        "tags": "tags", "tag": "tags", "labels": "tags", "标签": "tags",
    ]

    /// A mapping guessed from the headers: known names map to their field, the rest are ignored.
    /// A non-repeatable field is guessed for its first column only.
    public static func suggest(headers: [String], customFieldKeys: [String] = []) -> [ImportColumn] {
        ImportFieldGuess.suggest(headers: headers, synonyms: synonyms, repeatable: repeatable, customFieldKeys: customFieldKeys)
    }

    /// Checks a mapping against the file's headers and the dictionary's custom fields.
    public static func validate(_ columns: [ImportColumn], customFieldKeys: Set<String>) throws(RapportError) {
        var check = ImportFieldGuess.check(columns, fields: all, repeatable: repeatable, customFieldKeys: customFieldKeys, object: "customer")
        if !columns.contains(where: { $0.field == "name" }) {
            check.add("columns", "required", "One column must map to name.")
        }
        try check.finish()
    }
}

/// What customer and lead imports share: guessing a mapping from header names, and checking one.
enum ImportFieldGuess {
    /// Header text as the synonym tables spell it: lowercased, without spaces, `_`, `-`, `.`, `:` or brackets.
    static func simplified(_ header: String) -> String {
        String(header.lowercased().unicodeScalars.filter { !" _-.:：()（）".unicodeScalars.contains($0) })
    }

    static func suggest(headers: [String], synonyms: [String: String], repeatable: Set<String>, customFieldKeys: [String]) -> [ImportColumn] {
        var taken: Set<String> = []
        return headers.map { header in
            let key = simplified(header)
            var field = synonyms[key]
            if field == nil, let custom = customFieldKeys.first(where: { $0.replacingOccurrences(of: "_", with: "") == key }) {
                field = "custom_fields.\(custom)"
            }
            guard let field, repeatable.contains(field) || !taken.contains(field) else {
                return ImportColumn(header: header, field: ImportColumn.ignore)
            }
            taken.insert(field)
            return ImportColumn(header: header, field: field)
        }
    }

    /// Unknown fields and non-repeatable fields mapped twice, as field errors.
    static func check(_ columns: [ImportColumn], fields: [String], repeatable: Set<String>, customFieldKeys: Set<String>, object: String) -> Validator {
        var check = Validator()
        var seen: Set<String> = []
        for (index, column) in columns.enumerated() {
            let field = column.field
            if field == ImportColumn.ignore { continue }
            let known = fields.contains(field) || (field.hasPrefix("custom_fields.") && customFieldKeys.contains(String(field.dropFirst(14))))
            if !known {
                check.add("columns[\(index)].field", "invalid", "\(field) is not a field a \(object) import can fill.")
            } else if !repeatable.contains(field), !seen.insert(field).inserted {
                check.add("columns[\(index)].field", "duplicate", "\(field) is mapped from more than one column.")
            }
        }
        return check
    }
}
