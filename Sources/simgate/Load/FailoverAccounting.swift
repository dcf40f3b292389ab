import NIOCore
import NIOPosix
import SimGateRADIUS
import Synchronization

/// A packet gateway configured with several accounting servers, at scale: thousands of
/// sessions, each reporting Start, then an Interim-Update every `interval` with growing
/// cumulative counters, then Stop once told to finish. A report goes to one server; when no
/// authentic Accounting-Response comes within `attemptTimeout`, the same datagram goes to the
/// next server in the list, as a gateway fails over. What it remembers per session is the
/// counters of the last acknowledged report: what the servers must have stored, exactly once.
///
/// Sessions share a few UDP sockets, at most 255 per socket, each with an identifier of its
/// own there, so a reply finds its session by identifier and is checked against the one
/// request that session has in flight.
final class FailoverAccounting: Sendable {
    /// One session at the gateway, for one SIM.
    struct Session: Sendable {
        let id: String
        let imsi: String
        /// Spreads the sessions' first servers and counters.
        let index: Int
    }

    /// Cumulative counters of a report.
    struct Counters: Sendable, Equatable {
        var input: UInt64
        var output: UInt64
    }

    /// What the run came to.
    struct Tally: Sendable {
        /// Reports acknowledged, by the server (index into the targets) that answered.
        var acknowledgedBy: [Int]
        /// Datagrams sent again to the next server after `attemptTimeout` without an answer.
        var failovers = 0
        /// Sessions given up after `attemptsPerReport` unanswered tries of one report.
        var abandoned: [String] = []
        /// The counters of each session's last acknowledged report.
        var lastAcknowledged: [String: Counters] = [:]
        var acknowledged: Int { acknowledgedBy.reduce(0, +) }
    }

    /// Counters of a session's `step`-th report: zero on the Start, then growing by a few
    /// kilobytes a step, different for every session.
    static func counters(step: Int, index: Int) -> Counters {
        step == 0 ? Counters(input: 0, output: 0) : Counters(input: UInt64(step) * 1_500 + UInt64(index), output: UInt64(step) * 7_000 + UInt64(index) * 3)
    }

    private let targets: [SocketAddress]
    private let secret: [UInt8]
    private let interval: Duration
    private let attemptTimeout: Duration
    private let attemptsPerReport: Int
    private let tally: Mutex<Tally>
    private let finishing = Mutex(false)

    init(targets: [SocketAddress], secret: String, interval: Duration, attemptTimeout: Duration = .seconds(1), attemptsPerReport: Int = 30) {
        self.targets = targets
        self.secret = Array(secret.utf8)
        self.interval = interval
        self.attemptTimeout = attemptTimeout
        self.attemptsPerReport = attemptsPerReport
        tally = Mutex(Tally(acknowledgedBy: Array(repeating: 0, count: targets.count)))
    }

    /// A copy of the figures so far.
    var snapshot: Tally { tally.withLock { $0 } }

    /// Tells every session to send its Stop next, and end.
    func finish() { finishing.withLock { $0 = true } }

    /// Runs `sessions` until each has had its Stop acknowledged or been given up.
    func run(_ sessions: [Session]) async throws {
        let start = ContinuousClock.now
        let perSocket = 250
        try await withThrowingTaskGroup(of: Void.self) { group in
            for first in stride(from: 0, to: sessions.count, by: perSocket) {
                let share = Array(sessions[first..<min(first + perSocket, sessions.count)])
                // The first reports are spread over one interval, as sessions of a real fleet are.
                let due = share.map { start + interval * (Double($0.index) / Double(sessions.count)) }
                group.addTask { try await self.runSocket(share, firstDue: due) }
            }
            try await group.waitForAll()
        }
    }

    /// The state of one session on its socket.
    private struct Slot {
        let session: Session
        var step = 0
        var due: ContinuousClock.Instant
        /// The report in flight, if any: the request, its bytes, where it went last, how many
        /// times it was sent, and when.
        var pending: (request: RADIUSPacket, bytes: [UInt8], target: Int, attempts: Int, sentAt: ContinuousClock.Instant, last: Bool)?
        var ended = false
    }

