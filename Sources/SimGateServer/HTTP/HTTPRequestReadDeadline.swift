import HTTPTypes
import HummingbirdCore
import NIOCore

/// Closes a connection whose request is not read whole within a deadline of its head: a
/// minute, and a second more for each 16 KiB its `Content-Length` declares.
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

    /// Least average rate a declared body must arrive at, in bytes a second, beyond
    /// `deadline`: the operator's stock import takes up to 32 MiB, which 60 seconds alone would
    /// have cut off below about 560 KB/s.
    static let minimumBytesPerSecond: Int64 = 16 * 1_024
    /// Most of a declared length the deadline grows for; a larger body is refused by its route.
    static let longestCounted: Int64 = 32 * 1_024 * 1_024

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            due?.cancel()
            let channel = context.channel
            let declared = request.headerFields[.contentLength].flatMap { Int64($0) } ?? 0
            let allowed = deadline + .seconds(min(max(declared, 0), Self.longestCounted) / Self.minimumBytesPerSecond)
            due = context.eventLoop.scheduleTask(in: allowed) { channel.close(promise: nil) }
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
