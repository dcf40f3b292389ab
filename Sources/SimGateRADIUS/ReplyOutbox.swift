import NIOCore
import Synchronization

/// Sends the replies of a port whose requests are answered by tasks (authentication) in
/// bursts, and knows how many requests are still to be answered.
///
/// Replies that come together are written together: one hop onto the socket's event loop and
/// one flush, and the event loop sends them with `sendmmsg`. ``run()`` writes whatever has
/// queued each time it wakes, so a reply with nothing ahead of it still goes out at once.
/// (Accounting's port writes its replies from its event loop instead: ``ReplyFlusher``.)
final class ReplyOutbox: Sendable {
    private struct State {
        /// Replies waiting to be written.
        var waiting: [AddressedEnvelope<ByteBuffer>] = []
        /// Requests taken and not yet answered (or dropped).
        var outstanding = 0
        /// The port has stopped reading: ``run()`` ends once nothing is outstanding or waiting.
        var finishing = false
        /// ``run()`` parked until there is something to do.
        var writer: CheckedContinuation<Void, Never>?
    }

    private let outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>
    private let state = Mutex(State())

    init(_ outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>) {
        self.outbound = outbound
    }

    /// A request was taken; ``answered(_:)`` must follow, once.
    func expectAnswer() {
        state.withLock { $0.outstanding += 1 }
    }

    /// The answer to a request counted by ``expectAnswer()``: a reply to send, or `nil` for none.
    func answered(_ reply: AddressedEnvelope<ByteBuffer>?) {
        wake { state in
            state.outstanding -= 1
            if let reply { state.waiting.append(reply) }
        }
    }

    /// Queues a reply that needed no handler (a retransmission, Status-Server).
    func send(_ reply: AddressedEnvelope<ByteBuffer>) {
        wake { $0.waiting.append(reply) }
    }

    /// The port reads no more: ``run()`` returns once every request taken is answered.
    func finish() {
        wake { $0.finishing = true }
    }

    /// Writes queued replies in bursts until ``finish()`` and the last answer, or cancellation.
    /// A burst the socket cannot take (the port is closing) is dropped; clients retry.
    func run() async {
        while true {
            let burst = await next()
            guard let burst else { return }
            try? await outbound.write(contentsOf: burst)
        }
    }

    /// The replies waiting, once there are some; `nil` when there is nothing more to do.
    private func next() async -> [AddressedEnvelope<ByteBuffer>]? {
        while true {
            enum Step { case write([AddressedEnvelope<ByteBuffer>]), done, wait }
            let step = state.withLock { state -> Step in
                if !state.waiting.isEmpty {
                    defer { state.waiting = [] }
                    return .write(state.waiting)
                }
                return state.finishing && state.outstanding <= 0 ? .done : .wait
            }
            switch step {
            case .write(let burst): return burst
            case .done: return nil
            case .wait:
                if Task.isCancelled { return nil }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let parkable = state.withLock { state -> Bool in
                            guard state.waiting.isEmpty, !(state.finishing && state.outstanding <= 0), !Task.isCancelled else { return false }
                            state.writer = continuation
                            return true
                        }
                        if !parkable { continuation.resume() }
                    }
                } onCancel: {
                    wake { _ in }
                }
            }
        }
    }

    /// Changes the state and resumes ``run()`` if it is parked.
    private func wake(_ change: (inout State) -> Void) {
        let writer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            change(&state)
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }
}
