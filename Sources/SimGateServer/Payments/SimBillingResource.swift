import Foundation
import SimGateCore
import SimGateStore

/// A SIM's payment state: its bindings with their entitlements, and when data stops.
struct SimBillingResource: Codable, Equatable, Sendable {
    /// The SIM's bindings, each with its own access end.
    let bindings: [BillingBindingResource]
    /// The latest access end over the bindings; null when payments have no say.
    let accessEndsAt: Date?

    /// JSON names of the fields, in snake case.
    enum CodingKeys: String, CodingKey {
        case bindings
        case accessEndsAt = "access_ends_at"
    }

    /// The bindings as read under their gateways, with what they grant together.
    init(_ bindings: [BillingBinding], gateways: [PaymentGatewayID: PaymentGateway]) {
        let access = PaymentAccess(bindings, gateways: gateways)
        // A binding's gateway always exists: gateways are never deleted.
        self.bindings = bindings.compactMap { binding in
            gateways[binding.gatewayID].map { BillingBindingResource(binding, gateway: $0, accessEndsAt: access.ends[binding.id]) }
        }
        accessEndsAt = access.latestEnd
    }

    /// The section of a SIM with no binding, as JSON: what encoding one gives.
    static let unbound = JSONValue.object(["bindings": .array([]), "access_ends_at": .null])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bindings, forKey: .bindings)
        try container.encode(accessEndsAt, forKey: .accessEndsAt)
    }
}
