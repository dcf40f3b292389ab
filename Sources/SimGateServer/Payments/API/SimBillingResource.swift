import Foundation
import SimGateCore
import SimGateStore
import SQLKit

/// A SIM's payment state: its bindings with their entitlements, and when data stops.
struct SimBillingResource: Codable, Equatable, Sendable {
    let bindings: [BillingBindingResource]
    /// The latest access end over the bindings; null when payments have no say.
    let accessEndsAt: Date?

    enum CodingKeys: String, CodingKey {
        case bindings
        case accessEndsAt = "access_ends_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bindings, forKey: .bindings)
        try container.encode(accessEndsAt, forKey: .accessEndsAt)
    }

    /// Reads the SIM's bindings and their gateways' policies.
    static func load(_ simID: SimID, on db: any SQLDatabase) async throws -> SimBillingResource {
        let resources = try await BillingBindingResource.resources(for: try await BillingBindingStore().bindings(of: simID, on: db), on: db)
        return SimBillingResource(bindings: resources, accessEndsAt: resources.compactMap(\.accessEndsAt).max())
    }
}

extension BillingBindingResource {
    /// The resources of `bindings`, each with its gateway (whose grace length and cancellation
    /// policy decide `grace_until` and `access_ends_at`).
    static func resources(for bindings: [BillingBinding], on db: any SQLDatabase) async throws -> [BillingBindingResource] {
        var gateways: [PaymentGatewayID: PaymentGateway] = [:]
        var resources: [BillingBindingResource] = []
        for binding in bindings {
            if gateways[binding.gatewayID] == nil {
                gateways[binding.gatewayID] = try await PaymentGatewayStore().find(binding.gatewayID, accountID: nil, on: db)
            }
            // A binding's gateway always exists: gateways are never deleted.
            guard let gateway = gateways[binding.gatewayID] else { continue }
            resources.append(BillingBindingResource(binding, gateway: gateway))
        }
        return resources
    }
}
