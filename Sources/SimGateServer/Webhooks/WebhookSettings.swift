import Foundation
import SimGateCore

/// How webhook deliveries are made.
public struct WebhookSettings: Sendable {
    /// Networks deliveries may reach although they are private or loopback (`webhooks.allow_networks`).
    public var allowedNetworks: [String] = []
    /// How long one attempt may take, connection and answer together, in seconds.
    public var timeout: TimeInterval = 10
    /// Most attempts in flight at once on this instance, all endpoints together.
    public var maximumInFlight = 64
    /// Most of those one account's endpoints may hold: half, so that one account's hanging
    /// endpoints leave room for every other account's deliveries.
    public var maximumInFlightPerAccount: Int { max(1, maximumInFlight / 2) }
    /// When retries happen and when a failing endpoint is disabled.
    public var retry = WebhookRetryPolicy()
    /// Wait between looks for due deliveries when nothing rang, in seconds.
    public var pollInterval: TimeInterval = 1
    /// How often the running dispatcher renews its claims on deliveries whose attempt is still
    /// running; well inside ``WebhookDispatcher/lease``. Tests shorten it.
    public var claimHeartbeat: Duration = .seconds(3)
    /// Whether the dispatcher runs as a service of the app. Tests that drive it step by step
    /// turn it off and call ``WebhookDispatcher/deliverDue()``.
    public var runsInBackground = true

    /// The defaults above.
    public init() {}

    /// The allowed networks parsed; `nil` naming the first entry that is not a network.
    static func networks(parsing entries: [String]) -> Result<[IPNetwork], InvalidNetwork> {
        var parsed: [IPNetwork] = []
        for entry in entries {
            guard let network = IPNetwork(entry) else { return .failure(InvalidNetwork(entry: entry)) }
            parsed.append(network)
        }
        return .success(parsed)
    }

    /// An allowed-network entry that is not an address or network.
    struct InvalidNetwork: Error {
        /// The entry as given.
        let entry: String
    }
}
