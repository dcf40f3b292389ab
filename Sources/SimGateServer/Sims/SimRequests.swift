import Foundation
import SimGateCore

/// Body of `POST /v1/sims/import`.
struct ImportSimsRequest: Decodable {
    /// The SIMs to import, 1 to ``SimService/maximumBatch``.
    let sims: [SimImportRow]
    /// Assigns the imported SIMs to this account at once.
    let account: AccountID?

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable { case sims, account }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        sims = try container.decode([SimImportRow].self, forKey: .sims)
        guard (1...SimService.maximumBatch).contains(sims.count) else {
            throw APIError.invalid("invalid_batch_size", "'sims' holds 1 to \(SimService.maximumBatch) SIMs per request.", param: "sims")
        }
        account = try container.decodeIdentifier(.account, AccountKind.self)
    }
}

/// One SIM of an import. Fields are kept as text so that every bad row can be reported at once.
struct SimImportRow: Decodable {
    /// ICCID as sent, not yet checked.
    let iccid: String
    /// IMSI as sent, not yet checked.
    let imsi: String
    /// Phone number as sent, if any.
    let msisdn: String?
    /// eUICC id as sent, if any.
    let eid: String?
    /// Stock serial number (`serial_number`, up to 64 characters); the ICCID when absent.
    let serialNumber: String?
    /// Longest serial number, in characters.
    static let serialNumberLength = 64
    /// Labels as sent; none when absent.
    let labels: [String]?
    /// Metadata as sent; none when absent.
    let metadata: [String: String]?

    /// The accepted fields (`serial_number` in snake case); any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case iccid, imsi, msisdn, eid, labels, metadata
        case serialNumber = "serial_number"
    }

    /// A row read from elsewhere than JSON (the administration CSV import).
    init(iccid: String, imsi: String, msisdn: String?, eid: String?, serialNumber: String?, labels: [String]?, metadata: [String: String]?) {
        self.iccid = iccid
        self.imsi = imsi
        self.msisdn = msisdn
        self.eid = eid
        self.serialNumber = serialNumber
        self.labels = labels
        self.metadata = metadata
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        iccid = try container.decode(String.self, forKey: .iccid)
        imsi = try container.decode(String.self, forKey: .imsi)
        msisdn = try container.decodeIfPresent(String.self, forKey: .msisdn)
        eid = try container.decodeIfPresent(String.self, forKey: .eid)
        serialNumber = try container.decodeText(.serialNumber, maximumLength: Self.serialNumberLength)
        labels = try container.decodeIfPresent([String].self, forKey: .labels)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata)
    }

    /// The row as domain values, or every problem it has, each at `sims[index].field`.
    func validated(index: Int) -> (sim: NewSim?, issues: [DomainError]) {
        var issues: [DomainError] = []
        func check<T>(_ field: String, _ make: () throws(ValidationError) -> T) -> T? {
            do { return try make() } catch {
                issues.append(error.at("sims[\(index)].\(field)"))
                return nil
            }
        }
        let iccid = check("iccid") { () throws(ValidationError) in try ICCID(self.iccid) }
        let imsi = check("imsi") { () throws(ValidationError) in try IMSI(self.imsi) }
        let msisdn = check("msisdn") { () throws(ValidationError) in try self.msisdn.map { t throws(ValidationError) in try MSISDN(t) } }
        let eid = check("eid") { () throws(ValidationError) in try self.eid.map { t throws(ValidationError) in try EID(t) } }
        let labels = check("labels") { () throws(ValidationError) in try SimLabels(self.labels ?? []) }
        let metadata = check("metadata") { () throws(ValidationError) in try SimMetadata(self.metadata ?? [:]) }
        // Checked here too, not only when JSON is decoded: rows read from a CSV file come
        // through this alone, and took serial numbers of any length, control characters and all.
        _ = check("serial_number") { () throws(ValidationError) in
            if let serialNumber { try Self.checkSerialNumber(serialNumber) }
        }
        guard issues.isEmpty, let iccid, let imsi, let msisdn, let eid, let labels, let metadata else { return (nil, issues) }
        return (NewSim(iccid: iccid, imsi: imsi, msisdn: msisdn, eid: eid, serialNumber: serialNumber, labels: labels, metadata: metadata), [])
    }

    /// Refuses a serial number no Cellhire request could name: blank (an import stored `""`,
    /// which Provision then refused as empty), longer than ``serialNumberLength`` or holding a
    /// control character.
    static func checkSerialNumber(_ serialNumber: String) throws(ValidationError) {
        if let wrong = TextLimit.violation(in: serialNumber, maximumLength: serialNumberLength) {
            throw ValidationError(code: wrong.code, message: "The serial number \(wrong.problem).")
        }
        if TextLimit.isBlank(serialNumber) {
            throw ValidationError(code: "invalid_value", message: "The serial number must not be blank; leave it out for the ICCID.")
        }
    }
}

