import Foundation
import SimGateCore

/// What a submission asks, validated: the form stored on its ticket for the job that carries
/// it out. Field names follow Cellhire's.
struct SubmissionPayload: Codable, Equatable, Sendable {
    /// The SIMs, by stock serial number, in the order given.
    var serialNumbers: [String]
    /// Provision: the MSISDN given with each stock entry, if any, which must match the SIM's.
    var msisdns: [String?]?
    /// Provision: the tariff.
    var tariffNumber: Int?
    /// Provision and ConfigureThreshold: hours after first use.
    var shutdownThreshold: Int?
    /// Provision: the bundle, in MB.
    var bundleSizeMb: Int?
    /// TopUp: MB to add.
    var amountMb: Int?
    /// Provision: the order it belongs to, kept for the record.
    var provisioningOrderNumber: Int?
    /// Provision: the name of a new provisioning order, kept for the record.
    var newProvisioningOrderName: String?
    /// Provision: bolt-on numbers, kept for the record.
    var boltOns: [Int]?
    /// Provision: the customer's purchase order numbers, kept for the record.
    var purchaseOrderNumber: String?

    /// A payload naming only SIMs; the rest is filled by the kind's request.
    init(serialNumbers: [String]) {
        self.serialNumbers = serialNumbers
    }

    /// Largest number of SIMs in one submission.
    static let maximumSIMs = 1_000
    /// Largest value of a Cellhire number field (a signed 32-bit integer).
    static let maximumNumber = 2_147_483_647

    /// Serial numbers from a `serialNumbers` list: 1 to ``maximumSIMs`` non-blank strings, none twice.
    static func serialNumbers<Keys: CodingKey>(_ container: KeyedDecodingContainer<Keys>, key: Keys) throws -> [String] {
        guard let serials = try container.decodeIfPresent([String].self, forKey: key) else {
            throw APIError.invalid("parameter_missing", "'serialNumbers' is required.", param: "serialNumbers")
        }
        try checkCount(serials.count, field: "serialNumbers")
        for (index, serial) in serials.enumerated() { try checkSerial(serial, param: "serialNumbers[\(index)]") }
        try checkDuplicates(serials) { "serialNumbers[\($0)]" }
        return serials
    }

    /// Refuses a list of SIMs that is empty or longer than ``maximumSIMs``.
    static func checkCount(_ count: Int, field: String) throws {
        guard (1...maximumSIMs).contains(count) else {
            throw APIError.invalid("invalid_value", "'\(field)' holds 1 to \(maximumSIMs) entries.", param: field)
        }
    }

    /// Refuses a blank serial number, or one over 64 characters.
    static func checkSerial(_ serial: String, param: String) throws {
        try RequestText.requireNonBlank(serial, param: param, maximumLength: 64)
    }

    /// Refuses a serial number given twice, naming the second. Compared byte for byte, as the
    /// database compares them: Swift's `String` equality takes `é` and `e` with a combining
    /// accent for one, and two SIMs with those serial numbers could not be provisioned together.
    static func checkDuplicates(_ serials: [String], param: (Int) -> String) throws {
        if let index = RequestText.firstRepeat(in: serials) {
            throw APIError.invalid("duplicate_serial_number", "Serial number \(TextLimit.quoted(serials[index], maximumLength: 64)) is given twice.", param: param(index))
        }
    }
}

/// Body of `POST /api/simSubmission/Provision`.
struct ProvisionSubmissionRequest: Decodable {
    /// The validated submission.
    let payload: SubmissionPayload

