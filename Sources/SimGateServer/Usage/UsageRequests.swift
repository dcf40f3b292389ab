import Foundation
import SimGateCore

/// Body of `POST /v1/usage_records`: up to 10,000 records, each with the sender's own id.
struct UsageRecordsRequest: Decodable {
    /// Most records one request takes.
    static let maximumRecords = 10_000
    /// The records, 1 to ``maximumRecords``.
    let records: [UsageRecordInput]

    /// The only field the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable { case records }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        records = try container.decode([UsageRecordInput].self, forKey: .records)
        guard (1...Self.maximumRecords).contains(records.count) else {
            throw APIError.invalid("invalid_batch_size", "'records' holds 1 to \(Self.maximumRecords) records per request.", param: "records")
        }
    }
}

/// One usage record as sent. Fields stay loose here so that each bad record is reported on
/// its own while the good ones are kept.
struct UsageRecordInput: Decodable {
    /// The sender's own id for the record (1 to 255 characters); a resend with it is a duplicate.
    let id: String?
    /// The SIM: a `sim_...` id or an ICCID.
    let sim: String?
    /// Start of the usage, as RFC 3339 text.
    let startedAt: String?
    /// End of the usage, as RFC 3339 text, not before `started_at`.
    let endedAt: String?
    /// Bytes the device sent; -1 when the value sent is not a whole 64-bit number.
    let bytesUp: Int64?
    /// Bytes the device received; -1 when the value sent is not a whole 64-bit number.
    let bytesDown: Int64?
    /// MCC and MNC of the serving network, 5 or 6 digits.
    let mccMNC: String?
    /// ISO 3166-1 alpha-2 country; the one `mcc_mnc` points to wins when known.
    let country: String?
    /// Radio access technology (EUTRAN, NR, ...), up to 32 characters.
    let rat: String?
    /// The data session the usage belongs to, 1 to 255 characters.
    let sessionID: String?
    /// The device: a 15-digit IMEI or a 16-digit IMEISV.
    let imei: String?

