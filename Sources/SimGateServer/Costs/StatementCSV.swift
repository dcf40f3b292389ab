import Foundation
import SimGateCore

/// Statement lines as CSV (RFC 4180, CRLF line ends), one row per line with a header, then
/// one per pooled tariff: the same figures as the JSON, amounts in minor units. Every field is an id, a number, a
/// currency code or a time, so no field can start a spreadsheet formula.
enum StatementCSV {
    /// The header row's columns.
    static let columns = [
        "account", "month", "line", "sim", "iccid", "tariff", "currency", "from", "to",
        "live_seconds", "offline_seconds", "unprovisioned_seconds", "inventory_seconds", "retired_seconds", "fees_amount", "unpriced_seconds",
        "used_bytes", "included_bytes", "billable_bytes", "data_pooled", "data_amount",
        "bundles", "bundle_amount", "top_ups", "top_up_bytes", "top_up_amount", "amount", "forecast_amount",
    ]

    /// The header row, with its line end.
    static var header: String { columns.joined(separator: ",") + "\r\n" }

    /// `line` of `summary` as a row, without the line end.
    static func row(_ line: StatementLineResource, of summary: StatementResource) -> String {
        let seconds = { (status: String) in String(line.statuses.first { $0.status == status }?.seconds ?? 0) }
        let fields: [String] = [
            summary.account, summary.month, line.id, line.sim, line.iccid, line.tariff.map(String.init) ?? "", line.currency ?? "",
            RFC3339.string(from: line.from), RFC3339.string(from: line.to),
            seconds("LIVE"), seconds("OFFLINE"), seconds("UNPROVISIONED"), seconds("INVENTORY"), seconds("RETIRED"),
            String(line.statuses.reduce(Int64(0)) { $0 + $1.amount }), String(line.unpricedSeconds),
            String(line.data.usedBytes), String(line.data.includedBytes), line.data.billableBytes.map(String.init) ?? "",
            String(line.data.pooled), String(line.data.amount),
            String(line.bundles.count), String(line.bundles.amount), String(line.topUps.count), String(line.topUps.bytes), String(line.topUps.amount),
            String(line.amount), line.forecastAmount.map(String.init) ?? "",
        ]
        return fields.joined(separator: ",")
    }

    /// The row of each tariff's pooled data, whose charge belongs to no one line: with them the
    /// `amount` column adds up to the statement's totals. `line` is `pooled_data`, the SIM
    /// columns are empty and the period is the whole month.
    static func poolRows(of summary: StatementResource) -> [String] {
        guard let month = BillingMonth(summary.month) else { return [] }
        return summary.tariffs.compactMap { total -> String? in
            guard let pool = total.pooledData else { return nil }
            let fields: [String] = [
                summary.account, summary.month, "pooled_data", "", "", total.tariff.map(String.init) ?? "", total.currency ?? "",
                RFC3339.string(from: month.start), RFC3339.string(from: month.end),
                "0", "0", "0", "0", "0", "0", "0",
                String(pool.usedBytes), String(pool.includedBytes), String(pool.billableBytes), "true", String(pool.amount),
                "0", "0", "0", "0", "0", String(pool.amount), pool.forecastAmount.map(String.init) ?? "",
            ]
            return fields.joined(separator: ",")
        }
    }
}
