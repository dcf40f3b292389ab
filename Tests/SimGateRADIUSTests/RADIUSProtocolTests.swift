import Logging
import NIOCore
@testable import SimGateRADIUS
import SimGateTestSupport
import Synchronization
import Testing

/// What RFC 2865, 2866 and 5997 ask of a server beyond answering: echoing proxies' state,
/// answering health checks, refusing incomplete accounting, and owning its port.
@Suite("RADIUS protocol duties over UDP on loopback")
struct RADIUSProtocolTests {
    static let secret = RADIUSServerTests.secret
    static let pgw = RADIUSClient(name: "pgw", address: "127.0.0.1", secret: secret)
    static var key: [UInt8] { Array(secret.utf8) }

    static func proxyStates(_ packet: RADIUSPacket) -> [[UInt8]] {
        packet.attributes.filter { $0.type == RADIUSAttributeType.proxyState }.map(\.value)
    }

    static func accounting(_ attributes: [RADIUSAttribute], identifier: UInt8 = 1) -> RADIUSPacket {
        RADIUSAuthenticators.signRequest(
            RADIUSPacket(code: .accountingRequest, identifier: identifier, authenticator: [UInt8](repeating: 0, count: 16), attributes: attributes),
            secret: key
        )
    }

    static func statusServer(identifier: UInt8, signed: Bool = true) -> RADIUSPacket {
        let packet = RADIUSPacket(
            code: .statusServer, identifier: identifier, authenticator: (0..<16).map { _ in UInt8.random(in: 0...255) }, attributes: []
        )
        return signed ? RADIUSAuthenticators.signRequest(packet, secret: key) : packet
    }

