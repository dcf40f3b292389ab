import Foundation
import SimGateCore
import SimGateStore

/// Configuring gateways and binding subscriptions through the API.
struct PaymentOperations: Sendable {
    let sims: SimOperations
    let queue: JobQueue
    private let gateways = PaymentGatewayStore()
    private let bindings = BillingBindingStore()

    private var database: SimGateDatabase { sims.database }

    /// Default grace after a failed payment, in hours.
    static let defaultGraceHours = 72

    /// Creates a gateway. A generic gateway created without secrets gets one generated, shown once.
    func createGateway(_ request: CreatePaymentGatewayRequest, accountID: AccountID) async throws -> (PaymentGateway, generatedSecret: String?) {
        var generated: String?
        let credentials: PaymentGateway.Credentials
        switch request.kind {
        case .braintree:
            guard let keys = request.braintreeKeys else {
                throw DomainError(.invalid, code: "parameter_missing", message: "A Braintree gateway needs 'braintree_keys'.", param: "braintree_keys")
            }
            credentials = .braintreeKeys(keys)
        case .stripe:
            guard let secrets = request.secrets else {
                throw DomainError(.invalid, code: "parameter_missing", message: "A Stripe gateway needs its endpoint secret in 'secrets'.", param: "secrets")
            }
            credentials = .signingSecrets(secrets)
        case .generic:
            if let secrets = request.secrets {
                try Self.requireStandardWebhookSecrets(secrets)
                credentials = .signingSecrets(secrets)
            } else {
                let secret = StandardWebhookSignature.makeSecret()
                generated = secret
                credentials = .signingSecrets([secret])
            }
        }
        if request.kind != .braintree, request.braintreeKeys != nil {
            throw DomainError(.invalid, code: "invalid_parameter", message: "'braintree_keys' is for Braintree gateways only.", param: "braintree_keys")
        }
        if request.kind == .braintree, request.secrets != nil {
            throw DomainError(.invalid, code: "invalid_parameter", message: "Braintree gateways take 'braintree_keys', not 'secrets'.", param: "secrets")
        }
        let now = sims.clock.now()
        let gateway = PaymentGateway(
            id: sims.ids.make(), accountID: accountID, kind: request.kind, name: request.name ?? request.kind.rawValue,
            credentials: credentials, graceLength: TimeInterval((request.gracePeriodHours ?? Self.defaultGraceHours) * 3600),
            cancellation: request.cancellation ?? .endOfPeriod, createdAt: now, updatedAt: now
        )
        try await database.transaction { db in
            guard try await AccountStore().find(accountID, on: db) != nil else { throw DomainError.notFound("account", param: "account") }
            try await gateways.insert(gateway, on: db)
        }
        return (gateway, generated)
    }

    func updateGateway(_ id: PaymentGatewayID, _ request: UpdatePaymentGatewayRequest, visibleAccountID: AccountID?) async throws -> PaymentGateway {
        try await database.transaction { db in
            guard var gateway = try await gateways.find(id, accountID: visibleAccountID, on: db) else { throw DomainError.notFound("payment gateway") }
            if let name = request.name { gateway.name = name }
            if let grace = request.gracePeriodHours { gateway.graceLength = TimeInterval(grace * 3600) }
            if let policy = request.cancellation { gateway.cancellation = policy }
            switch (gateway.kind, request.secrets, request.braintreeKeys) {
            case (.braintree, nil, let keys?): gateway.credentials = .braintreeKeys(keys)
            case (.stripe, let secrets?, nil): gateway.credentials = .signingSecrets(secrets)
            case (.generic, let secrets?, nil):
                try Self.requireStandardWebhookSecrets(secrets)
                gateway.credentials = .signingSecrets(secrets)
            case (_, nil, nil): break
            default:
                throw DomainError(.invalid, code: "invalid_parameter", message: "Braintree gateways take 'braintree_keys'; the others take 'secrets'.", param: request.secrets == nil ? "braintree_keys" : "secrets")
            }
            gateway.updatedAt = sims.clock.now()
            try await gateways.update(gateway, on: db)
            return gateway
        }
    }

    /// Generic gateways verify Standard Webhooks signatures, whose secrets are `whsec_<base64>`.
    private static func requireStandardWebhookSecrets(_ secrets: [String]) throws {
        for (index, secret) in secrets.enumerated() where StandardWebhookSignature.key(from: secret) == nil {
            throw DomainError(.invalid, code: "invalid_value", message: "A generic secret is whsec_ followed by base64.", param: "secrets[\(index)]")
        }
    }

    /// Binds a subscription to a SIM of the gateway's account, then applies any events of it
    /// that were waiting.
    func createBinding(_ request: CreateBillingBindingRequest, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> (BillingBinding, PaymentGateway) {
        try await database.transaction { db in
            guard let gateway = try await gateways.find(request.gateway, accountID: visibleAccountID, on: db) else {
                throw DomainError.notFound("payment gateway", param: "gateway")
            }
            let sim: Sim
            do {
                sim = try await sims.load(try SimReference(parsing: request.sim), visibleAccountID: gateway.accountID, on: db)
            } catch let error as DomainError where error.kind == .notFound {
                throw DomainError.notFound("SIM", param: "sim")
            }
            if let existing = try await bindings.find(gatewayID: gateway.id, subscriptionID: request.subscription, on: db) {
                throw DomainError(.conflict, code: "subscription_already_bound", message: "The subscription is already bound (\(existing.id)).", param: "subscription")
            }
            let binding = try await BillingBindingOperations.create(
                gateway: gateway, subscriptionID: request.subscription, simID: sim.id, source: .api, sims: sims, queue: queue, cause: cause, on: db
            )
            return (binding, gateway)
        }
    }

    /// Removes a binding and re-evaluates its SIM: with no binding left, payments no longer hold it.
    func deleteBinding(_ id: BillingBindingID, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> (BillingBinding, PaymentGateway) {
        try await database.transaction { db in
            guard let binding = try await bindings.find(id, accountID: visibleAccountID, on: db),
                  let gateway = try await gateways.find(binding.gatewayID, accountID: nil, on: db)
            else { throw DomainError.notFound("billing binding") }
            try await bindings.delete(id, on: db)
            let now = sims.clock.now()
            try await sims.events.append([try BillingBindingEvents.deleted(binding, gateway: gateway, factory: sims.eventFactory, cause: cause, at: now)], on: db)
            try await PaymentHoldEvaluator(sims: sims, queue: queue).evaluate(binding.simID, cause: cause, on: db)
            return (binding, gateway)
        }
    }
}
