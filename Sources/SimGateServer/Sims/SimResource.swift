import Foundation
import SimGateCore

/// A SIM as the API shows it, and as event snapshots store it.
struct SimResource: Codable, Equatable, Sendable {
    struct HoldResource: Codable, Equatable, Sendable {
        let cause: String
        let placedAt: Date
        let placedBy: CauseResource

        enum CodingKeys: String, CodingKey {
            case cause
            case placedAt = "placed_at"
            case placedBy = "placed_by"
        }
    }

    let id: String
    let object: String
    let iccid: String
    let imsi: String
    let msisdn: String?
    let eid: String?
    let serialNumber: String
    let imei: String?
    let account: String?
    let status: String
    let holds: [HoldResource]
    let statusChangedAt: Date
    let statusCause: CauseResource
    let tariffNumber: Int?
    let labels: [String]
    let metadata: [String: String]
    let firstUseAt: Date?
    let lastSeen: SightingResource?
    let createdAt: Date
    let updatedAt: Date
    /// Payment state (from a ``SimBillingSource``); present when one SIM is retrieved, absent
    /// in lists and event snapshots.
    var billing: JSONValue?

    enum CodingKeys: String, CodingKey {
        case id, object, iccid, imsi, msisdn, eid, imei, account, status, holds, labels, metadata, billing
        case serialNumber = "serial_number"
        case statusChangedAt = "status_changed_at"
        case statusCause = "status_cause"
        case tariffNumber = "tariff_number"
        case firstUseAt = "first_use_at"
        case lastSeen = "last_seen"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

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
        try container.encode(lastSeen, forKey: .lastSeen)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(billing, forKey: .billing)
    }
}

/// Where and in which device the network last saw a SIM.
struct SightingResource: Codable, Equatable, Sendable {
    let mccMNC: String?
    let country: String?
    let imei: String?
    let since: Date

    enum CodingKeys: String, CodingKey {
        case country, imei, since
        case mccMNC = "mcc_mnc"
    }

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
