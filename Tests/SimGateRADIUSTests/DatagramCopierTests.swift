import NIOCore
import NIOEmbedded
@testable import SimGateRADIUS
import Testing

@Suite("Datagrams copied out of their read buffer")
struct DatagramCopierTests {
    @Test("a datagram read as a slice of a 256 KB vector-read buffer is passed on with the same bytes and sender, in storage of its own")
    func copiesOutOfTheReadBuffer() throws {
        let channel = EmbeddedChannel(handler: DatagramCopier())
        // As a vector read hands it on: a slice of one large buffer holding 64 datagrams' room.
        var readBuffer = ByteBufferAllocator().buffer(capacity: 64 * RADIUSPacket.maximumLength)
        readBuffer.writeBytes([UInt8](repeating: 0xAB, count: 4_096) + Array(0..<200).map(UInt8.init))
        let slice = try #require(readBuffer.getSlice(at: 4_096, length: 200))
        #expect(slice.storageCapacity >= 64 * RADIUSPacket.maximumLength)
        let sender = try SocketAddress(ipAddress: "192.0.2.7", port: 41_000)
        try channel.writeInbound(AddressedEnvelope(remoteAddress: sender, data: slice))

        let passedOn = try #require(try channel.readInbound(as: AddressedEnvelope<ByteBuffer>.self))
        #expect(passedOn.remoteAddress == sender)
        #expect(Array(passedOn.data.readableBytesView) == Array(0..<200).map(UInt8.init))
        // Holding the request no longer holds the read buffer.
        #expect(passedOn.data.storageCapacity < 1_024)
        #expect(try channel.finish().isClean)
    }
}
