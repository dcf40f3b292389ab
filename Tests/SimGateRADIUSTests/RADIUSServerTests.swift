import Logging
import NIOCore
@testable import SimGateRADIUS
import SimGateTestSupport
import Synchronization
import Testing

/// Accepts "nemo", rejects everyone else, and answers every accounting request; counts calls.
final class TestHandler: RADIUSRequestHandler {
    let calls = Mutex(0)

    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket? {
        calls.withLock { $0 += 1 }
        switch request.code {
        case .accountingRequest:
            return RADIUSPacket(code: .accountingResponse, identifier: 0, authenticator: [], attributes: [])
        default:
            let accepted = request.attribute(RADIUSAttributeType.userName)?.textValue == "nemo"
            return RADIUSPacket(code: accepted ? .accessAccept : .accessReject, identifier: 0, authenticator: [],
                                attributes: accepted ? [] : [.text(RADIUSAttributeType.replyMessage, "unknown SIM")])
        }
    }
}

@Suite("RADIUS server over UDP on loopback")
struct RADIUSServerTests {
    static let secret = "loopback-secret"

    /// Runs a server for `clients` around `body`.
    static func withServer(
        role: RADIUSServer.Role = .authentication, port: Int = 0, clients: [RADIUSClient], observer: (any RADIUSServerObserver)? = nil,
        _ body: @Sendable (RADIUSServer, TestHandler) async throws -> Void
    ) async throws {
        let handler = TestHandler()
        var logger = Logger(label: "radius.test")
        logger.logLevel = .critical
        let server = RADIUSServer(
            host: "127.0.0.1", port: port, role: role, clients: RADIUSClientTable(clients), handler: handler, logger: logger, observer: observer
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            _ = try await server.port()
            do {
                try await body(server, handler)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func accessRequest(user: String, identifier: UInt8, secret: String = secret, messageAuthenticator: Bool = true) -> RADIUSPacket {
        let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let packet = RADIUSPacket(code: .accessRequest, identifier: identifier, authenticator: authenticator, attributes: [
            .text(RADIUSAttributeType.userName, user),
        ])
        return messageAuthenticator ? RADIUSAuthenticators.signRequest(packet, secret: Array(secret.utf8)) : packet
    }

    @Test("an authentic Access-Request gets a signed answer; a retransmission gets the same bytes without a second decision")
    func accessAndRetransmission() async throws {
        try await Self.withServer(clients: [RADIUSClient(name: "pgw", address: "127.0.0.1", secret: Self.secret)]) { server, handler in
            let request = Self.accessRequest(user: "nemo", identifier: 9)
            let gateway = try await RADIUSUDPTestClient(serverPort: try await server.port())
            let gatewayPort = try #require(gateway.localPort)
            let first = try await gateway.exchange([request.encoded()], expecting: 1)
            // Sent again from the same port, as a gateway retransmits.
            let again = try await RADIUSUDPTestClient(serverPort: try await server.port(), localPort: gatewayPort).exchange([request.encoded()], expecting: 1)
            let replies = first + again
            try #require(replies.count == 2)
            #expect(replies[0] == replies[1])
            let reply = try RADIUSPacket(decoding: replies[0])
            #expect(reply.code == .accessAccept)
            #expect(reply.identifier == 9)
            #expect(RADIUSAuthenticators.hasValidMessageAuthenticator(reply, authenticator: request.authenticator, secret: Array(Self.secret.utf8)))
            #expect(reply.authenticator == RADIUSAuthenticators.md5Authenticator(of: reply, over: request.authenticator, secret: Array(Self.secret.utf8)))
            #expect(handler.calls.withLock { $0 } == 1)
            #expect(server.statistics.retransmissionsAnswered == 1)
            // Two copies at once: one decision. The second copy is either dropped while the first
            // is in flight or answered from the cache, so one reply is certain and a second is not.
            let burst = Self.accessRequest(user: "nemo", identifier: 10)
            let answered = try await RADIUSUDPTestClient(serverPort: try await server.port()).exchange([burst.encoded(), burst.encoded()], expecting: 1)
            #expect(answered.count == 1)
            #expect(handler.calls.withLock { $0 } == 2)
        }
    }

    @Test("requests without a Message-Authenticator, with a wrong secret, or from unknown clients are dropped and counted")
    func drops() async throws {
        try await Self.withServer(clients: [RADIUSClient(name: "pgw", address: "127.0.0.0/8", secret: Self.secret)]) { server, handler in
            let client = try await RADIUSUDPTestClient(serverPort: try await server.port())
            let replies = try await client.exchange([
                Self.accessRequest(user: "nemo", identifier: 1, messageAuthenticator: false).encoded(),
                Self.accessRequest(user: "nemo", identifier: 2, secret: "guessed").encoded(),
                [0x01, 0x02, 0x00],
                [UInt8](repeating: 0xFF, count: 64),
            ], wait: .milliseconds(300), expecting: 0)
            #expect(replies.isEmpty)
            #expect(server.statistics.dropped(.missingMessageAuthenticator) == 1)
            #expect(server.statistics.dropped(.badAuthenticator) == 1)
            #expect(server.statistics.dropped(.malformed) == 2)
            #expect(handler.calls.withLock { $0 } == 0)
        }
        try await Self.withServer(clients: [RADIUSClient(name: "elsewhere", address: "10.9.8.7", secret: Self.secret)]) { server, _ in
            let client = try await RADIUSUDPTestClient(serverPort: try await server.port())
            #expect(try await client.exchange([Self.accessRequest(user: "nemo", identifier: 3).encoded()], wait: .milliseconds(300), expecting: 0).isEmpty)
            #expect(server.statistics.dropped(.unknownClient) == 1)
        }
    }

    @Test("an Accounting-Request with a valid Request Authenticator gets a correctly signed Accounting-Response", .timeLimit(.minutes(1)))
    func accounting() async throws {
        let drops = DropWaiter()
        try await Self.withServer(role: .accounting, clients: [RADIUSClient(name: "pgw", address: "127.0.0.1", secret: Self.secret)], observer: drops) { server, _ in
            let client = try await RADIUSUDPTestClient(serverPort: try await server.port())
            let request = RADIUSAuthenticators.signRequest(RADIUSPacket(code: .accountingRequest, identifier: 4, authenticator: [UInt8](repeating: 0, count: 16), attributes: [
                .integer(RADIUSAttributeType.acctStatusType, AccountingStatusType.interimUpdate.rawValue),
                .text(RADIUSAttributeType.acctSessionID, "s-1"),
                .integer(RADIUSAttributeType.acctInputOctets, 1_000),
            ]), secret: Array(Self.secret.utf8))
            var forged = request
            forged.identifier = 5
            let replies = try await client.exchange([request.encoded(), forged.encoded()], expecting: 1)
            try #require(replies.count == 1)
            let reply = try RADIUSPacket(decoding: replies[0])
            #expect(reply.code == .accountingResponse)
            #expect(reply.authenticator == RADIUSAuthenticators.md5Authenticator(of: reply, over: request.authenticator, secret: Array(Self.secret.utf8)))
            // The forged copy is handled side by side with the request and may be dropped
            // after the reply arrives: await its drop rather than read the count at once
            // (which failed once in CI).
            await drops.waitFor(1)
            #expect(server.statistics.dropped(.badAuthenticator) == 1)
        }
    }

    @Test("a reply that echoing the request's Proxy-State would take past 4,096 octets is counted as a drop, not sent; with one Proxy-State fewer it is answered with every one echoed", .timeLimit(.minutes(1)))
    func replyTooLarge() async throws {
        let drops = DropWaiter()
        try await Self.withServer(clients: [RADIUSClient(name: "proxy", address: "127.0.0.1", secret: Self.secret)], observer: drops) { server, _ in
            let client = try await RADIUSUDPTestClient(serverPort: try await server.port())
            func request(_ proxyStates: [[UInt8]], identifier: UInt8) -> RADIUSPacket {
                let attributes = [RADIUSAttribute.text(RADIUSAttributeType.userName, "x")]
                    + proxyStates.map { RADIUSAttribute(type: RADIUSAttributeType.proxyState, value: $0) }
                let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
                return RADIUSAuthenticators.signRequest(
                    RADIUSPacket(code: .accessRequest, identifier: identifier, authenticator: authenticator, attributes: attributes), secret: Array(Self.secret.utf8)
                )
            }
            // A request of exactly 4,096 octets: User-Name "x" (3), the Message-Authenticator
            // (18) and 4,055 octets of Proxy-State. "x" is rejected, and the reply carries a
            // Reply-Message of 13 octets where the request had its User-Name: 4,106 octets.
            let proxyStates = (0..<16).map { [UInt8](repeating: UInt8($0), count: 245) } + [[UInt8](repeating: 0xAB, count: 101)]
            let tooLarge = request(proxyStates, identifier: 1)
            #expect(tooLarge.encoded().count == RADIUSPacket.maximumLength)
            // With one Proxy-State fewer the reply fits: every one is echoed, in order. Both go
            // from one socket; no time is waited out to show that the first gets no answer: its
            // drop is counted where its reply would have been sent, so once the drop is seen,
            // the count of replies says whether one went out.
            let fits = request(Array(proxyStates.dropLast()), identifier: 2)
            let answered = try await client.exchange([tooLarge.encoded(), fits.encoded()], expecting: 1)
            await drops.waitFor(1)
            #expect(server.statistics.dropped(.replyTooLarge) == 1)
            #expect(server.statistics.replied(.accessReject) == 1 && answered.count == 1)
            let reply = try RADIUSPacket(decoding: try #require(answered.first))
            #expect(reply.code == .accessReject && reply.identifier == 2)
            #expect(reply.attributes.filter { $0.type == RADIUSAttributeType.proxyState }.map(\.value) == Array(proxyStates.dropLast()))
            #expect(RADIUSAuthenticators.isAuthenticReply(reply, to: fits, secret: Array(Self.secret.utf8)))
        }
    }

    @Test("a client table prefers the host entry over its network")
    func clientTable() {
        let table = RADIUSClientTable([
            RADIUSClient(name: "net", address: "10.0.0.0/8", secret: "a"),
            RADIUSClient(name: "host", address: "10.1.2.3", secret: "b"),
        ])
        #expect(table.client(for: "10.1.2.3")?.name == "host")
        #expect(table.client(for: "10.200.0.1")?.name == "net")
        #expect(table.client(for: "192.168.0.1") == nil)
    }
}

/// Tells a test when the server has dropped so many datagrams, instead of it guessing a wait.
final class DropWaiter: RADIUSServerObserver {
    private let dropped = Mutex(0)
    private let waiters = CountWaiters()

    func requestReceived(_ code: RADIUSCode) {}
    func replySent(_ code: RADIUSCode, retransmission: Bool) {}
    func requestDropped(_ reason: RADIUSServerStatistics.DropReason) {
        dropped.withLock { dropped in
            dropped += 1
            waiters.reached(dropped)
        }
    }

    /// Returns once `count` datagrams have been dropped in all.
    func waitFor(_ count: Int) async {
        await waiters.wait(for: count)
    }
}
