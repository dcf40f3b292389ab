import Foundation

/// What a SIM's subscriptions grant it, read once for both the `payment` hold and the billing
/// view, so the two can never disagree.
///
/// The state is a function of the set of facts, never of their order:
/// - a SIM with any paid period (or trial) is provisioned: a SIM in stock leaves INVENTORY;
/// - the `payment` hold is in force exactly when now >= the latest access end over the
///   SIM's bindings that granted service (over all of them when none did), and a provisioned
///   SIM with it is OFFLINE;
/// - a SIM never paid for stays in stock, and stock carries no payment hold;
/// - with no payment fact at all (say, its last binding was deleted) payments have no say, and
///   a payment hold still in force is lifted.
public struct PaymentAccess: Equatable, Sendable {
    /// Each binding with the instant its access ends (`nil`: no fact yet).
    public let ends: [BillingBindingID: Date]
    /// The latest access end over all bindings; `nil` when payments have no say.
    public let latestEnd: Date?
    /// Whether any binding ever had a paid period or trial.
    public let everPaid: Bool

    /// Reads `bindings` under their gateways' grace lengths and cancellation policies. A
    /// binding whose gateway is not in `gateways` grants nothing.
    public init(_ bindings: [BillingBinding], gateways: [PaymentGatewayID: PaymentGateway]) {
        var ends: [BillingBindingID: Date] = [:]
        var everPaid = false
        // The ends of bindings that granted service: a subscription never paid gives no access,
        // so its end (its failure or cancellation) never outlasts one that was paid.
        var grantedEnds: [Date] = []
        for binding in bindings {
            guard let gateway = gateways[binding.gatewayID],
                  let end = binding.entitlement.accessEnds(under: gateway.cancellation, grace: gateway.graceLength)
            else { continue }
            ends[binding.id] = end
            everPaid = everPaid || binding.entitlement.hasPaidPeriod
            if binding.entitlement.hasPaidPeriod { grantedEnds.append(end) }
        }
        self.ends = ends
        latestEnd = grantedEnds.max() ?? ends.values.max()
        self.everPaid = everPaid
    }

    /// What must happen to `sim` at `now`: the commands to apply in order, and when to look
    /// again (the instant access ends, while it lasts).
    public func decision(for sim: Sim, at now: Date) -> PaymentDecision {
        guard sim.status != .retired else { return PaymentDecision(commands: [], reevaluateAt: nil) }
        guard let latestEnd, sim.status != .inventory || everPaid else {
            return PaymentDecision(commands: [.liftHold(.payment)], reevaluateAt: nil)
        }
        let lapsed = Self.hasLapsed(at: now, accessEnds: latestEnd)
        var commands: [SimCommand] = [lapsed ? .placeHold(.payment) : .liftHold(.payment)]
        // Paid for: out of stock, LIVE or (with any hold in force) OFFLINE.
        if sim.status == .inventory, sim.accountID != nil { commands.append(.provision) }
        return PaymentDecision(commands: commands, reevaluateAt: lapsed ? nil : latestEnd)
    }
}

extension PaymentAccess {
    /// The one lapse rule: the `payment` hold is in force exactly when now >= the access end.
    public static func hasLapsed(at now: Date, accessEnds: Date) -> Bool {
        now >= accessEnds
    }
}

/// What payments require of one SIM now.
public struct PaymentDecision: Equatable, Sendable {
    /// Lifecycle commands, applied in this order.
    public let commands: [SimCommand]
    /// When access ends, if it has not yet: the SIM is evaluated again then.
    public let reevaluateAt: Date?
}
