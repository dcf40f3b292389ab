import Foundation
import Testing
@testable import SimGateCore

@Suite("Statement calculator")
struct StatementCalculatorTests {
    static let month = BillingMonth("2027-02")!
    static let account = AccountID(trusted: "acct_a")
    static let sim = SimID(trusted: "sim_a")

    static func price(from date: Date, live: Int64, offline: Int64 = 0, includedMB: UInt64 = 0, perMB: Int64 = 0) -> TariffPrice {
        TariffPrice(
            tariffNumber: 1, effectiveFrom: date, currency: "EUR", monthlyFees: [.live: live, .offline: offline], includedBytes: includedMB * 1_048_576,
            dataPricePerMB: perMB, dataPooled: false, bundlePrice: nil, topUpPricePerMB: nil, createdAt: date
        )
    }

    static func period(_ status: SimStatus, from: Date, to: Date?, hold: HoldCause? = nil) -> SimPeriod {
        SimPeriod(simID: sim, terms: SimBillingTerms(accountID: account, tariffNumber: 1, status: status, holdCause: hold), start: from, end: to)
    }

    static func statement(_ periods: [SimPeriod], prices: [TariffPrice], usage: UInt64 = 0, asOf: Date = month.end.addingTimeInterval(86_400)) throws -> Statement {
        try StatementCalculator.statement(StatementInputs(
            accountID: account, month: month, asOf: asOf, sims: [StatementSim(simID: sim, iccid: ICCID(trusted: "8988"), periods: periods, usedBytes: usage)],
            prices: [1: prices]
        ))
    }

    @Test("months are read as YYYY-MM in UTC, with their true length")
    func months() {
        #expect(BillingMonth("2028-02")?.seconds == Int64(29 * 86_400))
        #expect(BillingMonth("2027-02")?.seconds == Int64(28 * 86_400))
        #expect(BillingMonth("2026-12")?.next.description == "2027-01" && BillingMonth("2027-01")?.previous.description == "2026-12")
        for bad in ["2026-1", "2026-00", "2026-13", "1999-12", "2026-11x", "２０２６-11", "", "2026/11", "+026-11"] {
            #expect(BillingMonth(bad) == nil, "\(bad)")
        }
        #expect(BillingMonth(containing: Date(timeIntervalSince1970: 1_798_761_599)).description == "2026-12")
    }

    @Test("a line is rounded once, half up, from its exact sum")
    func roundingHalfUp() throws {
        let start = Self.month.start
        // A fee of 1 for half the month is 0.5: up to 1. For a quarter, 0.25: down to 0.
        let half = try Self.statement([Self.period(.live, from: start, to: start.addingTimeInterval(14 * 86_400))], prices: [Self.price(from: start, live: 1)])
        #expect(half.lines.first?.amount == 1)
        let quarter = try Self.statement([Self.period(.live, from: start, to: start.addingTimeInterval(7 * 86_400))], prices: [Self.price(from: start, live: 1)])
        #expect(quarter.lines.first?.amount == 0)
        // Two parts of 0.4 each read as 0, but the line is their exact sum, 0.8: 1.
        let parts = try Self.statement([
            Self.period(.live, from: start, to: start.addingTimeInterval(11.2 * 86_400)),
            Self.period(.offline, from: start.addingTimeInterval(11.2 * 86_400), to: start.addingTimeInterval(22.4 * 86_400), hold: .manual),
        ], prices: [Self.price(from: start, live: 1, offline: 1)])
        let line = try #require(parts.lines.first)
        #expect(line.statuses.map(\.amount) == [0, 0] && line.amount == 1)
    }

    @Test("time before any price is free and counted as unpriced; the open month forecasts to its end")
    func unpricedAndForecast() throws {
        let start = Self.month.start
        let statement = try Self.statement(
            [Self.period(.live, from: start.addingTimeInterval(-86_400), to: nil)],
            prices: [Self.price(from: start.addingTimeInterval(7 * 86_400), live: 2_800)], usage: 10 * 1_048_576,
            asOf: start.addingTimeInterval(14 * 86_400)
        )
        let line = try #require(statement.lines.first)
        #expect(statement.isOpen && line.unpricedSeconds == 7 * 86_400)
        #expect(line.amount == 700, "7 priced days of 28 at 2,800")
        #expect(line.forecastAmount == 2_100, "21 priced days")
        #expect(line.from == start && line.to == start.addingTimeInterval(14 * 86_400))
    }

