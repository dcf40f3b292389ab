import Logging
import NIOCore
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
    }

    private let state = Mutex(State())
    /// Told how many requests are held now, for ``waitUntilHolding(_:)``.
    private let holding = CountWaiters()

    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket? {
        Issue.record("a queueing handler's requests must come through take")
        return nil
    }

    func take(_ request: RADIUSPacket, from client: RADIUSClient, sourceIP: String, answer: @escaping @Sendable (RADIUSPacket?) -> Void) {
        state.withLock { state in
            state.held.append(answer)
            holding.reached(state.held.count)
        }
    }

    /// Returns once `count` requests are held.
    func waitUntilHolding(_ count: Int) async {
        await holding.wait(for: count)
    }

    /// Answers every held request with an Accounting-Response.
    func release() {
        let held = state.withLock { state -> [@Sendable (RADIUSPacket?) -> Void] in
            defer {
                state.held = []
                holding.reached(0)
            }
            state.answered += state.held.count
            return state.held
        }
        for answer in held { answer(RADIUSPacket(code: .accountingResponse, identifier: 0, authenticator: [], attributes: [])) }
    }

    var answered: Int { state.withLock { $0.answered } }
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
    static func accountingServer(handing handler: HeldAnswers) -> RADIUSServer {
        RADIUSServer(
            host: "127.0.0.1", port: 0, role: .accounting, clients: RADIUSClientTable([RADIUSClient(name: "pgw", address: "127.0.0.1", secret: secret)]),
            handler: handler, logger: logger
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
}
