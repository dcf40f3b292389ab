import Foundation
import NIOCore
import NIOPosix
import SimGateRADIUS
import SimGateTestSupport
import Synchronization

/// A packet gateway in front of several SimGate instances, as a PGW is configured with a list
/// of accounting servers: each session reports Start, then Interim-Updates with growing
/// cumulative counters, then Stop when told to finish. Every report is sent to one server; if
/// no authentic Accounting-Response comes within `attemptTimeout`, the very same datagram goes
/// to the next server in the list, and so on, until one answers. What it keeps per session is
/// the counters of its last acknowledged report: what SimGate must have stored, exactly once.
final class FailoverGateway: Sendable {
    struct Session: Sendable {
        let id: String
        let imsi: String
        /// Makes each session's counters (and its first server) differ from the others'.
        let index: Int
    }

    struct Counters: Sendable, Equatable, CustomStringConvertible {
        var input: UInt64
        var output: UInt64
        var description: String { "\(input) up / \(output) down" }
    }

    /// One acknowledged report: which server answered, and when.
    struct Acknowledgement: Sendable {
        let target: Int
        let at: ContinuousClock.Instant
    }

    private struct State {
        var lastAcknowledged: [String: Counters] = [:]
        var reports: [String: Int] = [:]
        var acknowledgements: [Acknowledgement] = []
        /// Reports resent to another server after silence.
        var failovers = 0
        var finishing = false
        /// Reports no server acknowledged within `attemptsPerReport` tries.
        var abandoned: [String] = []
    }

    /// The accounting port of each server, in the order the gateway tries them.
    let accountingPorts: [Int]
    private let secret: [UInt8]
    private let attemptTimeout: Duration
    private let attemptsPerReport: Int
    private let interimInterval: Duration
    private let state = Mutex(State())

    /// - Parameter interimInterval: the pause between a session's reports, as a gateway's
    ///   Acct-Interim-Interval paces them (here short, so the load runs through the test).
    init(accountingPorts: [Int], secret: String, attemptTimeout: Duration = .seconds(1), attemptsPerReport: Int = 20, interimInterval: Duration) {
        self.accountingPorts = accountingPorts
        self.secret = Array(secret.utf8)
        self.attemptTimeout = attemptTimeout
        self.attemptsPerReport = attemptsPerReport
        self.interimInterval = interimInterval
    }

    var lastAcknowledged: [String: Counters] { state.withLock { $0.lastAcknowledged } }
    var acknowledgements: [Acknowledgement] { state.withLock { $0.acknowledgements } }
    var failovers: Int { state.withLock { $0.failovers } }
    var abandoned: [String] { state.withLock { $0.abandoned } }
    /// The fewest reports any of `sessions` has had acknowledged.
    func fewestReports(of sessions: [Session]) -> Int {
        state.withLock { state in sessions.map { state.reports[$0.id] ?? 0 }.min() ?? 0 }
    }

    /// Tells every session to send its Stop and end.
    func finish() { state.withLock { $0.finishing = true } }

    /// Runs every session until ``finish()`` (or cancellation).
    func run(_ sessions: [Session]) async {
        await withDiscardingTaskGroup { group in
            for session in sessions {
                group.addTask { await self.play(session) }
            }
        }
    }

    /// Counters of a session's `step`-th report: zero on the Start, then growing.
    static func counters(step: Int, index: Int) -> Counters {
        step == 0 ? Counters(input: 0, output: 0) : Counters(input: UInt64(step * 1_500 + index), output: UInt64(step * 7_000 + index * 3))
    }

    private func play(_ session: Session) async {
        var step = 0
        while !Task.isCancelled {
            let finishing = state.withLock { $0.finishing }
            let status: AccountingStatusType = step == 0 ? .start : (finishing ? .stop : .interimUpdate)
            let counters = Self.counters(step: step, index: session.index)
            let packet = GatewayAccountingRequest(
                status, nas: .address([127, 0, 0, 1]), sessionID: session.id, imsi: session.imsi, mccMNC: "26201", ratType: 6,
                inputBytes: counters.input, outputBytes: counters.output
            ).signed(identifier: UInt8(step % 256), secret: secret)
            guard let target = await deliver(packet, startingAt: (session.index + step) % accountingPorts.count) else {
                state.withLock { $0.abandoned.append("\(session.id) step \(step)") }
                return
            }
            state.withLock { state in
                state.lastAcknowledged[session.id] = counters
                state.reports[session.id, default: 0] += 1
                state.acknowledgements.append(Acknowledgement(target: target, at: .now))
            }
            if status == .stop { return }
            step += 1
            // The gateway's own pace between reports; nothing here waits for SimGate.
            do { try await Task.sleep(for: interimInterval) } catch { return }
        }
    }

