@testable import SimGateRADIUS
import Synchronization
import Testing

@Suite("Reply cache for retransmissions")
struct ReplyCacheTests {
    static func request(_ identifier: UInt8) -> RADIUSPacket {
        RADIUSPacket(code: .accountingRequest, identifier: identifier, authenticator: [UInt8](repeating: identifier, count: 16), attributes: [])
    }

    @Test("a request is new, then in flight, then answered from the cache")
    func lifecycle() {
        let cache = ReplyCache()
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: Self.request(1)) == .new)
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: Self.request(1)) == .inFlight)
        #expect(cache.begin(client: "10.0.0.2", port: 1812, request: Self.request(1)) == .new, "another client is another request")
        cache.store([5, 1], client: "10.0.0.1", port: 1812, request: Self.request(1))
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: Self.request(1)) == .answered([5, 1]))
        cache.abandon(client: "10.0.0.2", port: 1812, request: Self.request(1))
        #expect(cache.begin(client: "10.0.0.2", port: 1812, request: Self.request(1)) == .new, "an abandoned request is answered afresh")
    }

    @Test("another source port is another request; a reused identifier with a new authenticator is a new request and takes the old one's place")
    func identifiersPerPort() {
        let cache = ReplyCache()
        let first = Self.request(1)
        var second = first
        second.authenticator = [UInt8](repeating: 9, count: 16)
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: first) == .new)
        #expect(cache.begin(client: "10.0.0.1", port: 1813, request: first) == .new, "another port")
        cache.store([5, 1], client: "10.0.0.1", port: 1812, request: first)
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: first) == .answered([5, 1]))
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: second) == .new, "the identifier reused once answered")
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: first) == .new, "the old request is forgotten")
        // A client that reused the identifier too early: the older request's late reply does
        // not displace the newer one's entry, and abandoning the older one leaves it too.
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: second) == .new)
        cache.store([5, 2], client: "10.0.0.1", port: 1812, request: first)
        cache.abandon(client: "10.0.0.1", port: 1812, request: first)
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: second) == .inFlight)
        cache.store([5, 3], client: "10.0.0.1", port: 1812, request: second)
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: second) == .answered([5, 3]))
        #expect(cache.count == 2, "one entry per address, port and identifier")
    }

    @Test("expired replies are dropped as new ones arrive, so the cache holds one lifetime of traffic")
    func expiry() {
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        let cache = ReplyCache(lifetime: .milliseconds(50), now: { start + elapsed.withLock { $0 } })
        for identifier in 0..<100 { cache.store([1], client: "10.0.0.1", port: 1812, request: Self.request(UInt8(identifier))) }
        #expect(cache.count == 100)
        elapsed.withLock { $0 = .milliseconds(49) }
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: Self.request(7)) == .answered([1]), "still within its lifetime")
        elapsed.withLock { $0 = .milliseconds(80) }
        cache.store([2], client: "10.0.0.1", port: 1812, request: Self.request(200))
        #expect(cache.count == 1)
        #expect(cache.begin(client: "10.0.0.1", port: 1812, request: Self.request(3)) == .new)
    }
}
