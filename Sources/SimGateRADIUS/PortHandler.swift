import NIOCore
import Synchronization

/// Reads a port's datagrams, checks each one and hands each new request to the port's handler
/// right on the event loop that read it, and writes the replies back there in bursts.
///
/// A ``RADIUSQueueingHandler`` (accounting) takes a request without waiting and answers when
/// its batch commits. Any other handler (authentication) answers in a task that runs on
/// `executor`, the port's own event loop when it has one, so the request is read, looked up
/// and answered on one thread. Both once went through an asynchronous sequence to a reading
/// task, and their replies through an asynchronous writer: every burst cost a wake-up on
/// another thread, and the sequence and writer were a third of the authentication thread's
/// time. Here a datagram is checked where it is read (its bytes copied into the request, so
/// the read buffer is free for the next read), and replies go out with one hop onto the loop
/// and one flush per burst.
///
/// The backlog is bounded: once ``ReplyFlusher``'s limit of requests is taken and unanswered
/// (a database slower than the gateways' flood), the port stops reading, so the kernel's
/// socket buffer holds the rest and then drops what does not fit, which gateways retransmit.
/// The authentic requests already read in the same burst (NIO reads on to the end of its read
/// burst, up to a few hundred datagrams) wait here, not in the handler, and are handed over
/// first once half the backlog has been answered. Status-Server probes are not read while the
/// port is paused either: a server that cannot keep up does not claim to be ready.
final class PortHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let server: RADIUSServer
    private let handler: any RADIUSRequestHandler
    private let queueing: (any RADIUSQueueingHandler)?
    private let executor: (any TaskExecutor)?
    private let replies: ReplyFlusher
    /// A reply was written during this read and awaits the flush at its end.
    private var wroteDuringRead = false
    /// Requests read while the backlog was full, oldest first.
    private var waitingForRoom: [RADIUSServer.Request] = []
    /// Reading is paused until the backlog has room again.
    private var readingPaused = false

    /// Hands requests to `handler` (in tasks on `executor` unless it queues them itself);
    /// their answers go out through `replies`.
    init(server: RADIUSServer, handler: any RADIUSRequestHandler, executor: (any TaskExecutor)?, replies: ReplyFlusher) {
        self.server = server
        self.handler = handler
        queueing = handler as? any RADIUSQueueingHandler
        self.executor = executor
        self.replies = replies
    }

    func handlerAdded(context: ChannelHandlerContext) {
        replies.attach(context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        replies.detach()
        // Read while the backlog was full and never handed over: counted as unanswered, and
        // let go from the reply cache, so that a retry to this server (restarted) is taken afresh.
        for request in waitingForRoom { _ = server.finish(request, reply: nil) }
        waitingForRoom = []
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch server.intake(unwrapInboundIn(data)) {
        case .dropped:
            return
        case .answered(let reply):
            context.write(wrapOutboundOut(reply), promise: nil)
            wroteDuringRead = true
        case .toHandle(let request):
            if waitingForRoom.isEmpty, replies.expectAnswer() {
                hand(request)
            } else {
                waitingForRoom.append(request)
                pauseReading(context)
            }
        }
    }

    /// Hands one request to the handler; its answer goes out through `replies`.
    private func hand(_ request: RADIUSServer.Request) {
        let (server, replies) = (self.server, self.replies)
        if let queueing {
            queueing.take(request.packet, from: request.client, sourceIP: request.sourceIP) { reply in
                replies.answered(server.finish(request, reply: reply))
            }
        } else {
            let handler = self.handler
            Task(executorPreference: executor) {
                let reply = await handler.respond(to: request.packet, from: request.client, sourceIP: request.sourceIP)
                replies.answered(server.finish(request, reply: reply))
            }
        }
    }

    private func pauseReading(_ context: ChannelHandlerContext) {
        guard !readingPaused else { return }
        readingPaused = true
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        server.backlogFull()
    }

    /// The backlog has room: the requests waiting here go first, then reading resumes if
    /// they all fit.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ReplyFlusher.RoomForRequests else { return context.fireUserInboundEventTriggered(event) }
        while let next = waitingForRoom.first {
            guard replies.expectAnswer() else { return }
            waitingForRoom.removeFirst()
            hand(next)
        }
        guard readingPaused else { return }
        readingPaused = false
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if wroteDuringRead {
            wroteDuringRead = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket reports ICMP errors for earlier sends (a gateway that went away);
        // they end nothing, and the port keeps reading.
    }
}

