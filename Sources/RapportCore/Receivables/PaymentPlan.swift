import Foundation

/// One instalment of a payment plan (分期): a number within its plan, a due date and the amount due.
public struct Installment: Sendable, Equatable, Codable {
    /// 1, 2, 3… within the plan, in due-date order.
    public var number: Int
    public var dueDate: CalendarDate
    /// What is due, in the plan's currency's minor units (positive).
    public var amountMinor: Int64

    public init(number: Int, dueDate: CalendarDate, amountMinor: Int64) {
        self.number = number
        self.dueDate = dueDate
        self.amountMinor = amountMinor
    }

    enum CodingKeys: String, CodingKey {
        case number
        case dueDate = "due_date"
        case amountMinor = "amount_minor"
    }
}

/// How an order is to be paid: instalments in one currency whose amounts add up to the order's total.
public struct PaymentPlan: Sendable, Equatable {
    public var currency: String
    public var installments: [Installment]

    public init(currency: String, installments: [Installment]) {
        self.currency = currency.uppercased()
        self.installments = installments
    }

    /// What the plan collects in all.
    public var totalMinor: Int64 { installments.reduce(0) { $0.addingClamped($1.amountMinor) } }

    /// The most instalments a plan may have.
    public static let maximumInstallments = 120

    /// `total` split into `count` instalments every `intervalMonths` months from `firstDue`. The
    /// amounts differ by at most one minor unit: the first `total mod count` instalments carry the
    /// extra unit, so the plan adds up to the total exactly.
    public static func even(_ total: Money, count: Int, firstDue: CalendarDate, intervalMonths: Int = 1) -> PaymentPlan {
        precondition(count > 0 && total.amountMinor >= 0, "a plan splits a non-negative total into at least one instalment")
        let (share, remainder) = total.amountMinor.quotientAndRemainder(dividingBy: Int64(count))
        let installments = (0..<count).map { index in
            Installment(number: index + 1, dueDate: firstDue.adding(months: index * intervalMonths), amountMinor: share + (Int64(index) < remainder ? 1 : 0))
        }
        return PaymentPlan(currency: total.currency, installments: installments)
    }

    /// Why the plan cannot be used for an order of `total`, as field errors (none when it can):
    /// 1…``maximumInstallments`` instalments, each positive, numbered 1… in strictly increasing
    /// due-date order, in the order's currency, adding up to the order's total.
    public func problems(forTotal total: Money) -> [FieldError] {
        var problems: [FieldError] = []
        if currency != total.currency {
            problems.append(FieldError(field: "currency", code: "currency_mismatch", message: "The plan must be in the order's currency, \(total.currency)."))
        }
        guard (1...Self.maximumInstallments).contains(installments.count) else {
            problems.append(FieldError(field: "installments", code: "out_of_range", message: "A plan has 1 to \(Self.maximumInstallments) instalments."))
            return problems
        }
        for (index, installment) in installments.enumerated() {
            if installment.amountMinor <= 0 {
                problems.append(FieldError(field: "installments[\(index)].amount_minor", code: "out_of_range", message: "Each instalment is a positive amount."))
            }
            if index > 0, installment.dueDate <= installments[index - 1].dueDate {
                problems.append(FieldError(field: "installments[\(index)].due_date", code: "invalid", message: "Due dates must be in increasing order."))
            }
        }
        if problems.isEmpty, totalMinor != total.amountMinor {
            problems.append(FieldError(field: "installments", code: "total_mismatch",
                                       message: "The instalments add up to \(totalMinor), not the order's total \(total.amountMinor)."))
        }
        return problems
    }
}
