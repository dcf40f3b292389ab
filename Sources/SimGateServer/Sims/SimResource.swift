import Foundation
import SimGateCore

/// A SIM as the API shows it, and as event snapshots store it.
struct SimResource: Codable, Equatable, Sendable {
    /// A hold in force: its cause, and when and by whom it was placed.
    struct HoldResource: Codable, Equatable, Sendable {
        /// The hold's cause (`manual`, `operator`, `payment`, ...).
        let cause: String
        /// When the hold was placed.
        let placedAt: Date
        /// Who placed it and why.
        let placedBy: CauseResource

        /// JSON names of the fields, in snake case.
        enum CodingKeys: String, CodingKey {
            case cause
            case placedAt = "placed_at"
            case placedBy = "placed_by"
        }
    }

    /// The SIM's id (`sim_...`).
    let id: String
    /// Always `sim`.
    let object: String
    /// ICCID, digits only.
    let iccid: String
    /// IMSI, digits only.
    let imsi: String
    /// Phone number, digits only; null when the SIM has none.
    let msisdn: String?
    /// eUICC id; null when not known.
    let eid: String?
    /// Stock serial number; the ICCID unless one was set.
    let serialNumber: String
    /// The device the SIM is bound to; null until known.
    let imei: String?
    /// The owning account's id; null while the SIM is the operator's stock.
    let account: String?
    /// `INVENTORY`, `LIVE`, `OFFLINE`, `UNPROVISIONED` or `RETIRED`.
    let status: String
    /// The holds in force; empty when none.
    let holds: [HoldResource]
    /// When the status last changed.
    let statusChangedAt: Date
    /// Who made the last status change and why.
    let statusCause: CauseResource
    /// Tariff number; null until one is set.
    let tariffNumber: Int?
    /// The SIM's labels, which lists can filter by (`label=`).
    let labels: [String]
    /// Free-form key-value pairs kept with the SIM.
    let metadata: [String: String]
    /// When the SIM first passed data; null until it has.
    let firstUseAt: Date?
    /// On an AOFU tariff, hours after first use the SIM is unprovisioned; null otherwise.
    let shutdownThresholdHours: Int?
    /// When an AOFU SIM is due to be unprovisioned; null before its first use.
    let shutdownAt: Date?
    /// The AOFU data bundle; null when the SIM has none.
    let bundle: BundleResource?
    /// Where and in which device the network last saw it; null until it has.
    let lastSeen: SightingResource?
    /// When the SIM was imported.
    let createdAt: Date
    /// When anything about the SIM last changed.
    let updatedAt: Date
    /// Payment state (from a ``SimBillingSource``); present when one SIM is retrieved, absent
    /// in lists and event snapshots.
    var billing: JSONValue?

    /// JSON names of the fields, in snake case.
    enum CodingKeys: String, CodingKey {
        case id, object, iccid, imsi, msisdn, eid, imei, account, status, holds, labels, metadata, billing, bundle
        case shutdownThresholdHours = "shutdown_threshold_hours"
        case shutdownAt = "shutdown_at"
        case serialNumber = "serial_number"
        case statusChangedAt = "status_changed_at"
        case statusCause = "status_cause"
        case tariffNumber = "tariff_number"
        case firstUseAt = "first_use_at"
        case lastSeen = "last_seen"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The API view of `sim`, without `billing`.
    init(_ sim: Sim) {
        id = sim.id.rawValue
        object = "sim"
        iccid = sim.iccid.digits
        imsi = sim.imsi.digits
        msisdn = sim.msisdn?.digits
        eid = sim.eid?.digits
        serialNumber = sim.serialNumber
        imei = sim.imei?.digits
        account = sim.accountID?.rawValue
        status = sim.status.rawValue
        holds = sim.state.holdCauses.compactMap { sim.state.holds[$0] }.map {
            HoldResource(cause: $0.cause.description, placedAt: $0.placedAt, placedBy: CauseResource($0.origin))
        }
        statusChangedAt = sim.statusChangedAt
        statusCause = CauseResource(sim.statusCause)
        tariffNumber = sim.tariffNumber
        labels = sim.labels.values
        metadata = sim.metadata.values
        firstUseAt = sim.firstUseAt
        shutdownThresholdHours = sim.shutdownThreshold?.hours
        // Due only while it can still happen: an UNPROVISIONED SIM (by hand, before its
        // deadline) went on showing a shutdown still to come.
        shutdownAt = sim.status == .live || sim.status == .offline ? sim.shutdownAt : nil
        bundle = sim.bundle.map(BundleResource.init)
        lastSeen = sim.lastSeen.map(SightingResource.init)
        createdAt = sim.createdAt
        updatedAt = sim.updatedAt
        billing = nil
    }

    func encode(to encoder: any Encoder) throws {
        // Written out so that absent optional values appear as null rather than vanish.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(iccid, forKey: .iccid)
        try container.encode(imsi, forKey: .imsi)
        try container.encode(msisdn, forKey: .msisdn)
        try container.encode(eid, forKey: .eid)
        try container.encode(serialNumber, forKey: .serialNumber)
        try container.encode(imei, forKey: .imei)
        try container.encode(account, forKey: .account)
        try container.encode(status, forKey: .status)
        try container.encode(holds, forKey: .holds)
        try container.encode(statusChangedAt, forKey: .statusChangedAt)
        try container.encode(statusCause, forKey: .statusCause)
        try container.encode(tariffNumber, forKey: .tariffNumber)
        try container.encode(labels, forKey: .labels)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(firstUseAt, forKey: .firstUseAt)
        try container.encode(shutdownThresholdHours, forKey: .shutdownThresholdHours)
        try container.encode(shutdownAt, forKey: .shutdownAt)
        try container.encode(bundle, forKey: .bundle)
        try container.encode(lastSeen, forKey: .lastSeen)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(billing, forKey: .billing)
    }
}

/// Where and in which device the network last saw a SIM.
struct SightingResource: Codable, Equatable, Sendable {
    /// MCC and MNC of the serving network (`26201`); null if not known.
    let mccMNC: String?
    /// ISO 3166-1 alpha-2 country of the serving network; null if not known.
    let country: String?
    /// The device the SIM was in; null if not known.
    let imei: String?
    /// When this network and device were first seen.
    let since: Date

    /// JSON names of the fields, in snake case.
    enum CodingKeys: String, CodingKey {
        case country, imei, since
        case mccMNC = "mcc_mnc"
    }

    /// The API view of `sighting`.
    init(_ sighting: SimSighting) {
        mccMNC = sighting.mccMNC
        country = sighting.country
        imei = sighting.imei?.digits
        since = sighting.since
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mccMNC, forKey: .mccMNC)
        try container.encode(country, forKey: .country)
        try container.encode(imei, forKey: .imei)
        try container.encode(since, forKey: .since)
    }
}
