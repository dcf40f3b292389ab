import Foundation

/// One computation of a statement: the month's bounds in seconds, and the lines, pools and
/// savings as they are summed.
struct StatementRun {
    let inputs: StatementInputs
    let monthStart: Int64
    let monthEnd: Int64
    let monthSeconds: Int64
    /// Amounts run up to here: the month's end, or the time asked while it is open.
    let windowEnd: Int64
    let isOpen: Bool
    let periodsBySim: [SimID: [SimPeriod]]
    var schedules: [Int: PriceSchedule] = [:]
    var lines: [LineKey: LineBuilder] = [:]
    var savings: [SavingKey: SavingSum] = [:]

    init(_ inputs: StatementInputs) {
        self.inputs = inputs
        monthStart = inputs.month.start.epochSeconds
        monthEnd = inputs.month.end.epochSeconds
        monthSeconds = monthEnd - monthStart
        let asOf = inputs.asOf.epochSeconds
        isOpen = asOf < monthEnd
        windowEnd = min(monthEnd, max(monthStart, asOf))
        let own = inputs.periods.filter { $0.terms.accountID == inputs.accountID }
        periodsBySim = Dictionary(grouping: own, by: \.simID).mapValues { $0.sorted { $0.start < $1.start } }
        for (number, prices) in inputs.prices { schedules[number] = PriceSchedule(prices) }
    }

    func schedule(_ tariff: Int?) -> PriceSchedule { tariff.flatMap { schedules[$0] } ?? PriceSchedule([]) }

    /// Time in each status, so far and (open months) to the month's end.
    mutating func addPeriods() {
        for (simID, periods) in periodsBySim {
            for period in periods {
                let start = max(period.start.epochSeconds, monthStart)
                let end = period.end.map { min($0.epochSeconds, monthEnd) } ?? monthEnd
                guard end > start else { continue }
                let key = LineKey(simID: simID, tariffNumber: period.terms.tariffNumber)
                let prices = schedule(key.tariffNumber)
                let cause = period.terms.holdCause
                var line = lines[key] ?? LineBuilder()
                line.actual.add(status: period.terms.status, from: start, to: min(end, windowEnd), prices: prices) { status, seconds, price in
                    guard status == .offline else { return }
                    let fees = (offline: price.monthlyFees[.offline] ?? 0, live: price.monthlyFees[.live] ?? 0)
                    var sum = savings[SavingKey(cause: cause, currency: price.currency)] ?? SavingSum()
                    sum.seconds += seconds
                    sum.sims.insert(simID)
                    sum.offlineFees += Int128(fees.offline) * Int128(seconds)
                    sum.liveFees += Int128(fees.live) * Int128(seconds)
                    savings[SavingKey(cause: cause, currency: price.currency)] = sum
                }
                if isOpen { line.forecast.add(status: period.terms.status, from: start, to: end, prices: prices) { _, _, _ in } }
                lines[key] = line
            }
        }
    }

    /// The tariff the SIM was on at `second`: that of its latest period begun by then.
    func tariff(of simID: SimID, at second: Int64) -> Int? {
        guard let periods = periodsBySim[simID], let first = periods.first else { return nil }
        return (periods.last { $0.start.epochSeconds <= second } ?? first).terms.tariffNumber
    }

    /// Each SIM's bytes on its line; a SIM on several tariffs has each day's bytes put on the
    /// tariff it was on at the day's last second (or the last second so far).
    mutating func addUsage() {
        for (simID, bytes) in inputs.monthlyUsage where bytes > 0 {
            if let days = inputs.dailyUsage[simID], (periodsBySim[simID].map { Set($0.map(\.terms.tariffNumber)).count > 1 } ?? false) {
                for (day, dayBytes) in days {
                    let moment = min(day.epochSeconds + 86_400, windowEnd) - 1
                    lines[LineKey(simID: simID, tariffNumber: tariff(of: simID, at: moment)), default: LineBuilder()].usedBytes += Int128(dayBytes)
                }
            } else {
                lines[LineKey(simID: simID, tariffNumber: tariff(of: simID, at: windowEnd - 1)), default: LineBuilder()].usedBytes += Int128(bytes)
            }
        }
    }

    /// Bundle grants and top-ups, on the line of the tariff the SIM was on when they happened.
    mutating func addBundleChanges() {
        for change in inputs.bundleChanges where change.accountID == inputs.accountID {
            let second = change.at.epochSeconds
            guard second >= monthStart, second < monthEnd, second <= windowEnd else { continue }
            let tariffNumber = tariff(of: change.simID, at: second)
            let price = schedule(tariffNumber).price(at: second)
            var line = lines[LineKey(simID: change.simID, tariffNumber: tariffNumber)] ?? LineBuilder()
            line.touch(second)
            if let price { line.bundleCurrency = price.currency }
            switch change.kind {
            case .granted:
                line.bundleCount += 1
                line.bundleAmount += Int128(price?.bundlePrice ?? 0)
            case .toppedUp:
                line.topUpCount += 1
                line.topUpBytes += Int128(change.bytes)
                line.topUpValue += Int128(change.bytes) * Int128(price?.topUpPricePerMB ?? 0)
            }
            lines[LineKey(simID: change.simID, tariffNumber: tariffNumber)] = line
        }
    }
}
