import Foundation

/// The stage machine every order runs on the ``LifecycleEngine``: fixed, not configurable, because
/// approval, entitlements and receivables depend on its meaning.
///
/// draft → pending_approval (submit) → signed (approve) → effective → completed | expired |
/// terminated; pending_approval → draft (reject); draft → cancelled; signed → terminated.
/// Completed and expired orders count as `won` (the contract ran its course), terminated and
/// cancelled ones as `lost`.
public enum OrderLifecycle {
    /// The stage definitions the engine applies.
    public static let dictionary: ObjectDictionary = {
        func stage(_ status: OrderStatus, _ zh: String, _ en: String, _ category: StageCategory, _ next: [OrderStatus]) -> StageDefinition {
            StageDefinition(key: status.rawValue, label: LocalizedText(zhHans: zh, en: en), category: category, transitions: next.map(\.rawValue))
        }
        return ObjectDictionary(object: .order, initialStage: OrderStatus.draft.rawValue, stages: [
            stage(.draft, "草稿", "Draft", .open, [.pendingApproval, .cancelled]),
            stage(.pendingApproval, "待审批", "Pending approval", .open, [.signed, .draft]),
            stage(.signed, "已签约", "Signed", .open, [.effective, .terminated]),
            stage(.effective, "生效中", "Effective", .open, [.completed, .expired, .terminated]),
            stage(.completed, "已完成", "Completed", .won, []),
            stage(.expired, "已到期", "Expired", .won, []),
            stage(.terminated, "已终止", "Terminated", .lost, []),
            stage(.cancelled, "已取消", "Cancelled", .lost, []),
        ])
    }()

    /// The engine over ``dictionary``.
    public static let engine = LifecycleEngine(dictionary)

    /// Applies a move of an order in `status` (entered at `enteredAt`) to `target`; an illegal move is
    /// a `conflict` naming the allowed ones.
    public static func move(
        from status: OrderStatus, enteredAt: Date, to target: OrderStatus, at now: Date, by actor: RecordID?, reason: String?
    ) throws(RapportError) -> LifecycleTransition {
        try engine.applyChecked(.move(to: target.rawValue, at: now, by: actor, reason: reason),
                         to: LifecycleState(stage: status.rawValue, enteredAt: enteredAt), filled: [])
    }

    /// The creation of an order (always a draft).
    public static func create(at now: Date, by actor: RecordID?) -> LifecycleTransition {
        // The draft stage exists, is not archived and has no guards: creation cannot fail.
        (try? engine.apply(.create(stage: nil, at: now, by: actor), to: nil, filled: []))
            ?? LifecycleTransition(state: LifecycleState(stage: OrderStatus.draft.rawValue, enteredAt: now),
                                   effects: [.recordChange(StageChange(from: nil, to: OrderStatus.draft.rawValue, at: now, by: actor))])
    }
}
