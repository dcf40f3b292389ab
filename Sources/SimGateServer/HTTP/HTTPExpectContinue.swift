import HTTPTypes
import HummingbirdCore
import NIOCore

/// Answers `Expect: 100-continue` with `100 Continue` as soon as the request's head is read.
///
/// A client that asks waits for that answer before it sends the body: curl asks for every body
/// over a megabyte and, never answered, waited a second before sending it anyway, so a large
/// import or batch of usage records took a second longer than it needed to. Limits on the body
/// (its size, its read deadline) still apply as it arrives.
final class HTTPExpectContinue: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPConnectionStateHandler.InboundIn
    typealias InboundOut = HTTPConnectionStateHandler.InboundIn
    typealias OutboundOut = HTTPConnectionStateHandler.OutboundOut

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data),
           request.headerFields[values: .expect].contains(where: { $0.lowercased() == "100-continue" }) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }
}
