import Foundation

/// One computation of a statement: the month's bounds in seconds, then one SIM at a time its
/// lines, summed into pools, tariff totals and savings as they are finished.
struct StatementRun {
    let inputs: StatementInputs
    let monthStart: Int64
    let monthEnd: Int64
    let monthSeconds: Int64
    /// Amounts run up to here: the month's end, or the time asked while it is open.
    let windowEnd: Int64
    let isOpen: Bool
    var schedules: [Int: PriceSchedule] = [:]
    /// Finished lines, in no particular order until ``statement()`` sorts them.
    var lines: [StatementLine] = []
    /// Per pooled tariff: use and allowance, so far and forecast.
    var pools: [Int: PoolSum] = [:]
    var savings: [SavingKey: SavingSum] = [:]

    init(_ inputs: StatementInputs) {
        self.inputs = inputs
        monthStart = inputs.month.start.epochSeconds
        monthEnd = inputs.month.end.epochSeconds
        monthSeconds = monthEnd - monthStart
        let asOf = inputs.asOf.epochSeconds
        isOpen = asOf < monthEnd
        windowEnd = min(monthEnd, max(monthStart, asOf))
        for (number, prices) in inputs.prices { schedules[number] = PriceSchedule(prices) }
    }

    func schedule(_ tariff: Int?) -> PriceSchedule { tariff.flatMap { schedules[$0] } ?? PriceSchedule([]) }

    /// Every SIM's lines, kept in id order.
    mutating func addSims() throws {
        for sim in inputs.sims { try addSim(sim) }
        if !zip(lines, lines.dropFirst()).allSatisfy({ $0.id < $1.id }) { lines.sort { $0.id < $1.id } }
    }

    /// One SIM's lines: its time per tariff, its usage and its bundle changes, finished.
    private mutating func addSim(_ sim: StatementSim) throws {
        let account = inputs.accountID
        let periods = sim.periods.filter { $0.terms.accountID == account }
        var builders: [LineBuilder] = []
        func builder(_ tariff: Int?) -> Int {
            if let index = builders.firstIndex(where: { $0.tariffNumber == tariff }) { return index }
            builders.append(LineBuilder(tariffNumber: tariff))
            return builders.count - 1
        }
        /// The tariff the SIM was on at `second`: that of its latest period begun by then.
        func tariff(at second: Int64) -> Int? {
            (periods.last { $0.start.epochSeconds <= second } ?? periods.first)?.terms.tariffNumber
        }
        var touched: [SavingKey] = []
        for period in periods {
            let start = max(period.start.epochSeconds, monthStart)
            let end = period.end.map { min($0.epochSeconds, monthEnd) } ?? monthEnd
            guard end > start else { continue }
            let index = builder(period.terms.tariffNumber)
            let prices = schedule(period.terms.tariffNumber)
            let cause = period.terms.holdCause
            builders[index].actual.add(status: period.terms.status, from: start, to: min(end, windowEnd), prices: prices) { status, seconds, price in
                guard status == .offline else { return }
                let key = SavingKey(cause: cause, currency: price.currency)
                if !touched.contains(key) { touched.append(key) }
                savings[key, default: SavingSum()].add(seconds: seconds, offlineFee: price.monthlyFees[.offline] ?? 0, liveFee: price.monthlyFees[.live] ?? 0)
            }
            if isOpen { builders[index].forecast.add(status: period.terms.status, from: start, to: end, prices: prices) { _, _, _ in } }
        }
        for key in touched { savings[key, default: SavingSum()].simCount += 1 }

        if sim.usedBytes > 0 {
            // On several tariffs, each day's bytes go on the tariff of the day's last second
            // (or the last second so far).
            if builders.count > 1, !sim.dailyBytes.isEmpty {
                for (day, dayBytes) in sim.dailyBytes { builders[builder(tariff(at: min(day.epochSeconds + 86_400, windowEnd) - 1))].usedBytes += Int128(dayBytes) }
            } else {
                builders[builder(tariff(at: windowEnd - 1))].usedBytes += Int128(sim.usedBytes)
            }
        }
        for change in sim.bundleChanges where change.accountID == account {
            let second = change.at.epochSeconds
            guard second >= monthStart, second < monthEnd, second <= windowEnd else { continue }
            let tariffNumber = tariff(at: second)
            builders[builder(tariffNumber)].add(change, at: second, price: schedule(tariffNumber).price(at: second))
        }
        if builders.count > 1 { builders.sort { ($0.tariffNumber.map(String.init) ?? "none") < ($1.tariffNumber.map(String.init) ?? "none") } }
        for line in builders { try finish(sim, line) }
    }
}

/// One line while it is being summed.
struct LineBuilder {
    let tariffNumber: Int?
    var actual = LineCharge()
    var forecast = LineCharge()
    var usedBytes: Int128 = 0
    var bundleCount = 0
    var bundleAmount: Int128 = 0
    var topUpCount = 0
    var topUpBytes: Int128 = 0
    /// Top-up bytes × price per MB.
    var topUpValue: Int128 = 0
    var bundleCurrency: String?
    var touched: (first: Int64, last: Int64)?

    init(tariffNumber: Int?) { self.tariffNumber = tariffNumber }

    /// A bundle grant or top-up at `second`, at `price` (free without one).
    mutating func add(_ change: BundleChange, at second: Int64, price: TariffPrice?) {
        touched = (min(touched?.first ?? second, second), max(touched?.last ?? second, second))
        if let price { bundleCurrency = price.currency }
        switch change.kind {
        case .granted:
            bundleCount += 1
            bundleAmount += Int128(price?.bundlePrice ?? 0)
        case .toppedUp:
            topUpCount += 1
            topUpBytes += Int128(change.bytes)
            topUpValue += Int128(change.bytes) * Int128(price?.topUpPricePerMB ?? 0)
        }
    }
}

/// Which savings an OFFLINE second goes to.
struct SavingKey: Hashable {
    let cause: HoldCause?
    let currency: String
}

/// What OFFLINE time under one cause saved, while being summed.
struct SavingSum {
    var seconds: Int64 = 0
    var simCount = 0
    var offlineFees: Int128 = 0
    var liveFees: Int128 = 0

    mutating func add(seconds: Int64, offlineFee: Int64, liveFee: Int64) {
        self.seconds += seconds
        offlineFees += Int128(offlineFee) * Int128(seconds)
        liveFees += Int128(liveFee) * Int128(seconds)
    }
}

/// A pooled tariff's use and allowance, so far and forecast.
struct PoolSum {
    var used: Int128 = 0
    var included: Int128 = 0
    var forecastUsed: Int128 = 0
    var forecastIncluded: Int128 = 0
}
