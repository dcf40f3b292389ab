import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A RADIUS server on one UDP port: authenticates every datagram against its client's secret,
/// answers retransmissions from a cache, lets a ``RADIUSRequestHandler`` decide, and signs the
/// reply. Malformed datagrams, unknown clients and bad authenticators are dropped and counted;
/// nothing a client sends can stop the loop.
public final class RADIUSServer: Service, Sendable {
    private let host: String
    private let requestedPort: Int
    private let clients: RADIUSClientTable
    private let handler: any RADIUSRequestHandler
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void
    private let cache = ReplyCache()
    private let bound = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))
    /// Counts of what was answered and dropped.
    public let statistics = RADIUSServerStatistics()

    /// - Parameter port: 0 picks a free port (tests); ``port()`` tells which.
    /// - Parameter onListening: told the bound port once the socket is open.
    public init(
        host: String, port: Int, clients: RADIUSClientTable, handler: any RADIUSRequestHandler, logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.onListening = onListening
        self.host = host
        requestedPort = port
        self.clients = clients
        self.handler = handler
        self.logger = logger
    }

    /// The bound port, once the server is listening.
    public func port() async -> Int {
        await withCheckedContinuation { continuation in
            let known = bound.withLock { state -> Int? in
                if state.port == nil { state.waiters.append(continuation) }
                return state.port
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    public func run() async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Gateways send in bursts (a restart replays every session's accounting): a deep
            // socket buffer rides them out instead of dropping datagrams the gateway must
            // then retransmit, and vector reads take up to 64 datagrams per system call.
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: 64)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64 * RADIUSPacket.maximumLength))
            .bind(host: host, port: requestedPort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Let thousands of datagrams wait for a handler before reading pauses.
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 1_024, highWatermark: 4_096))
                    )
                }
            }
        let port = channel.channel.localAddress?.port ?? requestedPort
        let waiters = bound.withLock { state -> [CheckedContinuation<Int, Never>] in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
        onListening(port)
        logger.info("RADIUS listening", metadata: ["address": "\(host):\(port)"])

        try await withGracefulShutdownHandler {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await envelope in inbound {
                        group.addTask {
                            if let reply = await self.answer(envelope) {
                                try? await outbound.write(reply)
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            channel.channel.close(promise: nil)
        }
    }

    /// The reply to one datagram, or `nil` to drop it.
    func answer(_ envelope: AddressedEnvelope<ByteBuffer>) async -> AddressedEnvelope<ByteBuffer>? {
        guard let sourceIP = envelope.remoteAddress.ipAddress, let client = clients.client(for: sourceIP) else {
            statistics.recordDrop(.unknownClient)
            return nil
        }
        let request: RADIUSPacket
        do {
            request = try RADIUSPacket(decoding: envelope.data.readableBytesView)
        } catch {
            statistics.recordDrop(.malformed)
            return nil
        }
        if let dropReason = Self.verify(request, client: client) {
            statistics.recordDrop(dropReason)
            logger.debug("Dropped RADIUS packet", metadata: ["client": "\(client.name)", "reason": "\(dropReason.rawValue)"])
            return nil
        }
        switch cache.begin(client: sourceIP, request: request) {
        case .answered(let bytes):
            statistics.recordAnswer(retransmission: true)
            return AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: bytes))
        case .inFlight:
            statistics.recordDrop(.duplicateInFlight)
            return nil
        case .new:
            guard var reply = await handler.respond(to: request, from: client, sourceIP: sourceIP) else {
                cache.abandon(client: sourceIP, request: request)
                return nil
            }
            reply.identifier = request.identifier
            let signed = reply.code == .accountingResponse
                ? Self.signAccountingResponse(reply, to: request, secret: client.secret)
                : RADIUSAuthenticators.signReply(reply, to: request, secret: client.secret)
            let bytes = signed.encoded()
            cache.store(bytes, client: sourceIP, request: request)
            statistics.recordAnswer(retransmission: false)
            return AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: bytes))
        }
    }

    /// Why an incoming request must be dropped, or `nil` if it is authentic.
    static func verify(_ request: RADIUSPacket, client: RADIUSClient) -> RADIUSServerStatistics.DropReason? {
        switch request.code {
        case .accessRequest:
            let hasMessageAuthenticator = request.attribute(RADIUSAttributeType.messageAuthenticator) != nil
            if !hasMessageAuthenticator {
                return client.requireMessageAuthenticator ? .missingMessageAuthenticator : nil
            }
            return RADIUSAuthenticators.hasValidMessageAuthenticator(request, authenticator: request.authenticator, secret: client.secret) ? nil : .badAuthenticator
        case .accountingRequest:
            return RADIUSAuthenticators.hasValidRequestAuthenticator(request, secret: client.secret) ? nil : .badAuthenticator
        default:
            return .unexpectedCode
        }
    }

    static func signAccountingResponse(_ reply: RADIUSPacket, to request: RADIUSPacket, secret: [UInt8]) -> RADIUSPacket {
        var signed = reply
        signed.authenticator = RADIUSAuthenticators.md5Authenticator(of: reply, over: request.authenticator, secret: secret)
        return signed
    }
}
