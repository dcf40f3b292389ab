import SimGateCore

/// A validated row of a SIM import, before it has an id.
struct NewSim: Sendable {
    /// The card's ICCID; no two SIMs share one.
    let iccid: ICCID
    /// The subscriber identity the network knows the SIM by; no two SIMs share one.
    let imsi: IMSI
    /// The phone number, if the SIM has one; no two SIMs share one.
    let msisdn: MSISDN?
    /// The eUICC id (EID), if given.
    let eid: EID?
    /// The stock serial number; nil means the SIM takes its ICCID as one.
    let serialNumber: String?
    /// Labels to file the SIM under.
    let labels: SimLabels
    /// Free-form key-value pairs kept with the SIM.
    let metadata: SimMetadata
}

/// A well-formed import row and its position in the request (for error messages).
typealias IndexedNewSim = (index: Int, sim: NewSim)
