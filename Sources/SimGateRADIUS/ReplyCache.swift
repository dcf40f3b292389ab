import NIOCore
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
    /// The client's address and port as integers, not the address's text: it is hashed twice
    /// for every request, and a string was hashed byte by byte.
    private struct Key: Hashable {
        /// IPv4: 0; IPv6: its first eight octets.
        let high: UInt64
        /// IPv4: the address; IPv6: its last eight octets.
        let low: UInt64
        let port: UInt16
        let family: UInt8
        let identifier: UInt8

        init(_ address: SocketAddress, _ identifier: UInt8) {
            self.identifier = identifier
            port = UInt16(truncatingIfNeeded: address.port ?? 0)
            switch address {
            case .v4(let v4):
                (high, low, family) = (0, UInt64(v4.address.sin_addr.s_addr), 4)
            case .v6(let v6):
                var octets = v6.address.sin6_addr
                (high, low) = withUnsafeBytes(of: &octets) { ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
                family = 6
            case .unixDomainSocket:
                // Not a RADIUS client's address; all such share one key per identifier.
                (high, low, family) = (0, 0, 0)
            }
        }
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
        /// First sight: answer it, then ``store(_:from:request:)``.
        case new
        /// The same request is being answered right now: drop this copy; the client will
        /// retry and get the stored reply.
        case inFlight
        /// Answered before: send this again.
        case answered([UInt8])
    }

    /// The entries, and when expired ones were last swept out.
    private struct State {
        var entries: [Key: Entry] = [:]
        var sweptAt: ContinuousClock.Instant
    }

    private let state: Mutex<State>
    private let lifetime: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameter lifetime: how long a reply is kept; gateways retry within seconds.
    /// - Parameter now: the time, injected so tests can move it.
    init(lifetime: Duration = .seconds(30), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.lifetime = lifetime
        self.now = now
        state = Mutex(State(sweptAt: now()))
    }

    /// Looks the request up and, if it is new, marks it in flight (in place of an earlier
    /// request with the same identifier from the same address and port).
    func begin(from address: SocketAddress, request: RADIUSPacket) -> Lookup {
        let now = self.now()
        let key = Key(address, request.identifier)
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
    func abandon(from address: SocketAddress, request: RADIUSPacket) {
        let key = Key(address, request.identifier)
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
    func store(_ reply: [UInt8], from address: SocketAddress, request: RADIUSPacket) {
        let now = self.now()
        let key = Key(address, request.identifier)
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
        // Once a lifetime, what expired is swept out in one pass: the cache never holds more
        // than two lifetimes' keys, and each request pays a share of one pass. (A list of
        // keys in the order written found expired ones one by one instead, but it took two
        // appends per request and grew to a lifetime of requests, copied as it grew.)
        let now = entry.storedAt
        guard now - state.sweptAt >= lifetime else { return }
        let lifetime = self.lifetime
        state.entries = state.entries.filter { now - $0.value.storedAt < lifetime }
        state.sweptAt = now
    }
}
