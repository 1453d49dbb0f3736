import Foundation

/// The import kinds that load an existing sales pipeline (the Maven CRM sample and its like): the
/// sales team, the product catalog, the accounts and the opportunities, each with the fields a
/// column may map to and a guess of each from common header names.
public enum PipelineImportKind: String, Sendable, CaseIterable {
    /// Sales agents with their manager and regional office: users and a team tree.
    case teamMembers = "team_members"
    /// Catalog products: name, SKU, category (series), list price.
    case products
    /// Company customers (accounts).
    case accounts
    /// Opportunities with their stage and historic dates, kept idempotent by the external id.
    case opportunities

    /// Fields a column may map to (besides `ignore`; accounts also take `custom_fields.<key>`).
    public var fields: [String] {
        switch self {
        case .teamMembers: ["name", "email", "manager", "region", "role"]
        case .products: ["name", "sku", "category", "list_price", "currency", "unit"]
        case .accounts: CustomerImportFields.all.filter { $0 != "kind" } + ["parent", "annual_revenue_millions"]
        case .opportunities:
            ["external_id", "name", "owner", "product", "account", "stage", "created_at", "closed_at", "amount", "currency",
             "expected_close_date", "source", "loss_reason"]
        }
    }

    /// Fields one column must map to.
    public var required: [String] {
        switch self {
        case .teamMembers, .products, .accounts: ["name"]
        case .opportunities: ["external_id", "owner", "stage"]
        }
    }

    /// Header names (see ``ImportFieldGuess/simplified(_:)``) that suggest a field.
    var synonyms: [String: String] {
        switch self {
        case .teamMembers:
            ["name": "name", "salesagent": "name", "agent": "name", "rep": "name", "salesrep": "name", "fullname": "name", "销售": "name", "姓名": "name",
             "email": "email", "emailaddress": "email", "邮箱": "email", "manager": "manager", "salesmanager": "manager", "经理": "manager",
             "regionaloffice": "region", "region": "region", "office": "region", "区域": "region", "大区": "region", "role": "role", "角色": "role"]
        case .products:
            ["product": "name", "productname": "name", "name": "name", "产品": "name", "产品名称": "name", "sku": "sku", "productcode": "sku", "code": "sku",
             "series": "category", "category": "category", "productline": "category", "系列": "category", "类别": "category",
             "salesprice": "list_price", "listprice": "list_price", "price": "list_price", "价格": "list_price", "currency": "currency", "币种": "currency",
             "unit": "unit", "单位": "unit"]
        case .accounts:
            ["account": "name", "accountname": "name", "company": "name", "companyname": "name", "name": "name", "客户名称": "name", "公司": "name",
             "sector": "custom_fields.industry", "industry": "custom_fields.industry", "行业": "custom_fields.industry",
             "yearestablished": "custom_fields.founded_year", "founded": "custom_fields.founded_year", "成立年份": "custom_fields.founded_year",
             "revenue": "custom_fields.annual_revenue", "annualrevenue": "custom_fields.annual_revenue", "营收": "custom_fields.annual_revenue",
             "employees": "custom_fields.employees", "员工人数": "custom_fields.employees",
             "officelocation": "address", "headquarters": "address", "address": "address", "地址": "address",
             "subsidiaryof": "parent", "parent": "parent", "parentaccount": "parent", "parentcompany": "parent", "上级公司": "parent",
             "owner": "owner", "externalid": "external_ref", "externalref": "external_ref", "tags": "tags"]
        case .opportunities:
            ["opportunityid": "external_id", "dealid": "external_id", "externalid": "external_id", "id": "external_id", "商机编号": "external_id",
             "name": "name", "opportunityname": "name", "dealname": "name", "商机名称": "name",
             "salesagent": "owner", "owner": "owner", "rep": "owner", "负责人": "owner", "销售": "owner",
             "product": "product", "sku": "product", "产品": "product", "account": "account", "company": "account", "customer": "account", "客户": "account",
             "dealstage": "stage", "stage": "stage", "status": "stage", "阶段": "stage",
             "engagedate": "created_at", "createdat": "created_at", "created": "created_at", "创建日期": "created_at",
             "closedate": "closed_at", "closedat": "closed_at", "成交日期": "closed_at",
             "closevalue": "amount", "amount": "amount", "value": "amount", "金额": "amount", "currency": "currency", "币种": "currency",
             "expectedclosedate": "expected_close_date", "source": "source", "lossreason": "loss_reason", "输单原因": "loss_reason"]
        }
    }

