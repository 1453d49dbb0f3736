import Foundation
import RapportCore
import Testing

/// Calendar dates, payment plans, and the receivables books: payments spread over instalments,
/// refunds taking them back, overdue instalments, and the books balancing under any sequence.
@Suite struct ReceivablesTests {
    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static func id(_ text: String) -> RecordID { RecordID(trusted: text) }

    @Test func calendarDatesParseCountAndAddMonthsClampingTheDay() throws {
        #expect(CalendarDate("2024-02-29")?.description == "2024-02-29")
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "0000-01-01", "2024-01-00", "２０２４-01-01", "2024-01-01T00", ""] {
            #expect(CalendarDate(bad) == nil, "\(bad)")
        }
        #expect(Self.date("1970-01-01").dayNumber == 0 && Self.date("2000-03-01").dayNumber == 11_017)
        #expect(Self.date("2024-12-31").adding(days: 1) == Self.date("2025-01-01"))
        #expect(Self.date("2024-03-01").adding(days: -1) == Self.date("2024-02-29"))
        #expect(Self.date("2024-01-31").adding(months: 1) == Self.date("2024-02-29"))
        #expect(Self.date("2023-01-31").adding(months: 1) == Self.date("2023-02-28"))
        #expect(Self.date("2024-11-15").adding(months: 14) == Self.date("2026-01-15"))
        #expect(Self.date("2024-03-31").adding(months: -1) == Self.date("2024-02-29"))
        #expect(Self.date("2024-01-01").days(until: Self.date("2025-01-01")) == 366)
        #expect(Self.date("9999-12-31").adding(days: 5) == Self.date("9999-12-31"))
        // Every day number maps back to its date, across four centuries.
        var day = Self.date("1900-01-01")
        var mismatches: [Int] = []
        for number in day.dayNumber..<(day.dayNumber + 146_097) {
            if CalendarDate(dayNumber: number) != day || day.dayNumber != number { mismatches.append(number) }
            if day.day == CalendarDate.days(inMonth: day.month, of: day.year) {
                day = day.month == 12 ? CalendarDate(year: day.year + 1, month: 1, day: 1)! : CalendarDate(year: day.year, month: day.month + 1, day: 1)!
            } else {
                day = CalendarDate(year: day.year, month: day.month, day: day.day + 1)!
            }
        }
        #expect(mismatches.isEmpty && day == Self.date("2300-01-01"))
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        #expect(CalendarDate(Date(timeIntervalSince1970: 1_735_660_800), in: shanghai) == Self.date("2025-01-01"))  // 2024-12-31T16:00Z
        #expect(CalendarDate(Date(timeIntervalSince1970: 1_735_660_800), in: .gmt) == Self.date("2024-12-31"))
        let encoded = try JSONEncoder().encode([Self.date("2026-03-31")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2026-03-31"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2026-02-30"]"#.utf8)) }
    }

    @Test func anEvenPlanAddsUpToTheTotalExactly() {
        let plan = PaymentPlan.even(Money(1_000_000, "cny"), count: 3, firstDue: Self.date("2026-01-31"))
        #expect(plan.currency == "CNY" && plan.installments.map(\.amountMinor) == [333_334, 333_333, 333_333])
        #expect(plan.installments.map(\.dueDate.description) == ["2026-01-31", "2026-02-28", "2026-03-31"])
        #expect(plan.totalMinor == 1_000_000 && plan.problems(forTotal: Money(1_000_000, "CNY")).isEmpty)
        #expect(plan.problems(forTotal: Money(1_000_001, "CNY")).map(\.code) == ["total_mismatch"])
        #expect(plan.problems(forTotal: Money(1_000_000, "USD")).map(\.code) == ["currency_mismatch"])
        let quarterly = PaymentPlan.even(Money(10, "USD"), count: 4, firstDue: Self.date("2026-11-30"), intervalMonths: 3)
        #expect(quarterly.installments.map(\.amountMinor) == [3, 3, 2, 2] && quarterly.installments.last?.dueDate == Self.date("2027-08-30"))
        var disordered = plan
        disordered.installments[2].dueDate = Self.date("2026-01-01")
        disordered.installments[1].amountMinor = 0
        #expect(disordered.problems(forTotal: Money(1_000_000, "CNY")).map(\.field) == ["installments[1].amount_minor", "installments[2].due_date"])
        #expect(PaymentPlan(currency: "CNY", installments: []).problems(forTotal: Money(0, "CNY")).map(\.code) == ["out_of_range"])
    }

