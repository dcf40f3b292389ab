import SimGateCore

/// Body of `POST /v1/sims/{id}/provision`: the tariff, and for an AOFU tariff the threshold
/// and bundle (in MB of 1,048,576 bytes).
struct ProvisionSimRequest: Decodable {
    /// The tariff number.
    let tariff: Int
    /// Hours after first use the SIM is unprovisioned; AOFU tariffs only.
    let threshold: ShutdownThreshold?
    /// The bundle in bytes; AOFU tariffs only.
    let bundleBytes: UInt64?
    /// Why, recorded in the change's cause; optional.
    let reason: String?

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case tariff, reason
        case shutdownThresholdHours = "shutdown_threshold_hours"
        case bundleSizeMB = "bundle_size_mb"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        tariff = try container.requireInteger(.tariff, in: 1...Tariff.maximumNumber)
        threshold = try container.decodeInteger(.shutdownThresholdHours, in: 1...ShutdownThreshold.maximumHours).flatMap(ShutdownThreshold.init(hours:))
        bundleBytes = try container.decodeInteger(.bundleSizeMB, in: 1...DataBundle.maximumMegabytes).flatMap(DataBundle.bytes(megabytes:))
        reason = try container.decodeText(.reason, maximumLength: ChangeCause.maximumReasonLength, allowsLineBreaks: true)
    }
}

/// Body of `POST /v1/sims/{id}/shutdown_threshold`.
struct ShutdownThresholdRequest: Decodable {
    /// Hours after first use, 1 to 2147483647.
    let threshold: ShutdownThreshold
    /// Why, recorded in the change's cause; optional.
    let reason: String?

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable { case hours, reason }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        // In range by the check just made.
        threshold = ShutdownThreshold(hours: try container.requireInteger(.hours, in: 1...ShutdownThreshold.maximumHours))!
        reason = try container.decodeText(.reason, maximumLength: ChangeCause.maximumReasonLength, allowsLineBreaks: true)
    }
}

/// Body of `POST /v1/sims/{id}/top_ups`.
struct TopUpRequest: Decodable {
    /// Bytes to add (from `amount_mb`, 1 to 2147483647 MB).
    let bytes: UInt64
    /// Why, recorded in the change's cause; optional.
    let reason: String?

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case reason
        case amountMB = "amount_mb"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        // In range by the check just made.
        bytes = DataBundle.bytes(megabytes: try container.requireInteger(.amountMB, in: 1...DataBundle.maximumMegabytes))!
        reason = try container.decodeText(.reason, maximumLength: ChangeCause.maximumReasonLength, allowsLineBreaks: true)
    }
}
