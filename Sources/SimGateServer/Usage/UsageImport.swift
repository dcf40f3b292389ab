import Foundation
import SimGateCore
import SimGateStore

/// Stores usage records that arrive from elsewhere (the bulk API, a CSV file) in one
/// transaction: each record's SIM is found among those the caller may see, records already
/// received (same sender id) are counted as duplicates, and the rest go through the
/// ``UsageLedger`` like RADIUS usage does.
struct UsageImport: Sendable {
    /// Finds SIMs and writes what the usage changes about them.
    let sims: SimService

    /// What storing a batch did, by record.
    struct Outcome: Sendable {
        /// Records newly stored.
        var accepted = 0
        /// Records already received (same source and sender id), skipped.
        var duplicates = 0
        /// Positions (in the input) of records whose SIM does not exist or is not visible.
        var missing: [Int] = []
        /// Positions of records refused because a total would pass the largest byte count.
        var overflowing: [Int] = []
        /// Positions of records dated when the SIM was not the caller's.
        var notHeld: [Int] = []
    }

    /// - Parameter senderScope: prefixes each sender id, so two accounts' ids never collide;
    ///   `nil` prefixes each with the account the record counts for (the operator's CSV files,
    ///   which hold many accounts' records).
    func store(
        _ records: [(position: Int, record: ValidUsageRecord)], source: String, senderScope: String?,
        visibleAccountID: AccountID?, cause: ChangeCause
    ) async throws -> Outcome {
        try await sims.store.transaction { tx in
            let found = try await resolve(Set(records.map(\.record.sim)), visibleAccountID: visibleAccountID, in: tx)
            var outcome = Outcome()
            // Usage counts for whoever held the SIM when it ended, which for a late CDR may
            // be an earlier owner. A customer may only send usage from its own time.
            let earliest = records.map(\.record.endedAt).min() ?? sims.clock.now()
            let holders = try await tx.simPeriods.holders(of: Set(found.values.map(\.id)), since: earliest)
            var current: [UsageRecord] = [], earlier: [UsageRecord] = []
            var positions: [String: Int] = [:]
            for (position, record) in records {
                guard let sim = found[record.sim] else {
                    outcome.missing.append(position)
                    continue
                }
                let periods = holders[sim.id] ?? []
                // Before its first period SimGate did not know the SIM: such usage is its first
                // holder's (stock's, if it came in unassigned), never a later owner's. Only a SIM
                // with no period at all (kept before periods were) falls back to its holder now.
                let holder = (periods.last { $0.start <= record.endedAt } ?? periods.first).map(\.accountID) ?? sim.accountID
                if let visibleAccountID, holder != visibleAccountID {
                    outcome.notHeld.append(position)
                    continue
                }
                let id = sims.ids.nextBody()
                positions[id] = position
                let stored = UsageRecord(
                    id: id, simID: sim.id, accountID: holder, source: source,
                    senderID: "\(senderScope ?? holder?.rawValue ?? "stock"):\(record.senderID)", sessionID: record.sessionID,
                    startedAt: record.startedAt, endedAt: record.endedAt, bytesUp: record.bytesUp, bytesDown: record.bytesDown,
                    mccMNC: record.mccMNC, country: record.country, rat: record.rat, imei: record.imei?.digits
                )
                if holder == sim.accountID { current.append(stored) } else { earlier.append(stored) }
            }
            var simsByID = Dictionary(found.values.map { ($0.id, SimUsageRow($0)) }, uniquingKeysWith: { first, _ in first })
            let presentIDs = Set(current.map(\.id))
            // A record repeated in the batch is a duplicate of its first copy, unless that copy
            // was refused (a total it would pass): then nothing of it was stored, and the next
            // copy is tried in its place. It was counted a duplicate and lost, its sender told
            // it had been received. Three rounds at most: copies still left are refused like
            // the copy before them, so a batch of one id 10,000 times costs three rounds, not
            // 10,000, and nothing is reported received that was not stored.
            var round = current + earlier
            var overflowing: Set<String> = []
            var rounds = 0
            while !round.isEmpty {
                rounds += 1
                if rounds > Self.repeatRounds {
                    overflowing.formUnion(round.map(\.id))
                    break
                }
                if rounds > 1 {
                    // What the earlier round changed about the SIMs (first use, place, device).
                    let fresh = try await resolve(Set(records.map(\.record.sim)), visibleAccountID: visibleAccountID, in: tx)
                    simsByID = Dictionary(fresh.values.map { ($0.id, SimUsageRow($0)) }, uniquingKeysWith: { first, _ in first })
                }
                var keys: Set<String> = [], firsts: [UsageRecord] = [], repeats: [UsageRecord] = []
                for record in round {
                    if let key = record.senderID, !keys.insert(key).inserted { repeats.append(record) } else { firsts.append(record) }
                }
                let result = try await UsageLedger(sims: sims).record(firsts.filter { presentIDs.contains($0.id) }, sims: simsByID, cause: { _ in cause }, in: tx)
                // An earlier owner's usage counts in its totals only: it tells nothing about the
                // SIM as the present owner has it (place, device, bundle, rules).
                let past = try await tx.usage.insert(firsts.filter { !presentIDs.contains($0.id) }, now: sims.clock.now())
                let accepted = result.inserted.count + past.inserted.count
                let refused = result.overflowing.union(past.overflowing)
                outcome.accepted += accepted
                overflowing.formUnion(refused)
                let refusedKeys = Set(firsts.filter { refused.contains($0.id) }.compactMap(\.senderID))
                round = repeats.filter { refusedKeys.contains($0.senderID ?? "") }
                outcome.duplicates += firsts.count - accepted - refused.count + repeats.count - round.count
            }
            outcome.overflowing = overflowing.compactMap { positions[$0] }.sorted()
            return outcome
        }
    }

    /// Most rounds a batch's repeated records are tried in (see ``store``).
    static let repeatRounds = 3

    /// The SIMs named by `references`, two queries whatever their number.
    private func resolve(_ references: Set<SimReference>, visibleAccountID: AccountID?, in tx: StoreTransaction) async throws -> [SimReference: Sim] {
        var ids: [SimID] = [], iccids: [ICCID] = []
        for reference in references {
            switch reference {
            case .id(let id): ids.append(id)
            case .iccid(let iccid): iccids.append(iccid)
            }
        }
        var found: [SimReference: Sim] = [:]
        for (id, sim) in try await tx.sims.find(ids: ids, accountID: visibleAccountID, forUpdate: true) { found[.id(id)] = sim }
        for (iccid, sim) in try await tx.sims.find(iccids: iccids, accountID: visibleAccountID, forUpdate: true) { found[.iccid(iccid)] = sim }
        return found
    }
}
