extension Lead {
    /// This lead with new information about the same person folded in (the dedup "merge" policy,
    /// as ``Customer/absorbing(_:)`` does for customers): fields it leaves empty are filled;
    /// nothing it already holds is overwritten.
    public func absorbing(_ incoming: Lead) -> Lead {
        var result = self
        result.company = result.company ?? incoming.company
        result.title = result.title ?? incoming.title
        result.phone = result.phone ?? incoming.phone
        result.email = result.email ?? incoming.email
        result.wechatUnionid = result.wechatUnionid ?? incoming.wechatUnionid
        result.interest = result.interest ?? incoming.interest
        result.region = result.region ?? incoming.region
        result.marketingConsent = result.marketingConsent ?? incoming.marketingConsent
        result.externalID = result.externalID ?? incoming.externalID
        for (key, value) in incoming.customFields where result.customFields[key] == nil { result.customFields[key] = value }
        return result
    }
}
