import Foundation
import SimGateCore
import SimGateStore

/// A RADIUS data session as the API shows it.
struct SessionResource: Codable, Equatable, Sendable {
    /// The last Disconnect-Request sent for the session and how the gateway answered.
    struct Disconnect: Codable, Equatable, Sendable {
        /// `acked`, `nacked` or `no_answer` (silent after every retry).
        let outcome: String
        /// The Error-Cause of a NAK (RFC 5176).
        let errorCause: UInt32?
        /// When the outcome was recorded.
        let at: Date

        /// JSON names of the fields, in snake case.
        enum CodingKeys: String, CodingKey {
            case outcome, at
            case errorCause = "error_cause"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(errorCause, forKey: .errorCause)
            try container.encode(at, forKey: .at)
        }
    }

    /// Always `radius_session`.
    let object: String
    /// `rsn_...`: the gateway and its Acct-Session-Id, which name the session; a later session
    /// under the same key (a gateway that reuses its ids) has the same id.
    let id: String
    /// The gateway that runs the session: its NAS-IP-Address, NAS-Identifier or client name.
    let nas: String
    /// The gateway's Acct-Session-Id.
    let sessionID: String
    /// The gateway's address, where Disconnect-Requests for the session go.
    let clientAddress: String
    /// When the session began, as far as the gateway's reports tell.
    let startedAt: Date
    /// When the last accounting report for it arrived.
    let updatedAt: Date
    /// When it ended; null while it is open.
    let stoppedAt: Date?
    /// Bytes the device has sent in the session (RADIUS input octets).
    let bytesUp: UInt64
    /// Bytes the device has received in the session (RADIUS output octets).
    let bytesDown: UInt64
    /// MCC and MNC of the serving network; null if not reported.
    let mccMNC: String?
    /// ISO 3166-1 alpha-2 country of the serving network; null if not known.
    let country: String?
    /// Radio access technology (`EUTRAN`, `NR`, ...); null if not reported.
    let rat: String?
    /// The device's IMEI as the gateway reported it; null if it did not.
    let imei: String?
    /// The User-Name the session was opened with; null if the gateway sent none.
    let userName: String?
    /// The IPv4 address the gateway gave the device; null if not reported.
    let framedIPAddress: String?
    /// The last Disconnect-Request for the session; null if none was sent.
    let disconnect: Disconnect?

    /// JSON names of the fields, in snake case.
    enum CodingKeys: String, CodingKey {
        case object, id, nas, country, rat, imei, disconnect
        case userName = "user_name"
        case framedIPAddress = "framed_ip_address"
        case sessionID = "session_id"
        case clientAddress = "client_address"
        case startedAt = "started_at"
        case updatedAt = "updated_at"
        case stoppedAt = "stopped_at"
        case bytesUp = "bytes_up"
        case bytesDown = "bytes_down"
        case mccMNC = "mcc_mnc"
    }

    /// The API view of `session`: RADIUS input counts as upload, output as download.
    init(_ session: DataSession) {
        object = "radius_session"
        id = SessionAPIID.make(session.key)
        nas = session.nas
        sessionID = session.sessionID
        clientAddress = session.clientAddress
        startedAt = session.startedAt
        updatedAt = session.updatedAt
        stoppedAt = session.stoppedAt
        // RADIUS "input" is what the gateway received from the device: the upload.
        bytesUp = session.counters.inputBytes
        bytesDown = session.counters.outputBytes
        mccMNC = session.mccMNC
        country = session.country
        rat = session.rat
        imei = session.imei
        userName = session.userName
        framedIPAddress = session.framedIPAddress
        disconnect = session.disconnect.map { Disconnect(outcome: $0.outcome.rawValue, errorCause: $0.errorCause, at: $0.at) }
    }

    func encode(to encoder: any Encoder) throws {
        // Written out so that absent values appear as null rather than vanish.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(id, forKey: .id)
        try container.encode(nas, forKey: .nas)
        try container.encode(sessionID, forKey: .sessionID)
        try container.encode(clientAddress, forKey: .clientAddress)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(stoppedAt, forKey: .stoppedAt)
        try container.encode(bytesUp, forKey: .bytesUp)
        try container.encode(bytesDown, forKey: .bytesDown)
        try container.encode(mccMNC, forKey: .mccMNC)
        try container.encode(country, forKey: .country)
        try container.encode(rat, forKey: .rat)
        try container.encode(imei, forKey: .imei)
        try container.encode(userName, forKey: .userName)
        try container.encode(framedIPAddress, forKey: .framedIPAddress)
        try container.encode(disconnect, forKey: .disconnect)
    }
}