    /// The accepted fields, in snake case; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, sim, imei, country, rat
        case sessionID = "session_id"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case bytesUp = "bytes_up"
        case bytesDown = "bytes_down"
        case mccMNC = "mcc_mnc"
    }

    /// A record read from elsewhere than JSON (a CSV row): text in every field, as sent.
    init(text field: (CodingKeys) -> String?) {
        id = field(.id)
        sim = field(.sim)
        startedAt = field(.startedAt)
        endedAt = field(.endedAt)
        // A field that is there but not a whole number stays visible as a bad value.
        bytesUp = field(.bytesUp).map { Int64($0) ?? -1 }
        bytesDown = field(.bytesDown).map { Int64($0) ?? -1 }
        mccMNC = field(.mccMNC)
        country = field(.country)
        rat = field(.rat)
        sessionID = field(.sessionID)
        imei = field(.imei)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        sim = try container.decodeIfPresent(String.self, forKey: .sim)
        startedAt = try container.decodeIfPresent(String.self, forKey: .startedAt)
        endedAt = try container.decodeIfPresent(String.self, forKey: .endedAt)
        // A count that is not a whole 64-bit number stays visible as a bad value of this
        // record alone (-1), instead of failing the whole request.
        func byteCount(_ key: CodingKeys) throws -> Int64? {
            switch try container.decodeWholeNumber(key) {
            case nil: nil
            case .value(let value)?: value
            case .notWhole?, .outOfRange?: -1
            }
        }
        bytesUp = try byteCount(.bytesUp)
        bytesDown = try byteCount(.bytesDown)
        mccMNC = try container.decodeIfPresent(String.self, forKey: .mccMNC)
        country = try container.decodeIfPresent(String.self, forKey: .country)
        rat = try container.decodeIfPresent(String.self, forKey: .rat)
        sessionID = try container.decodeIfPresent(String.self, forKey: .sessionID)
        imei = try container.decodeIfPresent(String.self, forKey: .imei)
    }

    /// The checked record, or the first problem with it, named at `records[index].field`.
    /// Times must lie between 2000 and a day past `now` (``UsageTimeBounds``).
    func validated(index: Int, now: Date) -> Result<ValidUsageRecord, DomainError> {
        func problem(_ field: String, _ code: String, _ message: String) -> Result<ValidUsageRecord, DomainError> {
            .failure(DomainError(.invalid, code: code, message: message, param: "records[\(index)].\(field)"))
        }
        guard let id else { return problem("id", "parameter_missing", "Each record needs the sender's own 'id' (1 to 255 characters, none of them a control character).") }
        // An id given but unusable is no missing one: a 300-character id was answered
        // `parameter_missing`, naming a field the sender had sent.
        if let wrong = TextLimit.violation(in: id, maximumLength: 255) {
            return problem("id", wrong.code, "'id' \(wrong.problem).")
        }
        guard !TextLimit.isBlank(id) else { return problem("id", "invalid_value", "'id' must not be blank.") }
        guard let simText = sim, let reference = try? SimReference(parsing: simText) else { return problem("sim", "invalid_sim", "'sim' must be a sim_ id or an ICCID.") }
        guard let startedText = startedAt, let started = RFC3339.date(from: startedText) else { return problem("started_at", "invalid_time", "'started_at' must be an RFC 3339 time.") }
        guard let endedText = endedAt, let ended = RFC3339.date(from: endedText), ended >= started else {
            return problem("ended_at", "invalid_time", "'ended_at' must be an RFC 3339 time not before 'started_at'.")
        }
        // Both ends share the bounds, and a message that names one would be wrong for the
        // other (a start a month ahead is not "before 2000").
        for (field, time) in [("started_at", started), ("ended_at", ended)] where !UsageTimeBounds.isPlausible(time, now: now) {
            return problem(field, "time_out_of_range", "'\(field)' must lie between 2000-01-01 and one day past the server's clock.")
        }
        guard let up = bytesUp, up >= 0 else { return problem("bytes_up", "value_out_of_range", "'bytes_up' must be a whole number of bytes, 0 to 9223372036854775807.") }
        guard let down = bytesDown, down >= 0 else { return problem("bytes_down", "value_out_of_range", "'bytes_down' must be a whole number of bytes, 0 to 9223372036854775807.") }
        var network: ServingNetwork?
        if let mccMNC {
            guard let parsed = ServingNetwork(mccMNC: mccMNC) else { return problem("mcc_mnc", "invalid_mcc_mnc", "'mcc_mnc' is the MCC and MNC, 5 or 6 digits.") }
            network = parsed
        }
        // The codes rules take: `XX` or `EU` passed, set `last_seen`, and put a SIM OFFLINE
        // under `country_not_in` for a country that does not exist.
        if let country, !CountryCodes.isCountryCode(country) {
            return problem("country", "invalid_country", "'country' is an ISO 3166-1 alpha-2 country code, in capitals, such as DE.")
        }
        if let rat, rat.isEmpty || TextLimit.problem(in: rat, maximumLength: 32) != nil {
            return problem("rat", "invalid_rat", "'rat' names the radio access technology (EUTRAN, NR, ...), up to 32 characters.")
        }
        if let sessionID, sessionID.isEmpty || TextLimit.problem(in: sessionID, maximumLength: 255) != nil {
            return problem("session_id", "invalid_session_id", "'session_id' is 1 to 255 characters.")
        }
        var device: IMEI?
        if let imei {
            guard let parsed = try? IMEI(fromNetwork: imei) else { return problem("imei", "invalid_imei", "'imei' is a 15-digit IMEI or 16-digit IMEISV.") }
            device = parsed
        }
        return .success(ValidUsageRecord(
            senderID: id, sim: reference, startedAt: started, endedAt: ended, bytesUp: UInt64(up), bytesDown: UInt64(down),
            mccMNC: network?.mccMNC, country: network?.country ?? country, rat: rat, sessionID: sessionID, imei: device
        ))
    }
}

/// A usage record that passed its checks.
struct ValidUsageRecord: Sendable {
    /// The sender's own id for the record, not yet scoped to its account.
    let senderID: String
    /// The SIM, by id or ICCID, not yet looked up.
    let sim: SimReference
    /// Start of the usage.
    let startedAt: Date
    /// End of the usage; not before `startedAt`.
    let endedAt: Date
    /// Bytes the device sent.
    let bytesUp: UInt64
    /// Bytes the device received.
    let bytesDown: UInt64
    /// MCC and MNC of the serving network, if sent.
    let mccMNC: String?
    /// ISO country: the serving network's when known, else the one sent.
    let country: String?
    /// Radio access technology, if sent.
    let rat: String?
    /// The data session, if sent.
    let sessionID: String?
    /// The device, if sent.
    let imei: IMEI?
}
