import SimGateCore

/// A validated row of a SIM import, before it has an id.
struct NewSim: Sendable {
    let iccid: ICCID
    let imsi: IMSI
    let msisdn: MSISDN?
    let eid: EID?
    let serialNumber: String?
    let labels: SimLabels
    let metadata: SimMetadata
}

/// A well-formed import row and its position in the request (for error messages).
typealias IndexedNewSim = (index: Int, sim: NewSim)