/// Replies made on any thread, written to one channel in bursts: the first reply of a burst
/// schedules one write of all that have gathered by the time the channel's loop runs it.
/// It also keeps count of the requests taken and not yet answered, the port's backlog, and
/// refuses more than its limit.
final class ReplyFlusher: Sendable {
    /// Sent down the channel's pipeline, on its loop, when a full backlog is half answered.
    struct RoomForRequests: Sendable {}

    private struct State {
        var waiting: [AddressedEnvelope<ByteBuffer>] = []
        var scheduled = false
        /// Requests taken and not yet answered.
        var outstanding = 0
        /// ``expectAnswer()`` refused a request: the port waits for ``RoomForRequests``.
        var portWaitsForRoom = false
        /// ``allAnswered()`` waiting for the last of them.
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let channel = Mutex<(any Channel)?>(nil)
    private let state = Mutex(State())
    /// The most requests taken and unanswered at once.
    let backlogLimit: Int

    /// Replies for the channel ``attach(_:)`` names, with at most `backlogLimit` (at least 1)
    /// requests waiting for their answers.
    init(backlogLimit: Int) {
        self.backlogLimit = max(1, backlogLimit)
    }

    /// The channel to write to (set once, as its handler joins it).
    func attach(_ channel: any Channel) {
        self.channel.withLock { $0 = channel }
    }

    /// The channel has closed: later replies are dropped (their clients retry).
    func detach() {
        channel.withLock { $0 = nil }
    }

    /// Counts a request about to be taken, whose ``answered(_:)`` follows once; or returns
    /// false when the backlog is full, and the port is sent ``RoomForRequests`` once half of it
    /// has been answered.
    func expectAnswer() -> Bool {
        let limit = backlogLimit
        return state.withLock { state in
            guard state.outstanding < limit else {
                state.portWaitsForRoom = true
                return false
            }
            state.outstanding += 1
            return true
        }
    }

    /// The answer to a request counted by ``expectAnswer()``: queued for the next burst, or
    /// `nil` when the handler chose silence.
    func answered(_ reply: AddressedEnvelope<ByteBuffer>?) {
        let resumeLimit = backlogLimit / 2
        let (schedule, room, drained) = state.withLock { state -> (Bool, Bool, [CheckedContinuation<Void, Never>]) in
            state.outstanding -= 1
            var drained: [CheckedContinuation<Void, Never>] = []
            if state.outstanding == 0 { swap(&drained, &state.drained) }
            let room = state.portWaitsForRoom && state.outstanding <= resumeLimit
            if room { state.portWaitsForRoom = false }
            guard let reply else { return (false, room, drained) }
            state.waiting.append(reply)
            defer { state.scheduled = true }
            return (!state.scheduled, room, drained)
        }
        // Under the lock that ``detach()`` takes: once the port has closed, nothing more is
        // handed to its event loop, which may since have shut down (an answer that comes after
        // a cancelled port stopped waiting for it). Its reply could not go out anyway.
        channel.withLock { channel in
            guard let channel else { return }
            if schedule { channel.eventLoop.execute { self.writeWaiting(to: channel) } }
            if room { channel.pipeline.fireUserInboundEventTriggered(RoomForRequests()) }
        }
        for waiter in drained { waiter.resume() }
    }

    /// Returns once every request taken so far has been answered, or at once when the task is
    /// cancelled (a handler that stopped before start-up finished may never answer).
    func allAnswered() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Bool in
                    guard state.outstanding > 0, !Task.isCancelled else { return true }
                    state.drained.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let waiting = state.withLock { state in
                defer { state.drained = [] }
                return state.drained
            }
            for waiter in waiting { waiter.resume() }
        }
    }

    /// Writes every reply gathered so far, then flushes once (the loop sends them with
    /// `sendmmsg`). On a closed channel the writes fail quietly: clients retry.
    private func writeWaiting(to channel: any Channel) {
        let burst = state.withLock { state -> [AddressedEnvelope<ByteBuffer>] in
            state.scheduled = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for reply in burst { channel.write(reply, promise: nil) }
        channel.flush()
    }
}
