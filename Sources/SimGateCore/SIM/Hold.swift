import Foundation

/// A reason in force why a provisioned SIM may not pass data.
public struct Hold: Hashable, Sendable {
    /// Who owns the hold; only this cause lifts it (or an explicit `force`).
    public let cause: HoldCause
    /// When it was placed.
    public let placedAt: Date
    /// What placed it and why.
    public let origin: ChangeCause

    /// A hold of `cause`, placed at `placedAt` by `origin`.
    public init(cause: HoldCause, placedAt: Date, origin: ChangeCause) {
        self.cause = cause
        self.placedAt = placedAt
        self.origin = origin
    }
}