    /// Sends `packet` until a server acknowledges it; returns which one did.
    private func deliver(_ packet: RADIUSPacket, startingAt first: Int) async -> Int? {
        let datagram = packet.encoded()
        for attempt in 0..<attemptsPerReport {
            if Task.isCancelled { return nil }
            let target = (first + attempt) % accountingPorts.count
            if attempt > 0 { state.withLock { $0.failovers += 1 } }
            guard let client = try? await RADIUSUDPTestClient(serverPort: accountingPorts[target]),
                  let replies = try? await client.exchange([datagram], wait: attemptTimeout, expecting: 1)
            else { continue }
            for bytes in replies {
                guard let reply = try? RADIUSPacket(decoding: bytes) else { continue }
                if reply.code == .accountingResponse, reply.identifier == packet.identifier,
                   RADIUSAuthenticators.isAuthenticReply(reply, to: packet, secret: secret) {
                    return target
                }
            }
        }
        return nil
    }
}

/// The gateway's CoA port (RFC 5176): checks every Disconnect-Request's authenticators, keeps
/// it with the session it names, and either stays silent (packets lost on the way) or answers
/// Disconnect-ACK.
final class GatewayCoAPort: Sendable {
    enum Mode: Sendable { case silent, acknowledge }

    /// One Disconnect-Request datagram as it arrived.
    struct Received: Sendable {
        let sessionID: String
        /// Tells a new request (another authenticator) from a retransmission of the same one.
        let authenticator: [UInt8]
        let acknowledged: Bool
        let at: ContinuousClock.Instant
    }

    let port: Int
    private let secret: [UInt8]
    private let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    private let state = Mutex<(mode: Mode, received: [Received], refused: Int)>((.acknowledge, [], 0))

    init(secret: String) async throws {
        self.secret = Array(secret.utf8)
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
            }
        }
        port = channel.channel.localAddress?.port ?? 0
    }

    func set(_ mode: Mode) { state.withLock { $0.mode = mode } }
    var received: [Received] { state.withLock { $0.received } }
    /// Datagrams that were not authentic Disconnect-Requests.
    var refused: Int { state.withLock { $0.refused } }

    /// Serves until `body` returns.
    func serving<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [self] in
                    for try await envelope in inbound {
                        guard let reply = answer(envelope.data.readableBytesView) else { continue }
                        try await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: reply.encoded())))
                    }
                }
                defer { group.cancelAll() }
                return try await body()
            }
        }
    }

    /// Records one datagram; the signed Disconnect-ACK to send back, if any.
    private func answer(_ datagram: some Collection<UInt8>) -> RADIUSPacket? {
        let zero = [UInt8](repeating: 0, count: 16)
        guard let request = try? RADIUSPacket(decoding: datagram), request.code == .disconnectRequest,
              RADIUSAuthenticators.hasValidRequestAuthenticator(request, secret: secret),
              RADIUSAuthenticators.hasValidMessageAuthenticator(request, authenticator: zero, secret: secret),
              let session = request.attribute(RADIUSAttributeType.acctSessionID).map({ String(decoding: $0.value, as: UTF8.self) })
        else {
            state.withLock { $0.refused += 1 }
            return nil
        }
        let mode = state.withLock { state -> Mode in
            state.received.append(Received(sessionID: session, authenticator: request.authenticator, acknowledged: state.mode == .acknowledge, at: .now))
            return state.mode
        }
        guard mode == .acknowledge else { return nil }
        let ack = RADIUSPacket(code: .disconnectACK, identifier: request.identifier, authenticator: [], attributes: [])
        return RADIUSAuthenticators.signReply(ack, to: request, secret: secret)
    }
}
