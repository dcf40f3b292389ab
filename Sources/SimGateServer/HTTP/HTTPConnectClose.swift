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
        // A CONNECT's target is an authority (`example.com:443`), no path: asked of no route,
        // it was answered 404 with its body cut off. Asked of `/`, which takes no CONNECT,
        // it is refused 405 like a CONNECT naming a path.
        if request.path?.hasPrefix("/") != true { request.path = "/" }
        context.fireChannelRead(wrapInboundOut(.head(request)))
    }
}