    @Test func paymentsPayTheEarliestInstalmentsAndOverdueFollowsTheDate() throws {
        var books = ReceivablesLedger(plan: PaymentPlan.even(Money(900_000, "CNY"), count: 3, firstDue: Self.date("2026-01-15")))
        let first = try books.receive(.init(id: Self.id("pay_1"), amountMinor: 400_000, receivedOn: Self.date("2026-01-10")))
        #expect(first.map { [$0.installment, Int($0.amountMinor)] } == [[1, 300_000], [2, 100_000]])
        let plan = books.plan.installments
        #expect(books.status(of: plan[0], on: Self.date("2026-03-01")) == .paid)
        #expect(books.status(of: plan[1], on: Self.date("2026-02-15")) == .partiallyPaid)
        #expect(books.status(of: plan[1], on: Self.date("2026-02-16")) == .overdue)
        #expect(books.status(of: plan[2], on: Self.date("2026-02-16")) == .upcoming)
        #expect(books.overdue(on: Self.date("2026-03-16")).map(\.number) == [2, 3])
        #expect(books.outstandingMinor == 500_000 && books.collectedMinor == 400_000)

        // More than is outstanding, or nothing, is refused and changes nothing.
        let before = books
        let over = try #require(throws: RapportError.self) { try books.receive(.init(id: Self.id("pay_2"), amountMinor: 500_001, receivedOn: Self.date("2026-02-01"))) }
        #expect(over.fieldErrors.map(\.code) == ["exceeds_outstanding"])
        #expect(throws: RapportError.self) { try books.receive(.init(id: Self.id("pay_2"), amountMinor: 0, receivedOn: Self.date("2026-02-01"))) }
        #expect(books == before)
        try books.receive(.init(id: Self.id("pay_2"), amountMinor: 500_000, receivedOn: Self.date("2026-02-01")))
        #expect(books.outstandingMinor == 0 && books.overdue(on: Self.date("2027-01-01")).isEmpty)
    }

