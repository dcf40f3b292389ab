import NIOCore
import Synchronization

/// Counts the HTTP connections open across the server and closes each one past the maximum as
/// soon as it opens, so that a flood of idle connections cannot take every file descriptor.
public final class HTTPConnectionLimit: Sendable {
    /// Most connections open at once.
    let maximum: Int
    private let open = Atomic<Int>(0)
    /// Those waiting for the count to fall to theirs (tests, which await the server's closes).
    private let waiters = Mutex<[(atMost: Int, continuation: CheckedContinuation<Void, Never>)]>([])

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Connections open now, refused ones aside.
    var openConnections: Int { open.load(ordering: .sequentiallyConsistent) }

    /// Returns once at most `count` connections are open.
    public func waitUntilOpen(atMost count: Int) async {
        await withCheckedContinuation { continuation in
            // Read under the waiters' lock, which each close takes after counting itself out:
            // a close is either seen here or resumes this waiter.
            let ready = waiters.withLock { waiters -> Bool in
                guard openConnections > count else { return true }
                waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// A handler for one new connection's pipeline.
    func handler() -> Handler { Handler(limit: self) }

    /// Takes a place for a connection; false when none is left.
    fileprivate func enter() -> Bool {
        let now = open.add(1, ordering: .sequentiallyConsistent).newValue
        guard now <= maximum else {
            leave()
            return false
        }
        return true
    }

    fileprivate func leave() {
        let now = open.subtract(1, ordering: .sequentiallyConsistent).newValue
        let ready = waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            guard !waiters.isEmpty else { return [] }
            let ready = waiters.filter { now <= $0.atMost }.map(\.continuation)
            waiters.removeAll { now <= $0.atMost }
            return ready
        }
        for continuation in ready { continuation.resume() }
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
