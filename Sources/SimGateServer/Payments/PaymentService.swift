import Foundation
import SimGateCore
import SimGateStore

/// What a gateway is configured with; every field optional, as an update sends any subset.
struct GatewaySettings: Sendable {
    /// A name for people.
    var name: String?
    /// Signing secrets (Stripe, generic); replace the list when set.
    var secrets: [String]?
    /// Braintree key pairs; replace the list when set.
    var braintreeKeys: [PaymentGateway.BraintreeKey]?
    /// Grace after a failed payment, in hours.
    var gracePeriodHours: Int?
    /// When data stops after a cancellation.
    var cancellation: CancellationPolicy?
}

/// Configuring gateways, binding subscriptions, and reading both back.
struct PaymentService: Sendable {
    /// Where gateways, bindings and their events are kept.
    let store: Store
    /// The time written on gateways and bindings.
    let clock: any WallClock
    /// Makes ids for gateways, bindings and events.
    let ids: IdentifierGenerator
    /// Loads SIMs to bind, and changes them when payments decide.
    let sims: SimService

    /// Default grace after a failed payment, in hours.
    static let defaultGraceHours = 72

    /// The steps that create and delete bindings inside a unit of work.
    var bindingSteps: BillingBindings { BillingBindings(clock: clock, ids: ids) }
    private var evaluator: PaymentHoldEvaluator { PaymentHoldEvaluator(sims: sims) }

    /// Creates a gateway. A generic gateway created without secrets gets one generated, shown once.
    func createGateway(kind: PaymentGatewayKind, _ settings: GatewaySettings, accountID: AccountID) async throws -> (PaymentGateway, generatedSecret: String?) {
        var generated: String?
        let credentials: PaymentGateway.Credentials
        switch kind {
        case .braintree:
            guard let keys = settings.braintreeKeys else {
                throw DomainError(.invalid, code: "parameter_missing", message: "A Braintree gateway needs 'braintree_keys'.", param: "braintree_keys")
            }
            credentials = .braintreeKeys(keys)
        case .stripe:
            guard let secrets = settings.secrets else {
                throw DomainError(.invalid, code: "parameter_missing", message: "A Stripe gateway needs its endpoint secret in 'secrets'.", param: "secrets")
            }
            credentials = .signingSecrets(secrets)
        case .generic:
            if let secrets = settings.secrets {
                try GatewayCredentialRules.checkStandardWebhooksSecrets(secrets)
                credentials = .signingSecrets(secrets)
            } else {
                let secret = StandardWebhookSignature.makeSecret()
                generated = secret
                credentials = .signingSecrets([secret])
            }
        }
        if kind != .braintree, settings.braintreeKeys != nil {
            throw DomainError(.invalid, code: "invalid_parameter", message: "'braintree_keys' is for Braintree gateways only.", param: "braintree_keys")
        }
        if kind == .braintree, settings.secrets != nil {
            throw DomainError(.invalid, code: "invalid_parameter", message: "Braintree gateways take 'braintree_keys', not 'secrets'.", param: "secrets")
        }
        let now = clock.now()
        let gateway = PaymentGateway(
            id: ids.make(), accountID: accountID, kind: kind, name: settings.name ?? kind.rawValue,
            credentials: credentials, graceLength: TimeInterval((settings.gracePeriodHours ?? Self.defaultGraceHours) * 3600),
            cancellation: settings.cancellation ?? .endOfPeriod, createdAt: now, updatedAt: now
        )
        try await store.transaction { tx in
            guard try await tx.accounts.find(accountID) != nil else { throw DomainError.notFound("account", param: "account") }
            try await tx.gateways.insert(gateway)
        }
        return (gateway, generated)
    }

