import NIOCore
import Synchronization

/// Counts the HTTP connections open across the server and closes each one past the maximum as
/// soon as it opens, so that a flood of idle connections cannot take every file descriptor.
final class HTTPConnectionLimit: Sendable {
    /// Most connections open at once.
    let maximum: Int
    private let open = Atomic<Int>(0)

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Connections open now, refused ones aside.
    var openConnections: Int { open.load(ordering: .relaxed) }

    /// A handler for one new connection's pipeline.
    func handler() -> Handler { Handler(limit: self) }

    /// Takes a place for a connection; false when none is left.
    fileprivate func enter() -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        guard now <= maximum else {
            open.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    fileprivate func leave() {
        open.subtract(1, ordering: .relaxed)
    }

    /// Takes the connection's place when it becomes active, gives it back when it closes.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        // It reads nothing: every request part passes on untouched.
        typealias InboundIn = NIOAny

        private let limit: HTTPConnectionLimit
        private var counted = false

        fileprivate init(limit: HTTPConnectionLimit) {
            self.limit = limit
        }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { enter(context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            enter(context)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            if counted {
                counted = false
                limit.leave()
            }
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            if counted {
                counted = false
                limit.leave()
            }
        }

        private func enter(_ context: ChannelHandlerContext) {
            guard !counted else { return }
            if limit.enter() {
                counted = true
            } else {
                context.close(promise: nil)
            }
        }
    }
}
