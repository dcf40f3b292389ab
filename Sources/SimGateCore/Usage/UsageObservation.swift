import Foundation

/// What one usage record tells about its SIM, whatever its source (RADIUS accounting, the
/// bulk API, a CSV import).
public struct UsageObservation: Equatable, Sendable {
    /// Bytes up and down together.
    public let bytes: UInt64
    /// When the usage began and ended.
    public let startedAt: Date
    /// When the usage ended; a new sighting dates from then.
    public let endedAt: Date
    /// When data was first seen flowing, if this record is a SIM's first with bytes: the start
    /// of a usage record (CDR), but for RADIUS the report that carried the bytes, since the
    /// interval before it may have been a session opened with no data at all.
    public let dataSeenAt: Date
    /// The serving network as MCC followed by MNC, if known.
    public let mccMNC: String?
    /// ISO 3166-1 alpha-2 country of the serving network, if known.
    public let country: String?
    /// The device the SIM was in, if reported.
    public let imei: IMEI?

    /// An observation; `dataSeenAt` defaults to `startedAt`.
    public init(bytes: UInt64, startedAt: Date, endedAt: Date, dataSeenAt: Date? = nil, mccMNC: String?, country: String?, imei: IMEI?) {
        self.bytes = bytes
        self.startedAt = startedAt
        self.dataSeenAt = dataSeenAt ?? startedAt
        self.endedAt = endedAt
        self.mccMNC = mccMNC
        self.country = country
        self.imei = imei
    }
}

/// A change to a SIM that usage caused; each becomes an event.
public enum UsageEffect: Equatable, Sendable {
    /// The SIM passed data for the first time.
    case firstUse
    /// The serving network changed (`previous` is `nil` the first time one is seen).
    case locationChanged(previous: SimSighting?)
    /// The first device seen was bound to the SIM.
    case deviceBound
    /// The SIM turned up in another device than the one it was last seen in (or bound to).
    case deviceChanged(previous: IMEI)
}

/// What usage can change about a SIM: its first use, its bound IMEI and where it was last
/// seen. Kept apart from ``Sim`` so the accounting path can read just these few columns.
public struct SimUsageFacts: Equatable, Sendable {
    /// When the SIM first passed data; `nil` until it has.
    public var firstUseAt: Date?
    /// The device the SIM is bound to: the first one seen, or one set through the API.
    public var imei: IMEI?
    /// Where and in which device the SIM was last seen; `nil` until first seen.
    public var lastSeen: SimSighting?

    /// The facts as read from a SIM or from its usage columns.
    public init(firstUseAt: Date?, imei: IMEI?, lastSeen: SimSighting?) {
        self.firstUseAt = firstUseAt
        self.imei = imei
        self.lastSeen = lastSeen
    }

    /// Applies what a usage record tells about the SIM and returns what changed, in the order
    /// the events should be written.
    ///
    /// Records can arrive late or out of order (bulk imports, delayed CDRs): an observation
    /// older than the current sighting changes neither place nor device, so an old file
    /// never moves a SIM back to where it was last month. Nor is data that ended before
    /// `firstUseFrom` a first use: a late record from before the SIM was provisioned again
    /// started a fresh AOFU countdown in the past, and the SIM was unprovisioned at once.
    /// A record that began before it and ended after (a CDR across a provisioning) is the
    /// first use, dated `firstUseFrom`: its bytes count against the new bundle, which judges by
    /// the end the same way, and judged by its start it used the bundle up with no countdown.
    public mutating func observe(_ usage: UsageObservation, firstUseFrom: Date? = nil) -> [UsageEffect] {
        var effects: [UsageEffect] = []
        let lifeBegan = firstUseFrom ?? .distantPast
        if firstUseAt == nil, usage.bytes > 0, usage.endedAt >= lifeBegan {
            firstUseAt = max(usage.dataSeenAt, lifeBegan)
            effects.append(.firstUse)
        }
        if imei == nil, let seen = usage.imei {
            imei = seen
            effects.append(.deviceBound)
        }
        if let last = lastSeen, usage.endedAt < last.since { return effects }

        let previous = lastSeen
        var sighting = previous ?? SimSighting(mccMNC: nil, country: nil, imei: nil, since: usage.endedAt)
        var moved = false
        if let network = usage.mccMNC, network != sighting.mccMNC {
            sighting.mccMNC = network
            sighting.country = usage.country
            moved = true
        } else if usage.mccMNC == nil, let country = usage.country, country != sighting.country {
            sighting.mccMNC = nil
            sighting.country = country
            moved = true
        }
        if moved { effects.append(.locationChanged(previous: previous)) }
        var swapped = false
        if let seen = usage.imei, seen != sighting.imei {
            // The device it was last seen in, else the one bound through the API.
            if let earlier = sighting.imei ?? imei, earlier != seen { effects.append(.deviceChanged(previous: earlier)) }
            sighting.imei = seen
            swapped = true
        }
        if moved || swapped {
            sighting.since = usage.endedAt
            lastSeen = sighting
        }
        return effects
    }
}

extension Sim {
    /// The SIM's usage facts; setting them writes back first use, bound IMEI and sighting.
    public var usageFacts: SimUsageFacts {
        get { SimUsageFacts(firstUseAt: firstUseAt, imei: imei, lastSeen: lastSeen) }
        set {
            firstUseAt = newValue.firstUseAt
            imei = newValue.imei
            lastSeen = newValue.lastSeen
        }
    }
}
