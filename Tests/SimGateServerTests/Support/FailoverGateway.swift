import Foundation
import NIOCore
import NIOPosix
import SimGateRADIUS
import SimGateServer
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
    /// Rung at every acknowledged report, so a test awaits the gateway's progress instead of polling it.
    let changed = Doorbell()

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
            changed.ring()
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
