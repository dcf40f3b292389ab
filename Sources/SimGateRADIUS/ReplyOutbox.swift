import NIOCore
import Synchronization

/// Sends a port's replies in bursts: replies that become ready while earlier ones are being
/// written wait and go out together, in one flush of the socket.
///
/// A committed accounting batch answers hundreds of requests at once. Written one by one,
/// each reply cost a hop onto the socket's event loop, a flush and a `sendmsg` of its own;
/// written together they take one hop and one flush, and the event loop sends them with
/// `sendmmsg`. A reply with nothing ahead of it goes out at once, as before.
final class ReplyOutbox: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>
    /// Replies waiting, and whether a sender is writing (it takes what waits when it is done).
    private let state = Mutex<(waiting: [AddressedEnvelope<ByteBuffer>], isWriting: Bool)>(([], false))

    init(_ outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>) {
        self.outbound = outbound
    }

    /// Sends `reply`: at once if no other sender is writing, else with the next burst, which
    /// the sender already writing sends before it returns. A reply the socket cannot take
    /// (the port is closing) is dropped; the client retries.
    func send(_ reply: AddressedEnvelope<ByteBuffer>) async {
        let mustWrite = state.withLock { state -> Bool in
            state.waiting.append(reply)
            if state.isWriting { return false }
            state.isWriting = true
            return true
        }
        guard mustWrite else { return }
        while true {
            let burst = state.withLock { state -> [AddressedEnvelope<ByteBuffer>] in
                if state.waiting.isEmpty { state.isWriting = false }
                defer { state.waiting = [] }
                return state.waiting
            }
            if burst.isEmpty { return }
            try? await outbound.write(contentsOf: burst)
        }
    }
}
