import Synchronization

/// Replies recently sent, so a retransmitted request gets the same reply again instead of
/// being processed twice.
///
/// A request is known by its client's address and port and its identifier, and is the same
/// request when its authenticator matches too (RFC 5080 section 2.2.2). A client may reuse an
/// identifier once its request is answered, so each address, port and identifier holds only
/// the latest request: the cache stays as small as the identifiers gateways have in use,
/// instead of one entry per request of the last lifetime (hundreds of thousands under an
/// accounting flood, each lookup then a miss in the processor's cache).
final class ReplyCache: Sendable {
    private struct Key: Hashable {
        let client: String
        let port: Int
        let identifier: UInt8
    }

    /// The authenticator as two integers, not an array: compared on every lookup, an array
    /// meant an allocation each time.
    private struct Authenticator: Equatable {
        let high: UInt64
        let low: UInt64

        init(_ request: RADIUSPacket) {
            // A request's authenticator is always 16 octets once decoded; a shorter one (a
            // packet built in code) is padded with zeros.
            var high: UInt64 = 0, low: UInt64 = 0
            for (index, byte) in request.authenticator.prefix(16).enumerated() {
                if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            self.high = high
            self.low = low
        }
    }

    private struct Entry {
        let authenticator: Authenticator
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

    /// The entries, and their keys in the order they were written so that expired ones are
    /// found from the front in constant time per request, however busy the server is.
    private struct State {
        var entries: [Key: Entry] = [:]
        var written: [(key: Key, at: ContinuousClock.Instant)] = []
        var oldest = 0
    }

    private let state = Mutex(State())
    private let lifetime: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameter lifetime: how long a reply is kept; gateways retry within seconds.
    /// - Parameter now: the time, injected so tests can move it.
    init(lifetime: Duration = .seconds(30), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.lifetime = lifetime
        self.now = now
    }

    /// Looks the request up and, if it is new, marks it in flight (in place of an earlier
    /// request with the same identifier from the same address and port).
    func begin(client: String, port: Int, request: RADIUSPacket) -> Lookup {
        let now = self.now()
        let key = Key(client: client, port: port, identifier: request.identifier)
        let authenticator = Authenticator(request)
        return state.withLock { state in
            if let entry = state.entries[key], entry.authenticator == authenticator, now - entry.storedAt < lifetime {
                return entry.reply.map(Lookup.answered) ?? .inFlight
            }
            write(Entry(authenticator: authenticator, reply: nil, storedAt: now), for: key, in: &state)
            return .new
        }
    }

    /// Forgets a request that got no reply, so a retry is answered afresh.
    func abandon(client: String, port: Int, request: RADIUSPacket) {
        let key = Key(client: client, port: port, identifier: request.identifier)
        let authenticator = Authenticator(request)
        state.withLock { state in
            if let index = state.entries.index(forKey: key), state.entries[index].value.authenticator == authenticator {
                state.entries.remove(at: index)
            }
        }
    }

    /// Keeps the reply sent to `request`, so copies of it within the lifetime get the same
    /// bytes; unless a newer request has taken its identifier meanwhile (a client that reuses
    /// one too early), whose entry stays.
    func store(_ reply: [UInt8], client: String, port: Int, request: RADIUSPacket) {
        let now = self.now()
        let key = Key(client: client, port: port, identifier: request.identifier)
        let authenticator = Authenticator(request)
        state.withLock { state in
            if let current = state.entries[key], current.authenticator != authenticator { return }
            write(Entry(authenticator: authenticator, reply: reply, storedAt: now), for: key, in: &state)
        }
    }

    /// How many replies (and requests in flight) are held.
    var count: Int { state.withLock { $0.entries.count } }

    private func write(_ entry: Entry, for key: Key, in state: inout State) {
        state.entries[key] = entry
        state.written.append((key, entry.storedAt))
        // Drop what expired, oldest first. A key written again since has a newer time in the
        // map, and stays.
        while state.oldest < state.written.count, entry.storedAt - state.written[state.oldest].at >= lifetime {
            let expired = state.written[state.oldest]
            if let index = state.entries.index(forKey: expired.key), state.entries[index].value.storedAt == expired.at {
                state.entries.remove(at: index)
            }
            state.oldest += 1
        }
        if state.oldest > 4_096, state.oldest * 2 > state.written.count {
            state.written.removeFirst(state.oldest)
            state.oldest = 0
        }
    }
}
