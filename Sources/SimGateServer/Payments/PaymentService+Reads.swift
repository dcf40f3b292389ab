import SimGateCore
import SimGateStore

/// Reading gateways, bindings and received gateway events back, each as the key's account may see.
extension PaymentService {
    /// One page of the gateways `visibleAccountID` owns; every gateway when it is nil.
    func listGateways(visibleAccountID: AccountID?, _ page: PageRequest) async throws -> Page<PaymentGateway> {
        try await store.read { tx in try await tx.gateways.list(accountID: visibleAccountID, page) }
    }

    /// One gateway; not found if it does not exist or is another account's.
    func findGateway(_ id: PaymentGatewayID, visibleAccountID: AccountID?) async throws -> PaymentGateway {
        guard let gateway = try await store.read({ tx in try await tx.gateways.find(id, accountID: visibleAccountID) }) else {
            throw DomainError.notFound("payment gateway")
        }
        return gateway
    }

    /// One page of bindings, each with its gateway (whose policy its resource shows).
    func listBindings(visibleAccountID: AccountID?, simID: SimID?, _ page: PageRequest) async throws -> (Page<BillingBinding>, [PaymentGatewayID: PaymentGateway]) {
        try await store.read { tx in
            let bindings = try await tx.bindings.list(accountID: visibleAccountID, simID: simID, page)
            return (bindings, try await PaymentHoldEvaluator.gateways(of: bindings.items, in: tx))
        }
    }

    /// One binding with its gateway; not found if it does not exist or is another account's.
    func findBinding(_ id: BillingBindingID, visibleAccountID: AccountID?) async throws -> (BillingBinding, PaymentGateway) {
        let found = try await store.read { tx -> (BillingBinding, PaymentGateway)? in
            guard let binding = try await tx.bindings.find(id, accountID: visibleAccountID),
                  let gateway = try await tx.gateways.find(binding.gatewayID, accountID: nil) else { return nil }
            return (binding, gateway)
        }
        guard let found else { throw DomainError.notFound("billing binding") }
        return found
    }

    /// One page of received gateway events, optionally of one gateway or in one status.
    func listGatewayEvents(visibleAccountID: AccountID?, gatewayID: PaymentGatewayID?, status: GatewayEvent.Status?, _ page: PageRequest) async throws -> Page<GatewayEvent> {
        try await store.read { tx in try await tx.gatewayEvents.list(accountID: visibleAccountID, gatewayID: gatewayID, status: status, page) }
    }

    /// One received gateway event; not found if it does not exist or is another account's.
    func findGatewayEvent(_ id: GatewayEventID, visibleAccountID: AccountID?) async throws -> GatewayEvent {
        guard let event = try await store.read({ tx in try await tx.gatewayEvents.find(id, accountID: visibleAccountID) }) else {
            throw DomainError.notFound("gateway event")
        }
        return event
    }
}

extension PaymentService: SimBillingSource {
    /// The `billing` section of a SIM, read on its own.
    func billing(of simID: SimID) async throws -> JSONValue {
        try await store.read { tx in try await billing(of: simID, in: tx) }
    }

    /// The `billing` section of a retrieved SIM: its bindings and when its data stops.
    func billing(of simID: SimID, in tx: StoreTransaction) async throws -> JSONValue {
        let bindings = try await tx.bindings.bindings(of: simID)
        // Most SIMs have no binding: their section is made as it is, not encoded and read back.
        guard !bindings.isEmpty else { return SimBillingResource.unbound }
        return try JSONValue(encoding: SimBillingResource(bindings, gateways: try await PaymentHoldEvaluator.gateways(of: bindings, in: tx)))
    }
}