    /// A mapping guessed from the headers; a guessed custom field the dictionary lacks is ignored.
    public func suggest(headers: [String], customFieldKeys: [String] = []) -> [ImportColumn] {
        let keys = Set(customFieldKeys)
        let usable = synonyms.filter { !$0.value.hasPrefix("custom_fields.") || keys.contains(String($0.value.dropFirst(14))) }
        let repeatable: Set<String> = self == .accounts ? CustomerImportFields.repeatable : []
        return ImportFieldGuess.suggest(headers: headers, synonyms: usable, repeatable: repeatable, customFieldKeys: self == .accounts ? customFieldKeys : [])
    }

    /// Checks a mapping: known fields, none twice (but an account's repeatable contact fields), the required ones.
    public func validate(_ columns: [ImportColumn], customFieldKeys: Set<String>) throws(RapportError) {
        let repeatable: Set<String> = self == .accounts ? CustomerImportFields.repeatable : []
        var check = ImportFieldGuess.check(columns, fields: fields, repeatable: repeatable, customFieldKeys: self == .accounts ? customFieldKeys : [],
                                           object: rawValue.replacingOccurrences(of: "_", with: " "))
        for field in required where !columns.contains(where: { $0.field == field }) {
            check.add("columns", "required", "One column must map to \(field).")
        }
        try check.finish()
    }
}

/// Matching names typed by people: case, spaces and punctuation aside (`GTXPro` ~ `GTX Pro`).
public enum ImportMatchKey {
    /// Lowercased letters and digits only.
    public static func normalised(_ text: String) -> String {
        String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }

    /// The edit distance of two short texts (insertions, deletions, substitutions), for spotting typos.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The candidate a typed value most likely means: the same normalised key, else one within a
    /// small edit distance (two edits, and at most a quarter of the value) when exactly one is that near.
    public static func closest(_ value: String, among candidates: [String]) -> String? {
        let key = normalised(value)
        guard !key.isEmpty else { return nil }
        if let same = candidates.first(where: { normalised($0) == key }) { return same }
        let limit = min(2, key.count / 4)
        guard limit > 0 else { return nil }
        let near = candidates.filter { distance(normalised($0), key) <= limit }
        return near.count == 1 ? near[0] : nil
    }
}

/// Something an import did to a row's value that the importer should know (a fuzzy match, a
/// corrected option, a missing account), counted over the rows it applies to. Rows with warnings
/// are imported; rows with errors are not.
public struct ImportWarning: Sendable, Codable, Equatable {
    /// A stable code: `fuzzy_match`, `option_corrected`, `unknown_option`, `no_account`, …
    public var code: String
    /// What it is about (`GTXPro → GTX Pro`), so one code can count several things apart.
    public var subject: String
    public var message: String
    public var count: Int64
    /// The first line of the file it applies to.
    public var firstLine: Int64

    public init(code: String, subject: String, message: String, count: Int64 = 1, firstLine: Int64) {
        self.code = code
        self.subject = subject
        self.message = message
        self.count = count
        self.firstLine = firstLine
    }

    enum CodingKeys: String, CodingKey {
        case code, subject, message, count
        case firstLine = "first_line"
    }

    /// Adds `more` into `list`, counting the same code and subject together (first line kept).
    public static func merge(_ more: [ImportWarning], into list: inout [ImportWarning]) {
        for warning in more {
            if let index = list.firstIndex(where: { $0.code == warning.code && $0.subject == warning.subject }) {
                list[index].count += warning.count
                list[index].firstLine = min(list[index].firstLine, warning.firstLine)
            } else {
                list.append(warning)
            }
        }
    }
}
