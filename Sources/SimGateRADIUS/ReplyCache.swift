import Synchronization

/// Replies recently sent, so a retransmitted request (same client, identifier and
/// authenticator) gets the same reply again instead of being processed twice.
final class ReplyCache: Sendable {
    /// The authenticator is held as two integers, not an array: a key is made and hashed
    /// several times per request, and an array meant an allocation and sixteen byte-wise
    /// hash steps each time.
    private struct Key: Hashable {
        let client: String
        let identifier: UInt8
        let authenticatorHigh: UInt64
        let authenticatorLow: UInt64

        init(client: String, request: RADIUSPacket) {
            self.client = client
            identifier = request.identifier
            // A request's authenticator is always 16 octets once decoded; a shorter one (a
            // packet built in code) is padded with zeros.
            var high: UInt64 = 0, low: UInt64 = 0
            for (index, byte) in request.authenticator.prefix(16).enumerated() {
                if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            authenticatorHigh = high
            authenticatorLow = low
        }
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

    /// Looks the request up and, if it is new, marks it in flight.
    func begin(client: String, request: RADIUSPacket) -> Lookup {
        let now = self.now()
        let key = Key(client: client, request: request)
        return state.withLock { state in
            if let entry = state.entries[key], now - entry.storedAt < lifetime {
                return entry.reply.map(Lookup.answered) ?? .inFlight
            }
            write(Entry(reply: nil, storedAt: now), for: key, in: &state)
            return .new
        }
    }

    /// Forgets a request that got no reply, so a retry is answered afresh.
    func abandon(client: String, request: RADIUSPacket) {
        let key = Key(client: client, request: request)
        _ = state.withLock { $0.entries.removeValue(forKey: key) }
    }

    /// Keeps the reply sent to `request`, so copies of it within the lifetime get the same bytes.
    func store(_ reply: [UInt8], client: String, request: RADIUSPacket) {
        let now = self.now()
        let key = Key(client: client, request: request)
        state.withLock { write(Entry(reply: reply, storedAt: now), for: key, in: &$0) }
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
            if state.entries[expired.key]?.storedAt == expired.at { state.entries.removeValue(forKey: expired.key) }
            state.oldest += 1
        }
        if state.oldest > 4_096, state.oldest * 2 > state.written.count {
            state.written.removeFirst(state.oldest)
            state.oldest = 0
        }
    }
}
