import Foundation
import SimGateCore

/// A billing binding as the API shows it, with the entitlement it carries.
struct BillingBindingResource: Codable, Equatable, Sendable {
    /// The binding's id (`bnd_...`).
    let id: String
    /// Always `billing_binding`.
    let object: String
    /// The account that owns the gateway and the SIM.
    let account: String
    /// The payment gateway the subscription belongs to (`gw_...`).
    let gateway: String
    /// The gateway's subscription id.
    let subscription: String
    /// The SIM the subscription pays for (`sim_...`).
    let sim: String
    /// End of the latest period paid for with money, exclusive; null until a payment is known.
    let paidUntil: Date?
    /// End of the latest trial, exclusive, or the first charge's failure if that came before
    /// (the trial was ended early); null when no trial was reported.
    let trialUntil: Date?
    /// End of the grace after a failed renewal; null when there is none, or none in force
    /// since the subscription ended.
    let graceUntil: Date?
    /// When the subscription ended; null while it runs.
    let endedAt: Date?
    /// When data stops under the gateway's cancellation policy; null before any payment fact.
    let accessEndsAt: Date?
    /// How the binding came about: `api`, or `metadata` of a gateway event.
    let source: String
    /// When the binding was made.
    let createdAt: Date
    /// When the binding last changed.
    let updatedAt: Date

    /// JSON names of the fields, in snake case.
    enum CodingKeys: String, CodingKey {
        case id, object, account, gateway, subscription, sim, source
        case paidUntil = "paid_until"
        case trialUntil = "trial_until"
        case graceUntil = "grace_until"
        case endedAt = "ended_at"
        case accessEndsAt = "access_ends_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// `gateway` is the binding's: its grace length and cancellation policy decide
    /// `grace_until` and `access_ends_at` (as ``PaymentAccess`` reads them).
    init(_ binding: BillingBinding, gateway: PaymentGateway) {
        self.init(binding, gateway: gateway, accessEndsAt: PaymentAccess([binding], gateways: [gateway.id: gateway]).ends[binding.id])
    }

    /// The binding with `accessEndsAt` already read by a ``PaymentAccess``.
    init(_ binding: BillingBinding, gateway: PaymentGateway, accessEndsAt: Date?) {
        id = binding.id.rawValue
        object = "billing_binding"
        account = binding.accountID.rawValue
        self.gateway = binding.gatewayID.rawValue
        subscription = binding.subscriptionID
        sim = binding.simID.rawValue
        paidUntil = binding.entitlement.paidUntil
        trialUntil = binding.entitlement.trialEnd
        graceUntil = binding.entitlement.graceInForce(under: gateway.cancellation, grace: gateway.graceLength)
        endedAt = binding.entitlement.endedAt
        self.accessEndsAt = accessEndsAt
        source = binding.source.rawValue
        createdAt = binding.createdAt
        updatedAt = binding.updatedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(account, forKey: .account)
        try container.encode(gateway, forKey: .gateway)
        try container.encode(subscription, forKey: .subscription)
        try container.encode(sim, forKey: .sim)
        try container.encode(paidUntil, forKey: .paidUntil)
        try container.encode(trialUntil, forKey: .trialUntil)
        try container.encode(graceUntil, forKey: .graceUntil)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(accessEndsAt, forKey: .accessEndsAt)
        try container.encode(source, forKey: .source)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
