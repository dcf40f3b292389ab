import NIOCore
import NIOPosix
import SimGateRADIUS
import Synchronization

/// A packet gateway's CoA port (RFC 5176) for the benchmarks: checks every Disconnect-Request
/// as a gateway must, remembers which sessions were asked (and how many distinct requests
/// each got, a retransmission being the same request), and answers with a Disconnect-ACK, or
/// stays silent while told to, as if the packets were lost.
final class DisconnectResponder: Sendable {
    private struct State {
        var answering = true
        /// Distinct requests (by Request Authenticator) per Acct-Session-Id.
        var requests: [String: Set<[UInt8]>] = [:]
        /// Sessions whose Disconnect-Request got an ACK.
        var acknowledged: Set<String> = []
        /// Datagrams that were not authentic Disconnect-Requests.
        var rejected = 0
    }

    /// The loopback UDP port it listens on.
    let port: Int
    private let secret: [UInt8]
    private let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    private let state = Mutex(State())

    private init(secret: [UInt8], channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>) {
        self.secret = secret
        self.channel = channel
        port = channel.channel.localAddress?.port ?? 0
    }

    /// Whether requests from now on get an answer (true) or are dropped.
    func answer(_ answering: Bool) { state.withLock { $0.answering = answering } }

    /// Sessions that got a Disconnect-ACK.
    var acknowledged: Set<String> { state.withLock { $0.acknowledged } }
    /// Sessions asked, with the number of distinct Disconnect-Requests each got.
    var distinctRequests: [String: Int] { state.withLock { $0.requests.mapValues(\.count) } }
    /// Datagrams that were not authentic Disconnect-Requests.
    var rejected: Int { state.withLock { $0.rejected } }

    /// Runs a responder checking requests against `secret` for the length of `body`.
    static func with<T: Sendable>(secret: String, _ body: (DisconnectResponder) async throws -> T) async throws -> T {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
            }
        }
        let responder = DisconnectResponder(secret: Array(secret.utf8), channel: channel)
        return try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await envelope in inbound {
                        guard let reply = responder.reply(to: envelope.data.readableBytesView) else { continue }
                        try await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: reply.encoded())))
                    }
                }
                defer { group.cancelAll() }
                return try await body(responder)
            }
        }
    }

    /// The signed Disconnect-ACK for one datagram, or nil to stay silent.
    private func reply(to datagram: some Collection<UInt8>) -> RADIUSPacket? {
        guard let request = try? RADIUSPacket(decoding: datagram), request.code == .disconnectRequest,
              RADIUSAuthenticators.hasValidRequestAuthenticator(request, secret: secret),
              RADIUSAuthenticators.hasValidMessageAuthenticator(request, authenticator: [UInt8](repeating: 0, count: 16), secret: secret)
        else {
            state.withLock { $0.rejected += 1 }
            return nil
        }
        let session = request.attribute(RADIUSAttributeType.acctSessionID).map { String(decoding: $0.value, as: UTF8.self) } ?? ""
        let answering = state.withLock { state in
            state.requests[session, default: []].insert(request.authenticator)
            if state.answering { state.acknowledged.insert(session) }
            return state.answering
        }
        guard answering else { return nil }
        let ack = RADIUSPacket(code: .disconnectACK, identifier: request.identifier, authenticator: [], attributes: [])
        return RADIUSAuthenticators.signReply(ack, to: request, secret: secret)
    }
}
