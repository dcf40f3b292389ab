import Dispatch
import Glibc
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
@testable import SimGateRADIUS
import SimGateTestSupport
import Synchronization
import Testing

/// Takes accounting requests and holds their answers until released, as a batch that has not
/// committed yet does.
final class HeldAnswers: RADIUSQueueingHandler {
    private struct State {
        var held: [@Sendable (RADIUSPacket?) -> Void] = []
        var answered = 0
        var mostHeld = 0
    }

    private let state = Mutex(State())
    /// Told how many requests are held now, for ``waitUntilHolding(_:)``.
    private let holdingNow = CountWaiters()
    private let gate: FirstTakeGate?

    /// `gate`, if any, holds the first take until the test opens it.
    init(gate: FirstTakeGate? = nil) {
        self.gate = gate
    }

    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket? {
        Issue.record("a queueing handler's requests must come through take")
        return nil
    }

    func take(_ request: RADIUSPacket, from client: RADIUSClient, sourceIP: String, answer: @escaping @Sendable (RADIUSPacket?) -> Void) {
        let first = state.withLock { state in
            state.held.append(answer)
            state.mostHeld = max(state.mostHeld, state.held.count)
            holdingNow.reached(state.held.count)
            return state.held.count == 1 && state.answered == 0
        }
        if first { gate?.pass() }
    }

    /// Returns once `count` requests are held.
    func waitUntilHolding(_ count: Int) async {
        await holdingNow.wait(for: count)
    }

    /// Answers every held request with an Accounting-Response.
    func release() {
        let held = state.withLock { state -> [@Sendable (RADIUSPacket?) -> Void] in
            defer {
                state.held = []
                holdingNow.reached(0)
            }
            state.answered += state.held.count
            return state.held
        }
        for answer in held { answer(RADIUSPacket(code: .accountingResponse, identifier: 0, authenticator: [], attributes: [])) }
    }

    var answered: Int { state.withLock { $0.answered } }
    /// Requests held now.
    var holding: Int { state.withLock { $0.held.count } }
    /// The most requests held at once.
    var mostHeld: Int { state.withLock { $0.mostHeld } }
}

/// How many requests had been answered when the server returned; `nil` while it runs.
final class AnsweredWhenReturned: Sendable {
    private let state = Mutex<Int?>(nil)
    func record(_ answered: Int) { state.withLock { $0 = answered } }
    var value: Int? { state.withLock { $0 } }
}

@Suite("RADIUS requests answered later, without a task each", .timeLimit(.minutes(1)))
struct QueueingHandlerTests {
    static let secret = "queueing-secret"

    /// Quiet: the tests read what the server answers, not what it logs.
    static let logger = { var logger = Logger(label: "radius.test"); logger.logLevel = .critical; return logger }()

    /// An accounting port on a free loopback port whose requests `handler` takes.
    static func accountingServer(handing handler: HeldAnswers, backlogLimit: Int = 8_192) -> RADIUSServer {
        RADIUSServer(
            host: "127.0.0.1", port: 0, role: .accounting, clients: RADIUSClientTable([RADIUSClient(name: "pgw", address: "127.0.0.1", secret: secret)]),
            handler: handler, logger: logger, backlogLimit: backlogLimit
        )
    }

    static func accountingRequest(_ n: Int) -> RADIUSPacket {
        RADIUSAuthenticators.signRequest(RADIUSPacket(code: .accountingRequest, identifier: UInt8(n), authenticator: [UInt8](repeating: 0, count: 16), attributes: [
            .integer(RADIUSAttributeType.acctStatusType, AccountingStatusType.interimUpdate.rawValue),
            .text(RADIUSAttributeType.acctSessionID, "held-\(n)"),
        ]), secret: Array(secret.utf8))
    }

