import NIOCore
import NIOPosix

/// A UDP socket on loopback that sends requests one at a time and waits for each reply.
enum BenchUDPSocket {
    /// Opens a socket towards `serverPort`, gives `body` a function that sends a datagram and
    /// returns its reply, and closes the socket afterwards.
    static func with<T: Sendable>(serverPort: Int, _ body: (_ request: ([UInt8]) async throws -> [UInt8]) async throws -> T) async throws -> T {
        let server = try SocketAddress(ipAddress: "127.0.0.1", port: serverPort)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            return try await body { datagram in
                try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: datagram)))
                guard let reply = try await replies.next() else { throw BenchError("the socket closed") }
                return Array(reply.data.readableBytesView)
            }
        }
    }
}
