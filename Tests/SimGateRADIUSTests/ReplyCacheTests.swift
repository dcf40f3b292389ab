@testable import SimGateRADIUS
import NIOCore
import Synchronization
import Testing

@Suite("Reply cache for retransmissions")
struct ReplyCacheTests {
    static func request(_ identifier: UInt8) -> RADIUSPacket {
        RADIUSPacket(code: .accountingRequest, identifier: identifier, authenticator: [UInt8](repeating: identifier, count: 16), attributes: [])
    }

    static func address(_ ip: String, _ port: Int) throws -> SocketAddress {
        try SocketAddress(ipAddress: ip, port: port)
    }

    @Test("a request is new, then in flight, then answered from the cache")
    func lifecycle() throws {
        let cache = ReplyCache()
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: Self.request(1)) == .new)
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: Self.request(1)) == .inFlight)
        #expect(cache.begin(from: try Self.address("10.0.0.2", 1812), request: Self.request(1)) == .new, "another client is another request")
        cache.store([5, 1], from: try Self.address("10.0.0.1", 1812), request: Self.request(1))
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: Self.request(1)) == .answered([5, 1]))
        cache.abandon(from: try Self.address("10.0.0.2", 1812), request: Self.request(1))
        #expect(cache.begin(from: try Self.address("10.0.0.2", 1812), request: Self.request(1)) == .new, "an abandoned request is answered afresh")
    }

    @Test("another source port is another request; a reused identifier with a new authenticator is a new request and takes the old one's place")
    func identifiersPerPort() throws {
        let cache = ReplyCache()
        let first = Self.request(1)
        var second = first
        second.authenticator = [UInt8](repeating: 9, count: 16)
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: first) == .new)
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1813), request: first) == .new, "another port")
        cache.store([5, 1], from: try Self.address("10.0.0.1", 1812), request: first)
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: first) == .answered([5, 1]))
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: second) == .new, "the identifier reused once answered")
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: first) == .new, "the old request is forgotten")
        // A client that reused the identifier too early: the older request's late reply does
        // not displace the newer one's entry, and abandoning the older one leaves it too.
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: second) == .new)
        cache.store([5, 2], from: try Self.address("10.0.0.1", 1812), request: first)
        cache.abandon(from: try Self.address("10.0.0.1", 1812), request: first)
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: second) == .inFlight)
        cache.store([5, 3], from: try Self.address("10.0.0.1", 1812), request: second)
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: second) == .answered([5, 3]))
        #expect(cache.count == 2, "one entry per address, port and identifier")
    }

    @Test("expired replies are dropped as new ones arrive, so the cache holds at most two lifetimes of traffic")
    func expiry() throws {
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        let cache = ReplyCache(lifetime: .milliseconds(50), now: { start + elapsed.withLock { $0 } })
        for identifier in 0..<100 { cache.store([1], from: try Self.address("10.0.0.1", 1812), request: Self.request(UInt8(identifier))) }
        #expect(cache.count == 100)
        elapsed.withLock { $0 = .milliseconds(49) }
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: Self.request(7)) == .answered([1]), "still within its lifetime")
        elapsed.withLock { $0 = .milliseconds(80) }
        cache.store([2], from: try Self.address("10.0.0.1", 1812), request: Self.request(200))
        #expect(cache.count == 1)
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: Self.request(3)) == .new)
    }

    @Test("IPv6 clients are told apart by every octet of their address, and from an IPv4 client")
    func ipv6() throws {
        let cache = ReplyCache()
        cache.store([5, 1], from: try Self.address("2001:db8::1", 1812), request: Self.request(1))
        #expect(cache.begin(from: try Self.address("2001:db8::1", 1812), request: Self.request(1)) == .answered([5, 1]))
        #expect(cache.begin(from: try Self.address("2001:db8::2", 1812), request: Self.request(1)) == .new, "last octet differs")
        #expect(cache.begin(from: try Self.address("3001:db8::1", 1812), request: Self.request(1)) == .new, "first octet differs")
        #expect(cache.begin(from: try Self.address("::ffff:10.0.0.1", 1812), request: Self.request(1)) == .new)
        #expect(cache.begin(from: try Self.address("10.0.0.1", 1812), request: Self.request(1)) == .new, "IPv4 is another client")
    }

    @Test("under steady traffic from ever new ports the cache keeps no more than two lifetimes of requests")
    func boundedUnderChurn() throws {
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        let cache = ReplyCache(lifetime: .milliseconds(100), now: { start + elapsed.withLock { $0 } })
        var largest = 0
        // One request a millisecond for a second, each from a new source port: ten lifetimes.
        for millisecond in 0..<1_000 {
            elapsed.withLock { $0 = .milliseconds(millisecond) }
            let port = 20_000 + millisecond
            #expect(cache.begin(from: try Self.address("10.0.0.1", port), request: Self.request(1)) == .new)
            cache.store([5, 1], from: try Self.address("10.0.0.1", port), request: Self.request(1))
            largest = max(largest, cache.count)
        }
        #expect(largest <= 201, "held \(largest) entries for 100 a lifetime")
        #expect(largest > 100, "expired entries are swept once a lifetime, not at every request")
        // The latest request is still answered from the cache.
        #expect(cache.begin(from: try Self.address("10.0.0.1", 20_999), request: Self.request(1)) == .answered([5, 1]))
    }
}
