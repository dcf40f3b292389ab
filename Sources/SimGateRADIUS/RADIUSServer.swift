import CSimGateLinux
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A RADIUS server on one UDP port: authenticates every datagram against its client's secret,
/// answers retransmissions from a cache and Status-Server (RFC 5997) itself, lets a
/// ``RADIUSRequestHandler`` decide the rest, echoes Proxy-State and signs the reply.
/// Malformed datagrams, unknown clients and bad authenticators are dropped, counted and
/// logged; nothing a client sends can stop the loop.
public final class RADIUSServer: Service, Sendable {
    /// Which RADIUS service the port offers: the requests it takes and how it answers Status-Server.
    public enum Role: String, Sendable {
        /// Access-Request; Status-Server gets Access-Accept.
        case authentication
        /// Accounting-Request; Status-Server gets Accounting-Response.
        case accounting

        /// The request code this port serves.
        var requestCode: RADIUSCode { self == .authentication ? .accessRequest : .accountingRequest }
        /// The code a Status-Server is answered with on this port (RFC 5997 section 3).
        var statusReplyCode: RADIUSCode { self == .authentication ? .accessAccept : .accountingResponse }
    }

    private let host: String
    private let requestedPort: Int
    private let role: Role
    private let clients: RADIUSClientTable
    private let handler: any RADIUSRequestHandler
    private let logger: Logger
    private let dropLog: RADIUSDropLog
    private let onListening: @Sendable (Int) -> Void
    private let backlogLimit: Int
    private let cache = ReplyCache()
    private let bound = Mutex<(port: Result<Int, any Error>?, waiters: [CheckedContinuation<Int, any Error>])>((nil, []))
    /// Counts of what was received, answered and dropped.
    public let statistics: RADIUSServerStatistics

    /// - Parameter port: 0 picks a free port (tests); ``port()`` tells which.
    /// - Parameter observer: told of every request, reply and drop (metrics).
    /// - Parameter backlogLimit: how many requests may wait for their answers (an accounting
    ///   batch to commit, an Access-Request's lookup) before the port stops reading. 8,192 is a second or two of a busy gateway's accounting, far more than
    ///   a healthy database ever keeps waiting, and a few megabytes at most.
    /// - Parameter onListening: told the bound port once the socket is open.
    public init(
        host: String, port: Int, role: Role, clients: RADIUSClientTable, handler: any RADIUSRequestHandler, logger: Logger,
        observer: (any RADIUSServerObserver)? = nil, backlogLimit: Int = 8_192, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.onListening = onListening
        self.backlogLimit = backlogLimit
        self.host = host
        requestedPort = port
        self.role = role
        self.clients = clients
        self.handler = handler
        self.logger = logger
        dropLog = RADIUSDropLog(logger: logger)
        statistics = RADIUSServerStatistics(observer: observer)
    }

