import Foundation

extension Sim {
    /// Puts the SIM on `tariff` and provisions it (LIVE, unless holds of other causes keep it
    /// OFFLINE-bound, which refuses). On an AOFU tariff the SIM starts afresh: `threshold` and a
    /// new bundle are required, the first use is forgotten and a `bundle` hold from an old
    /// bundle is lifted. A standard tariff takes neither.
    /// - Throws: ``DomainError`` naming the field that does not fit the tariff, or the state
    ///   that forbids provisioning.
    public func provisioning(
        on tariff: Tariff, threshold: ShutdownThreshold?, hasBundle: Bool, at time: Date, cause: ChangeCause
    ) throws(DomainError) -> SimUpdate {
        guard let accountID else {
            throw DomainError(.conflict, code: "sim_unassigned", message: "The SIM belongs to no account; assign it to one before it can be provisioned.")
        }
        guard tariff.isOffered(to: accountID) else {
            // As if it did not exist: a customer learns nothing of tariffs offered to others.
            throw DomainError.notFound("tariff", param: "tariffNumber")
        }
        switch tariff.kind {
        case .aofu:
            guard threshold != nil else {
                throw DomainError(.invalid, code: "parameter_missing", message: "An AOFU tariff needs shutdownThreshold.", param: "shutdownThreshold")
            }
            guard hasBundle else {
                throw DomainError(.invalid, code: "parameter_missing", message: "An AOFU tariff needs bundleSizeMb.", param: "bundleSizeMb")
            }
        case .standard:
            guard threshold == nil else {
                throw DomainError(.invalid, code: "invalid_parameter", message: "shutdownThreshold is for AOFU tariffs only.", param: "shutdownThreshold")
            }
            guard !hasBundle else {
                throw DomainError(.invalid, code: "invalid_parameter", message: "bundleSizeMb is for AOFU tariffs only.", param: "bundleSizeMb")
            }
        }
        var renewed = self
        renewed.tariffNumber = tariff.number
        renewed.shutdownThreshold = threshold
        if tariff.kind == .aofu {
            renewed.firstUseAt = nil
        } else {
            renewed.bundle = nil
        }
        if renewed != self { renewed.updatedAt = time }
        return try SimUpdate(previous: self, sim: renewed, changes: [])
            .then { sim throws(DomainError) in try sim.applying(.liftHold(.bundle), at: time, cause: cause) }
            .then { sim throws(DomainError) in try sim.applying(.activate(force: false, by: .customer), at: time, cause: cause) }
    }

    /// Sets how many hours after its first use the SIM is unprovisioned. Only an AOFU SIM
    /// (one that has a threshold) takes one.
    public func withShutdownThreshold(_ threshold: ShutdownThreshold, at time: Date) throws(DomainError) -> SimUpdate {
        // A retired SIM keeps its last threshold, and no shutdown is scheduled for it again.
        if status == .retired {
            throw DomainError.simRetired
        }
        guard shutdownThreshold != nil else {
            throw DomainError(.conflict, code: "not_aofu", message: "The SIM is not on an AOFU tariff; it has no shutdown threshold.")
        }
        // Its shutdown has happened: a new threshold gave it a new one in the future, with a
        // `sim.shutdown_scheduled` event, for a SIM no longer on the network.
        if status == .unprovisioned {
            throw DomainError(.conflict, code: "sim_unprovisioned", message: "The SIM is unprovisioned; provision it again to give it a threshold.")
        }
        var changed = self
        changed.shutdownThreshold = threshold
        if changed != self { changed.updatedAt = time }
        return SimUpdate(previous: self, sim: changed, changes: [])
    }
}
