/// The part of a SIM that its lifecycle rules act on: its status and the holds in force.
public struct SimState: Equatable, Sendable {
    /// Where the SIM stands; for a provisioned SIM the holds decide LIVE or OFFLINE.
    public var status: SimStatus
    /// Holds in force, by cause. A cause holds at most one.
    public var holds: [HoldCause: Hold]

    /// A state with `status` and these holds (none by default).
    public init(status: SimStatus, holds: [HoldCause: Hold] = [:]) {
        self.status = status
        self.holds = holds
    }

    /// The status a provisioned SIM must have for its holds: LIVE exactly when there are none.
    /// Other statuses do not depend on holds.
    var statusImpliedByHolds: SimStatus {
        guard status.isProvisioned else { return status }
        return holds.isEmpty ? .live : .offline
    }

    /// Hold causes in force, in a stable order.
    public var holdCauses: [HoldCause] { holds.keys.sorted() }
}
