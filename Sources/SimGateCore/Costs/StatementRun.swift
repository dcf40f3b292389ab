import Foundation

/// One computation of a statement: the month's bounds in seconds, then one SIM at a time its
/// lines, summed into pools, tariff totals and savings as they are finished.
struct StatementRun {
    /// What the statement is computed from.
    let inputs: StatementInputs
    /// The month's first second since 1970.
    let monthStart: Int64
    /// The next month's first second since 1970.
    let monthEnd: Int64
    /// Seconds in the month.
    let monthSeconds: Int64
    /// Amounts run up to here: the month's end, or the time asked while it is open.
    let windowEnd: Int64
    /// Whether the month is still running at the time asked.
    let isOpen: Bool
    /// Each tariff's prices in time order.
    var schedules: [Int: PriceSchedule] = [:]
    /// Finished lines, in no particular order until ``statement()`` sorts them.
    var lines: [StatementLine] = []
    /// Per pooled tariff: use and allowance, so far and forecast.
    var pools: [Int: PoolSum] = [:]
    /// What OFFLINE time saved, per hold cause and currency.
    var savings: [SavingKey: SavingSum] = [:]

    /// A run over `inputs`, nothing summed yet.
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

    /// The prices of `tariff`; none for no tariff or one never priced.
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
        /// The tariff the SIM was on at `second`: that of its latest period begun by then. Before
        /// its first period (a record from before its import), its first tariff: the bare
        /// first period had priced such a record at nothing when the SIM was put on a tariff a
        /// second after its import, and at that tariff when in the same second.
        func tariff(at second: Int64) -> Int? {
            if let period = periods.last(where: { $0.start.epochSeconds <= second }) { return period.terms.tariffNumber }
            return (periods.first { $0.terms.tariffNumber != nil } ?? periods.first)?.terms.tariffNumber
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

        /// The tariff a stretch's bytes go on: usage is kept per UTC day, and bytes flow only
        /// while a SIM is LIVE, so the tariff it was last LIVE on in the stretch; in a stretch
        /// it was never LIVE (late or imported records), its tariff at the stretch's end. By
        /// the end alone, data used on a tariff and then unprovisioned the same day went on no
        /// tariff, free, and a round trip to another account took a day's bytes off their line.
        func tariff(from start: Int64, to end: Int64) -> Int? {
            let live = periods.last { period in
                period.terms.status == .live && period.start.epochSeconds < end && (period.end.map { $0.epochSeconds > start } ?? true)
            }
            return live.map(\.terms.tariffNumber) ?? tariff(at: end - 1)
        }
        if sim.usedBytes > 0 {
            if builders.count > 1, !sim.dailyBytes.isEmpty {
                for (day, dayBytes) in sim.dailyBytes {
                    let start = day.epochSeconds
                    builders[builder(tariff(from: start, to: min(start + 86_400, windowEnd)))].usedBytes += Int128(dayBytes)
                }
            } else {
                builders[builder(tariff(from: monthStart, to: windowEnd))].usedBytes += Int128(sim.usedBytes)
            }
        }
        for change in sim.bundleChanges where change.accountID == account {
            let second = change.at.epochSeconds
            guard second >= monthStart, second < monthEnd, second <= windowEnd else { continue }
            let tariffNumber = tariff(at: second)
            try builders[builder(tariffNumber)].add(change, at: second, price: schedule(tariffNumber).price(at: second))
        }
        if builders.count > 1 { builders.sort { ($0.tariffNumber.map(String.init) ?? "none") < ($1.tariffNumber.map(String.init) ?? "none") } }
        for line in builders { try finish(sim, line) }
    }
}

/// One line while it is being summed.
struct LineBuilder {
    /// The line's tariff; `nil` for time on none.
    let tariffNumber: Int?
    /// Its time so far.
    var actual = LineCharge()
    /// Its time to the month's end (open months).
    var forecast = LineCharge()
    /// Bytes used.
    var usedBytes: Int128 = 0
    /// Bundles granted.
    var bundleCount = 0
    /// Their price, in minor units.
    var bundleAmount: Int128 = 0
    /// Top-ups made.
    var topUpCount = 0
    /// Bytes they added.
    var topUpBytes: Int128 = 0
    /// Top-up bytes × price per MB.
    var topUpValue: Int128 = 0
    /// The currency bundles and top-ups were priced in.
    var bundleCurrency: String?
    /// The first and last seconds of a bundle change.
    var touched: (first: Int64, last: Int64)?

    /// An empty line on `tariffNumber`.
    init(tariffNumber: Int?) { self.tariffNumber = tariffNumber }

    /// A bundle grant or top-up at `second`, at `price` (free without one).
    mutating func add(_ change: BundleChange, at second: Int64, price: TariffPrice?) throws {
        touched = (min(touched?.first ?? second, second), max(touched?.last ?? second, second))
        if let price { bundleCurrency = price.currency }
        switch change.kind {
        case .granted:
            bundleCount += 1
            bundleAmount = try ExactAmount.add(bundleAmount, Int128(price?.bundlePrice ?? 0), "bundles")
        case .toppedUp:
            topUpCount += 1
            topUpBytes = try ExactAmount.add(topUpBytes, Int128(change.bytes), "top-ups")
            topUpValue = try ExactAmount.add(topUpValue, Int128(change.bytes) * Int128(price?.topUpPricePerMB ?? 0), "top-ups")
        }
    }
}

/// Which savings an OFFLINE second goes to.
struct SavingKey: Hashable {
    /// The hold that kept the SIM OFFLINE.
    let cause: HoldCause?
    /// The currency of the fees compared.
    let currency: String
}

/// What OFFLINE time under one cause saved, while being summed.
struct SavingSum {
    /// Seconds OFFLINE.
    var seconds: Int64 = 0
    /// SIMs that had some of them.
    var simCount = 0
    /// OFFLINE fee × seconds.
    var offlineFees: Int128 = 0
    /// LIVE fee × seconds.
    var liveFees: Int128 = 0

    /// Adds `seconds` OFFLINE at these monthly fees.
    mutating func add(seconds: Int64, offlineFee: Int64, liveFee: Int64) {
        self.seconds += seconds
        offlineFees += Int128(offlineFee) * Int128(seconds)
        liveFees += Int128(liveFee) * Int128(seconds)
    }
}

/// A pooled tariff's use and allowance, so far and forecast.
struct PoolSum {
    /// Bytes used so far.
    var used: Int128 = 0
    /// Bytes included so far.
    var included: Int128 = 0
    /// Bytes forecast to be used by the month's end.
    var forecastUsed: Int128 = 0
    /// Bytes included by the month's end.
    var forecastIncluded: Int128 = 0
}
