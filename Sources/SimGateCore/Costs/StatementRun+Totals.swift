import Foundation

extension StatementRun {
    /// Exact amounts are numerators over seconds in the month × bytes per MB.
    private var denominator: Int128 { Int128(monthSeconds) * ExactAmount.bytesPerMB }

    /// The least LIVE time, in seconds, a forecast reads a SIM's data rate over.
    static let shortestRateWindow: Int128 = 86_400

    /// Rounds a SIM's line and keeps it, adding its use and allowance to its tariff's pool.
    mutating func finish(_ sim: StatementSim, _ line: LineBuilder) throws {
        // Data flows only while LIVE: it goes on at the line's rate per LIVE second, for the LIVE
        // seconds still ahead, so a SIM that left, or is OFFLINE, uses nothing more. The rate is
        // read over a day of LIVE time at least: a device that fetches its firmware in its first
        // minute does not do so every minute, and read over that minute a 9 EUR SIM's forecast
        // ran to six figures. So on the first day of a month too, for a SIM LIVE all along: the
        // first interim update of a month carries the last minutes of the one before, and read
        // over the month's first seconds a 5-cent SIM's 10 MB forecast 53 million EUR. The
        // price is a forecast read low until the month's first day is out.
        let (liveSoFar, liveAtEnd) = (Int128(line.actual.seconds[.live]), Int128(line.forecast.seconds[.live]))
        let rateWindow = max(liveSoFar, Self.shortestRateWindow)
        let projected = liveSoFar > 0 && liveAtEnd > liveSoFar
            ? line.usedBytes + line.usedBytes * (liveAtEnd - liveSoFar) / rateWindow
            : line.usedBytes
        let actual = try amount(of: line, charge: line.actual, usedBytes: line.usedBytes)
        let forecast = isOpen ? try amount(of: line, charge: line.forecast, usedBytes: projected) : nil
        // A line is in its tariff's pool for a window when that window's last price pools data,
        // as `amount(of:charge:)` decides whether the line bills its own data: decided once for
        // both, a price that stopped (or began) pooling mid-month counted the forecast's data
        // on the line and in the pool, or in neither.
        if let tariff = line.tariffNumber {
            if line.actual.lastPrice?.dataPooled ?? false {
                pools[tariff, default: PoolSum()].used += line.usedBytes
                pools[tariff, default: PoolSum()].included += actual.included
            }
            if let forecast, line.forecast.lastPrice?.dataPooled ?? false {
                pools[tariff, default: PoolSum()].forecastUsed += projected
                pools[tariff, default: PoolSum()].forecastIncluded += forecast.included
            }
        }
        lines.append(try finished(sim, line, actual: actual, forecast: forecast))
    }

    /// The finished statement: lines in order, pools priced, totals and savings summed.
    mutating func statement() throws -> Statement {
        var sums: [Int?: (lines: Int, amount: Int128, forecast: Int128, currency: String?)] = [:]
        for line in lines {
            var sum = sums[line.tariffNumber] ?? (0, 0, 0, nil)
            sum.lines += 1
            sum.amount += Int128(line.amount)
            sum.forecast += Int128(line.forecastAmount ?? 0)
            sum.currency = sum.currency ?? line.currency
            sums[line.tariffNumber] = sum
        }
        var tariffs: [StatementTariffTotal] = []
        for (tariffNumber, sum) in sums {
            let pooled = try tariffNumber.flatMap { number in try pools[number].map { pool in try pooledData(number, pool) } }
            let item = "tariff \(tariffNumber.map(String.init) ?? "none")"
            tariffs.append(StatementTariffTotal(
                tariffNumber: tariffNumber, currency: sum.currency ?? tariffNumber.flatMap { schedule($0).price(at: windowEnd - 1)?.currency },
                simCount: sum.lines, pooledData: pooled, amount: try ExactAmount.checked(sum.amount + Int128(pooled?.amount ?? 0), item),
                forecastAmount: isOpen ? try ExactAmount.checked(sum.forecast + Int128(pooled?.forecastAmount ?? 0), item) : nil
            ))
        }
        tariffs.sort { ($0.tariffNumber ?? 0) < ($1.tariffNumber ?? 0) }

        let savingsList = try savings.map { key, sum in
            let offline = try ExactAmount.checked(ExactAmount.rounded(sum.offlineFees, over: Int128(monthSeconds)), "savings")
            let live = try ExactAmount.checked(ExactAmount.rounded(sum.liveFees, over: Int128(monthSeconds)), "savings")
            return StatementSaving(
                cause: key.cause, currency: key.currency, seconds: sum.seconds, simCount: sum.simCount, offlineAmount: offline, liveAmount: live,
                saved: try ExactAmount.checked(Int128(live) - Int128(offline), "savings")
            )
        }.sorted { ($0.currency, $0.cause?.description ?? "") < ($1.currency, $1.cause?.description ?? "") }

        var totals: [StatementTotal] = []
        for currency in Set(tariffs.compactMap(\.currency)).union(savingsList.map(\.currency)).sorted() {
            let mine = tariffs.filter { $0.currency == currency }
            totals.append(StatementTotal(
                currency: currency, amount: try ExactAmount.checked(mine.reduce(Int128(0)) { $0 + Int128($1.amount) }, "total \(currency)"),
                forecastAmount: isOpen ? try ExactAmount.checked(mine.reduce(Int128(0)) { $0 + Int128($1.forecastAmount ?? 0) }, "total \(currency)") : nil,
                saved: try ExactAmount.checked(savingsList.filter { $0.currency == currency }.reduce(Int128(0)) { $0 + Int128($1.saved) }, "savings")
            ))
        }
        return Statement(
            accountID: inputs.accountID, month: inputs.month, asOf: Date(timeIntervalSince1970: TimeInterval(windowEnd)), isOpen: isOpen,
            lines: lines, tariffs: tariffs, totals: totals, savings: savingsList
        )
    }

