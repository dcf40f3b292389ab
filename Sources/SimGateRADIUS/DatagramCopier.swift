import NIOCore

/// Copies each datagram out of the buffer it was read into, as soon as it is read.
///
/// A vector read fills one large buffer (64 datagrams' worth, 256 KB) and hands on slices of
/// it. Held by requests waiting for their accounting batch to commit, a slice kept its whole
/// buffer alive, so every read allocated a new one and each request in flight could pin up to
/// 256 KB (at worst, with the 4,096 datagrams a port lets wait, a gigabyte). Copied,
/// each request holds a few hundred bytes, and the read buffer is reused by the next read.
/// (Under the bench's load the CPU saved was within the noise; the memory is the point.)
final class DatagramCopier: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var copy = context.channel.allocator.buffer(capacity: envelope.data.readableBytes)
        copy.writeImmutableBuffer(envelope.data)
        context.fireChannelRead(wrapInboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: copy, metadata: envelope.metadata)))
    }
}