    /// Changes what `settings` sets; secrets or keys replace the list (send old and new together
    /// while rotating).
    func updateGateway(_ id: PaymentGatewayID, _ settings: GatewaySettings, visibleAccountID: AccountID?) async throws -> PaymentGateway {
        try await store.transaction { tx in
            guard var gateway = try await tx.gateways.find(id, accountID: visibleAccountID) else { throw DomainError.notFound("payment gateway") }
            let before = gateway
            if let name = settings.name { gateway.name = name }
            if let grace = settings.gracePeriodHours { gateway.graceLength = TimeInterval(grace * 3600) }
            if let policy = settings.cancellation { gateway.cancellation = policy }
            switch (gateway.kind, settings.secrets, settings.braintreeKeys) {
            case (.braintree, nil, let keys?): gateway.credentials = .braintreeKeys(keys)
            case (.stripe, let secrets?, nil): gateway.credentials = .signingSecrets(secrets)
            case (.generic, let secrets?, nil):
                try GatewayCredentialRules.checkStandardWebhooksSecrets(secrets)
                gateway.credentials = .signingSecrets(secrets)
            case (_, nil, nil): break
            default:
                throw DomainError(.invalid, code: "invalid_parameter", message: "Braintree gateways take 'braintree_keys'; the others take 'secrets'.", param: settings.secrets == nil ? "braintree_keys" : "secrets")
            }
            gateway.updatedAt = clock.now()
            try await tx.gateways.update(gateway)
            // Grace and cancellation decide when each bound SIM's access ends: its state and its
            // lapse job were worked out under the old ones. Each SIM is looked at again at once
            // (a job each, so that thousands of SIMs do not lengthen this request).
            if gateway.graceLength != before.graceLength || gateway.cancellation != before.cancellation {
                let now = gateway.updatedAt
                let jobs = try await tx.bindings.simIDs(ofGateway: gateway.id).map { sim in
                    try NewJob(EvaluatePaymentJob(sim: sim, reason: "payment gateway \(gateway.id) changed its grace or cancellation"), runAt: now, uniqueKey: "\(EvaluatePaymentJob.kind):\(sim):\(now.epochMilliseconds)")
                }
                try await tx.jobs.enqueue(jobs, now: now)
            }
            return gateway
        }
    }

    /// Binds a subscription to a SIM (`sim`: an id or ICCID) of the gateway's account, then
    /// applies any events of it that were waiting.
    func createBinding(
        gatewayID: PaymentGatewayID, subscriptionID: String, sim reference: String, visibleAccountID: AccountID?, cause: ChangeCause
    ) async throws -> (BillingBinding, PaymentGateway) {
        try await store.transaction { tx in
            guard let gateway = try await tx.gateways.find(gatewayID, accountID: visibleAccountID) else {
                throw DomainError.notFound("payment gateway", param: "gateway")
            }
            let sim: Sim
            do {
                sim = try await sims.load(try SimReference(parsing: reference), visibleAccountID: gateway.accountID, in: tx)
            } catch let error as DomainError where error.kind == .notFound {
                throw DomainError.notFound("SIM", param: "sim")
            }
            // A retired SIM takes no change, and no payment can bring it back.
            if sim.status == .retired { throw DomainError.simRetired }
            if let existing = try await tx.bindings.find(gatewayID: gateway.id, subscriptionID: subscriptionID) {
                throw DomainError(.conflict, code: "subscription_already_bound", message: "The subscription is already bound (\(existing.id)).", param: "subscription")
            }
            let binding = try await bindingSteps.create(
                gateway: gateway, subscriptionID: subscriptionID, simID: sim.id, source: .api, cause: cause, in: tx
            )
            return (binding, gateway)
        }
    }

    /// Removes a binding and re-evaluates its SIM: with no binding left, payments no longer hold it.
    func deleteBinding(_ id: BillingBindingID, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> (BillingBinding, PaymentGateway) {
        try await store.transaction { tx in
            guard let binding = try await tx.bindings.find(id, accountID: visibleAccountID),
                  let gateway = try await tx.gateways.find(binding.gatewayID, accountID: nil)
            else { throw DomainError.notFound("billing binding") }
            try await tx.events.append([try await bindingSteps.delete(binding, gateway: gateway, cause: cause, in: tx)])
            try await evaluator.evaluate(binding.simID, cause: cause, in: tx)
            return (binding, gateway)
        }
    }
}