    @Test("a forecast reads a SIM's data rate over a day of LIVE time at least, not over its first minutes")
    func forecastRateWindow() throws {
        let start = Self.month.start
        let price = Self.price(from: start, live: 0, perMB: 10)
        func forecast(liveFor seconds: TimeInterval, usedMB: UInt64) throws -> Int64? {
            try Self.statement(
                [Self.period(.live, from: start, to: nil)], prices: [price], usage: usedMB * 1_048_576, asOf: start.addingTimeInterval(seconds)
            ).lines.first?.forecastAmount
        }
        // 10 MB in its first minute: the rest of the month as if at 10 MB a day (27.9993 days,
        // 290 MB in all at 10), not at 10 MB a minute (403,200 MB).
        #expect(try forecast(liveFor: 60, usedMB: 10) == 2_900)
        // Past a day the SIM's own rate: 10 MB in two days, 140 MB in 28.
        #expect(try forecast(liveFor: 2 * 86_400, usedMB: 10) == 1_400)
        // LIVE for the month's last hour, 10 MB in its first minute: 59 minutes more at 10 MB a
        // day, 10.41 MB.
        let lastHour = try Self.statement(
            [Self.period(.live, from: Self.month.end.addingTimeInterval(-3_600), to: nil)],
            prices: [price], usage: 10 * 1_048_576, asOf: Self.month.end.addingTimeInterval(-3_540)
        )
        #expect(lastHour.lines.first?.forecastAmount == 104)
        // LIVE since before the month, its rate too is read over a day at least: the first
        // update of a month carries the last minutes of the one before, and 10 MB read over the
        // month's first 4 s forecast 6 million MB. 10 MB a day instead: 290 MB, 2,900 at 10.
        let longLive = { (seconds: TimeInterval, usedMB: UInt64) in
            try Self.statement([Self.period(.live, from: start.addingTimeInterval(-86_400), to: nil)], prices: [price], usage: usedMB * 1_048_576, asOf: start.addingTimeInterval(seconds))
        }
        #expect(try longLive(4, 10).lines.first?.forecastAmount == 2_900)
        // At 06:00 on the first day 25 MB is read as 25 MB a day (718.75 MB in all), low until
        // the day is out, rather than as 100 MB a day.
        #expect(try longLive(6 * 3_600, 25).lines.first?.forecastAmount == 7_188)
    }

    /// A line joined its tariff's pool by its price so far: when a later price stopped
    /// pooling, the forecast billed its data on the line and again in the pool.
    @Test("a price that stops pooling data mid-month forecasts each byte once")
    func poolingChangesMidMonth() throws {
        let start = Self.month.start
        func price(from date: Date, pooled: Bool) -> TariffPrice {
            TariffPrice(
                tariffNumber: 1, effectiveFrom: date, currency: "EUR", monthlyFees: [.live: 0], includedBytes: 0,
                dataPricePerMB: 10, dataPooled: pooled, bundlePrice: nil, topUpPricePerMB: nil, createdAt: start
            )
        }
        for (first, later) in [(true, false), (false, true)] {
            let statement = try Self.statement(
                [Self.period(.live, from: start, to: nil)], prices: [price(from: start, pooled: first), price(from: start.addingTimeInterval(15 * 86_400), pooled: later)],
                usage: 10 * 1_048_576, asOf: start.addingTimeInterval(86_400)
            )
            // 10 MB a day for 28 days: 280 MB at 10, once.
            #expect(statement.tariffs.first?.forecastAmount == 2_800, "pooled \(first) then \(later)")
        }
    }

    @Test("OFFLINE time is put down to the hold in force longest, and saves the LIVE fee less the OFFLINE fee")
    func savingsByCause() throws {
        let start = Self.month.start
        var sim = Sim(
            id: Self.sim, iccid: ICCID(trusted: "8988"), imsi: IMSI(trusted: "001010000000001"), msisdn: nil, eid: nil, serialNumber: nil,
            accountID: Self.account, statusChangedAt: start, statusCause: ChangeCause(actor: ChangeActor(.system, id: nil)), createdAt: start, updatedAt: start
        )
        let origin = ChangeCause(actor: ChangeActor(.system, id: nil))
        sim.state = SimState(status: .offline, holds: [
            .manual: Hold(cause: .manual, placedAt: start.addingTimeInterval(60), origin: origin),
            .payment: Hold(cause: .payment, placedAt: start, origin: origin),
        ])
        #expect(sim.billingTerms.holdCause == .payment)
        sim.state.holds[.payment] = nil
        #expect(sim.billingTerms.holdCause == .manual)

        let statement = try Self.statement([
            Self.period(.offline, from: start, to: start.addingTimeInterval(7 * 86_400), hold: .payment),
            Self.period(.offline, from: start.addingTimeInterval(7 * 86_400), to: start.addingTimeInterval(14 * 86_400), hold: .rule("rule_x")),
            Self.period(.live, from: start.addingTimeInterval(14 * 86_400), to: nil),
        ], prices: [Self.price(from: start.addingTimeInterval(-86_400), live: 2_800, offline: 400)])
        #expect(statement.savings.map(\.cause) == [.payment, .rule("rule_x")])
        #expect(statement.savings.map(\.saved) == [600, 600], "a week at 2,800 - 400 a month")
        #expect(statement.totals.first?.saved == 1_200 && statement.totals.first?.amount == 1_400 + 200)
    }

    @Test("amounts past 64 bits are an error, not a wrapped number")
    func overflow() {
        let start = Self.month.start
        #expect(throws: StatementTooLarge.self) {
            try Self.statement([Self.period(.live, from: start, to: nil)], prices: [Self.price(from: start, live: 1, perMB: 1_000_000_000_000)], usage: UInt64(Int64.max))
        }
    }
}
