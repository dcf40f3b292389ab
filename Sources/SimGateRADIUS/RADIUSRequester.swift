import NIOCore
import NIOPosix

/// Sends one signed request to a RADIUS peer and waits for its authentic reply: how SimGate
/// sends Disconnect-Requests to a gateway's CoA port (RFC 5176).
public enum RADIUSRequester {
    /// The reply, or `nil` if none came within `timeout` after each of `attempts` sends (the
    /// same datagram each time, so the peer can recognise a retransmission), or if
    /// `beforeResend` says, before a send after the first, that the request is no longer
    /// wanted. With `replyCodes`, an authentic reply of another code is ignored like a forged
    /// one (RFC 2865 section 3: a peer's packet of a code it may not send is discarded).
    public static func exchange(
        _ request: RADIUSPacket, secret: [UInt8], host: String, port: Int, timeout: Duration, attempts: Int,
        replyCodes: Set<RADIUSCode>? = nil, beforeResend: @Sendable () async throws -> Bool = { true }
    ) async throws -> RADIUSPacket? {
        let target = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyCatcher(request: request, secret: secret, codes: replyCodes, peer: target))
                }
            }
            .bind(host: target.protocol == .inet6 ? "::" : "0.0.0.0", port: 0).get()
        defer { channel.close(promise: nil) }
        let bytes = request.encoded()
        for attempt in 0..<max(1, attempts) {
            if attempt > 0, try await !beforeResend() { return nil }
            let promise = channel.eventLoop.makePromise(of: RADIUSPacket?.self)
            let wait = channel.eventLoop.flatSubmit { () -> EventLoopFuture<RADIUSPacket?> in
                guard let catcher = try? channel.pipeline.syncOperations.handler(type: ReplyCatcher.self) else {
                    return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                }
                catcher.waiting = promise
                // The timer fires on this channel's event loop, where the handler lives.
                let bound = NIOLoopBound(catcher, eventLoop: channel.eventLoop)
                let nanoseconds = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
                let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                    bound.value.waiting = nil
                    promise.succeed(nil)
                }
                promise.futureResult.whenComplete { _ in timer.cancel() }
                return channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: bytes))).flatMap { promise.futureResult }
            }
            if let reply = try await wait.get() { return reply }
        }
        return nil
    }
}

/// Hands the first authentic reply to the request to whoever waits for it; anything else
/// (another identifier, a forged or damaged datagram, or one from another address or port than
/// the request went to, which RFC 2865 section 3 says a reply must come from) is ignored.
private final class ReplyCatcher: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let request: RADIUSPacket
    private let secret: [UInt8]
    /// The reply codes taken; `nil` for any.
    private let codes: Set<RADIUSCode>?
    /// Where the request went, which the reply must come from.
    private let peer: SocketAddress
    var waiting: EventLoopPromise<RADIUSPacket?>?

    init(request: RADIUSPacket, secret: [UInt8], codes: Set<RADIUSCode>?, peer: SocketAddress) {
        self.request = request
        self.secret = secret
        self.codes = codes
        self.peer = peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == peer, let reply = try? RADIUSPacket(decoding: envelope.data.readableBytesView), reply.identifier == request.identifier,
              codes.map({ $0.contains(reply.code) }) ?? true,
              RADIUSAuthenticators.isAuthenticReply(reply, to: request, secret: secret), let promise = waiting
        else { return }
        waiting = nil
        promise.succeed(reply)
    }
}
