import SimGateCore
import SQLKit

/// What an Access-Request is decided on: the SIM's status, why it is held, and the interim
/// interval its account asks of gateways.
public struct SimGateRow: Sendable, Equatable {
    /// The SIM's `sim_...` identifier.
    public let id: SimID
    /// The SIM's status; only LIVE is let onto the network.
    public let status: SimStatus
    /// Why an OFFLINE SIM is held, in order; empty for every other status (a LIVE SIM has no
    /// holds, and the others are refused for their status alone).
    public let holdCauses: [HoldCause]
    /// The account's Acct-Interim-Interval in seconds; `nil` when it sets none (or the SIM is
    /// in the operator's stock).
    public let interimInterval: Int?
}

extension SimRepository {
    /// The SIM with the IMSI, MSISDN or ICCID that `filter` names (each unique), read for an
    /// Access-Request: one statement for the SIM and its account, and a second for the holds
    /// of an OFFLINE SIM only. Reading the whole SIM, as a list page does, cost several times
    /// more, on the thread that answers every Access-Request. `nil` when no SIM matches or the
    /// filter names none of the three.
    public func gateRow(_ filter: SimFilter) async throws -> SimGateRow? {
        let column: String, value: String
        if let imsi = filter.imsi {
            (column, value) = ("imsi", imsi.digits)
        } else if let msisdn = filter.msisdn {
            (column, value) = ("msisdn", msisdn.digits)
        } else if let iccid = filter.iccid {
            (column, value) = ("iccid", iccid.digits)
        } else {
            return nil
        }
        var query = SQLText(for: db)
        query.append(#"SELECT "sims"."id" AS "id", "sims"."status" AS "status", "accounts"."radius_interim_interval" AS "interval" "#)
        query.append(#"FROM "sims" LEFT JOIN "accounts" ON "accounts"."id" = "sims"."account_id" WHERE "sims"."\#(column)" = "#)
        query.bind(value)
        guard let row = try await query.query(on: db).first() else { return nil }
        let id = SimID(trusted: try row.string("id"))
        let statusText = try row.string("status")
        guard let status = SimStatus(rawValue: statusText) else { throw StoreError.corruptRow(table: "sims", column: "status", value: statusText) }
        var causes: [HoldCause] = []
        if status == .offline {
            var holds = SQLText(for: db)
            holds.append(#"SELECT "cause" FROM "sim_holds" WHERE "sim_id" = "#)
            holds.bind(id.rawValue)
            for hold in try await holds.query(on: db).all() {
                let text = try hold.string("cause")
                guard let cause = HoldCause(text) else { throw StoreError.corruptRow(table: "sim_holds", column: "cause", value: text) }
                causes.append(cause)
            }
        }
        return SimGateRow(id: id, status: status, holdCauses: causes.sorted(), interimInterval: try row.optionalInt64("interval").map(Int.init))
    }
}
