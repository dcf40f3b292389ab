import NIOCore
import NIOPosix

/// Sends datagrams to a server on loopback and reads what comes back, over real UDP.
public final class RADIUSUDPTestClient: Sendable {
    private let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    private let server: SocketAddress

    /// A socket on `localPort` (any free port when 0): a gateway retransmits from the port it
    /// first sent from, and the server knows a retransmission by it.
    public init(serverPort: Int, localPort: Int = 0) async throws {
        server = try SocketAddress(ipAddress: "127.0.0.1", port: serverPort)
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // Room for the largest packet RADIUS allows: NIO's default buffer holds 2,048
            // octets, and cut a longer reply short without a word.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4_096))
            .bind(host: "127.0.0.1", port: localPort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// The port this socket sends from.
    public var localPort: Int? { channel.channel.localAddress?.port }

    /// Sends each datagram in turn, then collects replies until `count` have arrived or `wait`
    /// has passed, whichever comes first, and closes the socket. Never waits longer than
    /// `wait`: with `count` 0 it listens the whole time, to show that nothing comes back.
    public func exchange(_ datagrams: [[UInt8]], wait: Duration = .seconds(2), expecting count: Int) async throws -> [[UInt8]] {
        try await channel.executeThenClose { inbound, outbound in
            for datagram in datagrams {
                try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: datagram)))
            }
            return try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    var replies: [[UInt8]] = []
                    // Iteration ends when the task is cancelled, so the timer below bounds it.
                    do {
                        for try await envelope in inbound {
                            replies.append(Array(envelope.data.readableBytesView))
                            if count > 0, replies.count >= count { break }
                        }
                    } catch {
                        // Cancelled or closed: what arrived so far is the answer.
                    }
                    return .replies(replies)
                }
                group.addTask {
                    try? await Task.sleep(for: wait)
                    return .timedOut
                }
                // Whichever finishes first ends the exchange; the reader then hands over what
                // it has (cancellation ends its loop).
                let first = try await group.next()
                group.cancelAll()
                var replies: [[UInt8]] = []
                if case .replies(let early)? = first { replies = early }
                while let next = try await group.next() {
                    if case .replies(let late) = next { replies = late }
                }
                return replies
            }
        }
    }

    private enum Outcome: Sendable {
        case replies([[UInt8]])
        case timedOut
    }
}
