import HummingbirdCore
import NIOCore

/// Closes a connection whose request is not read whole within a deadline of its head.
///
/// The idle timeout only bounds silence: a body sent a byte every few seconds kept its
/// connection, and the handler awaiting that body, for as long as the sender liked, with no key
/// needed on the routes that read their body before checking one (the token endpoint, the
/// dashboard's sign-in, payment webhooks). Enough such connections took every place the
/// connection limit allows. The deadline ends when the request's last part is read; its answer
/// may take as long as it takes (the dashboard's live updates last minutes).
final class HTTPRequestReadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    // The request parts Hummingbird reads from its channel (NIOHTTPTypes' `HTTPRequestPart`),
    // named through Hummingbird rather than through a package of our own for one type.
    typealias InboundIn = HTTPConnectionStateHandler.InboundIn
    typealias InboundOut = HTTPConnectionStateHandler.InboundIn

    private let deadline: TimeAmount
    /// The close due if the request being read is not read whole in time.
    private var due: Scheduled<Void>?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            due?.cancel()
            let channel = context.channel
            due = context.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
        case .end:
            due?.cancel()
            due = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        due?.cancel()
        due = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        due?.cancel()
        due = nil
    }
}
