import SimGateCore
import SimGateStore

/// Reads usage back: a SIM's sessions and usage totals.
struct UsageService: Sendable {
    /// Where sessions and usage totals are read from.
    let store: Store

    /// A SIM's sessions, newest first: `limit` of them, and whether there are more. With
    /// `visibleAccountID`, only those that began while that account held the SIM.
    func sessions(
        of simID: SimID, visibleAccountID: AccountID?, openOnly: Bool, limit: Int, startingAfter: SessionKey? = nil
    ) async throws -> (sessions: [DataSession], hasMore: Bool) {
        try await store.read { tx in
            var after: DataSession?
            if let startingAfter {
                // The cursor must be one of this SIM's sessions the caller may see.
                guard let session = try await tx.sessions.session(startingAfter), session.simID == simID,
                      visibleAccountID == nil || session.accountID == visibleAccountID
                else {
                    throw APIError.invalid("invalid_cursor", "'starting_after' names no session of this SIM.", param: "starting_after")
                }
                after = session
            }
            return try await tx.sessions.sessions(simID: simID, accountID: visibleAccountID, openOnly: openOnly, limit: limit, after: after)
        }
    }

    /// Totals by period (and by country when asked), oldest first.
    func totals(_ query: UsageTotalsQuery) async throws -> [UsageTotal] {
        try await store.read { tx in try await tx.usage.totals(query) }
    }
}