    /// A line's exact sum over one window, with what it includes and what is billable.
    private struct LineAmount {
        let included: Int128
        let billable: Int128?
        let dataValue: Int128
        let numerator: Int128
    }

    private func amount(of line: LineBuilder, charge: LineCharge, usedBytes: Int128) throws -> LineAmount {
        let included = charge.includedBytes(monthSeconds: monthSeconds)
        let pooled = charge.lastPrice?.dataPooled ?? false
        let billable: Int128? = pooled ? nil : max(0, usedBytes - included)
        let item = line.tariffNumber.map { "data under tariff \($0)" } ?? "data"
        let dataValue = try ExactAmount.sum(of: [(billable ?? 0, Int128(charge.lastPrice?.dataPricePerMB ?? 0))], item)
        let numerator = try ExactAmount.sum(of: [
            (charge.totalFees, ExactAmount.bytesPerMB), (dataValue, Int128(monthSeconds)), (line.topUpValue, Int128(monthSeconds)),
            (line.bundleAmount, denominator),
        ], item)
        return LineAmount(included: included, billable: billable, dataValue: dataValue, numerator: numerator)
    }

    private func finished(_ sim: StatementSim, _ line: LineBuilder, actual: LineAmount, forecast: LineAmount?) throws -> StatementLine {
        let id = "\(sim.simID.rawValue):\(line.tariffNumber.map(String.init) ?? "none")"
        let item = "line \(id)"
        let statuses = try SimStatus.allCases.compactMap { status -> StatusCharge? in
            let seconds = line.actual.seconds[status]
            guard seconds > 0 else { return nil }
            let fee = ExactAmount.rounded(line.actual.fees[status], over: Int128(monthSeconds))
            return StatusCharge(status: status, seconds: seconds, amount: try ExactAmount.checked(fee, item))
        }
        let from = [line.actual.from, line.touched?.first].compactMap { $0 }.min() ?? windowEnd
        let to = [line.actual.to, line.touched?.last].compactMap { $0 }.max() ?? windowEnd
        let price = line.actual.lastPrice ?? line.forecast.lastPrice
        return StatementLine(
            id: id, simID: sim.simID, iccid: sim.iccid, tariffNumber: line.tariffNumber,
            currency: price?.currency ?? line.bundleCurrency,
            from: Date(timeIntervalSince1970: TimeInterval(from)), to: Date(timeIntervalSince1970: TimeInterval(to)),
            statuses: statuses, unpricedSeconds: line.actual.unpricedSeconds,
            usedBytes: try ExactAmount.bytes(line.usedBytes, item), includedBytes: try ExactAmount.bytes(actual.included, item),
            billableBytes: try actual.billable.map { value in try ExactAmount.bytes(value, item) },
            dataPooled: actual.billable == nil,
            dataAmount: try ExactAmount.checked(ExactAmount.rounded(actual.dataValue, over: ExactAmount.bytesPerMB), item),
            bundleCount: line.bundleCount, bundleAmount: try ExactAmount.checked(line.bundleAmount, item),
            topUpCount: line.topUpCount, topUpBytes: try ExactAmount.bytes(line.topUpBytes, item),
            topUpAmount: try ExactAmount.checked(ExactAmount.rounded(line.topUpValue, over: ExactAmount.bytesPerMB), item),
            amount: try ExactAmount.checked(ExactAmount.rounded(actual.numerator, over: denominator), item),
            forecastAmount: try forecast.map { value in try ExactAmount.checked(ExactAmount.rounded(value.numerator, over: denominator), item) }
        )
    }

    private func pooledData(_ tariff: Int, _ pool: PoolSum) throws -> PooledData {
        let item = "pool of tariff \(tariff)"
        let billable = max(0, pool.used - pool.included)
        let price = Int128(schedule(tariff).price(at: windowEnd - 1)?.dataPricePerMB ?? 0)
        let forecastBillable = max(0, pool.forecastUsed - pool.forecastIncluded)
        let forecastPrice = Int128(schedule(tariff).price(at: monthEnd - 1)?.dataPricePerMB ?? 0)
        return PooledData(
            // Shown no larger than 2^63 - 1: SIMs at the largest allowance a price takes add up
            // past it, an allowance no use can reach, and the whole statement was refused.
            usedBytes: try ExactAmount.bytes(pool.used, item), includedBytes: try ExactAmount.bytes(min(pool.included, Int128(Int64.max)), item),
            billableBytes: try ExactAmount.bytes(billable, item),
            amount: try ExactAmount.checked(ExactAmount.rounded(try ExactAmount.sum(of: [(billable, price)], item), over: ExactAmount.bytesPerMB), item),
            forecastAmount: isOpen
                ? try ExactAmount.checked(ExactAmount.rounded(try ExactAmount.sum(of: [(forecastBillable, forecastPrice)], item), over: ExactAmount.bytesPerMB), item)
                : nil
        )
    }
}
