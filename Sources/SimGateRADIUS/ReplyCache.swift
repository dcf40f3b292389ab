import Synchronization

/// Replies recently sent, so a retransmitted request (same client, identifier and
/// authenticator) gets the same reply again instead of being processed twice.
final class ReplyCache: Sendable {
    private struct Key: Hashable {
        let client: String
        let identifier: UInt8
        let authenticator: [UInt8]
    }

    private struct Entry {
        /// `nil` while the first copy of the request is still being answered.
        let reply: [UInt8]?
        let storedAt: ContinuousClock.Instant
    }

    /// What to do with an incoming request.
    enum Lookup: Equatable {
        /// First sight: answer it, then ``store(_:client:request:)``.
        case new
        /// The same request is being answered right now: drop this copy; the client will
        /// retry and get the stored reply.
        case inFlight
        /// Answered before: send this again.
        case answered([UInt8])
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let lifetime: Duration

    /// - Parameter lifetime: how long a reply is kept; gateways retry within seconds.
    init(lifetime: Duration = .seconds(30)) {
        self.lifetime = lifetime
    }

    /// Looks the request up and, if it is new, marks it in flight.
    func begin(client: String, request: RADIUSPacket) -> Lookup {
        let now = ContinuousClock.now
        let key = Key(client: client, identifier: request.identifier, authenticator: request.authenticator)
        return entries.withLock { entries in
            if let entry = entries[key], now - entry.storedAt < lifetime {
                return entry.reply.map(Lookup.answered) ?? .inFlight
            }
            entries[key] = Entry(reply: nil, storedAt: now)
            return .new
        }
    }

    /// Forgets a request that got no reply, so a retry is answered afresh.
    func abandon(client: String, request: RADIUSPacket) {
        let key = Key(client: client, identifier: request.identifier, authenticator: request.authenticator)
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    func store(_ reply: [UInt8], client: String, request: RADIUSPacket) {
        let now = ContinuousClock.now
        let key = Key(client: client, identifier: request.identifier, authenticator: request.authenticator)
        entries.withLock { entries in
            entries[key] = Entry(reply: reply, storedAt: now)
            // Prune as we go; the map stays about as large as one lifetime of traffic.
            if entries.count > 1_024, entries.count % 256 == 0 {
                entries = entries.filter { now - $0.value.storedAt < lifetime }
            }
        }
    }
}
