import Foundation
import SimGateCore
import SimGateStore

/// What a gateway sent, as the HTTP layer read it.
struct IncomingWebhook: Sendable {
    /// The raw body, exactly the bytes that were signed.
    let body: Data
    /// Header values by lower-cased name.
    let headers: [String: String]
}

/// Accepts gateway webhooks: verifies the signature on the raw bytes against every current
/// secret, reads the payload, and stores it under its unique external id together with the
/// job that will apply it, in one transaction. Answering then takes one short write; the
/// work happens in the job, so a crash after the answer loses nothing.
struct WebhookReceiver: Sendable {
    /// Where gateways are read and events and their jobs written.
    let store: Store
    /// The time of receipt, also checked against signed timestamps.
    let clock: any WallClock
    /// Makes ids for stored events.
    let ids: IdentifierGenerator
    /// Wakes the job scheduler when a new event's job is queued.
    let doorbell: Doorbell
    /// Gateways read for recent webhooks: a receipt needs its gateway's secrets, and a busy
    /// gateway sends many a second.
    let gateways: GatewayCache

    /// Largest webhook body accepted, in bytes. Real gateway events are a few kilobytes.
    static let maximumBodyBytes = 256 * 1024

    /// Whether `gatewayID` names a gateway of `kind`: asked before a body is read, so that posts
    /// to made-up gateways (no key is needed to send them) hold no memory for their bodies.
    func accepts(_ gatewayID: PaymentGatewayID, kind: PaymentGatewayKind) async throws -> Bool {
        try await gateway(gatewayID)?.kind == kind
    }

    /// Stores a verified webhook; returns the stored event's id and whether it was a duplicate.
    func receive(_ webhook: IncomingWebhook, kind: PaymentGatewayKind, gatewayID: PaymentGatewayID) async throws -> (id: GatewayEventID?, duplicate: Bool) {
        let now = clock.now()
        guard let gateway = try await gateway(gatewayID), gateway.kind == kind else {
            throw DomainError.notFound("payment gateway")
        }
        // Kept as the gateway sent it: bytes that are not UTF-8 were stored as U+FFFD, and the
        // stored body no longer matched its signature. No gateway sends such JSON or XML.
        guard let payload = String(data: webhook.body, encoding: .utf8) else {
            throw WebhookVerificationError.malformedBody("The body is not UTF-8 text.").apiError
        }
        let externalID: String?
        do throws(WebhookVerificationError) {
            externalID = try verify(webhook, payload: payload, gateway: gateway, now: now)
        } catch {
            throw error.apiError
        }
        let notification: GatewayNotification
        do throws(GatewayPayloadError) {
            notification = try GatewayNotificationDecoder.decode(kind: kind, payload: payload, externalID: externalID, receivedAt: now)
                .withTextWithinLimits(idField: kind == .generic ? "webhook-id" : "id")
        } catch {
            throw WebhookVerificationError.malformedBody(error.message, field: error.field).apiError
        }
        // A subscription id no binding can have (a NUL, which PostgreSQL stores in no text,
        // thousands of characters, past its index entry's size, or blanks) is filed under none:
        // the event and its payload are kept, and applying it says why it binds nothing.
        let subscriptionID = notification.subscriptionID.flatMap { BillingBinding.isUsableSubscriptionID($0) ? $0 : nil }
        let event = GatewayEvent(
            id: ids.make(), accountID: gateway.accountID, gatewayID: gateway.id, externalID: notification.externalID,
            type: notification.type, subscriptionID: subscriptionID, payload: payload, receivedAt: now,
            status: .received, outcome: nil, processedAt: nil
        )
        let isNew = try await store.transaction { tx in
            guard try await tx.gatewayEvents.insertIfNew(event) else { return false }
            try await tx.jobs.enqueue(try NewJob(ApplyGatewayEventJob(gatewayEvent: event.id), runAt: now), now: now)
            return true
        }
        if isNew { doorbell.ring() }
        return (isNew ? event.id : nil, !isNew)
    }

    /// The gateway, as read less than a second ago or read now. Only gateways that exist are
    /// kept, so made-up ids in URLs take no room.
    private func gateway(_ id: PaymentGatewayID) async throws -> PaymentGateway? {
        if let known = gateways.value(id) { return known }
        let generation = gateways.generation
        let gateway = try await store.read { tx in try await tx.gateways.find(id, accountID: nil) }
        if let gateway { gateways.keep(gateway, for: id, readAt: generation) }
        return gateway
    }

    /// Checks the gateway's signature scheme; returns the external id the scheme carries, if any.
    /// Only credentials that pass today's checks verify: one stored before them (an empty
    /// Braintree private key, a one-byte key) signs nothing.
    private func verify(_ webhook: IncomingWebhook, payload: String, gateway: PaymentGateway, now: Date) throws(WebhookVerificationError) -> String? {
        switch (gateway.kind, gateway.credentials) {
        case (.stripe, .signingSecrets(let secrets)):
            let secrets = secrets.filter(GatewayCredentialRules.isUsableSecret)
            try StripeSignature.verify(header: webhook.headers["stripe-signature"], body: webhook.body, secrets: secrets, now: now)
            return nil
        case (.braintree, .braintreeKeys(let keys)):
            let form = BraintreeForm(payload)
            guard let signedPayload = form.payload else { throw .missingSignature("bt_payload is missing.") }
            try BraintreeSignature.verify(
                signature: form.signature, payload: signedPayload,
                keys: keys.filter(GatewayCredentialRules.isUsable).map { BraintreeSignature.KeyPair(publicKey: $0.publicKey, privateKey: $0.privateKey) }
            )
            return GatewayNotificationDecoder.braintreeExternalID(signedPayload)
        case (.generic, .signingSecrets(let secrets)):
            let secrets = secrets.filter(GatewayCredentialRules.isStandardWebhooksSecret)
            try StandardWebhookSignature.verify(
                id: webhook.headers["webhook-id"], timestamp: webhook.headers["webhook-timestamp"],
                signature: webhook.headers["webhook-signature"], body: webhook.body, secrets: secrets, now: now
            )
            return webhook.headers["webhook-id"]
        default:
            throw .signatureMismatch
        }
    }
}
