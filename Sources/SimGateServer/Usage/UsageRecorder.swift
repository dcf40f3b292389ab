import Foundation
import SimGateCore
import SimGateStore
import SQLKit

/// Stores usage, from any source, inside the caller's transaction: the record, the day and
/// month totals, and the SIM's first use (with its `sim.first_use` event) when this is it.
struct UsageRecorder: Sendable {
    let sims: SimOperations
    private let usage = UsageStore()

    /// Returns `false` if the record was a duplicate (same source and sender id) and changed nothing.
    @discardableResult
    func record(_ record: UsageRecord, sim: inout Sim, cause: ChangeCause, on db: any SQLDatabase) async throws -> Bool {
        let now = sims.clock.now()
        guard try await usage.insert(record, now: now, on: db) else { return false }
        if sim.firstUseAt == nil, record.bytesUp + record.bytesDown > 0 {
            let previous = sim
            sim.firstUseAt = record.startedAt
            sim.updatedAt = now
            try await sims.sims.save(sim, previous: previous, on: db)
            try await sims.events.append([
                try sims.eventFactory.simEvent(.simFirstUse, sim: sim, previousAttributes: ["first_use_at": .null], cause: cause, at: now)
            ], on: db)
        }
        return true
    }
}

extension EventType {
    /// A SIM passed data for the first time.
    static let simFirstUse = EventType(rawValue: "sim.first_use")
}
