import Foundation
import NIOCore
import NIOPosix
import SimGateRADIUS
import SimGateServer
import Synchronization

/// A packet gateway's CoA port on loopback (RFC 5176): checks each Disconnect-Request's
/// authenticators the way a gateway must, keeps it with how it was answered, and answers as
/// told (or stays silent, as if the packet were lost).
final class FakeGatewayCoAPort: Sendable {
    /// How the port answers the Disconnect-Requests that arrive from now on.
    enum Answer: Sendable {
        case ack, nak(errorCause: UInt32), silence
        /// A signed reply of a code a CoA port may not answer with (an Access-Accept, a CoA-ACK).
        case other(RADIUSCode)
        /// An ACK held back until ``release()``: an answer that comes late, after a test has
        /// changed something meanwhile.
        case heldACK
    }

    /// One authentic Disconnect-Request as it arrived, and how it was answered.
    struct Received: Sendable {
        let packet: RADIUSPacket
        let answer: Answer
        /// The port it came from. SimGate sends each exchange from a socket of its own, so a
        /// retransmission comes from the port of the request it repeats, and a new request
        /// (even one whose random identifier, and so whose bytes, happen to match) from another.
        let senderPort: Int
        /// The Acct-Session-Id it names ("" if none).
        var sessionID: String {
            packet.attribute(RADIUSAttributeType.acctSessionID).map { String(decoding: $0.value, as: UTF8.self) } ?? ""
        }
        /// Tells a new request (another authenticator) from a retransmission of the same one.
        var authenticator: [UInt8] { packet.authenticator }
        /// Whether it got a Disconnect-ACK.
        var acknowledged: Bool { if case .ack = answer { true } else { false } }
    }

    let port: Int
    private let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    private let state = Mutex<(answer: Answer, log: [Received], forged: Int, held: [AddressedEnvelope<ByteBuffer>])>((.ack, [], 0, []))
    /// Wakes the writer of held answers.
    private let releases = AsyncStream<Void>.makeStream()
    private let secret: [UInt8]
    /// Rung at every authentic Disconnect-Request, so a test awaits them instead of polling.
    let changed = Doorbell()

    /// A port on a free loopback port that checks requests against `secret`.
    init(secret: String = TestHarness.radiusSecret) async throws {
        self.secret = Array(secret.utf8)
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
            }
        }
        port = channel.channel.localAddress?.port ?? 0
    }

    func answer(_ answer: Answer) { state.withLock { $0.answer = answer } }
    /// Sends the ACKs held so far.
    func release() { releases.continuation.yield() }
    /// The authentic requests, in the order they arrived.
    var received: [RADIUSPacket] { state.withLock { $0.log.map(\.packet) } }
    /// The authentic requests with how each was answered.
    var log: [Received] { state.withLock { $0.log } }
    /// Datagrams that were not authentic Disconnect-Requests.
    var forged: Int { state.withLock { $0.forged } }

    /// Serves until the body returns.
    func serving<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    for try await envelope in inbound {
                        guard let (reply, held) = respond(to: envelope.data.readableBytesView, from: envelope.remoteAddress.port ?? 0) else { continue }
                        let answer = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: reply.encoded()))
                        if held {
                            state.withLock { $0.held.append(answer) }
                        } else {
                            try await outbound.write(answer)
                        }
                    }
                }
                group.addTask { [self] in
                    for await _ in releases.stream {
                        for answer in state.withLock({ state in defer { state.held.removeAll() }; return state.held }) { try await outbound.write(answer) }
                    }
                }
                let result = try await body()
                group.cancelAll()
                return result
            }
        }
    }

    /// The signed answer to one datagram and whether to hold it back, or nil to stay silent.
    private func respond(to datagram: some Collection<UInt8>, from senderPort: Int) -> (RADIUSPacket, held: Bool)? {
        let zero = [UInt8](repeating: 0, count: 16)
        guard let request = try? RADIUSPacket(decoding: datagram), request.code == .disconnectRequest,
              RADIUSAuthenticators.hasValidRequestAuthenticator(request, secret: secret),
              RADIUSAuthenticators.hasValidMessageAuthenticator(request, authenticator: zero, secret: secret)
        else {
            state.withLock { $0.forged += 1 }
            return nil
        }
        let answer = state.withLock { state -> Answer in
            state.log.append(Received(packet: request, answer: state.answer, senderPort: senderPort))
            return state.answer
        }
        changed.ring()
        let reply: RADIUSPacket
        switch answer {
        case .silence: return nil
        case .ack, .heldACK: reply = RADIUSPacket(code: .disconnectACK, identifier: request.identifier, authenticator: [], attributes: [])
        case .nak(let cause):
            reply = RADIUSPacket(code: .disconnectNAK, identifier: request.identifier, authenticator: [], attributes: [.integer(RADIUSAttributeType.errorCause, cause)])
        case .other(let code):
            reply = RADIUSPacket(code: code, identifier: request.identifier, authenticator: [], attributes: [])
        }
        let held = if case .heldACK = answer { true } else { false }
        return (RADIUSAuthenticators.signReply(reply, to: request, secret: secret), held)
    }
}
