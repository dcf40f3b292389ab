import Foundation
import SimGateCore
import SimGateStore

/// Stores usage from any source inside the caller's transaction: the records, their day,
/// month and country totals, and what they change about their SIMs (first use, place,
/// device), each change with its event.
struct UsageLedger: Sendable {
    /// Saves the SIMs usage changes and makes their events.
    let sims: SimService

    /// How much earlier than the SIM's provisioning data may be dated and still be its first
    /// use, in seconds: clocks of gateways and CDR systems run a little behind.
    static let clockSlack: TimeInterval = 300

    /// The events after which a SIM has no first use: it changed hands, or was provisioned (an
    /// AOFU provisioning starts its countdown afresh). Not its import: a fleet moved to
    /// SimGate brings its history, whose CDRs may come after it.
    static let firstUseResets: [EventType] = [.simAssigned, .simUnassigned, .simTariffSet]

    /// Stores `records`; `current` holds every record's SIM as read in this transaction.
    /// Records already stored (same source and sender id) are skipped and change nothing, and
    /// so are records that would carry a total past a signed 64-bit integer. Returns which
    /// records were new and which were refused for that.
    ///
    /// Usage is first applied to the few columns in `current`; only SIMs that it changes are
    /// then read whole, changed the same way, saved and given their events.
    @discardableResult
    func record(
        _ records: [UsageRecord], sims current: [SimID: SimUsageRow], cause: (UsageRecord) -> ChangeCause, in tx: StoreTransaction
    ) async throws -> UsageRepository.InsertOutcome {
        let now = sims.clock.now()
        let outcome = try await tx.usage.insert(records, now: now)
        // Nearly always every record: then none is looked up.
        let new = outcome.inserted.count == records.count ? records : records.filter { outcome.inserted.contains($0.id) }
        try await countAgainstBundles(new.filter { current[$0.simID]?.hasBundle == true }, cause: cause, in: tx)
        var facts = current.mapValues(\.facts)
        var changing: [UsageRecord] = []
        // In the order the data was used, so the earliest record of a batch fixes first use.
        let ordered = new.sorted { $0.dataSeenAt < $1.dataSeenAt }
        for record in ordered {
            guard var simFacts = facts[record.simID] else { continue }
            let unchanged = simFacts
            _ = simFacts.observe(record.observation(notAfter: now))
            guard simFacts != unchanged else { continue }
            facts[record.simID] = simFacts
            changing.append(record)
        }
        guard !changing.isEmpty else {
            try await checkUsageRules(new, in: tx)
            return outcome
        }

        let changingSims = Set(changing.map(\.simID))
        let whole = try await tx.sims.find(ids: Array(changingSims), accountID: nil, forUpdate: true)
        var changed = whole
        var events: [Event] = []
        var firstUsed: [SimID] = []
        // Every record of those SIMs, not only the ones found to change them: the whole SIM may
        // refuse a first use the few columns took (data before the SIM became LIVE), and then a
        // later record of the batch is its first use.
        // A SIM without a first use has passed no data since it was last provisioned or handed
        // over: what is dated earlier was used in a former life. Read only for such SIMs.
        var firstUseFrom: [SimID: Date] = [:]
        for (id, sim) in whole where sim.firstUseAt == nil {
            // An unprovisioned or retired SIM's life is over: a late report of it starts no
            // countdown (a shutdown scheduled for a SIM already shut down).
            if sim.status == .unprovisioned || sim.status == .retired {
                firstUseFrom[id] = .distantFuture
                continue
            }
            firstUseFrom[id] = try await tx.events.latestTime(simID: id, types: Self.firstUseResets)?.addingTimeInterval(-Self.clockSlack)
        }
        for record in ordered where changingSims.contains(record.simID) {
            // A retired SIM takes no change at all: a session it still had (its disconnect
            // unanswered) bound a new device to it and moved its last place, each with an event.
            // Its usage is stored and counted all the same: the bytes were carried.
            guard var sim = changed[record.simID], sim.status != .retired else { continue }
            let before = sim
            let effects = sim.usageFacts.observe(record.observation(notAfter: now), firstUseFrom: firstUseFrom[record.simID])
            guard sim.usageFacts != before.usageFacts else { continue }
            sim.updatedAt = now
            for effect in effects {
                events.append(try event(for: effect, sim: sim, before: before, cause: cause(record), at: now))
                if effect == .firstUse { firstUsed.append(sim.id) }
            }
            changed[record.simID] = sim
        }
        for (id, sim) in changed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard let previous = whole[id], previous != sim else { continue }
            try await sims.save(sim, previous: previous, in: tx)
        }
        try await tx.events.append(events)
        // An AOFU SIM's countdown starts at its first use.
        let aofu = AOFUService(sims: sims)
        // Each SIM's first changing record, found once: searched for each SIM in turn, an
        // import of records over N new SIMs took N^2 steps (20,000 SIMs, minutes).
        var firstChanging: [SimID: UsageRecord] = [:]
        for record in changing where firstChanging[record.simID] == nil { firstChanging[record.simID] = record }
        for id in firstUsed {
            guard let sim = changed[id], let record = firstChanging[id] else { continue }
            try await aofu.scheduleShutdown(of: sim, cause: cause(record), in: tx)
        }
        try await checkUsageRules(new, in: tx)
        return outcome
    }

    /// Tells the store's usage hooks (usage rules) of the new records that used data.
    private func checkUsageRules(_ records: [UsageRecord], in tx: StoreTransaction) async throws {
        try await tx.usageRecorded(records.filter { $0.bytesUp > 0 || $0.bytesDown > 0 })
    }

    /// Adds the bytes of new records to their SIMs' bundles, holding those used up. A record
    /// that ended before its SIM's bundle was granted (less ``clockSlack``) was used in a former
    /// life, on an earlier bundle, and takes nothing from this one: a late CDR of it ate into a
    /// fresh bundle, and one dated before provisioning put a new SIM OFFLINE.
    private func countAgainstBundles(_ records: [UsageRecord], cause: (UsageRecord) -> ChangeCause, in tx: StoreTransaction) async throws {
        guard !records.isEmpty else { return }
        // Only records that ended a while ago can predate a grant: the grants are read for
        // their SIMs alone, so a flood of current reports reads nothing more.
        let recent = sims.clock.now().addingTimeInterval(-Self.clockSlack)
        // Judged by the record's end: a CDR from before the grant to after it is charged (its
        // bytes may be mostly the new life's), though its start, before the grant, is no
        // first use. A prepaid bundle errs on the side of counting.
        let late = Set(records.lazy.filter { $0.endedAt < recent }.map(\.simID))
        let grantedAt = late.isEmpty ? [:] : try await tx.sims.latestBundleGrants(of: Array(late))
        var bytes: [SimID: UInt64] = [:]
        var lastRecord: [SimID: UsageRecord] = [:]
        for record in records {
            if let granted = grantedAt[record.simID], record.endedAt < granted.addingTimeInterval(-Self.clockSlack) { continue }
            // Each side is at most 2^63 - 1 bytes, so their sum fits; a SIM's sum saturates.
            let (sum, overflow) = (bytes[record.simID] ?? 0).addingReportingOverflow(record.bytesUp + record.bytesDown)
            bytes[record.simID] = overflow ? .max : sum
            lastRecord[record.simID] = record
        }
        guard !bytes.isEmpty else { return }
        let causes = lastRecord.mapValues(cause)
        try await AOFUService(sims: sims).recordBundleUse(bytes, cause: { causes[$0] ?? ChangeCause(actor: ChangeActor(.system, id: nil)) }, in: tx)
    }

    private func event(for effect: UsageEffect, sim: Sim, before: Sim, cause: ChangeCause, at time: Date) throws -> Event {
        let lastSeen: JSONValue = try before.lastSeen.map { try JSONValue(encoding: SightingResource($0)) } ?? .null
        let (type, previous): (EventType, [String: JSONValue]) = switch effect {
        case .firstUse: (.simFirstUse, ["first_use_at": .null])
        case .locationChanged: (.simLocationChanged, ["last_seen": lastSeen])
        case .deviceBound: (.simDeviceBound, ["imei": .null])
        case .deviceChanged: (.simDeviceChanged, ["last_seen": lastSeen])
        }
        return try sims.events.simEvent(type, sim: sim, previousAttributes: previous, cause: cause, at: time)
    }
}


extension JSONValue {
    /// The JSON the API would write for `value`.
    init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: APIJSON.encode(value))
    }
}
