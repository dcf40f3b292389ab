/// Where a SIM stands in its life. Written UPPER_SNAKE_CASE on the wire.
public enum SimStatus: String, Sendable, CaseIterable, Codable {
    /// In stock, never provisioned or returned to stock; cannot connect.
    case inventory = "INVENTORY"
    /// Provisioned and free of holds: may open data sessions.
    case live = "LIVE"
    /// Provisioned, but at least one hold blocks data.
    case offline = "OFFLINE"
    /// Removed from the network; can be provisioned again.
    case unprovisioned = "UNPROVISIONED"
    /// Closed for good.
    case retired = "RETIRED"

    /// Whether the network knows the SIM (LIVE or OFFLINE): its holds then decide which of the two.
    public var isProvisioned: Bool { self == .live || self == .offline }
}
