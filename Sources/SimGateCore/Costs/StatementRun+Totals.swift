import Foundation

extension StatementRun {
    /// Exact amounts are numerators over seconds in the month × bytes per MB.
    private var denominator: Int128 { Int128(monthSeconds) * ExactAmount.bytesPerMB }

    /// The finished statement: lines rounded, pools priced, totals and savings summed.
    func statement() throws -> Statement {
        var finished: [StatementLine] = []
        var pools: [Int: (used: Int128, included: Int128, forecastUsed: Int128, forecastIncluded: Int128)] = [:]
        let elapsed = windowEnd - monthStart
        for (key, line) in lines {
            let projected = elapsed > 0 ? line.usedBytes * Int128(monthSeconds) / Int128(elapsed) : line.usedBytes
            let actual = try amount(of: line, charge: line.actual, usedBytes: line.usedBytes)
            let forecast = isOpen ? try amount(of: line, charge: line.forecast, usedBytes: projected) : nil
            if let tariff = key.tariffNumber, line.actual.lastPrice?.dataPooled ?? line.forecast.lastPrice?.dataPooled ?? false {
                var pool = pools[tariff] ?? (0, 0, 0, 0)
                pool.used += line.usedBytes
                pool.included += actual.included
                pool.forecastUsed += projected
                pool.forecastIncluded += forecast?.included ?? 0
                pools[tariff] = pool
            }
            finished.append(try finish(key, line, actual: actual, forecast: forecast))
        }
        finished.sort { $0.id < $1.id }

        var tariffs: [StatementTariffTotal] = []
        for (tariffNumber, tariffLines) in Dictionary(grouping: finished, by: \.tariffNumber) {
            let pooled = try tariffNumber.flatMap { number in try pools[number].map { pool in try pooledData(number, pool) } }
            let item = "tariff \(tariffNumber.map(String.init) ?? "none")"
            let amount = try ExactAmount.checked(tariffLines.reduce(Int128(pooled?.amount ?? 0)) { $0 + Int128($1.amount) }, item)
            let forecast = isOpen
                ? try ExactAmount.checked(tariffLines.reduce(Int128(pooled?.forecastAmount ?? 0)) { $0 + Int128($1.forecastAmount ?? 0) }, item)
                : nil
            tariffs.append(StatementTariffTotal(
                tariffNumber: tariffNumber, currency: tariffLines.lazy.compactMap(\.currency).first ?? tariffNumber.flatMap { schedule($0).price(at: windowEnd - 1)?.currency },
                simCount: Set(tariffLines.map(\.simID)).count, pooledData: pooled, amount: amount, forecastAmount: forecast
            ))
        }
        tariffs.sort { ($0.tariffNumber ?? 0) < ($1.tariffNumber ?? 0) }

        let savingsList = try savings.map { key, sum in
            let offline = try ExactAmount.checked(ExactAmount.rounded(sum.offlineFees, over: Int128(monthSeconds)), "savings")
            let live = try ExactAmount.checked(ExactAmount.rounded(sum.liveFees, over: Int128(monthSeconds)), "savings")
            return StatementSaving(
                cause: key.cause, currency: key.currency, seconds: sum.seconds, simCount: sum.sims.count, offlineAmount: offline, liveAmount: live,
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
            lines: finished, tariffs: tariffs, totals: totals, savings: savingsList
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
        let item = "data of \(line.actual.lastPrice?.tariffNumber ?? 0)"
        let dataValue = try ExactAmount.sum(of: [(billable ?? 0, Int128(charge.lastPrice?.dataPricePerMB ?? 0))], item)
        let numerator = try ExactAmount.sum(of: [
            (charge.totalFees, ExactAmount.bytesPerMB), (dataValue, Int128(monthSeconds)), (line.topUpValue, Int128(monthSeconds)),
            (line.bundleAmount, denominator),
        ], item)
        return LineAmount(included: included, billable: billable, dataValue: dataValue, numerator: numerator)
    }

    private func finish(_ key: LineKey, _ line: LineBuilder, actual: LineAmount, forecast: LineAmount?) throws -> StatementLine {
        let item = "line \(key.id)"
        let statuses = try SimStatus.allCases.compactMap { status -> StatusCharge? in
            guard let seconds = line.actual.seconds[status], seconds > 0 else { return nil }
            let fee = ExactAmount.rounded(line.actual.fees[status] ?? 0, over: Int128(monthSeconds))
            return StatusCharge(status: status, seconds: seconds, amount: try ExactAmount.checked(fee, item))
        }
        let from = [line.actual.from, line.touched?.first].compactMap { $0 }.min() ?? windowEnd
        let to = [line.actual.to, line.touched?.last].compactMap { $0 }.max() ?? windowEnd
        let price = line.actual.lastPrice ?? line.forecast.lastPrice
        return StatementLine(
            id: key.id, simID: key.simID, iccid: inputs.iccids[key.simID] ?? ICCID(trusted: ""), tariffNumber: key.tariffNumber,
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

    private func pooledData(_ tariff: Int, _ pool: (used: Int128, included: Int128, forecastUsed: Int128, forecastIncluded: Int128)) throws -> PooledData {
        let item = "pool of tariff \(tariff)"
        let billable = max(0, pool.used - pool.included)
        let price = Int128(schedule(tariff).price(at: windowEnd - 1)?.dataPricePerMB ?? 0)
        let forecastBillable = max(0, pool.forecastUsed - pool.forecastIncluded)
        let forecastPrice = Int128(schedule(tariff).price(at: monthEnd - 1)?.dataPricePerMB ?? 0)
        return PooledData(
            usedBytes: try ExactAmount.bytes(pool.used, item), includedBytes: try ExactAmount.bytes(pool.included, item),
            billableBytes: try ExactAmount.bytes(billable, item),
            amount: try ExactAmount.checked(ExactAmount.rounded(try ExactAmount.sum(of: [(billable, price)], item), over: ExactAmount.bytesPerMB), item),
            forecastAmount: isOpen
                ? try ExactAmount.checked(ExactAmount.rounded(try ExactAmount.sum(of: [(forecastBillable, forecastPrice)], item), over: ExactAmount.bytesPerMB), item)
                : nil
        )
    }
}
