/// The Code octet of a RADIUS packet (RFC 2865, 2866, 5176, 5997).
public enum RADIUSCode: UInt8, Sendable, CaseIterable {
    case accessRequest = 1
    case accessAccept = 2
    case accessReject = 3
    case accountingRequest = 4
    case accountingResponse = 5
    case accessChallenge = 11
    /// A health check from a gateway or load balancer (RFC 5997).
    case statusServer = 12
    case disconnectRequest = 40
    case disconnectACK = 41
    case disconnectNAK = 42
    case coaRequest = 43
    case coaACK = 44
    case coaNAK = 45
}