    /// One socket's sessions, shared by its sending loop and its reader.
    private final class SlotTable: Sendable {
        let state: Mutex<[Slot]>
        init(_ slots: [Slot]) { state = Mutex(slots) }
    }

    private typealias Channel = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>

    private func runSocket(_ sessions: [Session], firstDue: [ContinuousClock.Instant]) async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try Channel(wrappingChannelSynchronously: channel) }
            }
        let slots = SlotTable(sessions.indices.map { Slot(session: sessions[$0], due: firstDue[$0]) })
        try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await envelope in inbound { self.received(envelope.data, slots: slots) }
                }
                // Every 10 ms: send what is due, fail over what went unanswered.
                while true {
                    let (datagrams, running) = slots.state.withLock { self.tick(&$0) }
                    if !datagrams.isEmpty {
                        try await outbound.write(contentsOf: datagrams.map { AddressedEnvelope(remoteAddress: self.targets[$0.target], data: ByteBuffer(bytes: $0.bytes)) })
                    }
                    guard running else { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                group.cancelAll()
            }
        }
    }

    /// What one socket must send now; false once all its sessions have ended.
    private func tick(_ slots: inout [Slot]) -> ([(target: Int, bytes: [UInt8])], Bool) {
        let now = ContinuousClock.now
        let finishing = finishing.withLock { $0 }
        var out: [(target: Int, bytes: [UInt8])] = []
        var running = false
        for index in slots.indices where !slots[index].ended {
            running = true
            if var pending = slots[index].pending {
                guard now - pending.sentAt >= attemptTimeout else { continue }
                guard pending.attempts < attemptsPerReport else {
                    slots[index].ended = true
                    let id = slots[index].session.id
                    tally.withLock { $0.abandoned.append(id) }
                    continue
                }
                pending.target = (pending.target + 1) % targets.count
                pending.attempts += 1
                pending.sentAt = now
                slots[index].pending = pending
                tally.withLock { $0.failovers += 1 }
                out.append((pending.target, pending.bytes))
            } else if now >= slots[index].due {
                let slot = slots[index]
                let last = finishing && slot.step > 0
                let counters = Self.counters(step: slot.step, index: slot.session.index)
                let request = GatewayAccountingRequest(
                    slot.step == 0 ? .start : (last ? .stop : .interimUpdate), nas: .address([127, 0, 0, 1]), sessionID: slot.session.id,
                    imsi: slot.session.imsi, mccMNC: "26201", ratType: 6, inputBytes: counters.input, outputBytes: counters.output
                ).signed(identifier: UInt8(index), secret: secret)
                let target = (slot.session.index + slot.step) % targets.count
                let bytes = request.encoded()
                slots[index].pending = (request, bytes, target, 1, now, last)
                out.append((target, bytes))
            }
        }
        return (out, running)
    }

    /// An answer: acknowledges its session's report if it is the authentic reply to it.
    private func received(_ datagram: ByteBuffer, slots: SlotTable) {
        guard let reply = try? RADIUSPacket(decoding: datagram.readableBytesView), reply.code == .accountingResponse else { return }
        slots.state.withLock { slots in
            let index = Int(reply.identifier)
            guard slots.indices.contains(index), let pending = slots[index].pending,
                  RADIUSAuthenticators.isAuthenticReply(reply, to: pending.request, secret: secret)
            else { return }
            let counters = Self.counters(step: slots[index].step, index: slots[index].session.index)
            let id = slots[index].session.id
            tally.withLock { tally in
                tally.acknowledgedBy[pending.target] += 1
                tally.lastAcknowledged[id] = counters
            }
            slots[index].pending = nil
            slots[index].step += 1
            slots[index].due = .now + interval
            if pending.last { slots[index].ended = true }
        }
    }
}
