import Foundation
import SimGateCore
import SimGateStore

/// A RADIUS data session as the API shows it.
struct SessionResource: Codable, Equatable, Sendable {
    struct Disconnect: Codable, Equatable, Sendable {
        let outcome: String
        /// The Error-Cause of a NAK (RFC 5176).
        let errorCause: UInt32?
        let at: Date

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

    let object: String
    let nas: String
    let sessionID: String
    let clientAddress: String
    let startedAt: Date
    let updatedAt: Date
    let stoppedAt: Date?
    let bytesUp: UInt64
    let bytesDown: UInt64
    let mccMNC: String?
    let country: String?
    let rat: String?
    let imei: String?
    let userName: String?
    let framedIPAddress: String?
    let disconnect: Disconnect?

    enum CodingKeys: String, CodingKey {
        case object, nas, country, rat, imei, disconnect
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

    init(_ session: DataSession) {
        object = "radius_session"
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