    /// The documented fields; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case stock, tariffNumber, provisioningOrderNumber, createNewProvisioningOrder, newProvisioningOrderName
        case boltOns, purchaseOrderNumber, shutdownThreshold, bundleSizeMb
    }

    /// One entry of `stock`.
    struct StockEntry: Decodable {
        /// The SIM's stock serial number.
        let serialNumber: String
        /// The MSISDN, which must be the SIM's when given.
        let msisdn: String?

        /// The documented fields; any other is refused.
        enum CodingKeys: String, CodingKey, CaseIterable { case serialNumber, msisdn }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            serialNumber = try container.decode(String.self, forKey: .serialNumber)
            msisdn = try container.decodeIfPresent(String.self, forKey: .msisdn)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        guard let stock = try container.decodeIfPresent([StockEntry].self, forKey: .stock) else {
            throw APIError.invalid("parameter_missing", "'stock' is required.", param: "stock")
        }
        try SubmissionPayload.checkCount(stock.count, field: "stock")
        for (index, entry) in stock.enumerated() { try SubmissionPayload.checkSerial(entry.serialNumber, param: "stock[\(index)].serialNumber") }
        try SubmissionPayload.checkDuplicates(stock.map(\.serialNumber)) { "stock[\($0)].serialNumber" }
        var payload = SubmissionPayload(serialNumbers: stock.map(\.serialNumber))
        payload.msisdns = stock.map(\.msisdn)
        let limit = SubmissionPayload.maximumNumber
        payload.tariffNumber = try container.requireInteger(.tariffNumber, in: 1...limit)
        payload.shutdownThreshold = try container.decodeInteger(.shutdownThreshold, in: 1...limit)
        payload.bundleSizeMb = try container.decodeInteger(.bundleSizeMb, in: 1...limit)
        payload.provisioningOrderNumber = try container.decodeInteger(.provisioningOrderNumber, in: 1...limit)
        let createsOrder = try container.decodeIfPresent(Bool.self, forKey: .createNewProvisioningOrder) ?? false
        if createsOrder {
            guard let name = try container.decodeIfPresent(String.self, forKey: .newProvisioningOrderName) else {
                throw APIError.invalid("parameter_missing", "'newProvisioningOrderName' is required with createNewProvisioningOrder.", param: "newProvisioningOrderName")
            }
            guard (1...256).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw APIError.invalid("invalid_value", "'newProvisioningOrderName' is 1 to 256 letters and digits.", param: "newProvisioningOrderName")
            }
            payload.newProvisioningOrderName = name
        } else if payload.provisioningOrderNumber == nil {
            throw APIError.invalid(
                "parameter_missing", "'provisioningOrderNumber' is required, or createNewProvisioningOrder with newProvisioningOrderName.",
                param: "provisioningOrderNumber"
            )
        }
        let boltOnsProblem = APIError.invalid("invalid_value", "'boltOns' holds up to 100 numbers from 1 to \(limit).", param: "boltOns")
        let readBoltOns: [Int64]?
        do {
            readBoltOns = try container.decodeIfPresent([Int64].self, forKey: .boltOns)
        } catch {
            // A fraction or a string among them: the field is named like any other refusal.
            // (Foundation's decoder reports a fraction read as an integer as an error of its
            // own, which only its outermost call turns into "not valid JSON", with no path.)
            throw boltOnsProblem
        }
        if let boltOns = readBoltOns {
            guard boltOns.count <= 100, boltOns.allSatisfy({ (1...Int64(limit)).contains($0) }) else { throw boltOnsProblem }
            payload.boltOns = boltOns.map { Int($0) }
        }
        if let orders = try container.decodeIfPresent(String.self, forKey: .purchaseOrderNumber) {
            guard TextLimit.problem(in: orders, maximumLength: 100) == nil,
                  orders.split(separator: ",", omittingEmptySubsequences: false).count <= 5 else {
                throw APIError.invalid("invalid_value", "'purchaseOrderNumber' is at most 5 comma-separated values and 100 characters, without control characters.", param: "purchaseOrderNumber")
            }
            payload.purchaseOrderNumber = orders
        }
        self.payload = payload
    }
}

/// Body of `POST /api/simSubmission/ConfigureThreshold`.
struct ConfigureThresholdSubmissionRequest: Decodable {
    /// The validated submission.
    let payload: SubmissionPayload

    /// The documented fields; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case serialNumbers, shutdownThreshold }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        var payload = SubmissionPayload(serialNumbers: try SubmissionPayload.serialNumbers(container, key: .serialNumbers))
        payload.shutdownThreshold = try container.requireInteger(.shutdownThreshold, in: 1...SubmissionPayload.maximumNumber)
        self.payload = payload
    }
}

/// Body of `POST /api/simSubmission/TopUp`.
struct TopUpSubmissionRequest: Decodable {
    /// The validated submission.
    let payload: SubmissionPayload

    /// The documented fields; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case serialNumbers, amountMb }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        var payload = SubmissionPayload(serialNumbers: try SubmissionPayload.serialNumbers(container, key: .serialNumbers))
        payload.amountMb = try container.requireInteger(.amountMb, in: 1...SubmissionPayload.maximumNumber)
        self.payload = payload
    }
}

/// Body of `POST /api/simSubmission/Unprovision`.
struct UnprovisionSubmissionRequest: Decodable {
    /// The validated submission.
    let payload: SubmissionPayload

    /// The documented field; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case serialNumbers }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        payload = SubmissionPayload(serialNumbers: try SubmissionPayload.serialNumbers(container, key: .serialNumbers))
    }
}
