import Foundation

extension Sim {
    /// Whether a hold belongs to the customer that holds the SIM (and goes when the SIM
    /// changes hands), rather than to the operator or the SIM's provisioning.
    public static func isCustomers(_ cause: HoldCause) -> Bool {
        switch cause {
        case .manual, .payment, .rule, .device: true
        case .operator, .bundle: false
        }
    }

    /// The SIM as it leaves its customer, for another account or for stock: nothing of the
    /// customer stays visible to whoever holds it next. Metadata, labels, the customer's
    /// holds, the bound device, first use, the last sighting, the tariff, any AOFU threshold and
    /// bundle, and who last set the status and why are cleared; the operator's hold stays. Usage and events are not on the SIM: they stay with the
    /// account that owned it when they happened. Returns the hold changes for events.
    public func leavingCustomer(at time: Date, cause: ChangeCause) throws(DomainError) -> (sim: Sim, changes: [SimChange]) {
        var sim = self
        var changes: [SimChange] = []
        // The bundle's hold goes with the bundle, cleared below: kept, it held the next
        // holder's SIM OFFLINE for a bundle it never had, placed by the former's key.
        for holdCause in state.holdCauses where Self.isCustomers(holdCause) || holdCause == .bundle {
            let transition = try SimLifecycle.apply(.liftHold(holdCause), to: sim.state, at: time, cause: cause)
            sim.state = transition.state
            changes += transition.changes
        }
        sim.metadata = SimMetadata()
        sim.labels = SimLabels()
        sim.imei = nil
        sim.firstUseAt = nil
        sim.lastSeen = nil
        // The tariff, threshold and bundle were the customer's purchase; its use of the bundle
        // must not show to whoever holds the SIM next.
        sim.tariffNumber = nil
        sim.shutdownThreshold = nil
        sim.bundle = nil
        // Who last set the status, and their reason, are the customer's words: the status
        // stays, but from now on it is the handover's.
        sim.statusChangedAt = time
        sim.statusCause = cause
        return (sim, changes)
    }
}
