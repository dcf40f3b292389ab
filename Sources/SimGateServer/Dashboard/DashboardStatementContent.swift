import Foundation
import SimGateCore

/// A statement turned into the statement page's template values: the API's own resources
/// (``StatementResource``, ``StatementLineResource``) with every amount printed in its
/// currency and every time span in days, so the page says what the JSON and CSV say.
enum DashboardStatementContent {
    /// Lines on a page: the most the API gives in one page.
    static let linesPerPage = 100

    /// Values for `summary` and one page of its `lines`.
    static func values(_ summary: StatementResource, lines: [StatementLineResource]) -> [String: Any] {
        typealias Figures = DashboardStatementFigures
        var values: [String: Any] = [
            "statement": true, "state": summary.state.rawValue, "isOpen": summary.state == .open,
            "periodStart": RFC3339.string(from: summary.periodStart), "periodStartText": DashboardFormat.time(summary.periodStart),
            "periodEnd": RFC3339.string(from: summary.periodEnd), "periodEndText": DashboardFormat.time(summary.periodEnd),
            "asOf": RFC3339.string(from: summary.asOf), "asOfText": DashboardFormat.time(summary.asOf), "lineCount": summary.lineCount,
            "totals": summary.totals.map { total -> [String: Any] in
                var row: [String: Any] = [
                    "currency": total.currency, "amount": Figures.money(total.amount, currency: total.currency),
                    "saved": Figures.money(total.saved, currency: total.currency),
                ]
                if let forecast = total.forecastAmount { row["forecast"] = Figures.money(forecast, currency: total.currency) }
                return row
            },
            "tariffs": summary.tariffs.map(tariffRow),
            "savings": summary.savings.map { saving -> [String: Any] in
                [
                    "cause": saving.cause, "days": Figures.days(seconds: saving.seconds), "sims": saving.sims,
                    "offline": Figures.money(saving.offlineAmount, currency: saving.currency),
                    "live": Figures.money(saving.liveAmount, currency: saving.currency),
                    "saved": Figures.money(saving.saved, currency: saving.currency),
                ]
            },
            "lines": lines.map(lineRow),
        ]
        values["hasTotals"] = !summary.totals.isEmpty
        values["hasTariffs"] = !summary.tariffs.isEmpty
        values["hasSavings"] = !summary.savings.isEmpty
        values["hasLines"] = !lines.isEmpty
        if let frozenAt = summary.frozenAt {
            values["frozenAt"] = RFC3339.string(from: frozenAt)
            values["frozenAtText"] = DashboardFormat.time(frozenAt)
        }
        return values
    }

    private static func tariffRow(_ total: StatementResource.TariffTotal) -> [String: Any] {
        typealias Figures = DashboardStatementFigures
        var row: [String: Any] = [
            "tariff": total.tariff.map { number in total.name.map { "\(number) · \($0)" } ?? "\(number)" } ?? "No tariff", "currency": total.currency ?? "",
            "sims": total.sims, "amount": Figures.money(total.amount, currency: total.currency),
        ]
        if let forecast = total.forecastAmount { row["forecast"] = Figures.money(forecast, currency: total.currency) }
        if let pool = total.pooledData {
            row["pool"] = "\(DashboardFormat.bytes(pool.usedBytes)) of \(DashboardFormat.bytes(pool.includedBytes)); \(DashboardFormat.bytes(pool.billableBytes)) billable"
        }
        return row
    }

    private static func lineRow(_ line: StatementLineResource) -> [String: Any] {
        typealias Figures = DashboardStatementFigures
        let seconds = { (status: SimStatus) in line.statuses.first { $0.status == status.rawValue }?.seconds ?? 0 }
        var row: [String: Any] = [
            "sim": line.sim, "iccid": line.iccid, "tariff": line.tariff.map { "\($0)" } ?? "No tariff",
            "from": RFC3339.string(from: line.from), "fromText": DashboardFormat.time(line.from),
            "to": RFC3339.string(from: line.to), "toText": DashboardFormat.time(line.to),
            "liveDays": Figures.days(seconds: seconds(.live)), "offlineDays": Figures.days(seconds: seconds(.offline)),
            "used": DashboardFormat.bytes(line.data.usedBytes), "amount": Figures.money(line.amount, currency: line.currency),
        ]
        if let forecast = line.forecastAmount { row["forecast"] = Figures.money(forecast, currency: line.currency) }
        if line.unpricedSeconds > 0 { row["unpricedDays"] = Figures.days(seconds: line.unpricedSeconds) }
        return row
    }
}