    @Test("requests held together are answered together, each reply signed for its own request; a port shut down with answers held stops once they are given")
    func heldThenReleased() async throws {
        let logger = Self.logger
        let handler = HeldAnswers()
        let server = Self.accountingServer(handing: handler)
        let services = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [], logger: logger))
        let answeredWhenReturned = AnsweredWhenReturned()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await services.run()
                answeredWhenReturned.record(handler.answered)
            }
            let port = try await server.port()

            // 40 requests taken and held, then answered at once.
            let requests = (0..<40).map(Self.accountingRequest)
            async let replies = RADIUSUDPTestClient(serverPort: port).exchange(requests.map { $0.encoded() }, wait: .seconds(10), expecting: requests.count)
            await handler.waitUntilHolding(40)
            handler.release()
            let answered = try await replies.map { try RADIUSPacket(decoding: $0) }
            #expect(answered.count == 40)
            for reply in answered {
                let request = try #require(requests.first { $0.identifier == reply.identifier })
                #expect(reply.code == .accountingResponse)
                #expect(reply.authenticator == RADIUSAuthenticators.md5Authenticator(of: reply, over: request.authenticator, secret: Array(Self.secret.utf8)))
            }

            // Ten more held when shutdown begins: the port stops reading, and the server
            // returns once the ten are answered (their replies may no longer go out: the
            // socket closes as shutdown begins, and a gateway retries elsewhere).
            let late = (40..<50).map(Self.accountingRequest)
            async let lateReplies = RADIUSUDPTestClient(serverPort: port).exchange(late.map { $0.encoded() }, wait: .seconds(1), expecting: late.count)
            await handler.waitUntilHolding(10)
            await services.triggerGracefulShutdown()
            handler.release()
            try await group.next()
            #expect(answeredWhenReturned.value == 50)
            _ = try await lateReplies
        }
    }

    /// A handler stopped before start-up finished may never answer what it took. Shutdown by
    /// cancellation (a failed start-up cancels the whole group) must still end the port; it
    /// once waited for those answers for good.
    @Test("a port cancelled while answers are held that never come stops all the same")
    func cancelledWithAnswersHeld() async throws {
        let handler = HeldAnswers()
        let server = Self.accountingServer(handing: handler)
        let running = Task { try await server.run() }
        let port = try await server.port()
        let requests = (0..<5).map(Self.accountingRequest)
        async let replies = RADIUSUDPTestClient(serverPort: port).exchange(requests.map { $0.encoded() }, wait: .milliseconds(200), expecting: requests.count)
        await handler.waitUntilHolding(5)
        running.cancel()
        // It returns with the five still held. Had it waited for them, the suite's time limit
        // cancels this wait, which then lets them go: the test fails instead of hanging.
        _ = await withTaskCancellationHandler { await running.result } onCancel: { handler.release() }
        #expect(handler.answered == 0, "the cancelled port waited for answers that never come")
        #expect(try await replies.isEmpty)
    }

    /// A flood faster than the database commits once grew the handler's backlog without end.
    /// Now the port stops reading at its limit: the kernel's buffer holds what follows, and
    /// what was already read waits in the port. Nothing is lost: every request is answered.
    @Test("no more requests wait for answers than the backlog limit; the rest are taken as answers free room, none lost")
    func backlogIsBounded() async throws {
        let port = try await PausedPort.filled()
        let (handler, server, running, requests) = (port.handler, port.server, port.running, port.requests)
        defer {
            port.gate.open()
            running.cancel()
        }
        #expect(handler.holding == 8, "the port stops at its limit (without one it took all 40)")
        #expect(server.statistics.backlogFull == 1)

        // Each round answers what is held; room frees as they are answered, and the port hands
        // over more. The suite's time limit bounds a round that never comes.
        while handler.answered < requests.count {
            handler.release()
            if handler.answered < requests.count { await handler.waitUntilHolding(1) }
        }
        #expect(handler.mostHeld == 8)
        #expect(server.statistics.answered == requests.count, "every request answered, none dropped")
        #expect(server.statistics.dropped(.duplicateInFlight) == 0)
        running.cancel()
        _ = await running.result
    }
}

extension QueueingHandlerTests {
    /// Requests read while the backlog was full and never handed over when the port closes are
    /// counted as unanswered (and let go from the reply cache), not lost from the counts.
    @Test("requests waiting for room when the port closes are counted unanswered")
    func closedWhilePaused() async throws {
        let port = try await PausedPort.filled()
        let (handler, server, running) = (port.handler, port.server, port.running)
        defer { port.gate.open() }
        #expect(handler.holding == 8)

        running.cancel()
        _ = await running.result
        #expect(server.statistics.dropped(.notAnswered) == 32, "the 32 waiting in the port")
        // The held eight are answered after the port has gone: their replies go nowhere.
        handler.release()
        #expect(handler.answered == 8)
    }
}

/// An accounting port with a backlog limit of 8, sent 40 requests at once, that has read what
/// it will read of them: the handler holds the first 8 and the rest wait for room.
struct PausedPort {
    let gate: FirstTakeGate
    let handler: HeldAnswers
    let server: RADIUSServer
    let running: Task<Void, any Error>
    let requests: [RADIUSPacket]

    /// Starts the port and fills it. The first request the handler takes holds the port's loop
    /// until all 40 are in its socket, then marks the point where that loop has read what it
    /// will read of them.
    static func filled() async throws -> PausedPort {
        let gate = FirstTakeGate()
        let handler = HeldAnswers(gate: gate)
        let server = QueueingHandlerTests.accountingServer(handing: handler, backlogLimit: 8)
        let running = Task { try await server.run() }
        let requests = (0..<40).map(QueueingHandlerTests.accountingRequest)
        do {
            try BlockingUDPSender.send(requests.map { $0.encoded() }, toPort: try await server.port())
        } catch {
            // A shut gate would hold a shared event loop 30 seconds.
            gate.open()
            running.cancel()
            throw error
        }
        gate.open()
        await gate.loopMovedOn()
        return PausedPort(gate: gate, handler: handler, server: server, running: running, requests: requests)
    }
}

/// Holds the event loop in the handler's first ``HeldAnswers/take`` until ``open()``, then
/// queues a mark on that loop: it runs once the loop has finished the reads it was in, so a
/// test that waits for it sees everything the loop took from its socket.
final class FirstTakeGate: Sendable {
    private let opened = DispatchSemaphore(value: 0)
    private let moved = CountWaiters()

    /// Lets the first take go on.
    func open() { opened.signal() }

    /// Returns once the loop that made the first take has run its mark.
    func loopMovedOn() async { await moved.wait(for: 1) }

    /// Called in the first take, on the port's event loop. Waits at most 30 seconds: a test
    /// that never opens the gate fails instead of stopping the loop for good.
    func pass() {
        _ = opened.wait(timeout: .now() + 30)
        MultiThreadedEventLoopGroup.currentEventLoop?.execute { self.moved.reached(1) }
    }
}

/// Sends datagrams with blocking `sendto` calls from a socket of its own: on loopback each one
/// is in the server's socket buffer when its call returns.
enum BlockingUDPSender {
    struct Failure: Error { let errno: Int32 }

    static func send(_ datagrams: [[UInt8]], toPort port: Int) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(errno: errno) }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for datagram in datagrams {
            let sent = datagram.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            guard sent == datagram.count else { throw Failure(errno: errno) }
        }
    }
}
