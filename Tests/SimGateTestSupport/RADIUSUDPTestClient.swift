import NIOCore
import NIOPosix

/// Sends datagrams to a server on loopback and reads what comes back, over real UDP.
public final class RADIUSUDPTestClient: Sendable {
    private let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    private let server: SocketAddress

    public init(serverPort: Int) async throws {
        server = try SocketAddress(ipAddress: "127.0.0.1", port: serverPort)
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Sends each datagram in turn and collects the replies that arrive within `wait`.
    public func exchange(_ datagrams: [[UInt8]], wait: Duration = .milliseconds(400), expecting count: Int) async throws -> [[UInt8]] {
        try await channel.executeThenClose { inbound, outbound in
            for datagram in datagrams {
                try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: datagram)))
            }
            return try await withThrowingTaskGroup(of: [[UInt8]].self) { group in
                group.addTask {
                    var replies: [[UInt8]] = []
                    for try await envelope in inbound {
                        replies.append(Array(envelope.data.readableBytesView))
                        if replies.count == count { break }
                    }
                    return replies
                }
                group.addTask {
                    try await Task.sleep(for: wait)
                    return []
                }
                var collected: [[UInt8]] = []
                for try await result in group {
                    collected += result
                    if !result.isEmpty || collected.count >= count { break }
                    if count == 0 { break }
                }
                group.cancelAll()
                return collected
            }
        }
    }
}