    @Test func aRefundTakesBackTheLatestInstalmentsFirstAndCancelsOrReopensThem() throws {
        var books = ReceivablesLedger(plan: PaymentPlan.even(Money(480_000, "CNY"), count: 2, firstDue: Self.date("2026-01-01")))
        try books.receive(.init(id: Self.id("pay_1"), amountMinor: 480_000, receivedOn: Self.date("2025-12-20")))
        // 10 of 48 lessons used: the unconsumed 38 are worth ¥3,800.00, refunded and no longer owed.
        let value = ReceivablesLedger.unconsumedValue(lineTotalMinor: 480_000, granted: 48, consumed: 10)
        #expect(value == 380_000)
        let reversed = try books.refund(.init(id: Self.id("rfd_1"), paymentID: Self.id("pay_1"), amountMinor: value, cancelsDue: true))
        #expect(reversed.map { [$0.installment, Int($0.amountMinor)] } == [[2, -240_000], [1, -140_000]])
        #expect(books.collectedMinor == 100_000 && books.outstandingMinor == 0 && books.waivedMinor == 380_000)
        #expect(books.status(of: books.plan.installments[1], on: Self.date("2027-01-01")) == .cancelled)
        #expect(books.status(of: books.plan.installments[0], on: Self.date("2027-01-01")) == .paid)
        #expect(books.refundable(Self.id("pay_1")) == 100_000)
        let tooMuch = try #require(throws: RapportError.self) {
            try books.refund(.init(id: Self.id("rfd_2"), paymentID: Self.id("pay_1"), amountMinor: 100_001, cancelsDue: false))
        }
        #expect(tooMuch.fieldErrors.map(\.code) == ["exceeds_refundable"])
        #expect(throws: RapportError.self) { try books.refund(.init(id: Self.id("rfd_2"), paymentID: Self.id("pay_9"), amountMinor: 1, cancelsDue: false)) }
        // Money returned by mistake is owed again.
        try books.refund(.init(id: Self.id("rfd_2"), paymentID: Self.id("pay_1"), amountMinor: 100_000, cancelsDue: false))
        #expect(books.collectedMinor == 0 && books.outstandingMinor == 100_000)
        #expect(books.overdue(on: Self.date("2026-01-02")).map(\.number) == [1])
        #expect(ReceivablesLedger.unconsumedValue(lineTotalMinor: 100, granted: 3, consumed: 1) == 66)  // 66.67 → down
        #expect(ReceivablesLedger.unconsumedValue(lineTotalMinor: 100, granted: 3, consumed: 5) == 0)
    }

    /// Any sequence of payments, refunds and cancellations keeps the books balanced: payments −
    /// refunds = collected = Σ allocated; collected + cancelled + outstanding = total; each
    /// instalment between nothing and its amount less what was cancelled.
    @Test(arguments: 0..<200 as Range<UInt64>)
    func theBooksBalanceUnderAnySequence(_ seed: UInt64) throws {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 1)
        let total = Int64.random(in: 1...5_000_000, using: &random)
        let count = Int.random(in: 1...12, using: &random)
        var books = ReceivablesLedger(plan: PaymentPlan.even(Money(total, "CNY"), count: count, firstDue: Self.date("2026-01-31")))
        var paymentsMade = 0
        for step in 0..<40 {
            let before = books
            do {
                if Int.random(in: 0..<5, using: &random) == 0 {
                    let amount = Int64.random(in: -5...max(1, books.outstandingMinor / 3 + 5), using: &random)
                    try books.cancel(.init(id: Self.id("cnl_\(step)"), amountMinor: amount))
                } else if paymentsMade == 0 || Bool.random(using: &random) {
                    let amount = Int64.random(in: -10...max(1, books.outstandingMinor + 10), using: &random)
                    try books.receive(.init(id: Self.id("pay_\(step)"), amountMinor: amount, receivedOn: Self.date("2026-01-01")))
                    paymentsMade += 1
                } else {
                    let payment = books.payments.randomElement(using: &random)!
                    let amount = Int64.random(in: 0...(books.refundable(payment.id) + 5), using: &random)
                    try books.refund(.init(id: Self.id("rfd_\(step)"), paymentID: payment.id, amountMinor: amount, cancelsDue: Bool.random(using: &random)))
                }
            } catch is RapportError {
                #expect(books == before, "a refused change changed the books")
            }
            let allocated = books.plan.installments.reduce(Int64(0)) { $0 + books.allocated(to: $1.number) }
            #expect(books.receivedMinor - books.refundedMinor == books.collectedMinor)
            #expect(books.collectedMinor == allocated)
            #expect(books.collectedMinor + books.waivedMinor + books.outstandingMinor == total)
            for installment in books.plan.installments {
                let paid = books.allocated(to: installment.number)
                #expect(paid >= 0 && paid <= installment.amountMinor - (books.waived[installment.number] ?? 0))
            }
            for payment in books.payments { #expect((0...payment.amountMinor).contains(books.refundable(payment.id))) }
        }
    }

    @Test func aCancellationWaivesTheLatestDuesFirstAndNeverMoreThanIsOwed() throws {
        var books = ReceivablesLedger(plan: PaymentPlan.even(Money(90_000, "CNY"), count: 3, firstDue: Self.date("2026-01-31")))
        try books.receive(.init(id: Self.id("pay_1"), amountMinor: 40_000, receivedOn: Self.date("2026-01-10")))
        let made = try books.cancel(.init(id: Self.id("cnl_1"), amountMinor: 35_000))
        #expect(made == [3: 30_000, 2: 5_000])
        #expect(books.outstandingMinor == 15_000 && books.waivedMinor == 35_000 && books.collectedMinor == 40_000)
        #expect(books.status(of: books.plan.installments[2], on: Self.date("2026-01-01")) == .cancelled)
        let before = books
        #expect(throws: RapportError.self) { try books.cancel(.init(id: Self.id("cnl_2"), amountMinor: 15_001)) }
        #expect(throws: RapportError.self) { try books.cancel(.init(id: Self.id("cnl_2"), amountMinor: 0)) }
        #expect(books == before)
    }
}
