import HTTPTypes
import HummingbirdCore
import NIOCore

/// Marks a `CONNECT` request `Connection: close`, so its refusal ends the connection.
///
/// SimGate tunnels nothing, so CONNECT is answered 405 like any method a route does not take.
/// But the HTTP parser takes what follows a CONNECT's headers as the tunnel's bytes: the 405
/// went out with no length (a client could not tell where it ended) and the connection stayed
/// open, reading nothing more, until the idle timeout. Closed after the answer, the answer ends
/// where the connection does.
final class HTTPConnectClose: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPConnectionStateHandler.InboundIn
    typealias InboundOut = HTTPConnectionStateHandler.InboundIn

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var request) = unwrapInboundIn(data), request.method == .connect else {
            context.fireChannelRead(data)
            return
        }
        request.headerFields[.connection] = "close"
        context.fireChannelRead(wrapInboundOut(.head(request)))
    }
}
