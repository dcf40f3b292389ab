/// Decides the answer to an authenticated request. The server has already checked the
/// client, the authenticators and retransmissions, and signs whatever is returned.
public protocol RADIUSRequestHandler: Sendable {
    /// The reply (its authenticator is filled in by the server), or `nil` to stay silent.
    /// `sourceIP` is the address the datagram came from (the client entry may be a network).
    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket?
}
