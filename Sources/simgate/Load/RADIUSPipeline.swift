import NIOCore
import NIOPosix

/// Sends prepared RADIUS requests over one UDP socket with many in flight, the way a busy
/// packet gateway does, and waits until every one is answered.
///
/// Writes are flushed together after each burst of replies, so NIO hands them to the kernel
/// in one `sendmmsg`; replies are matched by identifier. A request unanswered for a second is
/// sent again, byte for byte, as a gateway would retransmit it. Given a rate, it sends no
/// faster than that, checking every millisecond, as a gateway with that much traffic does.
/// A server that answers nothing for ``silenceLimit`` while requests wait (it crashed, or hangs)
/// fails the run: a gateway would resend for ever, a benchmark must end.
enum RADIUSPipeline {
    /// Longest time without any reply, while requests are in flight, before the run fails.
    static let silenceLimit: TimeAmount = .seconds(30)

    /// The server answered nothing for ``silenceLimit`` with requests in flight.
    struct ServerWentSilent: Error, CustomStringConvertible {
        var description: String { "the RADIUS server answered nothing for \(silenceLimit.nanoseconds / 1_000_000_000) s with requests in flight" }
    }

    /// What one socket's run came to.
    struct Outcome: Sendable {
        /// Requests that got a reply.
        var answered = 0
        /// Requests sent again after a second without a reply.
        var retransmissions = 0
    }

    /// - Parameter window: most requests in flight, at most 255 so identifiers never clash.
    /// - Parameter perSecond: the most requests sent per second (retransmissions aside); `nil`
    ///   for as fast as the window allows.
    static func send(_ packets: [[UInt8]], to server: SocketAddress, window: Int, perSecond: Double? = nil) async throws -> Outcome {
        guard !packets.isEmpty else { return Outcome() }
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.any().makePromise(of: Outcome.self)
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: 64)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64 * 4_096))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        PipelineHandler(packets: packets, server: server, window: min(window, 255), perSecond: perSecond, done: done)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let outcome: Outcome
        do {
            outcome = try await done.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        try await channel.close()
        return outcome
    }
}

private final class PipelineHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let packets: [[UInt8]]
    private let server: SocketAddress
    private let window: Int
    private let done: EventLoopPromise<RADIUSPipeline.Outcome>
    private var next = 0
    /// Packet index and send time by identifier.
    private var inFlight: [Int?] = Array(repeating: nil, count: 256)
    private var sentAt: [NIODeadline] = Array(repeating: .distantPast, count: 256)
    private var inFlightCount = 0
    private var outcome = RADIUSPipeline.Outcome()
    private var timer: RepeatedTask?
    private let perSecond: Double?
    private var pacer: RepeatedTask?
    /// When the retransmission timer last saw more replies than the time before (or the run
    /// began), and how many it saw: checked every 250 ms rather than stamped on each reply.
    private var progressAt = NIODeadline.now()
    private var answeredAtLastCheck = 0
    /// Whether `done` has been completed.
    private var finished = false

    init(packets: [[UInt8]], server: SocketAddress, window: Int, perSecond: Double?, done: EventLoopPromise<RADIUSPipeline.Outcome>) {
        self.packets = packets
        self.server = server
        self.window = window
        self.perSecond = perSecond
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        refilledAt = .now()
        progressAt = .now()
        fill(context)
        context.flush()
        // The timers run on this channel's event loop, where the handler and context live.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { _ in
            bound.value.0.retransmitOverdue(bound.value.1)
        }
        if perSecond != nil {
            pacer = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(1), delay: .milliseconds(1)) { _ in
                bound.value.0.fill(bound.value.1)
                bound.value.1.flush()
            }
        }
    }

    /// Requests that may be sent now when paced: earned at `perSecond`, and capped at 5 ms'
    /// worth (at least one), so that a socket held up by a full window catches up in small
    /// steps instead of a burst.
    private var tokens = 1.0
    private var refilledAt = NIODeadline.now()

    private func refill() {
        guard let perSecond else { return }
        let now = NIODeadline.now()
        tokens = min(tokens + Double((now - refilledAt).nanoseconds) / 1e9 * perSecond, max(1, perSecond / 200))
        refilledAt = now
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        guard !finished, reply.data.readableBytes >= 20, let identifier = reply.data.getInteger(at: reply.data.readerIndex + 1, as: UInt8.self),
              inFlight[Int(identifier)] != nil
        else { return }
        inFlight[Int(identifier)] = nil
        inFlightCount -= 1
        outcome.answered += 1
        if outcome.answered == packets.count { finish(.success(outcome)) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        fill(context)
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
    }

    /// Completes the run once; replies that come after it (the socket closes a moment later)
    /// change nothing.
    private func finish(_ result: Result<RADIUSPipeline.Outcome, any Error>) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        pacer?.cancel()
        done.completeWith(result)
    }

    private func fill(_ context: ChannelHandlerContext) {
        refill()
        while inFlightCount < window, next < packets.count, perSecond == nil || tokens >= 1 {
            let identifier = Int(packets[next][1])
            guard inFlight[identifier] == nil else { return }  // Still waiting on the last use of this identifier.
            inFlight[identifier] = next
            inFlightCount += 1
            if perSecond != nil { tokens -= 1 }
            write(next, context)
            next += 1
        }
    }

    private func retransmitOverdue(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        if outcome.answered != answeredAtLastCheck {
            (progressAt, answeredAtLastCheck) = (now, outcome.answered)
        } else if inFlightCount > 0, now - progressAt > RADIUSPipeline.silenceLimit {
            return finish(.failure(RADIUSPipeline.ServerWentSilent()))
        }
        let overdue = now - .seconds(1)
        var resent = false
        for identifier in 0..<256 {
            guard let index = inFlight[identifier], sentAt[identifier] < overdue else { continue }
            write(index, context)
            outcome.retransmissions += 1
            resent = true
        }
        if resent { context.flush() }
    }

    private func write(_ index: Int, _ context: ChannelHandlerContext) {
        sentAt[Int(packets[index][1])] = .now()
        let envelope = AddressedEnvelope(remoteAddress: server, data: context.channel.allocator.buffer(bytes: packets[index]))
        context.write(wrapOutboundOut(envelope), promise: nil)
    }
}
