/// The Code octet of a RADIUS packet (RFC 2865, 2866, 5176, 5997).
public enum RADIUSCode: UInt8, Sendable, CaseIterable {
    /// Access-Request: a gateway asks whether a device may connect (RFC 2865 section 4.1).
    case accessRequest = 1
    /// Access-Accept: the device may connect (RFC 2865 section 4.2).
    case accessAccept = 2
    /// Access-Reject: the device may not connect (RFC 2865 section 4.3).
    case accessReject = 3
    /// Accounting-Request: a session's Start, Interim-Update or Stop (RFC 2866 section 4.1).
    case accountingRequest = 4
    /// Accounting-Response: the report is recorded (RFC 2866 section 4.2).
    case accountingResponse = 5
    /// Access-Challenge: the server wants more from the user (RFC 2865 section 4.4).
    case accessChallenge = 11
    /// A health check from a gateway or load balancer (RFC 5997).
    case statusServer = 12
    /// Disconnect-Request: asks a gateway to end a session (RFC 5176 section 2.1).
    case disconnectRequest = 40
    /// Disconnect-ACK: the gateway ended the session.
    case disconnectACK = 41
    /// Disconnect-NAK: the gateway did not end it; Error-Cause says why.
    case disconnectNAK = 42
    /// CoA-Request: asks a gateway to change a session's authorisation (RFC 5176 section 2.2).
    case coaRequest = 43
    /// CoA-ACK: the gateway made the change.
    case coaACK = 44
    /// CoA-NAK: the gateway did not make the change; Error-Cause says why.
    case coaNAK = 45
}