/// Body of the single-SIM actions (`activate`, `suspend`, `unprovision`, `retire`, `unassign`).
struct SimActionRequest: Decodable {
    /// Why, recorded in the change's cause; optional.
    let reason: String?
    /// For `activate`: also lift other causes' holds (a customer never lifts the operator's).
    /// False when absent.
    let force: Bool

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable { case reason, force }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        reason = try container.decodeText(.reason, maximumLength: ChangeCause.maximumReasonLength, allowsLineBreaks: true)
        force = try container.decodeIfPresent(Bool.self, forKey: .force) ?? false
    }
}

/// Body of `POST /v1/sims/{id}/assign`.
struct AssignSimRequest: Decodable {
    /// The account to receive the SIM (required).
    let account: AccountID
    /// Why, recorded in the change's cause; optional.
    let reason: String?

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable { case account, reason }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        guard let account = try container.decodeIdentifier(.account, AccountKind.self) else {
            throw APIError.invalid("parameter_missing", "'account' is required.", param: "account")
        }
        self.account = account
        reason = try container.decodeText(.reason, maximumLength: ChangeCause.maximumReasonLength, allowsLineBreaks: true)
    }
}

/// Body of `POST /v1/sims/{id}`: labels replace, metadata merges (empty value removes), a
/// serial number replaces.
struct UpdateSimRequest: Decodable {
    /// New labels, replacing the old; nil leaves them.
    let labels: SimLabels?
    /// Changes merged into the SIM's metadata (an empty value removes its key); nil leaves it.
    let metadata: [String: String]?
    /// A new stock serial number; nil leaves it. Cellhire requests name SIMs by it, and refuse
    /// one that two SIMs of a company carry until each has its own.
    let serialNumber: String?

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case labels, metadata
        case serialNumber = "serial_number"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        if let labels = try container.decodeIfPresent([String].self, forKey: .labels) {
            do throws(ValidationError) { self.labels = try SimLabels(labels) } catch { throw error.at("labels") }
        } else {
            labels = nil
        }
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata)
        serialNumber = try container.decodeIfPresent(String.self, forKey: .serialNumber)
        if let serialNumber {
            do throws(ValidationError) { try SimImportRow.checkSerialNumber(serialNumber) } catch { throw error.at("serial_number") }
        }
    }
}

/// Body of `POST /v1/sims/bulk`.
struct BulkSimRequest: Decodable {
    /// What to do to every listed SIM.
    let action: BulkSimAction
    /// The SIMs, 1 to ``SimService/maximumBatch`` distinct ICCIDs.
    let iccids: [ICCID]
    /// The receiving account; required for `assign`.
    let account: AccountID?
    /// Why, recorded in each change's cause; optional.
    let reason: String?
    /// For `activate`, as in the single-SIM action; false when absent.
    let force: Bool

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable { case action, iccids, account, reason, force }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let actionText = try container.decode(String.self, forKey: .action)
        guard let action = BulkSimAction(rawValue: actionText) else {
            throw APIError.invalid(
                "invalid_value", "'action' must be one of \(BulkSimAction.allCases.map(\.rawValue).joined(separator: ", ")).", param: "action"
            )
        }
        self.action = action
        let texts = try container.decode([String].self, forKey: .iccids)
        guard (1...SimService.maximumBatch).contains(texts.count) else {
            throw APIError.invalid("invalid_batch_size", "'iccids' holds 1 to \(SimService.maximumBatch) ICCIDs per request.", param: "iccids")
        }
        var seen = Set<String>()
        iccids = try texts.enumerated().map { index, text in
            guard seen.insert(text).inserted else {
                throw APIError.invalid("duplicate_iccid", "ICCID \(text) is listed twice.", param: "iccids[\(index)]")
            }
            do throws(ValidationError) { return try ICCID(text) } catch { throw error.at("iccids[\(index)]") }
        }
        account = try container.decodeIdentifier(.account, AccountKind.self)
        if action == .assign, account == nil {
            throw APIError.invalid("parameter_missing", "'account' is required to assign.", param: "account")
        }
        reason = try container.decodeText(.reason, maximumLength: ChangeCause.maximumReasonLength, allowsLineBreaks: true)
        force = try container.decodeIfPresent(Bool.self, forKey: .force) ?? false
    }
}
