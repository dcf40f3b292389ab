import Foundation
import SimGateCore
import SimGateStore

/// What the overview page shows for an account: its SIMs by status and its latest events.
struct DashboardOverview: Sendable {
    /// Where SIMs and events are.
    let store: Store

    /// The overview's template values for `principal` (the operator sees every account).
    func content(for principal: Principal) async throws -> [String: Any] {
        let account = principal.visibleAccountID
        let (counts, events) = try await store.read { tx in
            (try await tx.sims.countByStatus(accountID: account), try await tx.events.list(EventFilter(accountID: account), PageRequest(limit: 20)).items)
        }
        let statuses = SimStatus.allCases.map { status -> [String: Any] in
            ["status": status.rawValue, "key": status.rawValue.lowercased(), "count": counts[status] ?? 0]
        }
        let rows = events.map { event -> [String: Any] in
            var row: [String: Any] = ["at": RFC3339.string(from: event.createdAt), "type": event.type.rawValue]
            if let sim = event.simID { row["sim"] = sim.rawValue }
            if let reason = event.cause.reason { row["reason"] = reason }
            return row
        }
        return [
            "accountName": principal.account.name, "statuses": statuses, "total": counts.values.reduce(0, +),
            "events": rows, "hasEvents": !rows.isEmpty,
        ]
    }
}
