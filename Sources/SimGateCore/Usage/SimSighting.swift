import Foundation

/// Where a SIM was last seen by the network and in which device: the serving network and its
/// country, and the IMEI the gateway reported. Updated only when one of them changes, so
/// `since` says how long the SIM has been there.
public struct SimSighting: Equatable, Sendable {
    /// MCC followed by MNC (`26201`).
    public var mccMNC: String?
    /// ISO 3166-1 alpha-2 country of the serving network.
    public var country: String?
    /// The device the SIM was last seen in.
    public var imei: IMEI?
    /// When the current network and device were first seen.
    public var since: Date

    /// A sighting on this network and in this device, current since `since`.
    public init(mccMNC: String?, country: String?, imei: IMEI?, since: Date) {
        self.mccMNC = mccMNC
        self.country = country
        self.imei = imei
        self.since = since
    }
}
