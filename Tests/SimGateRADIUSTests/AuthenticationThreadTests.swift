import Foundation
import Logging
@testable import SimGateRADIUS
import SimGateTestSupport
import Synchronization
import Testing

/// Answers every Access-Request with Access-Accept, after noting the thread it runs on: its
/// name and the time slice the kernel gives it, both as Linux reports them for the thread.
final class ThreadNotingHandler: RADIUSRequestHandler {
    let seen = Mutex<[(name: String, slice: String?)]>([])

    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket? {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        let sched = (try? String(contentsOfFile: "/proc/thread-self/sched", encoding: .utf8)) ?? ""
        let slice = sched.split(separator: "\n").first { $0.hasPrefix("se.slice") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
        seen.withLock { $0.append((name, slice)) }
        return RADIUSPacket(code: .accessAccept, identifier: 0, authenticator: [], attributes: [])
    }
}

@Suite("The authentication port's own thread")
struct AuthenticationThreadTests {
    @Test("Access-Requests are answered on the port's own thread, named radius-auth, with 0.1 ms time slices where the kernel takes them")
    func answeredOnItsOwnThread() async throws {
        let handler = ThreadNotingHandler()
        var logger = Logger(label: "radius.test")
        logger.logLevel = .critical
        let secret = RADIUSServerTests.secret
        let server = RADIUSServer(
            host: "127.0.0.1", port: 0, role: .authentication,
            clients: RADIUSClientTable([RADIUSClient(name: "pgw", address: "127.0.0.1", secret: secret)]), handler: handler, logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let requests = (1...3).map { RADIUSServerTests.accessRequest(user: "nemo", identifier: UInt8($0)).encoded() }
            let replies = try await RADIUSUDPTestClient(serverPort: try await server.port()).exchange(requests, expecting: 3)
            #expect(replies.count == 3)
            group.cancelAll()
        }
        let seen = handler.seen.withLock { $0 }
        #expect(seen.count == 3)
        #expect(seen.allSatisfy { $0.name == "radius-auth" })
        // Linux reports a thread's slice in nanoseconds from 6.6; it takes a custom one from 6.12.
        if Self.kernelTakesCustomSlices {
            #expect(seen.allSatisfy { $0.slice == "100000" })
        }
    }

    /// Whether this kernel is Linux 6.12 or later, whose EEVDF scheduler honours sched_runtime.
    static var kernelTakesCustomSlices: Bool {
        guard let release = try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8) else { return false }
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return false }
        return (numbers[0], numbers[1]) >= (6, 12)
    }
}
