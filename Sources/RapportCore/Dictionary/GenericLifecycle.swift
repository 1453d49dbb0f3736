/// The generic customer lifecycle every business maps its concrete stages onto (知道你 → 好奇你 →
/// 了解你 → 好感 → 使用/购买 → 推荐你). Ordered: a later case is further along.
public enum GenericLifecycle: String, Sendable, Codable, CaseIterable, Comparable {
    /// 知道你: has heard of the company.
    case aware
    /// 好奇你: shows interest, responds.
    case curious
    /// 了解你: learns what is offered (a consultation, a trial).
    case understand
    /// 好感: prefers the company; a real chance to sell.
    case favor
    /// 使用/购买: has bought and uses the product.
    case purchase
    /// 推荐你: recommends the company to others.
    case recommend

    /// The position in the lifecycle, from 0 (`aware`) to 5 (`recommend`).
    public var rank: Int {
        switch self {
        case .aware: 0
        case .curious: 1
        case .understand: 2
        case .favor: 3
        case .purchase: 4
        case .recommend: 5
        }
    }

    /// The label in both languages.
    public var label: LocalizedText {
        switch self {
        case .aware: LocalizedText(zhHans: "知道你", en: "Aware")
        case .curious: LocalizedText(zhHans: "好奇你", en: "Curious")
        case .understand: LocalizedText(zhHans: "了解你", en: "Understand")
        case .favor: LocalizedText(zhHans: "好感", en: "Favor")
        case .purchase: LocalizedText(zhHans: "使用/购买", en: "Purchase")
        case .recommend: LocalizedText(zhHans: "推荐你", en: "Recommend")
        }
    }

    public static func < (lhs: GenericLifecycle, rhs: GenericLifecycle) -> Bool { lhs.rank < rhs.rank }
}