    @Test("Proxy-State attributes come back unchanged and in order in Accept, Reject and Accounting-Response, inside the signature")
    func proxyStateIsEchoed() async throws {
        let states: [[UInt8]] = [Array("hop-1".utf8), [0x00, 0xFF, 0x10], Array("hop-3".utf8)]
        let proxied = states.map { RADIUSAttribute(type: RADIUSAttributeType.proxyState, value: $0) }
        try await RADIUSServerTests.withServer(clients: [Self.pgw]) { server, _ in
            for (identifier, user) in [(UInt8(1), "nemo"), (2, "stranger")] {
                var request = RADIUSPacket(code: .accessRequest, identifier: identifier, authenticator: (0..<16).map { _ in .random(in: 0...255) },
                                           attributes: [.text(RADIUSAttributeType.userName, user)] + proxied)
                request = RADIUSAuthenticators.signRequest(request, secret: Self.key)
                let replies = try await RADIUSUDPTestClient(serverPort: try await server.port()).exchange([request.encoded()], expecting: 1)
                let reply = try RADIUSPacket(decoding: try #require(replies.first))
                #expect(reply.code == (user == "nemo" ? .accessAccept : .accessReject))
                #expect(Self.proxyStates(reply) == states)
                #expect(RADIUSAuthenticators.isAuthenticReply(reply, to: request, secret: Self.key))
            }
        }
        try await RADIUSServerTests.withServer(role: .accounting, clients: [Self.pgw]) { server, _ in
            let request = Self.accounting([
                .integer(RADIUSAttributeType.acctStatusType, AccountingStatusType.start.rawValue),
                .text(RADIUSAttributeType.acctSessionID, "s-1"),
            ] + proxied)
            let client = try await RADIUSUDPTestClient(serverPort: try await server.port())
            // The retransmission is answered from the cache with the same echo.
            let replies = try await client.exchange([request.encoded()], expecting: 1)
            let reply = try RADIUSPacket(decoding: try #require(replies.first))
            #expect(reply.code == .accountingResponse)
            #expect(Self.proxyStates(reply) == states)
            #expect(RADIUSAuthenticators.isAuthenticReply(reply, to: request, secret: Self.key))
        }
    }

    @Test("Status-Server is answered on both ports with a signed Access-Accept or Accounting-Response, and only with a valid Message-Authenticator", arguments: [RADIUSServer.Role.authentication, .accounting])
    func statusServer(role: RADIUSServer.Role) async throws {
        try await RADIUSServerTests.withServer(role: role, clients: [Self.pgw]) { server, handler in
            let probe = Self.statusServer(identifier: 7)
            let replies = try await RADIUSUDPTestClient(serverPort: try await server.port()).exchange([probe.encoded()], expecting: 1)
            let reply = try RADIUSPacket(decoding: try #require(replies.first))
            #expect(reply.code == (role == .authentication ? .accessAccept : .accountingResponse))
            #expect(reply.identifier == 7)
            #expect(reply.attributes.first?.type == RADIUSAttributeType.messageAuthenticator)
            #expect(RADIUSAuthenticators.isAuthenticReply(reply, to: probe, secret: Self.key))
            // A second probe with the same identifier and authenticator is asked afresh, not
            // served from the retransmission cache.
            _ = try await RADIUSUDPTestClient(serverPort: try await server.port()).exchange([probe.encoded()], expecting: 1)
            #expect(server.statistics.retransmissionsAnswered == 0)
            #expect(server.statistics.received(.statusServer) == 2)

            var forged = Self.statusServer(identifier: 8)
            forged.attributes = [RADIUSAttribute(type: RADIUSAttributeType.messageAuthenticator, value: [UInt8](repeating: 7, count: 16))]
            let silent = try await RADIUSUDPTestClient(serverPort: try await server.port()).exchange(
                [Self.statusServer(identifier: 9, signed: false).encoded(), forged.encoded()], wait: .milliseconds(300), expecting: 0
            )
            #expect(silent.isEmpty)
            #expect(server.statistics.dropped(.missingMessageAuthenticator) == 1)
            #expect(server.statistics.dropped(.badAuthenticator) == 1)
            #expect(handler.calls.withLock { $0 } == 0)
        }
    }

    @Test("an Accounting-Request without Acct-Status-Type gets no answer and is counted as a drop with its reason")
    func accountingWithoutStatusType() async throws {
        try await RADIUSServerTests.withServer(role: .accounting, clients: [Self.pgw]) { server, handler in
            let request = Self.accounting([.text(RADIUSAttributeType.acctSessionID, "s-1"), .integer(RADIUSAttributeType.acctInputOctets, 10)])
            // Acct-Status-Type present but not a 32-bit integer is just as incomplete.
            let mangled = Self.accounting(
                [RADIUSAttribute(type: RADIUSAttributeType.acctStatusType, value: [1]), .text(RADIUSAttributeType.acctSessionID, "s-2")], identifier: 2
            )
            let replies = try await RADIUSUDPTestClient(serverPort: try await server.port()).exchange(
                [request.encoded(), mangled.encoded()], wait: .milliseconds(300), expecting: 0
            )
            #expect(replies.isEmpty)
            #expect(server.statistics.dropped(.missingStatusType) == 2)
            #expect(handler.calls.withLock { $0 } == 0)
        }
    }

    @Test("a request of the other port's kind is dropped as an unexpected code")
    func wrongPort() async throws {
        try await RADIUSServerTests.withServer(role: .accounting, clients: [Self.pgw]) { server, handler in
            let access = RADIUSServerTests.accessRequest(user: "nemo", identifier: 3)
            let replies = try await RADIUSUDPTestClient(serverPort: try await server.port()).exchange(
                [access.encoded()], wait: .milliseconds(300), expecting: 0
            )
            #expect(replies.isEmpty)
            #expect(server.statistics.dropped(.unexpectedCode) == 1)
            #expect(handler.calls.withLock { $0 } == 0)
        }
    }

    @Test("a second server cannot bind a port that another one holds: it fails to start with a clear error")
    func portInUse() async throws {
        try await RADIUSServerTests.withServer(clients: [Self.pgw]) { first, _ in
            let port = try await first.port()
            var logger = Logger(label: "radius.test")
            logger.logLevel = .critical
            let second = RADIUSServer(
                host: "127.0.0.1", port: port, role: .authentication, clients: RADIUSClientTable([Self.pgw]), handler: TestHandler(), logger: logger
            )
            let error = await #expect(throws: RADIUSBindError.self) { try await second.run() }
            #expect(error?.port == port)
            #expect(error?.description.contains("\(port)") == true)
            await #expect(throws: (any Error).self) { try await second.port() }
            // The first server still answers.
            let replies = try await RADIUSUDPTestClient(serverPort: port).exchange(
                [RADIUSServerTests.accessRequest(user: "nemo", identifier: 4).encoded()], expecting: 1
            )
            #expect(replies.count == 1)
        }
    }
}
