/// Decides the answer to an authenticated request. The server has already checked the
/// client, the authenticators and retransmissions, and signs whatever is returned.
public protocol RADIUSRequestHandler: Sendable {
    /// The reply (its authenticator is filled in by the server), or `nil` to stay silent.
    /// `sourceIP` is the address the datagram came from (the client entry may be a network).
    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket?
}

/// A handler that takes requests as they are read and answers each later, without a task of
/// its own per request: accounting, whose reports wait for a batch to commit and are then
/// answered hundreds at once.
///
/// A task per datagram, suspended until its batch committed and then resumed only to hand back
/// its reply, cost more than a third of the threads answering accounting: creating and freeing
/// each task, waking a thread to resume it, and the hop through the batcher. The server uses
/// ``take(_:from:sourceIP:answer:)`` instead of ``RADIUSRequestHandler/respond(to:from:sourceIP:)``
/// for handlers that offer it.
public protocol RADIUSQueueingHandler: RADIUSRequestHandler {
    /// Takes `request` and calls `answer` exactly once, from any thread, with the reply or
    /// `nil` to stay silent. Called on the thread reading the port: it must not block.
    func take(_ request: RADIUSPacket, from client: RADIUSClient, sourceIP: String, answer: @escaping @Sendable (RADIUSPacket?) -> Void)
}
