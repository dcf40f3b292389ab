/// Decides the answer to an authenticated request. The server has already checked the
/// client, the authenticators and retransmissions, and signs whatever is returned.
public protocol RADIUSRequestHandler: Sendable {
    /// The reply (its authenticator is filled in by the server), or `nil` to stay silent.
    func respond(to request: RADIUSPacket, from client: RADIUSClient) async -> RADIUSPacket?
}