    /// The bound port once the server is listening; throws the bind error if it could not.
    public func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let known = bound.withLock { state -> Result<Int, any Error>? in
                if state.port == nil { state.waiters.append(continuation) }
                return state.port
            }
            if let known { continuation.resume(with: known) }
        }
    }

    private func announce(_ result: Result<Int, any Error>) {
        let waiters = bound.withLock { state -> [CheckedContinuation<Int, any Error>] in
            state.port = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// Binds the port and answers datagrams concurrently until graceful shutdown; throws
    /// ``RADIUSBindError`` if the port cannot be opened.
    public func run() async throws {
        // Access-Requests get an event loop of their own, which reads the datagram, answers it
        // and writes the reply, all on one thread that is otherwise idle. Queued on the shared
        // cooperative pool, each one waited behind the accounting reports already there (p99
        // 12-15 ms under load). On a thread of its own but read and written by a shared event
        // loop, busy with accounting, it still crossed threads twice (p99 7.5-8.3 ms; 5.4 ms
        // on a loop of its own). The SIM's read runs in place there too (ReservedReader),
        // blocking only this loop, which has nothing else to do.
        let ownLoop = role == .authentication ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let executor = ownLoop.map { EventLoopTaskExecutor($0.next()) }
        if let ownLoop { try? await ownLoop.next().submit { Self.prepareAuthenticationThread(logger: self.logger) }.get() }
        var failure: (any Error)?
        do {
            try await serve(on: ownLoop ?? MultiThreadedEventLoopGroup.singleton, executor: executor)
        } catch {
            failure = error
        }
        executor?.close()
        try? await ownLoop?.shutdownGracefully()
        if let failure { throw failure }
    }

    /// Names the authentication loop's thread (for profiles and `top -H`) and asks the kernel
    /// for short time slices for it (0.1 ms). With the default slice, the thread woken by a
    /// datagram on two busy cores waited for another thread's slice to run out; with a short
    /// one it runs first (`bench radius`: Access-Request p99 under load 5.4 ms before, 3.1-4.6
    /// after). It answers one request in well under a slice, so its share of the CPU is as before.
    private static func prepareAuthenticationThread(logger: Logger) {
        Thread.current.name = "radius-auth"
        let refused = simgate_request_time_slice(100_000)
        if refused != 0 { logger.debug("Kernel kept its default time slice for RADIUS authentication", metadata: ["errno": "\(refused)"]) }
    }

    /// Serves the port from the event loop that reads it (``PortHandler``), with the tasks
    /// that answer requests on `executor` (the shared pool when nil), until graceful shutdown
    /// or cancellation. On graceful shutdown it returns once every request taken has been
    /// answered; cancelled, at once. Replies that come after the port has closed are dropped,
    /// and their clients retry.
    private func serve(on group: MultiThreadedEventLoopGroup, executor: EventLoopTaskExecutor?) async throws {
        let replies = ReplyFlusher(backlogLimit: backlogLimit)
        let channel = try await listening {
            try await datagramBootstrap(group).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PortHandler(server: self, handler: self.handler, executor: executor, replies: replies))
                }
            }.bind(host: host, port: requestedPort).get()
        } port: { $0.localAddress?.port }
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        // What was taken before the port closed is still answered (its batch commits), though
        // the replies can no longer go out; the port is done once it has been.
        await replies.allAnswered()
    }

    /// Binds with `bind`, then says the port is open (or why not, as a ``RADIUSBindError``).
    private func listening<Bound>(_ bind: () async throws -> Bound, port: (Bound) -> Int?) async throws -> Bound {
        let bound: Bound
        do {
            bound = try await bind()
        } catch {
            announce(.failure(error))
            logger.critical("Could not listen for RADIUS", metadata: ["address": "\(host):\(requestedPort)", "error": "\(error)"])
            throw RADIUSBindError(role: role, host: host, port: requestedPort, underlying: error)
        }
        let actualPort = port(bound) ?? requestedPort
        announce(.success(actualPort))
        onListening(actualPort)
        logger.info("RADIUS listening", metadata: ["role": "\(role.rawValue)", "address": "\(host):\(actualPort)"])
        return bound
    }

    /// The socket's options. No SO_REUSEADDR: a port another process already holds must fail
    /// start-up, not silently share (or steal) the gateways' requests.
    private func datagramBootstrap(_ group: MultiThreadedEventLoopGroup) -> DatagramBootstrap {
        DatagramBootstrap(group: group)
            // Gateways send in bursts (a restart replays every session's accounting): a deep
            // socket buffer rides them out instead of dropping datagrams the gateway must
            // then retransmit, and vector reads take up to 64 datagrams per system call.
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: 64)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64 * RADIUSPacket.maximumLength))
    }

    /// What becomes of one datagram, decided on the thread that read it.
    enum Intake {
        /// Dropped (and counted): unknown client, malformed, not authentic, a copy in flight.
        case dropped
        /// Answered without the handler: a retransmission from the cache, or Status-Server.
        case answered(AddressedEnvelope<ByteBuffer>)
        /// An authentic new request for the handler.
        case toHandle(Request)
    }

    /// An authentic request on its way to the handler, with what its reply needs.
    struct Request: Sendable {
        let packet: RADIUSPacket
        let client: RADIUSClient
        let sourceIP: String
        let address: SocketAddress
    }

    /// Checks one datagram and answers what needs no handler.
    func intake(_ envelope: AddressedEnvelope<ByteBuffer>) -> Intake {
        // Written out once: each time is a conversion and a new string.
        let address = envelope.remoteAddress.ipAddress
        let source = address ?? "?"
        guard let sourceIP = address, let client = clients.client(for: sourceIP) else {
            drop(.unknownClient, source: source)
            return .dropped
        }
        let request: RADIUSPacket
        do {
            request = try RADIUSPacket(decoding: envelope.data.readableBytesView)
        } catch {
            drop(.malformed, source: source)
            return .dropped
        }
        statistics.recordRequest(request.code)
        if let dropReason = verify(request, client: client) {
            drop(dropReason, source: source)
            return .dropped
        }
        if request.code == .statusServer {
            // Answered by the server itself and never cached: each probe asks afresh whether
            // the server is alive (RFC 5997 section 3).
            let reply = RADIUSPacket(code: role.statusReplyCode, identifier: request.identifier, authenticator: [], attributes: [])
            guard let answer = send(reply, to: request, client: client, address: envelope.remoteAddress, cache: false) else { return .dropped }
            return .answered(answer)
        }
        switch cache.begin(from: envelope.remoteAddress, request: request) {
        case .answered(let bytes):
            if let code = bytes.first.flatMap(RADIUSCode.init(rawValue:)) { statistics.recordAnswer(code, retransmission: true) }
            return .answered(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: bytes)))
        case .inFlight:
            drop(.duplicateInFlight, source: source)
            return .dropped
        case .new:
            return .toHandle(Request(packet: request, client: client, sourceIP: sourceIP, address: envelope.remoteAddress))
        }
    }

    /// The signed reply to a handled request, kept for its retransmissions; or `nil` when the
    /// handler chose silence or the reply cannot be sent, which is counted and lets a retry be
    /// answered afresh.
    func finish(_ request: Request, reply: RADIUSPacket?) -> AddressedEnvelope<ByteBuffer>? {
        guard let reply else {
            cache.abandon(from: request.address, request: request.packet)
            drop(.notAnswered, source: request.sourceIP)
            return nil
        }
        guard let answer = send(reply, to: request.packet, client: request.client, address: request.address, cache: true) else {
            cache.abandon(from: request.address, request: request.packet)
            return nil
        }
        return answer
    }

    /// Echoes the request's Proxy-State attributes in order (RFC 2865 section 5.33), signs the
    /// reply, and keeps it for retransmissions when `cache` says so. A reply that the echo
    /// takes past 4,096 octets (a request of nearly all Proxy-State) is not sent: no client
    /// could read it. It is counted and logged as a drop instead, and `nil` comes back.
    private func send(
        _ reply: RADIUSPacket, to request: RADIUSPacket, client: RADIUSClient, address: SocketAddress, cache: Bool
    ) -> AddressedEnvelope<ByteBuffer>? {
        var reply = reply
        reply.identifier = request.identifier
        reply.attributes += request.attributes.filter { $0.type == RADIUSAttributeType.proxyState }
        let signed = reply.code == .accountingResponse && request.code == .accountingRequest
            ? Self.signAccountingResponse(reply, to: request, secret: client.secret)
            : RADIUSAuthenticators.signReply(reply, to: request, secret: client.secret)
        let bytes = signed.encoded()
        guard bytes.count <= RADIUSPacket.maximumLength else {
            drop(.replyTooLarge, source: address.ipAddress ?? "?")
            return nil
        }
        if cache { self.cache.store(bytes, from: address, request: request) }
        statistics.recordAnswer(signed.code, retransmission: false)
        return AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes))
    }

    /// The port stopped reading because its backlog is full: counted, and logged as drops are.
    func backlogFull() {
        let total = statistics.recordBacklogFull()
        dropLog.backlogFull(total: total, limit: backlogLimit, port: requestedPort)
    }

    private func drop(_ reason: RADIUSServerStatistics.DropReason, source: String) {
        let total = statistics.recordDrop(reason)
        dropLog.dropped(reason, total: total, source: source, port: requestedPort)
    }

    /// Why an incoming request must be dropped, or `nil` if it is authentic and this port takes it.
    func verify(_ request: RADIUSPacket, client: RADIUSClient) -> RADIUSServerStatistics.DropReason? {
        switch request.code {
        case .statusServer:
            // RFC 5997 section 3: a Status-Server without a valid Message-Authenticator is
            // silently discarded, whatever the client's settings.
            guard request.attribute(RADIUSAttributeType.messageAuthenticator) != nil else { return .missingMessageAuthenticator }
            return RADIUSAuthenticators.hasValidMessageAuthenticator(request, authenticator: request.authenticator, secret: client.secret)
                ? nil : .badAuthenticator
        case role.requestCode where role == .authentication:
            let hasMessageAuthenticator = request.attribute(RADIUSAttributeType.messageAuthenticator) != nil
            if !hasMessageAuthenticator {
                return client.requireMessageAuthenticator ? .missingMessageAuthenticator : nil
            }
            return RADIUSAuthenticators.hasValidMessageAuthenticator(request, authenticator: request.authenticator, secret: client.secret)
                ? nil : .badAuthenticator
        case role.requestCode:
            guard RADIUSAuthenticators.hasValidRequestAuthenticator(request, secret: client.secret) else { return .badAuthenticator }
            // RFC 3579 section 3.2: a Message-Authenticator that is there must be valid, though
            // accounting need not carry one. The Request Authenticator covers it, so it is
            // computed over a zero authenticator, as FreeRADIUS's clients and servers do (and
            // RFC 5176 for CoA). A wrong one was once ignored and its report stored.
            if request.attribute(RADIUSAttributeType.messageAuthenticator) != nil,
               !RADIUSAuthenticators.hasValidMessageAuthenticator(request, authenticator: Self.zeroAuthenticator, secret: client.secret) {
                return .badAuthenticator
            }
            // RFC 2866 section 5.1: every Accounting-Request says what it reports.
            guard request.attribute(RADIUSAttributeType.acctStatusType)?.integerValue != nil else { return .missingStatusType }
            return nil
        default:
            return .unexpectedCode
        }
    }

    /// Sixteen zero octets: what an accounting request's Message-Authenticator is computed over.
    private static let zeroAuthenticator = [UInt8](repeating: 0, count: 16)

    /// Signs an Accounting-Response with its Response Authenticator only, no Message-Authenticator
    /// (RFC 2866 section 3).
    static func signAccountingResponse(_ reply: RADIUSPacket, to request: RADIUSPacket, secret: [UInt8]) -> RADIUSPacket {
        var signed = reply
        signed.authenticator = RADIUSAuthenticators.md5Authenticator(of: reply, over: request.authenticator, secret: secret)
        return signed
    }
}

/// A RADIUS port could not be opened (most often: another process holds it).
public struct RADIUSBindError: Error, CustomStringConvertible {
    /// The service the port was for.
    public let role: RADIUSServer.Role
    /// The address it tried to listen on.
    public let host: String
    /// The port it asked for.
    public let port: Int
    /// The socket error behind it.
    public let underlying: any Error

    public var description: String {
        "Cannot listen for RADIUS \(role.rawValue) on \(host):\(port): \(underlying). Is another server (or another SimGate) using the port?"
    }
}
